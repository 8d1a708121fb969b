import { Bot, InlineKeyboard, InputFile, type Api, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { handleIncoming } from '../../handlers/router';
import { menuCommands } from '../../handlers/commands';
import { createOfficeMenu } from './menu';
import type { AppDeps, Incoming } from '../../handlers/types';
import type { Reply } from '../../domain/replies';
import { splitText } from '../render-text';
import { showTyping } from '../typing';
import { installTelegramOutbox, isRecipientGone } from '../outbox/telegram';
import { markUnreachable } from '../../handlers/reminders/reachability';
import { editedMessageIgnored, staleButton } from '../../templates/onboarding';

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
    const status = member.new_chat_member.status;
    if (status === 'kicked') return { ...base, event: { kind: 'blocked' } };
    if (status === 'member') return { ...base, event: { kind: 'unblocked' } };
    return null;
  }
  if (ctx.callbackQuery?.data !== undefined) return { ...base, event: { kind: 'text', text: ctx.callbackQuery.data } };
  const msg = ctx.message;
  if (!msg || msg.chat.type !== 'private') return null;
  if (msg.text !== undefined) return { ...base, event: { kind: 'text', text: msg.text } };
  const what = msg.sticker ? 'sticker' : msg.photo ? 'photo' : msg.document ? 'file' : 'other';
  return { ...base, event: { kind: 'unsupported', what } };
}

function keyboardFor(r: Reply): InlineKeyboard | undefined {
  const actions = (r.actions ?? []).filter((a) => Buffer.byteLength(a.command, 'utf8') <= CALLBACK_DATA_LIMIT);
  if (actions.length === 0 && !r.webApp) return undefined;
  const kb = new InlineKeyboard();
  // The form page (Mini App) gets a row of its own, above the shortcuts.
  if (r.webApp) kb.webApp(r.webApp.label, r.webApp.url).row();
  actions.forEach((a, i) => {
    kb.text(a.label, a.command);
    // Choices stack one per line (their labels are long); shortcuts sit three to a row.
    if (r.choice || (i + 1) % 3 === 0) kb.row();
  });
  return kb;
}

/**
 * Sends replies in order. Plain text without parse mode: nothing a user typed can break formatting.
 * `onKeyboard` learns the id of each message sent with buttons.
 */
export async function sendReplies(api: Api, chatId: number | string, replies: Reply[], onKeyboard?: (messageId: number) => void): Promise<void> {
  for (const r of replies) {
    const parts = splitText(r.text, TELEGRAM_TEXT_LIMIT);
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      const kb = last ? keyboardFor(r) : undefined;
      const sent = await api.sendMessage(chatId, part, kb ? { reply_markup: kb } : {});
      if (kb) onKeyboard?.(sent.message_id);
    }
    if (r.document) {
      await api.sendDocument(chatId, new InputFile(r.document.bytes, r.document.filename), r.document.caption ? { caption: r.document.caption.slice(0, 1024) } : {});
    }
    if (r.photo) {
      await api.sendPhoto(chatId, new InputFile(r.photo.bytes, r.photo.filename), r.photo.caption ? { caption: r.photo.caption.slice(0, 1024) } : {});
    }
  }
}

export function createTelegramBot(opts: TelegramOptions): Bot {
  const bot = new Bot(opts.token, { client: { apiRoot: opts.apiRoot } });
  const { deps } = opts;
  // Every call with a chat_id (replies, reminders, digests) goes through one throttled queue; ctx.api inherits it.
  installTelegramOutbox(bot.api, undefined, deps.config.outgoingThrottle);
  // One user's messages are handled in order; different users never wait for each other.
  bot.use(sequentialize((ctx: Context) => ctx.from?.id.toString()));
  // Per chat, the newest message sent with buttons (in memory: after a restart every button works again).
  const newestKeyboard = new Map<number, number>();
  bot.on('callback_query', async (ctx, next) => {
    const stale = isStalePress(ctx, newestKeyboard);
    // Answer at once so the button stops spinning, whatever happens next.
    await ctx.answerCallbackQuery(stale ? { text: staleButton() } : undefined).catch((err) => deps.log.warn('answerCallbackQuery failed', { err }));
    if (!stale) await next();
  });
  const officeMenu = createOfficeMenu(deps);
  bot.use(async (ctx) => {
    if (ctx.message && ctx.message.chat.type !== 'private') {
      if (ctx.message.text?.startsWith('/')) await ctx.reply('Vui lòng nhắn riêng cho bot để báo cáo.');
      return;
    }
    // Phones make it easy to edit a sent answer; the edit changes nothing stored, so say so.
    if (ctx.editedMessage) {
      if (ctx.editedMessage.chat.type === 'private' && ctx.editedMessage.text !== undefined) await ctx.reply(editedMessageIgnored());
      return;
    }
    const incoming = toIncoming(ctx);
    if (!incoming) return;
    const chatId = ctx.chat?.id ?? ctx.from!.id;
    const replies = await handleIncoming(deps, incoming, { onSlowWork: () => showTyping(() => ctx.api.sendChatAction(chatId, 'typing')) });
    await officeMenu(ctx.api, incoming.userId, chatId);
    try {
      await sendReplies(ctx.api, chatId, replies, (id) => newestKeyboard.set(chatId, id));
    } catch (err) {
      if (!isRecipientGone(err)) throw err;
      markUnreachable(deps, 'telegram', incoming.userId, err.description);
    }
  });
  bot.catch((err) => {
    deps.log.error('telegram update failed', { updateId: err.ctx.update.update_id, err: err.error instanceof Error ? err.error.message : String(err.error) });
    const chatId = err.ctx.chat?.id;
    if (chatId !== undefined) {
      err.ctx.api.sendMessage(chatId, 'Đã có lỗi khi xử lý tin nhắn. Các câu trả lời đã lưu vẫn được giữ; vui lòng thử lại sau ít phút.').catch(() => undefined);
    }
  });
  return bot;
}

/**
 * A button whose meaning depends on the question being asked (skip, back, a reading of an ambiguous
 * figure), pressed on a message older than the newest one with buttons: a double tap, or an old question
 * scrolled back to. Acting on it would skip or answer the question asked now, so it is refused.
 */
function isStalePress(ctx: Context, newestKeyboard: Map<number, number>): boolean {
  const data = ctx.callbackQuery?.data;
  const pressed = ctx.callbackQuery?.message?.message_id;
  const chatId = ctx.chat?.id;
  if (data === undefined || pressed === undefined || chatId === undefined) return false;
  if (!(data === '/boqua' || data === '/quaylai' || /^\d+$/.test(data))) return false;
  const newest = newestKeyboard.get(chatId);
  return newest !== undefined && pressed < newest;
}

const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

/** Long polling through the runner: updates are fetched while earlier ones are still being handled. */
export async function startTelegramPolling(bot: Bot, deps: AppDeps): Promise<RunnerHandle> {
  await bot.init();
  await bot.api.deleteWebhook();
  await bot.api.setMyCommands(menuCommands('contact'));
  deps.log.info('telegram polling started', { username: bot.botInfo.username });
  return run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } });
}

/**
 * Webhook mode: Telegram POSTs every update to `url` with `secretToken` in X-Telegram-Bot-Api-Secret-Token
 * (checked by the HTTP server, see bot/http/telegram-webhook.ts); the bot handles them with handleUpdate.
 */
export async function startTelegramWebhook(bot: Bot, deps: AppDeps, url: string, secretToken: string): Promise<void> {
  await bot.init();
  await bot.api.setWebhook(url, { secret_token: secretToken, allowed_updates: [...ALLOWED_UPDATES] });
  await bot.api.setMyCommands(menuCommands('contact'));
  deps.log.info('telegram webhook set', { username: bot.botInfo.username, url });
}

/**
 * A bot whose only middleware hands each update to `store`: given to grammY's webhookCallback, it makes the
 * webhook request answer as soon as the update is written, not after it was handled. Needs `main` initialised
 * (it reuses its bot info, so it never calls the API itself).
 */
export function createTelegramIntakeBot(main: Bot, store: (update: Update) => void): Bot {
  const intake = new Bot(main.token, { botInfo: main.botInfo });
  intake.use((ctx) => store(ctx.update));
  intake.catch((err) => {
    throw err.error;
  });
  return intake;
}
