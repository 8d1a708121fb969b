import { Bot, GrammyError, HttpError, InputFile, type Api, type ApiClientOptions, type Context } from 'grammy';
import type { InlineKeyboardButton, Update } from 'grammy/types';
import { handleIncoming } from '../../handlers/router';
import { createOfficeMenu } from './menu';
import type { AppDeps, Incoming } from '../../handlers/types';
import { reply, type Reply } from '../../domain/replies';
import { inTransaction, type Db } from '../../storage/db';
import { enqueueMessages, keyboardState, type OutMessage } from '../../storage/repositories/outbox';
import { attachQueues, type ReplyQueue } from '../../handlers/notify';
import { markUpdateProcessed } from '../../storage/repositories/updates';
import { splitText } from '../render-text';
import { showTyping } from '../typing';
import { installTelegramOutbox } from '../outbox/telegram';
import { botApiFetch, directJsonCalls } from './fetch';
import { OutboxSender, type SendFailure } from '../outbox/sender';
import { markUnreachable } from '../../handlers/reminders/reachability';
import { editedMessageIgnored, handlingFailed, privateChatHint, staleButton } from '../../templates/onboarding';

/** Telegram's limits: a message holds 4096 characters, callback data 64 bytes. */
export const TELEGRAM_TEXT_LIMIT = 4096;
export const CALLBACK_DATA_LIMIT = 64;

export interface TelegramOptions {
  token: string;
  apiRoot: string;
  deps: AppDeps;
}

const displayName = (ctx: Context) => [ctx.from?.first_name, ctx.from?.last_name].filter(Boolean).join(' ') || ctx.from?.username || null;

/** Translates a Telegram update into our Incoming event; null for updates we do not act on. */
export function toIncoming(ctx: Context): Incoming | null {
  const from = ctx.from;
  if (!from || from.is_bot) return null;
  const base = { channel: 'telegram' as const, updateKey: String(ctx.update.update_id), userId: String(from.id), displayName: displayName(ctx) };
  const member = ctx.update.my_chat_member;
  if (member) {
    // Leaving or joining a group says nothing about the person's private chat with the bot.
    if (member.chat.type !== 'private') return null;
    const status = member.new_chat_member.status;
    if (status === 'kicked') return { ...base, event: { kind: 'blocked' } };
    if (status === 'member') return { ...base, event: { kind: 'unblocked' } };
    return null;
  }
  if (ctx.callbackQuery) {
    const q = ctx.callbackQuery;
    return q.data !== undefined && q.message?.chat.type === 'private' ? { ...base, event: { kind: 'text', text: q.data } } : null;
  }
  const msg = ctx.message;
  if (!msg || msg.chat.type !== 'private') return null;
  if (msg.text !== undefined) return { ...base, event: { kind: 'text', text: msg.text } };
  const what = msg.sticker ? 'sticker' : msg.photo ? 'photo' : msg.document ? 'file' : 'other';
  return { ...base, event: { kind: 'unsupported', what } };
}

function keyboardFor(r: Reply): InlineKeyboardButton[][] | undefined {
  const actions = (r.actions ?? []).filter((a) => Buffer.byteLength(a.command, 'utf8') <= CALLBACK_DATA_LIMIT);
  if (actions.length === 0 && !r.webApp) return undefined;
  // Plain rows, as grammY's InlineKeyboard builds them (one is made for nearly every answer).
  const rows: InlineKeyboardButton[][] = [];
  // The form page (Mini App) gets a row of its own, above the shortcuts.
  if (r.webApp) rows.push([{ text: r.webApp.label, web_app: { url: r.webApp.url } }]);
  // Choices stack one per line (their labels are long); shortcuts sit three to a row.
  const perRow = r.choice ? 1 : 3;
  for (let i = 0; i < actions.length; i += perRow) rows.push(actions.slice(i, i + perRow).map((a) => ({ text: a.label, callback_data: a.command })));
  return rows;
}

/**
 * Our replies as Telegram messages, in order: texts split at 4096 characters (the keyboard on the last
 * part), then the document. Plain text without parse mode: nothing a user typed can break formatting.
 */
export function telegramMessages(replies: readonly Reply[]): OutMessage[] {
  const out: OutMessage[] = [];
  for (const r of replies) {
    const parts = splitText(r.text, TELEGRAM_TEXT_LIMIT);
    for (const [i, part] of parts.entries()) {
      const kb = i === parts.length - 1 ? keyboardFor(r) : undefined;
      out.push(kb ? { text: part, buttons: kb } : { text: part });
    }
    if (r.document) {
      const caption = r.document.caption?.slice(0, 1024);
      out.push({ document: { filename: r.document.filename, bytes: r.document.bytes }, ...(caption ? { text: caption } : {}) });
    }
    if (r.photo) {
      const caption = r.photo.caption?.slice(0, 1024);
      out.push({ document: { filename: r.photo.filename, bytes: r.photo.bytes, asPhoto: true }, ...(caption ? { text: caption } : {}) });
    }
  }
  return out;
}

/** Telegram takes numeric chat ids; the outbox keeps them as text. */
const chatIdOf = (chatId: string | number): number | string => (typeof chatId === 'number' || !/^-?\d+$/.test(chatId) ? chatId : Number(chatId));

/** Sends one message; resolves with Telegram's message id. */
export async function sendTelegramMessage(api: Api, chatId: string | number, m: { text?: string | null; buttons?: unknown; document?: { filename: string; bytes: Uint8Array; asPhoto?: boolean } | null }): Promise<number> {
  const chat = chatIdOf(chatId);
  if (m.document?.asPhoto) {
    const sent = await api.sendPhoto(chat, new InputFile(m.document.bytes, m.document.filename), m.text ? { caption: m.text } : {});
    return sent.message_id;
  }
  if (m.document) {
    const sent = await api.sendDocument(chat, new InputFile(m.document.bytes, m.document.filename), m.text ? { caption: m.text } : {});
    return sent.message_id;
  }
  const buttons = m.buttons as InlineKeyboardButton[][] | undefined;
  const sent = await api.sendMessage(chat, m.text ?? '', buttons ? { reply_markup: { inline_keyboard: buttons } } : {});
  return sent.message_id;
}

/** Sends replies at once, in order (reminders and digests, which keep their own bookkeeping). */
export async function sendReplies(api: Api, chatId: number | string, replies: Reply[]): Promise<void> {
  for (const m of telegramMessages(replies)) await sendTelegramMessage(api, chatId, m);
}

/** The sender of the Telegram reply queue, once started; the bot wakes it after each commit. */
const senders = new WeakMap<Bot, OutboxSender>();

/** Starts sending the bot's reply queue (also what a previous run left unsent). */
export function startTelegramSender(bot: Bot, deps: AppDeps): OutboxSender {
  const existing = senders.get(bot);
  if (existing) return existing;
  const sender = new OutboxSender({
    db: deps.db,
    channel: 'telegram',
    log: deps.log,
    clock: deps.clock,
    send: (row) => sendTelegramMessage(bot.api, row.chatId, { text: row.text, buttons: row.buttons ? JSON.parse(row.buttons) : undefined, document: row.document && row.documentName ? { filename: row.documentName, bytes: row.document, asPhoto: row.asPhoto } : null }),
    classify: classifyTelegramFailure,
    onRecipientGone: (chatId, reason) => markUnreachable(deps, 'telegram', chatId, reason),
  });
  senders.set(bot, sender);
  // Messages to a contact outside their own conversation (a returned report, a page confirmation).
  attachQueues(deps.db, { telegram: telegramReplyQueue(() => sender.wake()) });
  sender.start();
  return sender;
}

export function classifyTelegramFailure(err: unknown): SendFailure {
  if (err instanceof HttpError) return 'transient';
  if (err instanceof GrammyError) {
    if (err.error_code === 403) return 'recipient-gone';
    if (err.error_code === 429 || err.error_code >= 500) return 'transient';
    return 'refused';
  }
  return 'refused';
}

/** Queues replies for a chat in the caller's transaction. */
export function queueTelegramReplies(tx: Db, chatId: number | string, replies: readonly Reply[], now: Date): void {
  enqueueMessages(tx, 'telegram', String(chatId), telegramMessages(replies), now);
}

/** Messages to a contact outside their own conversation, queued for their private chat; `wake` tells the sender. */
export function telegramReplyQueue(wake: () => void): ReplyQueue {
  return { queue: (tx, contact, replies, now) => queueTelegramReplies(tx, contact.externalId, replies, now), wake };
}

export function createTelegramBot(opts: TelegramOptions): Bot {
  const bot = new Bot(opts.token, { client: { apiRoot: opts.apiRoot, fetch: botApiFetch as unknown as ApiClientOptions['fetch'] } });
  const { deps } = opts;
  bot.api.config.use(directJsonCalls(opts.apiRoot, opts.token));
  // Every call with a chat_id (replies, reminders, digests) goes through one throttled queue; ctx.api inherits it.
  installTelegramOutbox(bot.api, undefined, deps.config.outgoingThrottle);
  const wake = () => senders.get(bot)?.wake();
  /** A reply outside the conversation (hints), queued once per update. */
  const queueOnce = (ctx: Context, chatId: number, text: string) => {
    inTransaction(deps.db, (tx) => {
      if (markUpdateProcessed(tx, 'telegram', String(ctx.update.update_id), deps.clock())) queueTelegramReplies(tx, chatId, [reply(text)], deps.clock());
    });
    wake();
  };
  bot.on('callback_query', async (ctx, next) => {
    const inPrivate = ctx.callbackQuery.message?.chat.type === 'private';
    const stale = inPrivate && isStalePress(ctx, deps.db, () => senders.get(bot)?.recordSent());
    // Answered at once so the button stops spinning; not awaited: handling never waits on the network.
    const text = !inPrivate ? privateChatHint() : stale ? staleButton() : undefined;
    void ctx.answerCallbackQuery(text ? { text } : undefined).catch((err: unknown) => deps.log.warn('answerCallbackQuery failed', { err: err instanceof Error ? err.message : String(err) }));
    // A button on a message in a group never reaches the conversation: its answers are the unit's own.
    if (inPrivate && !stale) await next();
  });
  const officeMenu = createOfficeMenu(deps);
  bot.use(async (ctx) => {
    if (ctx.message && ctx.message.chat.type !== 'private') {
      if (ctx.message.text?.startsWith('/')) queueOnce(ctx, ctx.message.chat.id, privateChatHint());
      return;
    }
    // Phones make it easy to edit a sent answer; the edit changes nothing stored, so say so.
    if (ctx.editedMessage) {
      if (ctx.editedMessage.chat.type === 'private' && ctx.editedMessage.text !== undefined) queueOnce(ctx, ctx.editedMessage.chat.id, editedMessageIgnored());
      return;
    }
    const incoming = toIncoming(ctx);
    if (!incoming) return;
    const chatId = ctx.chat?.id ?? ctx.from!.id;
    await handleIncoming(deps, incoming, (tx, replies) => queueTelegramReplies(tx, chatId, replies, deps.clock()), {
      onSlowWork: () => showTyping(() => ctx.api.sendChatAction(chatId, 'typing')),
      onCommitted: wake,
    });
    void officeMenu(ctx.api, incoming.userId, chatId);
  });
  return bot;
}

/** Handling failed (not the database): the person is told, through the queue. */
export function queueHandlingFailed(bot: Bot, deps: AppDeps, update: Update): void {
  const chatId = update.message?.chat.id ?? update.callback_query?.message?.chat.id;
  if (chatId === undefined) return;
  inTransaction(deps.db, (tx) => queueTelegramReplies(tx, chatId, [reply(handlingFailed())], deps.clock()));
  senders.get(bot)?.wake();
}

/**
 * A button whose meaning depends on the question being asked (skip, back, a reading of an ambiguous
 * figure), pressed on a message older than the newest one with buttons: a double tap, or an old question
 * scrolled back to. Acting on it would skip or answer the question asked now, so it is refused. The newest
 * keyboard is read from the reply queue, so this holds across restarts; one queued after the pressed one
 * and still waiting to be sent makes the press a double tap. `recordSent` writes the sends made so far
 * into the queue; it is called only for the buttons this check reads the queue for.
 */
function isStalePress(ctx: Context, db: Db, recordSent: () => void): boolean {
  const data = ctx.callbackQuery?.data;
  const pressed = ctx.callbackQuery?.message?.message_id;
  const chatId = ctx.chat?.id;
  if (data === undefined || pressed === undefined || chatId === undefined) return false;
  if (!(data === '/boqua' || data === '/quaylai' || /^\d+$/.test(data))) return false;
  // The sends of the last few milliseconds are recorded first: a press on a keyboard sent just now (a
  // quick tap on the next question) must not look like one on an older message.
  recordSent();
  const { newestSentId, pendingAfter } = keyboardState(db, 'telegram', String(chatId));
  if (newestSentId !== null && pressed <= newestSentId) return pressed < newestSentId || pendingAfter > 0;
  // Pressed on a message newer than the newest recorded one: the first keyboard after it, whose send is
  // still being recorded. Only a second one queued after that makes the press old.
  return pendingAfter > 1;
}
