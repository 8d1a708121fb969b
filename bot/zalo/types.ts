/**
 * Zod schemas (and the types inferred from them) for the Zalo Bot Platform API.
 *
 * Incoming data is parsed leniently: unknown fields are kept (loose objects), ids that arrive as numbers are
 * normalised to strings, and unknown `event_name` values still parse. Outgoing requests are validated strictly
 * so that we never send something the platform will refuse (e.g. a 2001-character text).
 */
import { z } from 'zod';

/** Longest text accepted by `sendMessage` (UTF-16 code units; the conservative reading of "2000 characters"). */
export const ZALO_TEXT_LIMIT = 2000;

/** Event names documented today. Others may appear later and must be ignored politely, not rejected. */
export const ZALO_EVENTS = {
  text: 'message.text.received',
  image: 'message.image.received',
  sticker: 'message.sticker.received',
  unsupported: 'message.unsupported.received',
} as const;
export type KnownZaloEventName = (typeof ZALO_EVENTS)[keyof typeof ZALO_EVENTS];
const KNOWN_EVENTS: ReadonlySet<string> = new Set(Object.values(ZALO_EVENTS));
export function isKnownZaloEvent(name: string): name is KnownZaloEventName {
  return KNOWN_EVENTS.has(name);
}

// ---------------------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------------------

/** An opaque id: documented as a string; tolerate a number and normalise it to a string. */
const idSchema = z.union([z.string().min(1), z.number().transform((n) => String(n))]);

/** Epoch milliseconds; tolerate a numeric string. */
const epochMsSchema = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

/** An optional string field that must not sink the whole update if the platform changes its shape. */
const lenientString = z.string().optional().catch(undefined);

// ---------------------------------------------------------------------------------------------------------------
// Incoming updates
// ---------------------------------------------------------------------------------------------------------------

/**
 * "PRIVATE" or "GROUP" today. Anything else (a type added later, or none) is taken as a group: the bot
 * then stays silent, as in a group, instead of dropping the update as not understood.
 */
export const zaloChatTypeSchema = z
  .unknown()
  .optional()
  .transform((v): 'PRIVATE' | 'GROUP' => (v === 'PRIVATE' ? 'PRIVATE' : 'GROUP'));
export type ZaloChatType = z.infer<typeof zaloChatTypeSchema>;

export const zaloChatSchema = z.looseObject({
  id: idSchema,
  chat_type: zaloChatTypeSchema,
});
export type ZaloChat = z.infer<typeof zaloChatSchema>;

export const zaloUserSchema = z.looseObject({
  id: idSchema,
  display_name: lenientString,
  first_name: lenientString,
  is_bot: z.boolean().optional().catch(undefined),
});
export type ZaloUser = z.infer<typeof zaloUserSchema>;

export const zaloMessageSchema = z.looseObject({
  message_id: idSchema,
  /** Epoch milliseconds. */
  date: epochMsSchema,
  text: lenientString,
  /** URL of the received image. */
  photo: lenientString,
  caption: lenientString,
  sticker: lenientString,
  chat: zaloChatSchema,
  from: zaloUserSchema,
});
export type ZaloMessage = z.infer<typeof zaloMessageSchema>;

/**
 * The event of an update that came without `event_name` (seen from some clients and older platform
 * versions), from the fields its message carries.
 */
export function inferZaloEvent(message: Pick<ZaloMessage, 'text' | 'photo' | 'sticker'>): KnownZaloEventName {
  if (message.text !== undefined) return ZALO_EVENTS.text;
  if (message.photo !== undefined) return ZALO_EVENTS.image;
  if (message.sticker !== undefined) return ZALO_EVENTS.sticker;
  return ZALO_EVENTS.unsupported;
}

export const zaloUpdateSchema = z
  .looseObject({
    /** One of {@link ZALO_EVENTS} today; any other string still parses (check with {@link isKnownZaloEvent}). */
    event_name: z.string().min(1).optional(),
    message: zaloMessageSchema,
  })
  .transform((u) => ({ ...u, event_name: u.event_name ?? inferZaloEvent(u.message) }));
/** A parsed update (ids normalised to strings). */
export type ZaloUpdate = z.infer<typeof zaloUpdateSchema>;
/** What an update looks like on the wire (what fakes and tests build). */
export type ZaloUpdateInput = z.input<typeof zaloUpdateSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Envelope and results
// ---------------------------------------------------------------------------------------------------------------

export const zaloEnvelopeSchema = z.looseObject({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]).optional().catch(undefined),
  description: z.string().optional().catch(undefined),
});
export type ZaloEnvelope = z.infer<typeof zaloEnvelopeSchema>;

export const zaloBotInfoSchema = z.looseObject({
  id: idSchema,
  account_name: lenientString,
  account_type: lenientString,
  can_join_groups: z.boolean().optional().catch(undefined),
});
export type ZaloBotInfo = z.infer<typeof zaloBotInfoSchema>;

export const zaloSentMessageSchema = z.looseObject({
  message_id: idSchema,
  date: epochMsSchema.optional().catch(undefined),
});
export type ZaloSentMessage = z.infer<typeof zaloSentMessageSchema>;

/** `getWebhookInfo` (and, when the platform echoes it, `setWebhook`/`deleteWebhook`). `true`/`null` → `{}`. */
export const zaloWebhookInfoSchema = z.preprocess(
  (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {}),
  z.looseObject({
    url: z.string().optional().catch(undefined),
    updated_at: epochMsSchema.optional().catch(undefined),
  }),
);
export type ZaloWebhookInfo = z.infer<typeof zaloWebhookInfoSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Outgoing requests
// ---------------------------------------------------------------------------------------------------------------

const chatIdParam = z.string().min(1);

export const getUpdatesParamsSchema = z.object({
  /** Long-poll duration in seconds (sent to the API as a string). Default 30. */
  timeout: z.number().int().min(0).max(600).optional(),
});
export type GetUpdatesParams = z.infer<typeof getUpdatesParamsSchema>;

const httpsUrl = z.url({ protocol: /^https$/ });
/** Only for tests against a local fake: plain http is accepted too. */
const anyHttpUrl = z.url({ protocol: /^https?$/ });

export const setWebhookParamsSchema = z.object({
  /** Must be https for the real platform. */
  url: httpsUrl,
  /** 8 to 256 characters; echoed back in the `X-Bot-Api-Secret-Token` header of every webhook call. */
  secret_token: z.string().min(8).max(256),
});
export type SetWebhookParams = z.infer<typeof setWebhookParamsSchema>;
export const setWebhookParamsSchemaInsecure = setWebhookParamsSchema.extend({ url: anyHttpUrl });

export const sendMessageParamsSchema = z.object({
  chat_id: chatIdParam,
  text: z.string().min(1).max(ZALO_TEXT_LIMIT),
});
export type SendMessageParams = z.infer<typeof sendMessageParamsSchema>;

export const sendPhotoParamsSchema = z.object({
  chat_id: chatIdParam,
  /** A public https URL: the platform fetches the image itself (there is no upload). */
  photo: httpsUrl,
  caption: z.string().max(ZALO_TEXT_LIMIT).optional(),
});
export type SendPhotoParams = z.infer<typeof sendPhotoParamsSchema>;
export const sendPhotoParamsSchemaInsecure = sendPhotoParamsSchema.extend({ photo: anyHttpUrl });

export const sendStickerParamsSchema = z.object({
  chat_id: chatIdParam,
  sticker: z.string().min(1),
});
export type SendStickerParams = z.infer<typeof sendStickerParamsSchema>;

export const sendChatActionParamsSchema = z.object({
  chat_id: chatIdParam,
  action: z.literal('typing'),
});
export type SendChatActionParams = z.infer<typeof sendChatActionParamsSchema>;
