/**
 * Fake Telegram Bot API server for end-to-end tests.
 *
 * Runs a real HTTP server on 127.0.0.1 (random port) that speaks enough of the Bot API for the REAL
 * grammY client to run against it:
 *
 *   const tg = await startFakeTelegram();
 *   const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
 *
 * The fake validates requests the way Telegram does for the things that commonly bite bots in
 * production (message length, HTML/MarkdownV2 entity parsing, callback_data byte length, caption
 * length, "message is not modified", stale callback queries, blocked users, rate limits) and answers
 * with the same HTTP status / `{ ok:false, error_code, description, parameters }` shape.
 *
 * Bookkeeping exposed to tests:
 *   - `sent`      every call that was answered `ok:true` (getUpdates excluded, see `polls`)
 *   - `rejected`  every call that was answered `ok:false` (400/403/404/429/…), with `error`
 *   - `messagesTo(chat)`/`documentsTo(chat)` delivered sendMessage / sendDocument per chat
 *   - `waitForMessage`/`waitForDocument`/`waitForCall`/`waitForIdle`
 *
 * waitForMessage semantics (per chat cursor, like reading a chat log line by line):
 *   Every chat has a "read cursor" into the list of texts delivered to it by sendMessage (initially 0).
 *   `waitForMessage(chat, pred)` scans the texts at index >= cursor in delivery order — INCLUDING
 *   texts that were delivered before the call but not yet consumed — and resolves with the first one
 *   matching `pred`; the cursor then moves just past that text, so every text before it (matching or
 *   not) is consumed too. If nothing matches yet, it waits for new deliveries until `timeoutMs`
 *   (default 5000), then rejects with an Error listing the unconsumed texts (cursor unchanged).
 *   Consequences: a reply that raced ahead of the `await` is never missed; a text is never matched
 *   twice; waiting for something that was already skipped over fails. Use `skipMessages(chat)` to
 *   mark everything delivered so far as consumed, and `messageCursor(chat)` to inspect the cursor.
 *   Texts are the RENDERED text the user sees (HTML tags stripped, entities decoded) — the raw
 *   request text is kept in `botMessages(chat)[i].rawText` and in `sent[i].body.text`.
 *   `waitForDocument` works the same way with its own cursor over `documentsTo(chat)`.
 */
import { createHmac } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update, User } from 'grammy/types';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface ApiErrorSpec {
  error_code: number;
  description: string;
  retry_after?: number;
}

export interface UploadedFile {
  /** multipart part name (grammY uses a random id referenced by `attach://<id>`) */
  field: string;
  filename: string;
  bytes: Buffer;
  contentType?: string;
}

export interface SentCall {
  /** Canonical method name, e.g. `sendMessage` (Telegram method names are case-insensitive). */
  method: string;
  /** Parameters: JSON body, or multipart/url-encoded fields coerced to numbers/booleans/JSON. */
  body: Record<string, unknown>;
  chat_id?: number | string;
  /** `Date.now()` when the request arrived. */
  time: number;
  /** File parts of a multipart request. */
  files: UploadedFile[];
  /** `result` of the answer (for `sent`). */
  result?: unknown;
  /** Error answered (for `rejected`). */
  error?: ApiErrorSpec;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
  [k: string]: unknown;
}

export interface BotMessageRecord {
  chatId: number;
  messageId: number;
  /** Rendered text as delivered by sendMessage (never changes). */
  text: string;
  /** Raw `text` parameter of sendMessage. */
  rawText: string;
  parseMode?: string;
  /** Current rendered text (after editMessageText). */
  currentText: string;
  /** Current inline keyboard (after edits; editMessageText without reply_markup removes it). */
  inlineKeyboard?: InlineButton[][];
  edits: string[];
  deleted: boolean;
  time: number;
}

export interface DocumentRecord {
  chatId: number;
  messageId: number;
  filename: string;
  bytes: Buffer;
  caption?: string;
  mimeType?: string;
  fileId: string;
  time: number;
}

export interface CallbackQueryRecord {
  id: string;
  updateId: number;
  chatId: number;
  messageId?: number;
  data: string;
  answered: boolean;
  answer?: { text?: string; show_alert?: boolean; url?: string };
}

export interface PollRecord {
  offset?: number;
  limit: number;
  timeout: number;
  returned: number[];
  time: number;
  /** answered 409 because another getUpdates arrived while this one was pending */
  conflicted?: boolean;
}

export interface RateLimitOptions {
  /** sendMessage+sendDocument per second over all chats (Telegram: ~30). */
  global?: number;
  /** sendMessage+sendDocument per second per chat (Telegram: ~1). */
  perChat?: number;
}

export interface FakeTelegramOptions {
  /** Bot token, format `<bot id>:<secret>`. */
  token?: string;
  botUsername?: string;
  botFirstName?: string;
  /** Upper bound for getUpdates long polling, whatever `timeout` the client asks for. Default 500. */
  longPollCapMs?: number;
  /** Sliding 1 s window limits; `null`/absent = unlimited. */
  rateLimit?: RateLimitOptions | null;
  /**
   * When true, sending to a chat that never wrote to the bot (no push*, no `registerChat`) fails like
   * Telegram does (403 "Forbidden: bot can't initiate conversation with a user"). Default false.
   */
  strictChats?: boolean;
  /**
   * Telegram answers 409 "Conflict: terminated by other getUpdates request" to a pending getUpdates
   * when another one arrives (two bot instances polling). Default true.
   */
  conflictOnConcurrentPolls?: boolean;
}

export type RawUpdate = (Omit<Update, 'update_id'> & { update_id?: number }) | Record<string, unknown>;

export interface WebhookPostResult {
  status: number;
  body: string;
}

// ---------------------------------------------------------------------------------------------
// Validators (exported: handy for unit tests of message templates)
// ---------------------------------------------------------------------------------------------

export class TelegramEntityParseError extends Error {}

const HTML_TAGS = new Set([
  'b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'tg-spoiler', 'span',
  'blockquote', 'tg-emoji',
]);

function byteOffset(src: string, index: number): number {
  return Buffer.byteLength(src.slice(0, index), 'utf8');
}

function parseHtmlAttributes(s: string, at: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /\s*([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/y;
  let pos = 0;
  while (pos < s.length) {
    if (/^\s*$/.test(s.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m || m[0].length === 0) throw new TelegramEntityParseError(`Unexpected character in tag attributes ${at}`);
    const name = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    attrs.set(name, decodeHtmlEntities(value, at));
    pos = re.lastIndex;
  }
  return attrs;
}

function decodeHtmlEntities(s: string, at: string): string {
  return s.replace(/&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);/g, (whole, body: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
    if (body.startsWith('#')) {
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!(cp > 0 && cp <= 0x10ffff)) throw new TelegramEntityParseError(`Invalid numeric entity "${whole}" ${at}`);
      return String.fromCodePoint(cp);
    }
    const v = named[body];
    if (v === undefined) throw new TelegramEntityParseError(`Unsupported HTML entity "${whole}" ${at}`);
    return v;
  });
}

/**
 * Parses Telegram-flavoured HTML like the Bot API does with `parse_mode: 'HTML'`; returns the text the
 * user will see. Throws TelegramEntityParseError (message = the part after "can't parse entities: ").
 * Strict on purpose: every '<' and '&' that is not part of a supported tag / entity must be escaped.
 */
export function parseTelegramHtml(src: string): string {
  let out = '';
  const stack: { name: string; index: number }[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '<') {
      const at = `at byte offset ${byteOffset(src, i)}`;
      // find the closing '>' outside of quoted attribute values
      let j = i + 1;
      let quote: string | null = null;
      for (; j < src.length; j++) {
        const d = src[j];
        if (quote) {
          if (d === quote) quote = null;
        } else if (d === '"' || d === "'") quote = d;
        else if (d === '>') break;
        else if (d === '<') {
          j = src.length;
          break;
        }
      }
      if (j >= src.length) throw new TelegramEntityParseError(`Unclosed start tag ${at}`);
      const inner = src.slice(i + 1, j);
      if (inner.startsWith('/')) {
        const name = inner.slice(1).trim().toLowerCase();
        if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new TelegramEntityParseError(`Invalid end tag ${at}`);
        const top = stack.pop();
        if (!top) throw new TelegramEntityParseError(`Unexpected end tag ${at}`);
        if (top.name !== name) {
          throw new TelegramEntityParseError(`Unmatched end tag ${at}, expected "</${top.name}>", found "</${name}>"`);
        }
      } else {
        const m = /^([a-zA-Z][a-zA-Z0-9-]*)([\s\S]*)$/.exec(inner);
        if (!m) throw new TelegramEntityParseError(`Unsupported start tag "${inner.slice(0, 16)}" ${at}`);
        const name = (m[1] as string).toLowerCase();
        const rest = m[2] as string;
        if (!HTML_TAGS.has(name)) throw new TelegramEntityParseError(`Unsupported start tag "${name}" ${at}`);
        if (rest.length > 0 && !/^\s/.test(rest)) throw new TelegramEntityParseError(`Unsupported start tag "${inner}" ${at}`);
        if (/\/\s*$/.test(rest)) throw new TelegramEntityParseError(`Unsupported self-closing tag "${name}" ${at}`);
        const attrs = parseHtmlAttributes(rest, at);
        if (name === 'span' && attrs.get('class') !== 'tg-spoiler') {
          throw new TelegramEntityParseError(`Tag "span" must have class "tg-spoiler" ${at}`);
        }
        if (name === 'tg-emoji' && !attrs.has('emoji-id')) {
          throw new TelegramEntityParseError(`Tag "tg-emoji" must have attribute "emoji-id" ${at}`);
        }
        stack.push({ name, index: i });
      }
      i = j + 1;
    } else if (c === '&') {
      const at = `at byte offset ${byteOffset(src, i)}`;
      const m = /^&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);/.exec(src.slice(i, i + 16));
      if (!m) throw new TelegramEntityParseError(`Character '&' must be escaped as "&amp;" ${at}`);
      out += decodeHtmlEntities(m[0], at);
      i += m[0].length;
    } else {
      out += c;
      i++;
    }
  }
  const top = stack.pop();
  if (top) throw new TelegramEntityParseError(`Can't find end tag corresponding to start tag "${top.name}"`);
  return out;
}

const MD2_RESERVED = new Set('_*[]()~`>#+-=|{}.!'.split(''));
const MD2_NAMES: Record<string, string> = { '*': 'Bold', _: 'Italic', __: 'Underline', '~': 'Strikethrough', '||': 'Spoiler', '[': 'TextUrl' };

/** Parses MarkdownV2 (reasonably strictly); returns the rendered text. Throws TelegramEntityParseError. */
export function parseMarkdownV2(src: string): string {
  let out = '';
  const stack: { tok: string; index: number }[] = [];
  let i = 0;
  let lineStart = true;
  const toggle = (tok: string, index: number) => {
    const top = stack[stack.length - 1];
    if (top && top.tok === tok) stack.pop();
    else stack.push({ tok, index });
  };
  while (i < src.length) {
    const c = src[i] as string;
    const at = () => `at byte offset ${byteOffset(src, i)}`;
    const wasLineStart = lineStart;
    lineStart = false;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new TelegramEntityParseError(`Character '\\' is reserved and must be escaped ${at()}`);
      out += n;
      i += 2;
      continue;
    }
    if (c === '`') {
      const isPre = src.startsWith('```', i);
      const delim = isPre ? '```' : '`';
      let j = i + delim.length;
      let content = '';
      while (j < src.length && !src.startsWith(delim, j)) {
        if (src[j] === '\\' && (src[j + 1] === '`' || src[j + 1] === '\\')) {
          content += src[j + 1];
          j += 2;
        } else {
          content += src[j];
          j++;
        }
      }
      if (j >= src.length) throw new TelegramEntityParseError(`Can't find end of ${isPre ? 'Pre' : 'Code'} entity ${at()}`);
      if (isPre) {
        const nl = content.indexOf('\n');
        if (nl >= 0 && /^\S*$/.test(content.slice(0, nl))) content = content.slice(nl + 1);
      }
      out += content;
      i = j + delim.length;
      continue;
    }
    if (c === '*' || c === '~') {
      toggle(c, i);
      i++;
      continue;
    }
    if (c === '_') {
      if (src[i + 1] === '_') {
        toggle('__', i);
        i += 2;
      } else {
        toggle('_', i);
        i++;
      }
      continue;
    }
    if (c === '|' && src[i + 1] === '|') {
      toggle('||', i);
      i += 2;
      continue;
    }
    if (c === '[' || (c === '!' && src[i + 1] === '[')) {
      stack.push({ tok: '[', index: i });
      i += c === '!' ? 2 : 1;
      continue;
    }
    if (c === ']') {
      const top = stack[stack.length - 1];
      if (!top || top.tok !== '[') throw new TelegramEntityParseError(`Character ']' is reserved and must be escaped with the preceding '\\'`);
      if (src[i + 1] !== '(') throw new TelegramEntityParseError(`Can't find end of TextUrl entity ${at()}`);
      let j = i + 2;
      while (j < src.length && src[j] !== ')') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new TelegramEntityParseError(`Can't find end of TextUrl entity ${at()}`);
      stack.pop();
      i = j + 1;
      continue;
    }
    if (c === '>' && wasLineStart) {
      i++;
      continue;
    }
    if (MD2_RESERVED.has(c)) {
      throw new TelegramEntityParseError(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    }
    out += c;
    lineStart = c === '\n';
    i++;
  }
  const top = stack.pop();
  if (top) {
    throw new TelegramEntityParseError(`Can't find end of ${MD2_NAMES[top.tok] ?? 'the'} entity at byte offset ${byteOffset(src, top.index)}`);
  }
  return out;
}

/** Legacy `Markdown` parse mode: only checks that * _ ` ``` [..](..) are balanced. */
export function parseLegacyMarkdown(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '*' || c === '_' || c === '`') {
      const delim = c === '`' && src.startsWith('```', i) ? '```' : c;
      const end = src.indexOf(delim, i + delim.length);
      if (end < 0) throw new TelegramEntityParseError(`Can't find end of the entity starting at byte offset ${byteOffset(src, i)}`);
      out += src.slice(i + delim.length, end);
      i = end + delim.length;
    } else if (c === '[') {
      const m = /^\[([^\]]*)\]\(([^)]*)\)/.exec(src.slice(i));
      if (!m) throw new TelegramEntityParseError(`Can't find end of the entity starting at byte offset ${byteOffset(src, i)}`);
      out += m[1];
      i += m[0].length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Renders `text` according to `parse_mode` or throws TelegramEntityParseError / ApiError. */
function renderFormatted(text: string, parseMode: unknown): string {
  if (parseMode === undefined || parseMode === null || parseMode === '') return text;
  const mode = String(parseMode).toLowerCase();
  if (mode === 'html') return parseTelegramHtml(text);
  if (mode === 'markdownv2') return parseMarkdownV2(text);
  if (mode === 'markdown') return parseLegacyMarkdown(text);
  throw bad('unsupported parse_mode');
}

// ---------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly retryAfter?: number,
    /** not recorded in `rejected` (superseded long polls) */
    readonly silent = false,
  ) {
    super(description);
  }
  toSpec(): ApiErrorSpec {
    return this.retryAfter === undefined
      ? { error_code: this.code, description: this.description }
      : { error_code: this.code, description: this.description, retry_after: this.retryAfter };
  }
}

function bad(description: string): ApiError {
  return new ApiError(400, `Bad Request: ${description}`);
}

type Json = Record<string, unknown>;

interface ChatState {
  id: number;
  user: User;
  known: boolean;
  blocked: boolean;
  nextMessageId: number;
  /** every message of the chat (user's and bot's), as the API object */
  messages: Map<number, Json>;
  botMessages: BotMessageRecord[];
  documents: DocumentRecord[];
  messageCursor: number;
  documentCursor: number;
}

interface StoredFile {
  fileId: string;
  uniqueId: string;
  filePath: string;
  bytes: Buffer;
  filename?: string;
  mimeType?: string;
}

interface PollWaiter {
  wake: () => void;
  conflicted: boolean;
}

interface Waiter {
  chatId: number;
  kind: 'message' | 'document';
  pred: (x: never) => boolean;
  resolve: (x: never) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface CallWaiter {
  method: string;
  pred: (c: SentCall) => boolean;
  resolve: (c: SentCall) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const RATE_LIMITED = new Set(['sendmessage', 'senddocument']);
const TEXT_FIELDS = new Set(['text', 'caption', 'parse_mode', 'description', 'short_description', 'name', 'query', 'url', 'secret_token', 'ip_address']);
const MAX_BODY = 60 * 1024 * 1024;

const METHOD_NAMES = [
  'getMe', 'getUpdates', 'deleteWebhook', 'setWebhook', 'getWebhookInfo', 'setMyCommands', 'getMyCommands',
  'deleteMyCommands', 'setMyDescription', 'setMyShortDescription', 'setMyName', 'setChatMenuButton', 'sendMessage',
  'editMessageText', 'editMessageReplyMarkup', 'deleteMessage', 'answerCallbackQuery', 'sendDocument',
  'sendChatAction', 'getFile', 'sendPhoto',
] as const;
type MethodName = (typeof METHOD_NAMES)[number];
const CANONICAL = new Map<string, MethodName>(METHOD_NAMES.map((m) => [m.toLowerCase(), m]));

const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document',
  'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

const MIME_BY_EXT: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  pdf: 'application/pdf',
  zip: 'application/zip',
  csv: 'text/csv',
  txt: 'text/plain',
  json: 'application/json',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
};

function mimeFor(filename: string): string | undefined {
  const ext = /\.([a-zA-Z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  return ext ? MIME_BY_EXT[ext] : undefined;
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function utf8Len(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function coerceField(key: string, value: string): unknown {
  if (TEXT_FIELDS.has(key)) return value;
  if (/^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  if (/^-?\d{1,16}$/.test(value)) return Number(value);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Minimal multipart/form-data parser (enough for grammY's and undici's encoders). */
export function parseMultipart(buf: Buffer, boundary: string): MultipartPart[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = buf.indexOf(delim);
  if (pos < 0) throw new Error('multipart: boundary not found');
  for (;;) {
    pos += delim.length;
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) break; // closing --boundary--
    if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a) pos += 2;
    const next = buf.indexOf(delim, pos);
    if (next < 0) throw new Error('multipart: unterminated part');
    let end = next;
    if (buf[end - 2] === 0x0d && buf[end - 1] === 0x0a) end -= 2;
    const part = buf.subarray(pos, end);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new Error('multipart: part without headers');
    const headerText = part.subarray(0, headerEnd).toString('utf8');
    const data = Buffer.from(part.subarray(headerEnd + 4));
    let name = '';
    let filename: string | undefined;
    let contentType: string | undefined;
    for (const line of headerText.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const hName = line.slice(0, colon).trim().toLowerCase();
      const hValue = line.slice(colon + 1).trim();
      if (hName === 'content-type') contentType = hValue;
      if (hName === 'content-disposition') {
        name = /(?:^|;)\s*name="([^"]*)"/i.exec(hValue)?.[1] ?? /(?:^|;)\s*name=([^;]*)/i.exec(hValue)?.[1]?.trim() ?? '';
        const star = /(?:^|;)\s*filename\*=(?:UTF-8|utf-8)''([^;]*)/.exec(hValue)?.[1];
        if (star !== undefined) filename = decodeURIComponent(star);
        else {
          const quoted = /(?:^|;)\s*filename="([^"]*)"/i.exec(hValue)?.[1];
          // grammY writes `filename=<raw utf-8 name>` unquoted, as the last parameter
          filename = quoted ?? /(?:^|;)\s*filename=(.*)$/i.exec(hValue)?.[1];
        }
      }
    }
    parts.push({ name, filename, contentType, data });
    pos = next;
  }
  return parts;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'Request Entity Too Large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function inlineKeyboardOf(markup: unknown): InlineButton[][] | undefined {
  if (markup && typeof markup === 'object' && Array.isArray((markup as Json).inline_keyboard)) {
    return (markup as { inline_keyboard: InlineButton[][] }).inline_keyboard;
  }
  return undefined;
}

const BUTTON_ACTIONS = [
  'callback_data', 'url', 'switch_inline_query', 'switch_inline_query_current_chat', 'switch_inline_query_chosen_chat',
  'login_url', 'web_app', 'pay', 'callback_game', 'copy_text',
];

function validateReplyMarkup(rm: unknown): Json | undefined {
  if (rm === undefined || rm === null) return undefined;
  let obj: unknown = rm;
  if (typeof rm === 'string') {
    try {
      obj = JSON.parse(rm) as unknown;
    } catch {
      throw bad("can't parse reply keyboard markup JSON object");
    }
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw bad("can't parse reply keyboard markup JSON object");
  const o = obj as Json;
  if ('inline_keyboard' in o) {
    const kb = o.inline_keyboard;
    if (!Array.isArray(kb)) throw bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
    for (const row of kb) {
      if (!Array.isArray(row)) throw bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
      for (const btn of row as unknown[]) {
        if (!btn || typeof btn !== 'object') throw bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
        const b = btn as Json;
        if (typeof b.text !== 'string') throw bad("can't parse inline keyboard button: Field \"text\" must be of type String");
        if (b.text.trim() === '') throw bad('BUTTON_TEXT_INVALID');
        if (!BUTTON_ACTIONS.some((k) => b[k] !== undefined)) {
          throw bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        }
        if (b.callback_data !== undefined) {
          if (typeof b.callback_data !== 'string') throw bad("can't parse inline keyboard button: Field \"callback_data\" must be of type String");
          const n = utf8Len(b.callback_data);
          if (n < 1 || n > 64) throw bad('BUTTON_DATA_INVALID');
        }
        if (b.web_app !== undefined) {
          const url = (b.web_app as Json | null)?.url;
          if (typeof url !== 'string' || !/^https:\/\/\S+$/i.test(url)) {
            throw bad(`inline keyboard button Web App URL '${String(url)}' is invalid: Only HTTPS links are allowed`);
          }
        }
        if (b.url !== undefined) {
          if (typeof b.url !== 'string' || !/^(https?|tg):\/\/\S+$/i.test(b.url)) {
            throw bad(`inline keyboard button URL '${String(b.url)}' is invalid: Wrong HTTP URL`);
          }
        }
      }
    }
  }
  return o;
}

function markupKey(rm: unknown): string {
  const kb = inlineKeyboardOf(rm);
  return kb ? JSON.stringify(kb) : '';
}

// ---------------------------------------------------------------------------------------------
// The fake server
// ---------------------------------------------------------------------------------------------

export class FakeTelegram {
  readonly token: string;
  readonly botId: number;
  readonly botUsername: string;
  readonly botUser: User;
  apiRoot = '';

  /** Calls answered ok:true, in arrival order (getUpdates excluded — see `polls`). */
  readonly sent: SentCall[] = [];
  /** Calls answered ok:false (validation 400s, 401/403/404, 429, failNext…). */
  readonly rejected: SentCall[] = [];
  /** callback_query_ids answered via answerCallbackQuery, in order. */
  readonly callbackAnswers: string[] = [];
  readonly callbackQueries: CallbackQueryRecord[] = [];
  /** Every getUpdates call (answered or not). */
  readonly polls: PollRecord[] = [];
  /** Updates pushed with an update_id below the confirmed offset (Telegram would never deliver them). */
  readonly droppedUpdates: Update[] = [];
  /** Number of 429 answers (rate limiter and failNext). */
  tooManyRequests = 0;
  /** Commands by scope key (`JSON.stringify(scope ?? {type:'default'}) + '|' + language_code`). */
  readonly commands = new Map<string, { command: string; description: string }[]>();
  webhook: { url: string; secret_token?: string; allowed_updates?: unknown } | null = null;
  /** When each update was first handed out by getUpdates (`performance.now()`), by update_id: latency benchmarks. */
  readonly servedAt = new Map<number, number>();
  /** Called for every call answered ok:true (getUpdates excluded), right after it is recorded in `sent`. */
  onSent: ((call: SentCall) => void) | null = null;

  private readonly opts: Required<Omit<FakeTelegramOptions, 'rateLimit'>> & { rateLimit: RateLimitOptions | null };
  private server: http.Server | null = null;
  private closed = false;
  private queue: Update[] = [];
  private confirmedOffset = 0;
  private nextUpdateId = 1;
  private readonly chats = new Map<number, ChatState>();
  private readonly files = new Map<string, StoredFile>();
  private fileCounter = 0;
  private readonly pollWaiters = new Set<PollWaiter>();
  private readonly waiters: Waiter[] = [];
  private readonly callWaiters: CallWaiter[] = [];
  private readonly failures = new Map<string, ApiErrorSpec[]>();
  private globalWindow: number[] = [];
  private readonly chatWindows = new Map<string, number[]>();
  private inFlight = 0;
  private lastActivity = Date.now();
  private callbackCounter = 0;

  constructor(opts: FakeTelegramOptions = {}) {
    this.token = opts.token ?? '123456789:AAFakeTelegramTokenForBaocaoBotTests';
    const idPart = /^(\d+):/.exec(this.token)?.[1];
    this.botId = idPart ? Number(idPart) : 123456789;
    this.botUsername = opts.botUsername ?? 'baocao_test_bot';
    this.opts = {
      token: this.token,
      botUsername: this.botUsername,
      botFirstName: opts.botFirstName ?? 'Báo cáo Bot',
      longPollCapMs: opts.longPollCapMs ?? 500,
      rateLimit: opts.rateLimit ?? null,
      strictChats: opts.strictChats ?? false,
      conflictOnConcurrentPolls: opts.conflictOnConcurrentPolls ?? true,
    };
    this.botUser = { id: this.botId, is_bot: true, first_name: this.opts.botFirstName, username: this.botUsername };
  }

  // ----------------------------------------------------------------------------- lifecycle

  async listen(): Promise<void> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        sendJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(err)}` });
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.apiRoot = `http://127.0.0.1:${port}`;
  }

  /** Ends pending long polls immediately (empty result), rejects pending waits, closes the server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.pollWaiters]) w.wake();
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error('fake Telegram server closed'));
    }
    for (const w of this.callWaiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error('fake Telegram server closed'));
    }
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // give the just-woken long polls a tick to flush their empty answers, then cut everything
      setImmediate(() => server.closeAllConnections());
    });
  }

  // ----------------------------------------------------------------------------- chats

  private chat(chatId: number): ChatState {
    let c = this.chats.get(chatId);
    if (!c) {
      c = {
        id: chatId,
        user: { id: chatId, is_bot: false, first_name: `User${chatId}`, language_code: 'vi' },
        known: false,
        blocked: false,
        nextMessageId: 1,
        messages: new Map(),
        botMessages: [],
        documents: [],
        messageCursor: 0,
        documentCursor: 0,
      };
      this.chats.set(chatId, c);
    }
    return c;
  }

  private chatObject(c: ChatState): Json {
    const o: Json = { id: c.id, type: c.id > 0 ? 'private' : 'group' };
    if (c.id > 0) {
      o.first_name = c.user.first_name;
      if (c.user.last_name) o.last_name = c.user.last_name;
      if (c.user.username) o.username = c.user.username;
    } else o.title = `Group ${c.id}`;
    return o;
  }

  /** Marks a chat as one that has talked to the bot (matters only with `strictChats`). */
  registerChat(chatId: number, from?: Partial<User>): void {
    const c = this.chat(chatId);
    c.known = true;
    if (from) c.user = { ...c.user, ...from, id: from.id ?? c.user.id };
  }

  setBlocked(chatId: number, blocked: boolean): void {
    this.chat(chatId).blocked = blocked;
  }

  // ----------------------------------------------------------------------------- update builders

  private userMessage(chatId: number, from: Partial<User> | undefined, extra: Json): Json {
    this.registerChat(chatId, from);
    const c = this.chat(chatId);
    const message: Json = {
      message_id: c.nextMessageId++,
      from: { ...c.user },
      chat: this.chatObject(c),
      date: nowSec(),
      ...extra,
    };
    c.messages.set(message.message_id as number, message);
    return message;
  }

  /** Builds (without queueing) a private-chat text message update with a bot_command entity if any. */
  makeTextUpdate(chatId: number, text: string, from?: Partial<User>): Update {
    const extra: Json = { text };
    const cmd = /^\/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]+)?/.exec(text);
    if (cmd) extra.entities = [{ type: 'bot_command', offset: 0, length: cmd[0].length }];
    return { update_id: this.allocUpdateId(), message: this.userMessage(chatId, from, extra) } as unknown as Update;
  }

  /**
   * Builds (without queueing) a callback_query update. The attached `message` is: the bot message
   * `messageId` in that chat (as currently edited) — or an inaccessible message (date 0) if that id is
   * unknown; without `messageId`, the latest bot message carrying an inline keyboard (else the latest
   * bot message). Throws if the chat has no bot message and no messageId was given.
   */
  makeCallbackUpdate(chatId: number, data: string, messageId?: number, from?: Partial<User>): Update {
    this.registerChat(chatId, from);
    const c = this.chat(chatId);
    let message: Json | undefined;
    if (messageId !== undefined) {
      message = c.messages.get(messageId) ?? { chat: this.chatObject(c), message_id: messageId, date: 0 };
    } else {
      const withKb = [...c.botMessages].reverse().find((m) => !m.deleted && m.inlineKeyboard);
      const last = withKb ?? [...c.botMessages].reverse().find((m) => !m.deleted);
      if (!last) throw new Error(`fake Telegram: chat ${chatId} has no bot message to attach a callback_query to`);
      message = c.messages.get(last.messageId);
    }
    const updateId = this.allocUpdateId();
    const id = `${this.botId}${String(++this.callbackCounter).padStart(6, '0')}`;
    this.callbackQueries.push({
      id,
      updateId,
      chatId,
      messageId: message?.message_id as number | undefined,
      data,
      answered: false,
    });
    return {
      update_id: updateId,
      callback_query: { id, from: { ...c.user }, message: structuredClone(message), chat_instance: `ci${chatId}`, data },
    } as unknown as Update;
  }

  /**
   * The `initData` a Telegram client hands a Mini App opened from this bot's web_app button for the user
   * of private chat `chatId`, signed as Telegram does (HMAC-SHA256 with the key HMAC_SHA256("WebAppData",
   * token)). `authDate` (seconds) defaults to now; `token` lets a test sign as another bot would.
   */
  webAppInitData(chatId: number, opts: { authDate?: number; token?: string; from?: Partial<User> } = {}): string {
    const c = this.chat(chatId);
    const fields = new URLSearchParams({
      query_id: `AAF${chatId}q${++this.callbackCounter}`,
      user: JSON.stringify({ ...c.user, ...opts.from, language_code: 'vi', allows_write_to_pm: true }),
      auth_date: String(opts.authDate ?? nowSec()),
      signature: 'fake-ed25519-signature',
    });
    const check = [...fields.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    const key = createHmac('sha256', 'WebAppData').update(opts.token ?? this.token).digest();
    fields.set('hash', createHmac('sha256', key).update(check).digest('hex'));
    return fields.toString();
  }

  private allocUpdateId(): number {
    return this.nextUpdateId++;
  }

  // ----------------------------------------------------------------------------- pushing updates

  /** Queues a text message from private chat `chatId` (from.id = chat.id = chatId). Returns update_id. */
  pushText(chatId: number, text: string, from?: Partial<User>): number {
    return this.pushRaw(this.makeTextUpdate(chatId, text, from));
  }

  /** Queues a callback_query (see makeCallbackUpdate for the attached message). Returns update_id. */
  pushCallback(chatId: number, data: string, messageId?: number, from?: Partial<User>): number {
    return this.pushRaw(this.makeCallbackUpdate(chatId, data, messageId, from));
  }

  /**
   * Presses an inline button: finds, from the newest bot message backwards (or in `messageId`), the
   * first button whose text equals `label` / matches the RegExp / satisfies the predicate, and queues
   * a callback_query with its callback_data. Throws (listing available buttons) if none matches.
   */
  clickButton(chatId: number, label: string | RegExp | ((b: InlineButton) => boolean), messageId?: number): number {
    const match = (b: InlineButton) =>
      typeof label === 'string' ? b.text === label : label instanceof RegExp ? label.test(b.text) : label(b);
    const c = this.chat(chatId);
    const candidates = [...c.botMessages].reverse().filter((m) => !m.deleted && (messageId === undefined || m.messageId === messageId));
    for (const m of candidates) {
      for (const row of m.inlineKeyboard ?? []) {
        for (const b of row) {
          if (match(b)) {
            if (b.callback_data === undefined) throw new Error(`fake Telegram: button "${b.text}" has no callback_data`);
            return this.pushCallback(chatId, b.callback_data, m.messageId);
          }
        }
      }
    }
    const avail = candidates.flatMap((m) => (m.inlineKeyboard ?? []).flat().map((b) => `#${m.messageId}:"${b.text}"`));
    throw new Error(`fake Telegram: no button matching ${String(label)} in chat ${chatId}; available: ${avail.join(', ') || 'none'}`);
  }

  pushSticker(chatId: number, from?: Partial<User>): number {
    const f = this.storeFile(Buffer.from('RIFF0000WEBPVP8 fake sticker'), 'stickers', 'sticker.webp', 'image/webp');
    return this.pushRaw({
      update_id: this.allocUpdateId(),
      message: this.userMessage(chatId, from, {
        sticker: {
          file_id: f.fileId, file_unique_id: f.uniqueId, type: 'regular', width: 512, height: 512,
          is_animated: false, is_video: false, emoji: '👍', file_size: f.bytes.length,
        },
      }),
    });
  }

  pushPhoto(chatId: number, caption?: string, from?: Partial<User>): number {
    const small = this.storeFile(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]), 'photos', 'photo.jpg', 'image/jpeg');
    const big = this.storeFile(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 0xff, 0xd9]), 'photos', 'photo.jpg', 'image/jpeg');
    const extra: Json = {
      photo: [
        { file_id: small.fileId, file_unique_id: small.uniqueId, width: 90, height: 60, file_size: small.bytes.length },
        { file_id: big.fileId, file_unique_id: big.uniqueId, width: 1280, height: 853, file_size: big.bytes.length },
      ],
    };
    if (caption !== undefined) extra.caption = caption;
    return this.pushRaw({ update_id: this.allocUpdateId(), message: this.userMessage(chatId, from, extra) });
  }

  /** A user uploads a file (downloadable through getFile + `${apiRoot}/file/bot<token>/<file_path>`). */
  pushDocument(chatId: number, doc: { filename: string; bytes: Buffer | Uint8Array | string; mimeType?: string; caption?: string }, from?: Partial<User>): number {
    const bytes = Buffer.from(doc.bytes as Buffer);
    const f = this.storeFile(bytes, 'documents', doc.filename, doc.mimeType ?? mimeFor(doc.filename));
    const extra: Json = {
      document: { file_id: f.fileId, file_unique_id: f.uniqueId, file_name: doc.filename, mime_type: f.mimeType, file_size: bytes.length },
    };
    if (doc.caption !== undefined) extra.caption = doc.caption;
    return this.pushRaw({ update_id: this.allocUpdateId(), message: this.userMessage(chatId, from, extra) });
  }

  /**
   * Queues a my_chat_member update for the private chat. 'kicked' = the user blocked the bot, and
   * (like Telegram) further sends to the chat fail with 403 until 'member' (user unblocked/restarted).
   */
  pushMyChatMember(chatId: number, status: 'kicked' | 'member', from?: Partial<User>): number {
    this.registerChat(chatId, from);
    const c = this.chat(chatId);
    c.blocked = status === 'kicked';
    const member = (s: string) => (s === 'kicked' ? { status: 'kicked', user: this.botUser, until_date: 0 } : { status: 'member', user: this.botUser });
    return this.pushRaw({
      update_id: this.allocUpdateId(),
      my_chat_member: {
        chat: this.chatObject(c),
        from: { ...c.user },
        date: nowSec(),
        old_chat_member: member(status === 'kicked' ? 'member' : 'kicked'),
        new_chat_member: member(status),
      },
    });
  }

  /**
   * Queues an update verbatim (update_id assigned if missing). getUpdates only ever returns queued
   * updates with update_id >= the highest offset confirmed so far, sorted by update_id, so:
   * re-pushing an id that the bot already confirmed is dropped (recorded in `droppedUpdates`, never
   * delivered — as with Telegram); pushing the same id twice before the bot confirms it delivers it
   * twice (simulated duplicate delivery). Returns the update_id.
   */
  pushRaw(update: RawUpdate): number {
    const u = structuredClone(update) as Json;
    if (typeof u.update_id !== 'number') u.update_id = this.allocUpdateId();
    const id = u.update_id as number;
    if (id >= this.nextUpdateId) this.nextUpdateId = id + 1;
    this.lastActivity = Date.now();
    if (id < this.confirmedOffset) {
      this.droppedUpdates.push(u as unknown as Update);
      return id;
    }
    let idx = this.queue.length;
    while (idx > 0 && (this.queue[idx - 1] as Update).update_id > id) idx--;
    this.queue.splice(idx, 0, u as unknown as Update);
    for (const w of [...this.pollWaiters]) w.wake();
    return id;
  }

  /**
   * Queues many updates at once (a burst that is already waiting when the bot next polls): like pushRaw
   * for each, but the pending long poll is woken once. Returns the update_ids.
   */
  pushMany(updates: RawUpdate[]): number[] {
    const ids: number[] = [];
    const waiters = [...this.pollWaiters];
    this.pollWaiters.clear();
    try {
      for (const u of updates) ids.push(this.pushRaw(u));
    } finally {
      for (const w of waiters) this.pollWaiters.add(w);
    }
    for (const w of waiters) w.wake();
    return ids;
  }

  /** Number of queued updates not yet confirmed by getUpdates offset. */
  get pendingUpdates(): number {
    return this.queue.length;
  }

  // ----------------------------------------------------------------------------- failures

  /** The next `times` calls of `method` fail with this error (FIFO with earlier failNext calls). */
  failNext(method: string, err: ApiErrorSpec, times = 1): void {
    const key = method.toLowerCase();
    const list = this.failures.get(key) ?? [];
    for (let i = 0; i < times; i++) list.push(err);
    this.failures.set(key, list);
  }

  // ----------------------------------------------------------------------------- inspection

  /** Rendered texts delivered by sendMessage to the chat, in order (not affected by edits). */
  messagesTo(chatId: number): string[] {
    return this.chats.get(chatId)?.botMessages.map((m) => m.text) ?? [];
  }

  /** Full records of the bot's sendMessage deliveries (current text/keyboard after edits). */
  botMessages(chatId: number): BotMessageRecord[] {
    return this.chats.get(chatId)?.botMessages ?? [];
  }

  lastMessage(chatId: number): BotMessageRecord | undefined {
    const list = this.botMessages(chatId);
    return list[list.length - 1];
  }

  documentsTo(chatId: number): { filename: string; bytes: Buffer; caption?: string; mimeType?: string; messageId: number }[] {
    return (this.chats.get(chatId)?.documents ?? []).map((d) => {
      const o: { filename: string; bytes: Buffer; caption?: string; mimeType?: string; messageId: number } = {
        filename: d.filename, bytes: d.bytes, messageId: d.messageId,
      };
      if (d.caption !== undefined) o.caption = d.caption;
      if (d.mimeType !== undefined) o.mimeType = d.mimeType;
      return o;
    });
  }

  /** Answered calls of one method (case-insensitive). */
  callsOf(method: string): SentCall[] {
    const m = method.toLowerCase();
    return this.sent.filter((c) => c.method.toLowerCase() === m);
  }

  isBlocked(chatId: number): boolean {
    return this.chats.get(chatId)?.blocked ?? false;
  }

  messageCursor(chatId: number): number {
    return this.chats.get(chatId)?.messageCursor ?? 0;
  }

  /** Marks every message delivered to the chat so far as consumed by waitForMessage. */
  skipMessages(chatId: number): void {
    const c = this.chat(chatId);
    c.messageCursor = c.botMessages.length;
  }

  // ----------------------------------------------------------------------------- waiting

  /** See the file header for the exact cursor semantics. */
  waitForMessage(chatId: number, pred: (text: string) => boolean = () => true, timeoutMs = 5000): Promise<string> {
    return this.addWaiter<string>(chatId, 'message', pred, timeoutMs);
  }

  /** Same cursor semantics as waitForMessage, over documentsTo(chatId). */
  waitForDocument(
    chatId: number,
    pred: (d: DocumentRecord) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<DocumentRecord> {
    return this.addWaiter<DocumentRecord>(chatId, 'document', pred, timeoutMs);
  }

  /**
   * Resolves with the first answered (`sent`) call of `method` matching `pred` that arrives AFTER this
   * call (no cursor; use `sent` to look at the past).
   */
  waitForCall(method: string, pred: (c: SentCall) => boolean = () => true, timeoutMs = 5000): Promise<SentCall> {
    return new Promise((resolve, reject) => {
      const w: CallWaiter = {
        method: method.toLowerCase(),
        pred,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.callWaiters.splice(this.callWaiters.indexOf(w), 1);
          reject(new Error(`fake Telegram: no ${method} call matched within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.callWaiters.push(w);
    });
  }

  private addWaiter<T>(chatId: number, kind: 'message' | 'document', pred: (x: T) => boolean, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const w: Waiter = {
        chatId,
        kind,
        pred: pred as (x: never) => boolean,
        resolve: resolve as (x: never) => void,
        reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          const c = this.chats.get(chatId);
          const pending =
            kind === 'message'
              ? (c?.botMessages.slice(c.messageCursor).map((m) => m.text) ?? [])
              : (c?.documents.slice(c.documentCursor).map((d) => d.filename) ?? []);
          const all = kind === 'message' ? (c?.botMessages.length ?? 0) : (c?.documents.length ?? 0);
          reject(
            new Error(
              `fake Telegram: no matching ${kind} to chat ${chatId} within ${timeoutMs} ms ` +
                `(${all} delivered, unconsumed: ${JSON.stringify(pending).slice(0, 2000)})`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.push(w);
      this.pump(chatId);
    });
  }

  private pump(chatId: number): void {
    const c = this.chats.get(chatId);
    if (!c) return;
    for (const w of [...this.waiters]) {
      if (w.chatId !== chatId) continue;
      if (w.kind === 'message') {
        for (let i = c.messageCursor; i < c.botMessages.length; i++) {
          const text = (c.botMessages[i] as BotMessageRecord).text;
          if ((w.pred as (t: string) => boolean)(text)) {
            c.messageCursor = i + 1;
            this.settleWaiter(w);
            (w.resolve as (t: string) => void)(text);
            break;
          }
        }
      } else {
        for (let i = c.documentCursor; i < c.documents.length; i++) {
          const d = c.documents[i] as DocumentRecord;
          if ((w.pred as (d: DocumentRecord) => boolean)(d)) {
            c.documentCursor = i + 1;
            this.settleWaiter(w);
            (w.resolve as (d: DocumentRecord) => void)(d);
            break;
          }
        }
      }
    }
  }

  private settleWaiter(w: Waiter): void {
    clearTimeout(w.timer);
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  /**
   * Resolves once there are no unconfirmed updates, no API request in flight and no request
   * (other than getUpdates) or push for `ms` milliseconds. Rejects after `timeoutMs`.
   */
  waitForIdle(ms = 200, timeoutMs = 10_000): Promise<void> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const tick = () => {
        const now = Date.now();
        if (this.queue.length === 0 && this.inFlight === 0 && now - this.lastActivity >= ms) return resolve();
        if (now - started > timeoutMs) {
          return reject(new Error(`fake Telegram: not idle after ${timeoutMs} ms (pending updates ${this.queue.length}, in flight ${this.inFlight})`));
        }
        setTimeout(tick, Math.max(5, Math.min(ms, 25)));
      };
      tick();
    });
  }

  // ----------------------------------------------------------------------------- webhook helper

  /** POSTs an update (update_id assigned if missing) to a webhook URL like Telegram does. */
  async postUpdateToWebhook(url: string, update: RawUpdate, secretToken?: string): Promise<WebhookPostResult> {
    const u = structuredClone(update) as Json;
    if (typeof u.update_id !== 'number') u.update_id = this.allocUpdateId();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secretToken !== undefined) headers['X-Telegram-Bot-Api-Secret-Token'] = secretToken;
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(u) });
    return { status: res.status, body: await res.text() };
  }

  // ----------------------------------------------------------------------------- files

  private storeFile(bytes: Buffer, dir: string, filename: string | undefined, mimeType: string | undefined): StoredFile {
    const n = ++this.fileCounter;
    const ext = filename && /\.([a-zA-Z0-9]+)$/.exec(filename)?.[1];
    const f: StoredFile = {
      fileId: `BQACAgIAAxk${n.toString(36).padStart(6, '0')}FakeFileId${this.botId}`,
      uniqueId: `AgAD${n.toString(36).padStart(4, '0')}`,
      filePath: `${dir}/file_${n}${ext ? `.${ext}` : ''}`,
      bytes,
    };
    if (filename !== undefined) f.filename = filename;
    if (mimeType !== undefined) f.mimeType = mimeType;
    this.files.set(f.fileId, f);
    return f;
  }

  // ----------------------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fileRoute = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileRoute) {
      const token = decodeURIComponent(fileRoute[1] as string);
      const path = decodeURIComponent(fileRoute[2] as string);
      const f = [...this.files.values()].find((x) => x.filePath === path);
      if (token !== this.token || !f) {
        sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        return;
      }
      res.writeHead(200, { 'content-type': f.mimeType ?? 'application/octet-stream', 'content-length': f.bytes.length });
      res.end(f.bytes);
      return;
    }
    const route = /^\/bot([^/]*)\/([^/]+)\/?$/.exec(url.pathname);
    if (!route) {
      sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const token = decodeURIComponent(route[1] as string);
    const rawMethod = decodeURIComponent(route[2] as string);
    const time = Date.now();
    const call: SentCall = { method: CANONICAL.get(rawMethod.toLowerCase()) ?? rawMethod, body: {}, time, files: [] };
    const isPoll = call.method === 'getUpdates';
    if (!isPoll) {
      this.inFlight++;
      this.lastActivity = time;
    }
    try {
      let result: unknown;
      try {
        await this.parseRequest(req, url, call);
        if (token !== this.token) throw new ApiError(401, 'Unauthorized');
        const method = CANONICAL.get(rawMethod.toLowerCase());
        if (!method) throw new ApiError(404, 'Not Found');
        const failure = this.failures.get(method.toLowerCase())?.shift();
        if (failure) throw new ApiError(failure.error_code, failure.description, failure.retry_after);
        if (method === 'getUpdates') {
          result = await this.getUpdates(call, res);
          if (result === undefined) return; // client went away
        } else {
          if (RATE_LIMITED.has(method.toLowerCase())) this.checkRateLimit(call);
          result = this.dispatch(method, call);
          if (RATE_LIMITED.has(method.toLowerCase())) this.countRate(call);
        }
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        call.error = err.toSpec();
        if (err.code === 429) this.tooManyRequests++;
        if (!err.silent) this.rejected.push(call);
        const payload: Json = { ok: false, error_code: err.code, description: err.description };
        if (err.retryAfter !== undefined) payload.parameters = { retry_after: err.retryAfter };
        sendJson(res, err.code, payload);
        return;
      }
      call.result = result;
      if (!isPoll) {
        this.sent.push(call);
        this.notifyCall(call);
        this.onSent?.(call);
      }
      sendJson(res, 200, { ok: true, result });
    } finally {
      if (!isPoll) {
        this.inFlight--;
        this.lastActivity = Date.now();
      }
    }
  }

  private async parseRequest(req: IncomingMessage, url: URL, call: SentCall): Promise<void> {
    const body: Json = {};
    for (const [k, v] of url.searchParams) body[k] = coerceField(k, v);
    const raw = await readBody(req);
    const ct = (req.headers['content-type'] ?? '').toLowerCase();
    if (raw.length > 0) {
      if (ct.startsWith('application/json')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString('utf8')) as unknown;
        } catch {
          throw bad("can't parse JSON object");
        }
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(body, parsed);
      } else if (ct.startsWith('multipart/form-data')) {
        const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '');
        const b = boundary?.[1] ?? boundary?.[2];
        if (!b) throw bad('multipart boundary is missing');
        let parts: MultipartPart[];
        try {
          parts = parseMultipart(raw, b);
        } catch (e) {
          throw bad(`can't parse multipart/form-data: ${(e as Error).message}`);
        }
        for (const p of parts) {
          if (p.filename !== undefined) {
            const f: UploadedFile = { field: p.name, filename: p.filename, bytes: p.data };
            if (p.contentType !== undefined) f.contentType = p.contentType;
            call.files.push(f);
          } else body[p.name] = coerceField(p.name, p.data.toString('utf8'));
        }
      } else if (ct.startsWith('application/x-www-form-urlencoded')) {
        for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) body[k] = coerceField(k, v);
      }
    }
    call.body = body;
    if (body.chat_id !== undefined) call.chat_id = body.chat_id as number | string;
  }

  private notifyCall(call: SentCall): void {
    for (const w of [...this.callWaiters]) {
      if (w.method === call.method.toLowerCase() && w.pred(call)) {
        clearTimeout(w.timer);
        this.callWaiters.splice(this.callWaiters.indexOf(w), 1);
        w.resolve(call);
      }
    }
  }

  // ----------------------------------------------------------------------------- rate limiting

  private checkRateLimit(call: SentCall): void {
    const rl = this.opts.rateLimit;
    if (!rl) return;
    const now = Date.now();
    this.globalWindow = this.globalWindow.filter((t) => now - t < 1000);
    const key = String(call.body.chat_id);
    const win = (this.chatWindows.get(key) ?? []).filter((t) => now - t < 1000);
    this.chatWindows.set(key, win);
    const over = (rl.global !== undefined && this.globalWindow.length >= rl.global) || (rl.perChat !== undefined && win.length >= rl.perChat);
    if (over) throw new ApiError(429, 'Too Many Requests: retry after 1', 1);
  }

  private countRate(call: SentCall): void {
    if (!this.opts.rateLimit) return;
    const now = Date.now();
    this.globalWindow.push(now);
    const key = String(call.body.chat_id);
    const win = this.chatWindows.get(key) ?? [];
    win.push(now);
    this.chatWindows.set(key, win);
  }

  // ----------------------------------------------------------------------------- methods

  private async getUpdates(call: SentCall, res: ServerResponse): Promise<unknown[] | undefined> {
    const b = call.body;
    if (this.webhook) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = b.offset === undefined || b.offset === null ? undefined : Number(b.offset);
    const limit = Math.min(100, Math.max(1, b.limit === undefined ? 100 : Number(b.limit) || 100));
    const timeout = Math.max(0, Number(b.timeout ?? 0) || 0);
    const record: PollRecord = { limit, timeout, returned: [], time: call.time };
    if (offset !== undefined) record.offset = offset;
    this.polls.push(record);
    if (offset !== undefined && offset > 0) {
      this.confirmedOffset = Math.max(this.confirmedOffset, offset);
      this.queue = this.queue.filter((u) => u.update_id >= offset);
    } else if (offset !== undefined && offset < 0) {
      this.queue = this.queue.slice(Math.max(0, this.queue.length + offset));
      this.confirmedOffset = Math.max(this.confirmedOffset, this.queue[0]?.update_id ?? this.nextUpdateId);
    }
    if (this.opts.conflictOnConcurrentPolls) {
      for (const w of [...this.pollWaiters]) {
        w.conflicted = true;
        w.wake();
      }
    }
    if (this.queue.length === 0 && timeout > 0 && !this.closed) {
      const waitMs = Math.min(timeout * 1000, this.opts.longPollCapMs);
      const conflicted = await new Promise<boolean>((resolve) => {
        const w: PollWaiter = {
          conflicted: false,
          wake: () => {
            clearTimeout(timer);
            this.pollWaiters.delete(w);
            res.off('close', w.wake);
            resolve(w.conflicted);
          },
        };
        const timer = setTimeout(w.wake, waitMs);
        this.pollWaiters.add(w);
        res.on('close', w.wake);
      });
      if (res.destroyed || res.writableEnded) return undefined;
      if (conflicted) {
        // Usually a poll the client already aborted (grammY's stop()) racing with its successor:
        // answered like Telegram, but kept out of `rejected` and flagged in `polls` instead.
        record.conflicted = true;
        throw new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running', undefined, true);
      }
    }
    if (this.closed) return [];
    const batch = this.queue.slice(0, limit);
    record.returned = batch.map((u) => u.update_id);
    const servedAt = performance.now();
    for (const id of record.returned) if (!this.servedAt.has(id)) this.servedAt.set(id, servedAt);
    return structuredClone(batch);
  }

  private dispatch(method: MethodName, call: SentCall): unknown {
    const b = call.body;
    switch (method) {
      case 'getMe':
        return {
          ...this.botUser,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
          can_connect_to_business: false,
          has_main_web_app: false,
        };
      case 'deleteWebhook':
        this.webhook = null;
        if (b.drop_pending_updates === true) this.queue = [];
        return true;
      case 'setWebhook': {
        const url = typeof b.url === 'string' ? b.url : '';
        if (url === '') {
          this.webhook = null;
          return true;
        }
        if (!/^https?:\/\//.test(url)) throw bad('bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
        if (b.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(b.secret_token))) {
          throw bad('bad webhook: secret token contains unallowed characters');
        }
        this.webhook = { url };
        if (b.secret_token !== undefined) this.webhook.secret_token = String(b.secret_token);
        if (b.allowed_updates !== undefined) this.webhook.allowed_updates = b.allowed_updates;
        if (b.drop_pending_updates === true) this.queue = [];
        return true;
      }
      case 'getWebhookInfo':
        return { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.queue.length, max_connections: 40 };
      case 'setMyCommands':
        return this.setMyCommands(b);
      case 'getMyCommands':
        return this.commands.get(this.commandsKey(b)) ?? [];
      case 'deleteMyCommands':
        this.commands.delete(this.commandsKey(b));
        return true;
      case 'setMyDescription':
      case 'setMyShortDescription':
      case 'setMyName':
      case 'setChatMenuButton':
        return true;
      case 'sendMessage':
        return this.sendMessage(call);
      case 'editMessageText':
        return this.editMessage(call, true);
      case 'editMessageReplyMarkup':
        return this.editMessage(call, false);
      case 'deleteMessage': {
        const c = this.writableChat(b);
        const id = Number(b.message_id);
        if (!c.messages.has(id)) throw bad('message to delete not found');
        c.messages.delete(id);
        const rec = c.botMessages.find((m) => m.messageId === id);
        if (rec) rec.deleted = true;
        return true;
      }
      case 'answerCallbackQuery':
        return this.answerCallbackQuery(b);
      case 'sendDocument':
        return this.sendDocument(call);
      case 'sendPhoto':
        return this.sendPhoto(call);
      case 'sendChatAction': {
        this.writableChat(b);
        if (!CHAT_ACTIONS.has(String(b.action))) throw bad('wrong parameter action in request');
        return true;
      }
      case 'getFile': {
        const f = this.files.get(String(b.file_id ?? ''));
        if (!f) throw bad('invalid file_id');
        if (f.bytes.length > 20 * 1024 * 1024) throw bad('file is too big');
        return { file_id: f.fileId, file_unique_id: f.uniqueId, file_size: f.bytes.length, file_path: f.filePath };
      }
      case 'getUpdates':
        throw new Error('unreachable');
    }
  }

  private commandsKey(b: Json): string {
    return `${JSON.stringify(b.scope ?? { type: 'default' })}|${typeof b.language_code === 'string' ? b.language_code : ''}`;
  }

  private setMyCommands(b: Json): true {
    const cmds = b.commands;
    if (!Array.isArray(cmds)) throw bad('parameter "commands" must be an Array');
    if (cmds.length > 100) throw bad('BOT_COMMANDS_TOO_MUCH');
    const clean: { command: string; description: string }[] = [];
    for (const c of cmds as unknown[]) {
      const o = (c ?? {}) as Json;
      if (typeof o.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(o.command)) throw bad('BOT_COMMAND_INVALID');
      if (typeof o.description !== 'string' || o.description.length < 1 || o.description.length > 256) {
        throw bad('BOT_COMMAND_DESCRIPTION_INVALID');
      }
      clean.push({ command: o.command, description: o.description });
    }
    if (clean.length === 0) this.commands.delete(this.commandsKey(b));
    else this.commands.set(this.commandsKey(b), clean);
    return true;
  }

  private writableChat(b: Json): ChatState {
    const raw = b.chat_id;
    if (raw === undefined || raw === null || raw === '') throw bad('chat_id is empty');
    const id = typeof raw === 'number' ? raw : /^-?\d+$/.test(String(raw)) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id)) throw bad('chat not found');
    const existing = this.chats.get(id);
    if (this.opts.strictChats && !existing?.known) {
      if (id > 0) throw new ApiError(403, "Forbidden: bot can't initiate conversation with a user");
      throw bad('chat not found');
    }
    const c = existing ?? this.chat(id);
    if (c.blocked) throw new ApiError(403, 'Forbidden: bot was blocked by the user');
    return c;
  }

  private renderText(text: unknown, parseMode: unknown, kind: 'text' | 'caption'): string {
    if (kind === 'text' && (typeof text !== 'string' || text.trim() === '')) throw bad('message text is empty');
    let rendered: string;
    try {
      rendered = renderFormatted(String(text ?? ''), parseMode);
    } catch (e) {
      if (e instanceof TelegramEntityParseError) throw bad(`can't parse entities: ${e.message}`);
      throw e;
    }
    if (kind === 'text') {
      if (rendered.trim() === '') throw bad('message text is empty');
      if (rendered.length > 4096) throw bad('message is too long');
    } else if (rendered.length > 1024) throw bad('message caption is too long');
    return rendered;
  }

  private botMessageObject(c: ChatState, id: number, extra: Json, markup: Json | undefined): Json {
    const msg: Json = { message_id: id, from: { ...this.botUser }, chat: this.chatObject(c), date: nowSec(), ...extra };
    if (inlineKeyboardOf(markup)) msg.reply_markup = { inline_keyboard: inlineKeyboardOf(markup) };
    return msg;
  }

  private sendMessage(call: SentCall): Json {
    const b = call.body;
    const c = this.writableChat(b);
    const rendered = this.renderText(b.text, b.parse_mode, 'text');
    const markup = validateReplyMarkup(b.reply_markup);
    const id = c.nextMessageId++;
    const msg = this.botMessageObject(c, id, { text: rendered }, markup);
    c.messages.set(id, msg);
    const rec: BotMessageRecord = {
      chatId: c.id,
      messageId: id,
      text: rendered,
      rawText: String(b.text),
      currentText: rendered,
      edits: [],
      deleted: false,
      time: call.time,
    };
    if (typeof b.parse_mode === 'string') rec.parseMode = b.parse_mode;
    const kb = inlineKeyboardOf(markup);
    if (kb) rec.inlineKeyboard = kb;
    c.botMessages.push(rec);
    queueMicrotask(() => this.pump(c.id));
    return msg;
  }

  private editMessage(call: SentCall, withText: boolean): Json {
    const b = call.body;
    if (b.inline_message_id !== undefined) throw bad('MESSAGE_ID_INVALID');
    const c = this.writableChat(b);
    if (b.message_id === undefined) throw bad('message identifier is not specified');
    const id = Number(b.message_id);
    const msg = c.messages.get(id);
    if (!msg) throw bad('message to edit not found');
    if ((msg.from as User | undefined)?.id !== this.botId) throw bad("message can't be edited");
    const markup = validateReplyMarkup(b.reply_markup);
    const rec = c.botMessages.find((m) => m.messageId === id);
    let newText = msg.text as string | undefined;
    if (withText) {
      if (msg.text === undefined) throw bad('there is no text in the message to edit');
      newText = this.renderText(b.text, b.parse_mode, 'text');
    }
    const unchanged = newText === msg.text && markupKey(markup) === markupKey(msg.reply_markup);
    if (unchanged) {
      throw bad(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    if (withText && newText !== undefined) msg.text = newText;
    const kb = inlineKeyboardOf(markup);
    if (kb) msg.reply_markup = { inline_keyboard: kb };
    else delete msg.reply_markup;
    msg.edit_date = nowSec();
    if (rec) {
      if (withText && newText !== undefined) {
        rec.currentText = newText;
        rec.edits.push(newText);
      }
      if (kb) rec.inlineKeyboard = kb;
      else delete rec.inlineKeyboard;
    }
    return structuredClone(msg);
  }

  private answerCallbackQuery(b: Json): true {
    const id = String(b.callback_query_id ?? '');
    const q = this.callbackQueries.find((x) => x.id === id);
    if (!q || q.answered) throw bad('query is too old and response timeout expired or query ID is invalid');
    if (typeof b.text === 'string' && b.text.length > 200) throw bad('MESSAGE_TOO_LONG');
    q.answered = true;
    const answer: { text?: string; show_alert?: boolean; url?: string } = {};
    if (typeof b.text === 'string') answer.text = b.text;
    if (typeof b.show_alert === 'boolean') answer.show_alert = b.show_alert;
    if (typeof b.url === 'string') answer.url = b.url;
    q.answer = answer;
    this.callbackAnswers.push(id);
    return true;
  }

  /** sendPhoto with an uploaded file: checked as Telegram does (an image, ≤ 10 MB, sides ≤ 10000 in sum, ratio ≤ 20). */
  private sendPhoto(call: SentCall): Json {
    const b = call.body;
    const c = this.writableChat(b);
    const ref = typeof b.photo === 'string' && b.photo.startsWith('attach://') ? b.photo.slice('attach://'.length) : 'photo';
    const part = call.files.find((f) => f.field === ref);
    if (!part) throw bad('there is no photo in the request');
    if (part.bytes.length > 10 * 1024 * 1024) throw bad('PHOTO_INVALID_DIMENSIONS');
    const size = imageSize(part.bytes);
    if (!size) throw bad('IMAGE_PROCESS_FAILED');
    if (size.width + size.height > 10_000 || Math.max(size.width, size.height) / Math.max(1, Math.min(size.width, size.height)) > 20) throw bad('PHOTO_INVALID_DIMENSIONS');
    let caption: string | undefined;
    if (b.caption !== undefined && b.caption !== '') caption = this.renderText(String(b.caption), b.parse_mode, 'caption');
    const stored = this.storeFile(part.bytes, 'photos', part.filename, 'image/png');
    const id = c.nextMessageId++;
    const extra: Json = { photo: [{ file_id: stored.fileId, file_unique_id: stored.uniqueId, width: size.width, height: size.height, file_size: part.bytes.length }] };
    if (caption !== undefined) extra.caption = caption;
    const msg = this.botMessageObject(c, id, extra, undefined);
    c.messages.set(id, msg);
    this.photos.push({ chatId: c.id, bytes: part.bytes, filename: part.filename, width: size.width, height: size.height, ...(caption !== undefined ? { caption } : {}) });
    return msg;
  }

  /** Photos delivered by sendPhoto, in order. */
  readonly photos: Array<{ chatId: number; bytes: Buffer; filename: string; width: number; height: number; caption?: string }> = [];

  private sendDocument(call: SentCall): Json {
    const b = call.body;
    const c = this.writableChat(b);
    const doc = b.document;
    let filename: string;
    let bytes: Buffer;
    let mimeType: string | undefined;
    let stored: StoredFile | undefined;
    const direct = call.files.find((f) => f.field === 'document');
    if (typeof doc === 'string' && doc.startsWith('attach://')) {
      const part = call.files.find((f) => f.field === doc.slice('attach://'.length));
      if (!part) throw bad(`file ${doc} not found in the request`);
      filename = part.filename;
      bytes = part.bytes;
    } else if (direct) {
      filename = direct.filename;
      bytes = direct.bytes;
    } else if (typeof doc === 'string' && this.files.has(doc)) {
      stored = this.files.get(doc) as StoredFile;
      filename = stored.filename ?? 'document';
      bytes = stored.bytes;
      mimeType = stored.mimeType;
    } else if (typeof doc === 'string' && /^https?:\/\//.test(doc)) {
      filename = decodeURIComponent(new URL(doc).pathname.split('/').pop() || 'document');
      bytes = Buffer.alloc(0);
    } else if (doc === undefined) {
      throw bad('there is no document in the request');
    } else {
      throw bad('wrong file identifier/HTTP URL specified');
    }
    if (bytes.length === 0 && !/^https?:\/\//.test(String(doc))) throw bad('file must be non-empty');
    if (bytes.length > 50 * 1024 * 1024) throw new ApiError(413, 'Request Entity Too Large');
    let caption: string | undefined;
    if (b.caption !== undefined && b.caption !== '') caption = this.renderText(String(b.caption), b.parse_mode, 'caption');
    const markup = validateReplyMarkup(b.reply_markup);
    mimeType ??= mimeFor(filename) ?? 'application/octet-stream';
    stored ??= this.storeFile(bytes, 'documents', filename, mimeType);
    const id = c.nextMessageId++;
    const extra: Json = {
      document: { file_id: stored.fileId, file_unique_id: stored.uniqueId, file_name: filename, mime_type: mimeType, file_size: bytes.length },
    };
    if (caption !== undefined) extra.caption = caption;
    const msg = this.botMessageObject(c, id, extra, markup);
    c.messages.set(id, msg);
    const rec: DocumentRecord = { chatId: c.id, messageId: id, filename, bytes, mimeType, fileId: stored.fileId, time: call.time };
    if (caption !== undefined) rec.caption = caption;
    c.documents.push(rec);
    queueMicrotask(() => this.pump(c.id));
    return msg;
  }
}

/** PNG or JPEG header; Telegram answers IMAGE_PROCESS_FAILED for anything else sent as a photo. */
function imageSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length > 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('ascii', 12, 16) === 'IHDR') {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return { width: 1, height: 1 };
  return null;
}

/** Starts a fake Telegram Bot API server on 127.0.0.1 (random port). */
export async function startFakeTelegram(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const tg = new FakeTelegram(opts);
  await tg.listen();
  return tg;
}
