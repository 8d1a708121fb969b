/**
 * Our own client for the Zalo Bot Platform API (https://bot-api.zaloplatforms.com/bot<TOKEN>/<method>).
 *
 * - One keep-alive `undici.Pool` per client (one origin), every call is `POST` with a JSON body.
 * - Requests and answers are validated with zod (see ./types.ts).
 * - Failures surface as {@link ZaloApiError} (the platform said `ok: false`) or {@link ZaloHttpError}
 *   (network, timeout, 5xx, unreadable answer). Neither ever carries the bot token: it sits in the URL, so every
 *   text that could reach a log passes through {@link scrubToken}.
 */
import type { Pool } from 'undici';
import type { z } from 'zod';
import { redactInLogs } from '../../log';
import {
  ZALO_TEXT_LIMIT,
  getUpdatesParamsSchema,
  sendChatActionParamsSchema,
  sendMessageParamsSchema,
  sendPhotoParamsSchema,
  sendPhotoParamsSchemaInsecure,
  sendStickerParamsSchema,
  setWebhookParamsSchema,
  setWebhookParamsSchemaInsecure,
  zaloBotInfoSchema,
  zaloEnvelopeSchema,
  zaloSentMessageSchema,
  zaloUpdateSchema,
  zaloWebhookInfoSchema,
  type GetUpdatesParams,
  type SendChatActionParams,
  type SendMessageParams,
  type SendPhotoParams,
  type SendStickerParams,
  type SetWebhookParams,
  type ZaloBotInfo,
  type ZaloSentMessage,
  type ZaloUpdate,
  type ZaloWebhookInfo,
} from './types.js';

export const DEFAULT_ZALO_API_ROOT = 'https://bot-api.zaloplatforms.com';
/** Default long-poll duration of `getUpdates`, in seconds. */
export const DEFAULT_POLL_TIMEOUT_S = 30;
/** Extra time granted to a long poll on top of its own `timeout`. */
const POLL_GRACE_MS = 10_000;

// =================================================================================================================
// Token scrubbing
// =================================================================================================================

const REDACTED = '<redacted>';
/** Every token a ZaloClient was created with in this process (and anything passed to registerSecret). */
const knownSecrets = new Set<string>();
/** Anything shaped like a bot token (`<digits>:<secret>`), raw or URL-encoded, even one we were never told about. */
const TOKEN_SHAPE = /\d{3,}(?::|%3A)[A-Za-z0-9_-]{8,}/gi;

/** Makes {@link scrubToken} (without explicit secrets) and every log line drop this secret, from now on. */
export function registerSecret(secret: string): void {
  if (secret.length === 0) return;
  knownSecrets.add(secret);
  redactInLogs(secret);
}

function variantsOf(secret: string): string[] {
  const out = new Set<string>([secret]);
  const encoded = encodeURIComponent(secret);
  out.add(encoded);
  out.add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())); // `%3a` spelling
  const colon = secret.indexOf(':');
  if (colon >= 0) {
    const secretPart = secret.slice(colon + 1);
    // The secret half alone is sensitive too; only scrub it when long enough not to eat ordinary words.
    if (secretPart.length >= 8) out.add(secretPart);
  }
  return [...out].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * Removes bot tokens from a text: the given secrets (default: every token registered in this process, which
 * includes the token of every ZaloClient created so far), their URL-encoded spellings, their secret halves, and
 * anything shaped like `<digits>:<secret>`.
 */
export function scrubToken(text: string, secrets?: string | Iterable<string>): string {
  if (typeof text !== 'string' || text.length === 0) return text;
  const list = secrets === undefined ? knownSecrets : typeof secrets === 'string' ? [secrets] : secrets;
  let out = text;
  for (const secret of list) {
    if (!secret) continue;
    for (const v of variantsOf(secret)) {
      if (out.includes(v)) out = out.split(v).join(REDACTED);
    }
  }
  return out.replace(TOKEN_SHAPE, REDACTED);
}

// =================================================================================================================
// Errors
// =================================================================================================================

/** Base class of every error thrown by {@link ZaloClient}; message and stack are token-free. */
export class ZaloError extends Error {
  /** API method of the failed call (`sendMessage`, ...). */
  readonly method: string;

  constructor(method: string, message: string) {
    super(scrubToken(message));
    this.method = method;
    if (typeof this.stack === 'string') this.stack = scrubToken(this.stack);
  }

  override toString(): string {
    return scrubToken(`${this.name}: ${this.message}`);
  }

  static {
    this.prototype.name = 'ZaloError';
  }
}

/** The platform answered `ok: false` (HTTP status below 500). */
export class ZaloApiError extends ZaloError {
  readonly error_code: number | undefined;
  readonly description: string | undefined;
  /** HTTP status of the answer. */
  readonly status: number;

  constructor(method: string, error_code: number | undefined, description: string | undefined, status: number) {
    const desc = description === undefined ? undefined : scrubToken(description);
    super(method, `Zalo ${method} failed: ${error_code ?? `HTTP ${status}`} ${desc ?? '(no description)'}`);
    this.error_code = error_code;
    this.description = desc;
    this.status = status;
  }

  static {
    this.prototype.name = 'ZaloApiError';
  }
}

export type ZaloHttpErrorKind =
  /** Connection refused/reset, DNS, socket destroyed. */
  | 'network'
  /** No (complete) answer within the time limit. */
  | 'timeout'
  /** HTTP 5xx, or another status without a readable `ok: false` envelope. */
  | 'http_status'
  /** Not JSON, not an envelope, or a result of the wrong shape. */
  | 'bad_response'
  /** Cancelled through the caller's AbortSignal. */
  | 'aborted'
  /** The client was closed before or during the call. */
  | 'closed';

/** The call did not produce a usable API answer. `causeMessage` is already scrubbed. */
export class ZaloHttpError extends ZaloError {
  readonly kind: ZaloHttpErrorKind;
  readonly status: number | undefined;
  readonly causeMessage: string | undefined;
  /** Error code of the underlying failure, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`, `UND_ERR_HEADERS_TIMEOUT`. */
  readonly causeCode: string | undefined;

  constructor(
    method: string,
    kind: ZaloHttpErrorKind,
    opts: { status?: number; causeMessage?: string; causeCode?: string } = {},
  ) {
    const cause = opts.causeMessage === undefined ? undefined : scrubToken(opts.causeMessage);
    const parts = [`Zalo ${method}: ${KIND_TEXT[kind]}`];
    if (opts.status !== undefined) parts.push(` (HTTP ${opts.status})`);
    if (cause) parts.push(`: ${cause}`);
    super(method, parts.join(''));
    this.kind = kind;
    this.status = opts.status;
    this.causeMessage = cause;
    this.causeCode = opts.causeCode;
  }

  /** Worth retrying later (the request may or may not have reached the platform). */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || this.kind === 'http_status';
  }

  static {
    this.prototype.name = 'ZaloHttpError';
  }
}

const KIND_TEXT: Record<ZaloHttpErrorKind, string> = {
  network: 'network error',
  timeout: 'timed out',
  http_status: 'server error',
  bad_response: 'unreadable answer',
  aborted: 'aborted',
  closed: 'client closed',
};

/** A request was refused locally before being sent (e.g. a 2001-character text). Never contains the values. */
export class ZaloValidationError extends ZaloError {
  readonly issues: string[];

  constructor(method: string, issues: string[]) {
    super(method, `Zalo ${method}: invalid request: ${issues.join('; ')}`);
    this.issues = issues.map((i) => scrubToken(i));
  }

  static {
    this.prototype.name = 'ZaloValidationError';
  }
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

// =================================================================================================================
// Updates
// =================================================================================================================

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Parses one incoming update, wrapped (`{ ok, result: { event_name, message } }`, as getUpdates answers and some
 * webhook calls look) or flat (`{ event_name, message }`). Returns null for anything else (including `ok: false`).
 * Unknown event names parse; check them with `isKnownZaloEvent`.
 */
export function parseZaloUpdatePayload(body: unknown): ZaloUpdate | null {
  if (!isRecord(body)) return null;
  let candidate: unknown = body;
  if (!('event_name' in body) && 'result' in body) {
    if (body.ok === false) return null;
    candidate = body.result;
  }
  const parsed = zaloUpdateSchema.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

/**
 * Normalises the `result` of getUpdates (one update, an array of them, or nothing) to an array. Entries that do
 * not parse are passed to `onInvalid` and dropped.
 */
export function normaliseZaloUpdates(result: unknown, onInvalid?: (raw: unknown) => void): ZaloUpdate[] {
  if (result === undefined || result === null) return [];
  const items = Array.isArray(result) ? result : [result];
  const out: ZaloUpdate[] = [];
  for (const item of items) {
    const update = parseZaloUpdatePayload(item);
    if (update) out.push(update);
    else onInvalid?.(item);
  }
  return out;
}

// =================================================================================================================
// Text splitting
// =================================================================================================================

const HAS_VISIBLE = /\S/;
const COMBINING_MARK = /^\p{M}$/u;

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Splits a text into chunks of 1..limit UTF-16 code units for `sendMessage`: at the last line break that fits
 * (a paragraph break is preferred when it is in the second half of the window), else at the last space, else
 * hard — never inside a surrogate pair or before a combining mark. Whitespace at a cut is dropped; chunks with
 * nothing visible are dropped, so `''` gives `[]`. A text that fits is returned unchanged.
 */
export function splitForZalo(text: string, limit: number = ZALO_TEXT_LIMIT): string[] {
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError('splitForZalo: limit must be an integer >= 2');
  const chunks: string[] = [];
  const push = (chunk: string): void => {
    if (HAS_VISIBLE.test(chunk)) chunks.push(chunk);
  };
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    if (n - pos <= limit) {
      push(text.slice(pos));
      break;
    }
    const maxEnd = pos + limit; // chunk = text[pos, cut) with cut <= maxEnd; the separator sits at text[cut]
    let cut = -1;
    let skip: RegExp = /[\r\n]/;

    const para = text.lastIndexOf('\n\n', maxEnd - 1);
    if (para > pos && para - pos >= limit / 2) cut = para;
    if (cut < 0) {
      const nl = text.lastIndexOf('\n', maxEnd);
      if (nl > pos) cut = nl;
    }
    if (cut < 0) {
      skip = /[ \t\u00a0\u3000]/;
      for (let i = maxEnd; i > pos; i--) {
        if (skip.test(text[i] ?? '')) {
          cut = i;
          break;
        }
      }
    }
    if (cut < 0) {
      // Back off to a boundary that is neither inside a surrogate pair nor before a combining mark.
      cut = maxEnd;
      while (cut > pos && (isLowSurrogate(text.charCodeAt(cut)) || COMBINING_MARK.test(text[cut] ?? ''))) cut--;
      if (cut === pos) {
        cut = maxEnd; // nothing but marks in the window: cut anywhere, just keep the pair whole
        if (isLowSurrogate(text.charCodeAt(cut))) cut--;
      }
      push(text.slice(pos, cut));
      pos = cut;
      continue;
    }
    push(text.slice(pos, cut).trimEnd());
    pos = cut;
    while (pos < n && skip.test(text[pos] ?? '')) pos++;
  }
  return chunks;
}

// =================================================================================================================
// Client
// =================================================================================================================

export interface ZaloClientOptions {
  /** `<bot_id>:<secret>`. Never logged; scrubbed from every error. */
  token: string;
  /** Default https://bot-api.zaloplatforms.com; tests point it at a fake on 127.0.0.1. May carry a path prefix. */
  apiRoot?: string;
  /** Time limit of an ordinary call (getUpdates gets its own `timeout` + 10 s). Default 35 000. */
  timeoutMs?: number;
  /** Keep-alive connections in the pool. Default 10. */
  connections?: number;
  /** Accept plain-http URLs for setWebhook/sendPhoto (tests only; the platform wants https). Default false. */
  allowInsecureUrls?: boolean;
  /** Called with an update of getUpdates that does not parse (it is dropped). May contain personal data. */
  onInvalidUpdate?: (raw: unknown) => void;
}

export interface ZaloCallOptions {
  /** Cancels the call; it then fails with a ZaloHttpError of kind `aborted`. */
  signal?: AbortSignal;
  /** Overrides the time limit of this call. */
  timeoutMs?: number;
}

interface InFlight {
  controller: AbortController;
  closing: boolean;
}

export class ZaloClient {
  readonly apiRoot: string;
  readonly timeoutMs: number;
  readonly #token: string;
  readonly #basePath: string;
  /** Made at the first call: undici is loaded only by a bot that talks to Zalo (it weighs ~20 MB). */
  #pool: Promise<Pool> | null = null;
  readonly #poolOptions: { origin: string; options: Pool.Options };
  readonly #allowInsecureUrls: boolean;
  readonly #onInvalidUpdate: ((raw: unknown) => void) | undefined;
  readonly #inFlight = new Set<InFlight>();
  #closePromise: Promise<void> | undefined;

  constructor(options: ZaloClientOptions) {
    const {
      token,
      apiRoot = DEFAULT_ZALO_API_ROOT,
      timeoutMs = 35_000,
      connections = 10,
      allowInsecureUrls = false,
    } = options;
    if (typeof token !== 'string' || token.length === 0 || /[\s/?#]/.test(token)) {
      throw new TypeError('ZaloClient: token must be a non-empty string without spaces, "/", "?" or "#"');
    }
    if (!(timeoutMs > 0)) throw new RangeError('ZaloClient: timeoutMs must be > 0');
    if (!Number.isInteger(connections) || connections < 1) {
      throw new RangeError('ZaloClient: connections must be a positive integer');
    }
    registerSecret(token);
    let url: URL;
    try {
      url = new URL(apiRoot);
    } catch {
      throw new TypeError(`ZaloClient: apiRoot is not a URL: ${scrubToken(apiRoot)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TypeError('ZaloClient: apiRoot must be http(s)');
    }
    this.#token = token;
    this.apiRoot = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
    this.#allowInsecureUrls = allowInsecureUrls;
    this.#onInvalidUpdate = options.onInvalidUpdate;
    this.#poolOptions = {
      origin: url.origin,
      options: {
        connections,
        pipelining: 1,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        connect: { timeout: Math.min(timeoutMs, 10_000) },
        maxResponseSize: 8 * 1024 * 1024,
      },
    };
  }

  #getPool(): Promise<Pool> {
    const { origin, options } = this.#poolOptions;
    this.#pool ??= import('undici').then(({ Pool }) => new Pool(origin, options));
    return this.#pool;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closePromise !== undefined;
  }

  // ---- API methods ---------------------------------------------------------------------------------------------

  async getMe(opts?: ZaloCallOptions): Promise<ZaloBotInfo> {
    const { result } = await this.#call('getMe', {}, opts);
    return this.#parseResult('getMe', zaloBotInfoSchema, result);
  }

  /**
   * Long poll for updates. The platform answers one update per call (or none); an array is accepted too.
   * An `ok: false` with error_code 408 (the platform's "no update within timeout") gives `[]`.
   * There is no offset: the same update may come twice, de-duplicate on event_name + message_id.
   */
  async getUpdates(params: GetUpdatesParams = {}, opts?: ZaloCallOptions): Promise<ZaloUpdate[]> {
    const p = this.#validate('getUpdates', getUpdatesParamsSchema, params);
    const timeoutS = p.timeout ?? DEFAULT_POLL_TIMEOUT_S;
    let result: unknown;
    try {
      ({ result } = await this.#call(
        'getUpdates',
        { timeout: String(timeoutS) },
        { ...opts, timeoutMs: opts?.timeoutMs ?? timeoutS * 1000 + POLL_GRACE_MS },
      ));
    } catch (err) {
      if (err instanceof ZaloApiError && err.error_code === 408) return [];
      throw err;
    }
    return normaliseZaloUpdates(result, this.#onInvalidUpdate);
  }

  async setWebhook(params: SetWebhookParams, opts?: ZaloCallOptions): Promise<ZaloWebhookInfo> {
    const schema = this.#allowInsecureUrls ? setWebhookParamsSchemaInsecure : setWebhookParamsSchema;
    const p = this.#validate('setWebhook', schema, params);
    const { result } = await this.#call('setWebhook', p, opts);
    return this.#parseResult('setWebhook', zaloWebhookInfoSchema, result);
  }

  async deleteWebhook(opts?: ZaloCallOptions): Promise<ZaloWebhookInfo> {
    const { result } = await this.#call('deleteWebhook', {}, opts);
    return this.#parseResult('deleteWebhook', zaloWebhookInfoSchema, result);
  }

  async getWebhookInfo(opts?: ZaloCallOptions): Promise<ZaloWebhookInfo> {
    const { result } = await this.#call('getWebhookInfo', {}, opts);
    return this.#parseResult('getWebhookInfo', zaloWebhookInfoSchema, result);
  }

  /** `text` must be 1..2000 characters: split longer replies with {@link splitForZalo} first. */
  async sendMessage(params: SendMessageParams, opts?: ZaloCallOptions): Promise<ZaloSentMessage> {
    const p = this.#validate('sendMessage', sendMessageParamsSchema, params);
    const { result } = await this.#call('sendMessage', p, opts);
    return this.#parseResult('sendMessage', zaloSentMessageSchema, result);
  }

  /** `photo` is a public https URL (there is no upload). */
  async sendPhoto(params: SendPhotoParams, opts?: ZaloCallOptions): Promise<ZaloSentMessage> {
    const schema = this.#allowInsecureUrls ? sendPhotoParamsSchemaInsecure : sendPhotoParamsSchema;
    const p = this.#validate('sendPhoto', schema, params);
    const { result } = await this.#call('sendPhoto', p, opts);
    return this.#parseResult('sendPhoto', zaloSentMessageSchema, result);
  }

  async sendSticker(params: SendStickerParams, opts?: ZaloCallOptions): Promise<ZaloSentMessage> {
    const p = this.#validate('sendSticker', sendStickerParamsSchema, params);
    const { result } = await this.#call('sendSticker', p, opts);
    return this.#parseResult('sendSticker', zaloSentMessageSchema, result);
  }

  async sendChatAction(params: SendChatActionParams, opts?: ZaloCallOptions): Promise<void> {
    const p = this.#validate('sendChatAction', sendChatActionParamsSchema, params);
    await this.#call('sendChatAction', p, opts);
  }

  /** Aborts calls under way (they fail with kind `closed`) and closes the pool. Idempotent. */
  close(): Promise<void> {
    if (!this.#closePromise) {
      for (const f of this.#inFlight) {
        f.closing = true;
        f.controller.abort(new Error('client closed'));
      }
      const pool = this.#pool;
      this.#closePromise = pool ? pool.then((p) => p.close().catch(() => p.destroy())).catch(() => undefined) : Promise.resolve();
    }
    return this.#closePromise;
  }

  /** Keeps the token out of `console.log(client)` / util.inspect. */
  toJSON(): Record<string, unknown> {
    return { apiRoot: this.apiRoot, timeoutMs: this.timeoutMs, closed: this.closed };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `ZaloClient ${JSON.stringify(this.toJSON())}`;
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  #validate<S extends z.ZodType>(method: string, schema: S, params: unknown): z.infer<S> {
    const parsed = schema.safeParse(params);
    if (!parsed.success) throw new ZaloValidationError(method, describeIssues(parsed.error));
    return parsed.data;
  }

  #parseResult<S extends z.ZodType>(method: string, schema: S, result: unknown): z.infer<S> {
    const parsed = schema.safeParse(result);
    if (!parsed.success) {
      throw new ZaloHttpError(method, 'bad_response', {
        causeMessage: `unexpected result: ${describeIssues(parsed.error).join('; ')}`,
      });
    }
    return parsed.data;
  }

  async #call(
    method: string,
    body: Record<string, unknown>,
    opts: ZaloCallOptions = {},
  ): Promise<{ result: unknown; status: number }> {
    if (this.closed) throw new ZaloHttpError(method, 'closed');
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const external = opts.signal;
    if (external?.aborted) throw new ZaloHttpError(method, 'aborted');
    // Loading undici (first call only) is not the platform's time: the timeout starts after it.
    const pool = await this.#getPool();
    if (this.closed) throw new ZaloHttpError(method, 'closed');

    const flight: InFlight = { controller: new AbortController(), closing: false };
    let timedOut = false;
    let externallyAborted = false;
    const timer = setTimeout(() => {
      timedOut = true;
      flight.controller.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onExternalAbort = (): void => {
      externallyAborted = true;
      flight.controller.abort(new Error('aborted by caller'));
    };
    external?.addEventListener('abort', onExternalAbort, { once: true });
    this.#inFlight.add(flight);

    let status: number;
    let text: string;
    try {
      const res = await pool.request({
        path: `${this.#basePath}/bot${this.#token}/${method}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: flight.controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const { message, code } = describeCause(err);
      if (flight.closing) throw new ZaloHttpError(method, 'closed');
      if (externallyAborted) throw new ZaloHttpError(method, 'aborted');
      if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
        throw new ZaloHttpError(method, 'timeout', {
          causeMessage: timedOut ? `no answer within ${timeoutMs} ms` : message,
          ...(code !== undefined ? { causeCode: code } : {}),
        });
      }
      throw new ZaloHttpError(method, 'network', {
        causeMessage: message,
        ...(code !== undefined ? { causeCode: code } : {}),
      });
    } finally {
      clearTimeout(timer);
      external?.removeEventListener('abort', onExternalAbort);
      this.#inFlight.delete(flight);
    }

    let json: unknown;
    let isJson = true;
    try {
      json = JSON.parse(text);
    } catch {
      isJson = false;
    }
    const envelope = isJson ? zaloEnvelopeSchema.safeParse(json) : undefined;

    if (status >= 500) {
      const description = envelope?.success ? envelope.data.description : undefined;
      throw new ZaloHttpError(method, 'http_status', {
        status,
        ...(description !== undefined ? { causeMessage: description } : {}),
      });
    }
    if (!envelope) {
      throw new ZaloHttpError(method, status >= 400 ? 'http_status' : 'bad_response', {
        status,
        causeMessage: 'answer is not JSON',
      });
    }
    if (!envelope.success) {
      throw new ZaloHttpError(method, status >= 400 ? 'http_status' : 'bad_response', {
        status,
        causeMessage: 'answer is not an API envelope',
      });
    }
    const env = envelope.data;
    if (!env.ok) throw new ZaloApiError(method, env.error_code ?? status, env.description, status);
    if (status >= 300) {
      throw new ZaloHttpError(method, 'http_status', { status, causeMessage: 'ok:true with an error status' });
    }
    return { result: env.result, status };
  }
}

const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

/** Message (scrubbed, with one level of `cause`) and code of an unknown thrown value. */
function describeCause(err: unknown): { message: string; code: string | undefined } {
  if (!(err instanceof Error)) return { message: scrubToken(String(err)), code: undefined };
  let message = err.message;
  let code = codeOf(err);
  const cause: unknown = err.cause;
  if (cause instanceof Error && cause.message && cause.message !== message) {
    message = `${message} (${cause.message})`;
    code ??= codeOf(cause);
  }
  return { message: scrubToken(message), code };
}

function codeOf(err: Error): string | undefined {
  const code: unknown = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
