import { z } from 'zod';
import type { Update } from 'grammy/types';

/**
 * The shape of the Telegram updates we act on, checked before an update is stored (webhook) or handled:
 * the fields the adapter reads must have the documented types. Other fields are let through unchecked
 * (Telegram adds fields over time); a field we read with the wrong type ("message": "x", a `from.id` that
 * is an object) refuses the whole update. The update itself is kept as it came, never zod's copy, so the
 * schemas strip rather than pass the other fields: passing them copies every field of every update
 * (about 5 % of what the bot allocated per answer in the answers bench).
 */

const user = z.object({
  id: z.number().int(),
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

const chat = z.object({ id: z.number().int(), type: z.string() });

const message = z.object({
  message_id: z.number().int(),
  date: z.number().int(),
  chat,
  from: user.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
});

const callbackQuery = z.object({
  id: z.string(),
  from: user,
  // Messages older than 48 h arrive as "inaccessible" (date 0), still with chat and id.
  message: z.object({ message_id: z.number().int(), chat }).optional(),
  data: z.string().optional(),
});

const chatMember = z.object({
  chat,
  from: user,
  date: z.number().int(),
  new_chat_member: z.object({ status: z.string() }),
});

export const telegramUpdateSchema = z.object({
  update_id: z.number().int().nonnegative(),
  message: message.optional(),
  edited_message: message.optional(),
  callback_query: callbackQuery.optional(),
  my_chat_member: chatMember.optional(),
});

/** The update when its shape is right, else null. */
export function parseTelegramUpdate(json: unknown): Update | null {
  const r = telegramUpdateSchema.safeParse(json);
  return r.success ? (json as Update) : null;
}
