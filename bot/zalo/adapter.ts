import { handleIncoming } from '../../handlers/router';
import type { AppDeps, Incoming } from '../../handlers/types';
import { reply, type Reply } from '../../domain/replies';
import { inTransaction, type Db } from '../../storage/db';
import { enqueueMessages } from '../../storage/repositories/outbox';
import type { ReplyQueue } from '../../handlers/notify';
import { markUpdateProcessed } from '../../storage/repositories/updates';
import { OutboxSender } from '../outbox/sender';
import { formatDateTime } from '../../domain/periods';
import { looksLikeInviteCode } from '../../domain/invite-code';
import { findContact } from '../../storage/repositories/contacts';
import { renderAsText } from '../render-text';
import { showTyping } from '../typing';
import { issueReportLink } from '../http/report-links';
import { createRateLimitedSender, type RateLimits } from '../outbox/rate-limiter';
import { ZaloApiError, ZaloHttpError, splitForZalo, type ZaloClient } from './client';
import { ZALO_EVENTS, type ZaloUpdate } from './types';
import * as t from './texts';

/**
 * The Zalo channel: translates platform updates into our Incoming events and our replies into Zalo
 * messages. Zalo has no buttons (choices become "Trả lời 1 để …, 2 để …"), no files (a document becomes a
 * download link served by our HTTP server) and a 2000-character message limit (long replies are split
 * at line breaks). No business rule lives here.
 */

/** The platform may deliver an event twice and has no update id: this pair identifies it. */
export function zaloUpdateKey(u: ZaloUpdate): string {
  return `${u.event_name}:${u.message.message_id}`;
}

/** The sender, so one person's updates are handled in order. */
export function zaloSender(u: ZaloUpdate): string {
  return u.message.from.id;
}

const displayName = (u: ZaloUpdate): string | null => u.message.from.display_name ?? u.message.from.first_name ?? null;

/** A private-chat update as our Incoming event; null for what we do not act on (bots, groups). */
export function zaloToIncoming(u: ZaloUpdate): Incoming | null {
  const msg = u.message;
  if (msg.from.is_bot || msg.chat.chat_type !== 'PRIVATE') return null;
  const base = { channel: 'zalo' as const, updateKey: zaloUpdateKey(u), userId: msg.from.id, displayName: displayName(u) };
  switch (u.event_name) {
    case ZALO_EVENTS.text:
      return msg.text !== undefined ? { ...base, event: { kind: 'text', text: msg.text } } : { ...base, event: { kind: 'unsupported', what: 'other' } };
    case ZALO_EVENTS.image:
      return { ...base, event: { kind: 'unsupported', what: 'photo' } };
    case ZALO_EVENTS.sticker:
      return { ...base, event: { kind: 'unsupported', what: 'sticker' } };
    default:
      // message.unsupported.received, and whatever the platform adds later: answered politely.
      return { ...base, event: { kind: 'unsupported', what: 'other' } };
  }
}

export interface ZaloChannelOptions {
  client: ZaloClient;
  deps: AppDeps;
  /** Base of report download links (PUBLIC_URL); without it a document cannot be handed over. */
  publicUrl: string | undefined;
  /** How long a report link works. */
  linkTtlHours: number;
  /** Zalo publishes no limits: one queue for the channel, 20 sends per second by default. */
  limits?: RateLimits;
  /** Extra attempts for a message when the platform is unreachable or busy. Default 2. */
  retries?: number;
}

/** Worth another try: the platform was unreachable, timed out, failed (5xx) or asked us to slow down. */
const isTransient = (err: unknown): boolean =>
  (err instanceof ZaloHttpError && err.retryable) || (err instanceof ZaloApiError && err.error_code === 429);

export class ZaloChannel {
  readonly #o: ZaloChannelOptions;
  readonly #send: (chatId: string, text: string) => Promise<unknown>;
  readonly sender: OutboxSender;

  constructor(options: ZaloChannelOptions) {
    this.#o = options;
    // Replies, reminders and digests all pass this one queue, so together they stay within the limits.
    this.#send = createRateLimitedSender(options.limits ?? { perSecond: 20 }, (chatId, text: string) => options.client.sendMessage({ chat_id: chatId, text }), {
      retry: { retries: options.retries ?? 2, retryable: isTransient, delayMs: (attempt) => 500 * 2 ** (attempt - 1) },
    });
    const { deps } = options;
    this.sender = new OutboxSender({
      db: deps.db,
      channel: 'zalo',
      log: deps.log,
      clock: deps.clock,
      send: async (row) => {
        await this.#send(row.chatId, row.text ?? '');
        return null;
      },
      classify: (err) => (isTransient(err) ? 'transient' : 'refused'),
    });
  }

  /**
   * Messages to a contact outside their own conversation (a returned report, a page confirmation), queued
   * for their private chat (addressed by the user's id); `wake` tells the sender, by default this channel's.
   */
  replyQueue(wake: () => void = () => this.sender.wake()): ReplyQueue {
    return { queue: (tx, contact, replies) => this.#queue(tx, contact.externalId, [...replies], contact.externalId), wake };
  }

  /**
   * Handles one update: the router's transaction, which also queues the replies (sent by `sender`). A
   * group message gets at most the hint to write privately, queued once.
   */
  async handleUpdate(u: ZaloUpdate): Promise<void> {
    const { deps } = this.#o;
    const msg = u.message;
    if (msg.from.is_bot) return;
    if (msg.chat.chat_type !== 'PRIVATE') {
      // Reports are personal: in a group only a command or a code gets an answer, pointing to a private chat.
      const text = msg.text?.trim() ?? '';
      if (u.event_name === ZALO_EVENTS.text && (text.startsWith('/') || looksLikeInviteCode(text))) {
        inTransaction(deps.db, (tx) => {
          if (markUpdateProcessed(tx, 'zalo', zaloUpdateKey(u), deps.clock())) this.#queue(tx, msg.chat.id, [reply(t.groupHint())], msg.from.id);
        });
        this.sender.wake();
      }
      return;
    }
    const incoming = zaloToIncoming(u);
    if (!incoming) return;
    await handleIncoming(deps, incoming, (tx, replies) => this.#queue(tx, msg.chat.id, replies, msg.from.id), {
      onSlowWork: () => showTyping(() => this.#o.client.sendChatAction({ chat_id: msg.chat.id, action: 'typing' })),
      onCommitted: () => this.sender.wake(),
    });
  }

  /** Handling failed (not the database): the person is told, through the queue. */
  queueHandlingFailed(u: ZaloUpdate): void {
    const { deps } = this.#o;
    inTransaction(deps.db, (tx) => this.#queue(tx, u.message.chat.id, [reply(t.handlingFailed())], u.message.from.id));
    this.sender.wake();
  }

  #queue(tx: Db, chatId: string, replies: Reply[], userId: string): void {
    const messages = this.#render(tx, replies, userId).map((text) => ({ text }));
    enqueueMessages(tx, 'zalo', chatId, messages, this.#o.deps.clock());
  }

  /**
   * Our replies as Zalo messages. One step's replies ("✓ saved" + the next question) travel as one message
   * where they fit: half the sends against Zalo's limits, and the contact sees them together. A document
   * becomes a download link (issued for `userId`'s contact, in the caller's transaction).
   */
  #render(db: Db, replies: Reply[], userId: string): string[] {
    // Zalo takes no files here: a document or a picture is handed over as a download link.
    const texts = replies.map((r) =>
      // A reply may be only a picture (the /tiendo chart after its text): no empty line before its link.
      [renderAsText(r), ...[r.document, r.photo].filter((f) => f !== undefined).map((f) => this.#documentLine(db, f, userId))].filter((part) => part !== '').join('\n\n'),
    );
    return texts.length > 0 ? splitForZalo(texts.join('\n\n')) : [];
  }

  /** Sends replies at once, in order (reminders and digests, which keep their own bookkeeping). */
  async sendReplies(chatId: string, replies: Reply[], userId: string): Promise<void> {
    for (const part of this.#render(this.#o.deps.db, replies, userId)) await this.#send(chatId, part);
  }

  /** One text, split into messages of at most 2000 characters at line breaks. */
  async sendText(chatId: string, text: string): Promise<void> {
    for (const part of splitForZalo(text)) await this.#send(chatId, part);
  }

  #documentLine(db: Db, doc: NonNullable<Reply['document']>, userId: string): string {
    const { deps, publicUrl, linkTtlHours } = this.#o;
    const caption = doc.caption ? `${doc.caption}\n` : '';
    if (!publicUrl) return `${caption}${t.reportLinkUnavailable(doc.filename)}`;
    const contact = findContact(db, 'zalo', userId);
    const link = issueReportLink(db, { publicUrl, document: doc, createdBy: contact?.id ?? null, now: deps.clock(), ttlHours: linkTtlHours });
    return `${caption}${t.reportLink(doc.filename, link.url, formatDateTime(link.expiresAt, deps.config.timeZone))}`;
  }
}
