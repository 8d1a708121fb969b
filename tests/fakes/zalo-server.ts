/**
 * A fake Zalo Bot Platform API over real HTTP on 127.0.0.1 (random port), for tests of the whole project.
 *
 *   const zalo = await startFakeZalo({ token: '1234567890:test-secret-abcdef' });
 *   const client = new ZaloClient({ token, apiRoot: zalo.apiRoot });
 *   zalo.pushUpdate(zaloTextUpdate({ chatId: 'u1', text: 'Xin chào' }));
 *   const msg = await zalo.waitFor((c) => c.method === 'sendMessage' && c.body.chat_id === 'u1');
 *   await zalo.close();
 *
 * Behaviour mirrored from the real platform (see /work/shared/zalo-bot-api.md):
 * - `POST /bot<TOKEN>/<method>` with a JSON body; a wrong token answers 401 `{ ok:false, error_code:401 }`.
 * - getUpdates long-polls (held up to `maxPollMs`, default 1 s, or the asked timeout if shorter), answers one update
 *   per call, wrapped `{ ok:true, result:{ event_name, message } }`, as soon as one is queued; with nothing to give
 *   it answers `{ ok:false, error_code:408, description:'Request timeout' }` like the real platform (or
 *   `{ ok:true, result:null }` with `emptyPoll: 'ok_null'`). It refuses while a webhook is set.
 * - sendMessage checks the text is 1..2000 characters (else ok:false error_code 400) and answers
 *   `{ message_id, date }`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ZaloUpdateInput } from '../../bot/zalo/types.js';

export type FakeZaloFailKind = 'ok_false' | '5xx' | 'hang' | 'destroy';

export interface FakeZaloFailOptions {
  /** ok_false: error_code in the body (default 400). */
  error_code?: number;
  /** ok_false / 5xx: description in the body. */
  description?: string;
  /** HTTP status (ok_false default 200, 5xx default 502). */
  status?: number;
  /** 5xx: answer a JSON `ok:false` body instead of an HTML error page. */
  json?: boolean;
}

export interface FakeZaloOptions {
  token: string;
  /** Longest a getUpdates call is held before answering "nothing" (ms). Default 1000. */
  maxPollMs?: number;
  /** How an empty long poll is answered. Default 'timeout_408' (what the real platform does). */
  emptyPoll?: 'timeout_408' | 'ok_null';
  /** setWebhook refuses non-https URLs, like the real platform. Default true; set false to use a local server. */
  requireHttpsWebhook?: boolean;
}

/** One call as received. `result` is what was answered when it succeeded. */
export interface FakeZaloCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
  result?: unknown;
}

export interface FakeZaloRequest extends FakeZaloCall {
  /** What happened: 'ok', 'ok_false', '5xx', 'hang', 'destroy', 'unauthorized', 'empty_poll', 'refused'. */
  outcome: string;
}

export interface FakeZalo {
  /** e.g. `http://127.0.0.1:43567`: pass as `apiRoot` to the client. */
  readonly apiRoot: string;
  readonly token: string;
  /** Every successful call except getUpdates (sendMessage, sendPhoto, setWebhook, getMe, ...), in order. */
  readonly sent: FakeZaloCall[];
  /** Every request, getUpdates and failures included. */
  readonly requests: FakeZaloRequest[];
  /** The webhook currently set (both undefined when none). */
  readonly webhook: { url?: string; secret_token?: string; updated_at?: number };
  /** Queues an update for getUpdates (handed to a waiting long poll at once, if any). */
  pushUpdate(update: ZaloUpdateInput | Record<string, unknown>): void;
  /** Updates queued and not yet handed out. */
  pendingUpdates(): number;
  /** The next call of `method` fails this way (calls queue up: failNext twice → the next two calls fail). */
  failNext(method: string, kind: FakeZaloFailKind, opts?: FakeZaloFailOptions): void;
  /** Resolves with the first recorded `sent` call (past or future) matching `pred`; rejects after timeoutMs. */
  waitFor(pred: (call: FakeZaloCall) => boolean, timeoutMs?: number): Promise<FakeZaloCall>;
  /** POSTs an update to the webhook that is set, with its secret header (or `opts.secret`). */
  deliverWebhook(
    update: ZaloUpdateInput | Record<string, unknown>,
    opts?: { secret?: string | null; wrapped?: boolean },
  ): Promise<{ status: number; body: string }>;
  /** Forgets sent calls, requests, queued updates and pending failures (the webhook stays). */
  reset(): void;
  close(): Promise<void>;
}

interface Waiter {
  res: http.ServerResponse;
  timer: NodeJS.Timeout;
  body: Record<string, unknown>;
  at: number;
}

interface WaitForListener {
  pred: (call: FakeZaloCall) => boolean;
  resolve: (call: FakeZaloCall) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const TEXT_LIMIT = 2000;
const MAX_BODY = 1024 * 1024;

export async function startFakeZalo(options: FakeZaloOptions): Promise<FakeZalo> {
  const { token, maxPollMs = 1000, emptyPoll = 'timeout_408', requireHttpsWebhook = true } = options;
  const botId = token.split(':')[0] || '1000000000';

  const sent: FakeZaloCall[] = [];
  const requests: FakeZaloRequest[] = [];
  const webhook: { url?: string; secret_token?: string; updated_at?: number } = {};
  const queue: Array<Record<string, unknown>> = [];
  const waiters: Waiter[] = [];
  const failures = new Map<string, Array<{ kind: FakeZaloFailKind; opts: FakeZaloFailOptions }>>();
  const listeners = new Set<WaitForListener>();
  const hanging = new Set<http.ServerResponse>();
  let seq = 0;
  let closed = false;

  const nextMessageId = (): string => `${(++seq).toString(16).padStart(8, '0')}${randomBytes(12).toString('hex')}`;

  function reply(res: http.ServerResponse, status: number, payload: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  function recordSent(call: FakeZaloCall): void {
    sent.push(call);
    for (const l of [...listeners]) {
      if (l.pred(call)) {
        listeners.delete(l);
        clearTimeout(l.timer);
        l.resolve(call);
      }
    }
  }

  function ok(res: http.ServerResponse, method: string, body: Record<string, unknown>, result: unknown): void {
    const at = Date.now();
    requests.push({ method, body, at, result, outcome: 'ok' });
    if (method !== 'getUpdates') recordSent({ method, body, at, result });
    reply(res, 200, { ok: true, result });
  }

  function refuse(
    res: http.ServerResponse,
    method: string,
    body: Record<string, unknown>,
    error_code: number,
    description: string,
    outcome = 'refused',
  ): void {
    requests.push({ method, body, at: Date.now(), outcome });
    reply(res, error_code === 401 || error_code === 404 ? error_code : 200, { ok: false, error_code, description });
  }

  function wrap(update: Record<string, unknown>): unknown {
    return { ok: true, result: update };
  }

  function answerEmptyPoll(w: Waiter): void {
    requests.push({ method: 'getUpdates', body: w.body, at: w.at, outcome: 'empty_poll' });
    if (emptyPoll === 'ok_null') reply(w.res, 200, { ok: true, result: null });
    else reply(w.res, 200, { ok: false, error_code: 408, description: 'Request timeout' });
  }

  function drain(): void {
    while (queue.length > 0 && waiters.length > 0) {
      const w = waiters.shift()!;
      clearTimeout(w.timer);
      if (w.res.destroyed || w.res.writableEnded) continue; // client went away: keep the update for the next poll
      const update = queue.shift()!;
      requests.push({ method: 'getUpdates', body: w.body, at: w.at, result: update, outcome: 'ok' });
      reply(w.res, 200, wrap(update));
    }
  }

  function refuseWaiters(): void {
    for (const w of waiters.splice(0)) {
      clearTimeout(w.timer);
      requests.push({ method: 'getUpdates', body: w.body, at: w.at, outcome: 'refused' });
      reply(w.res, 200, webhookActive());
    }
  }

  function webhookActive(): unknown {
    return { ok: false, error_code: 409, description: "Conflict: can't use getUpdates while webhook is active" };
  }

  function handleGetUpdates(req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown>): void {
    if (webhook.url) {
      refuse(res, 'getUpdates', body, 409, "Conflict: can't use getUpdates while webhook is active");
      return;
    }
    const update = queue.shift();
    if (update) {
      ok(res, 'getUpdates', body, update);
      return;
    }
    const asked = Number(body.timeout);
    const holdMs = Math.max(0, Math.min(Number.isFinite(asked) ? asked * 1000 : 30_000, maxPollMs));
    const waiter: Waiter = {
      res,
      body,
      at: Date.now(),
      timer: setTimeout(() => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        answerEmptyPoll(waiter);
      }, holdMs),
    };
    waiters.push(waiter);
    res.on('close', () => {
      const i = waiters.indexOf(waiter);
      if (i >= 0) {
        waiters.splice(i, 1);
        clearTimeout(waiter.timer);
      }
    });
    void req;
  }

  function isNonEmptyString(v: unknown): v is string {
    return typeof v === 'string' && v.length > 0;
  }

  function handleMethod(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    body: Record<string, unknown>,
  ): void {
    switch (method) {
      case 'getMe':
        return ok(res, method, body, {
          id: botId,
          account_name: 'bot.baocao_fake',
          account_type: 'BASIC',
          can_join_groups: true,
        });
      case 'getUpdates':
        return handleGetUpdates(req, res, body);
      case 'setWebhook': {
        const { url, secret_token } = body;
        let parsed: URL | undefined;
        try {
          parsed = typeof url === 'string' ? new URL(url) : undefined;
        } catch {
          parsed = undefined;
        }
        if (!parsed || !/^https?:$/.test(parsed.protocol) || (requireHttpsWebhook && parsed.protocol !== 'https:')) {
          return refuse(res, method, body, 400, 'Bad Request: url must be a valid https URL');
        }
        if (typeof secret_token !== 'string' || secret_token.length < 8 || secret_token.length > 256) {
          return refuse(res, method, body, 400, 'Bad Request: secret_token must be 8 to 256 characters');
        }
        webhook.url = url as string;
        webhook.secret_token = secret_token;
        webhook.updated_at = Date.now();
        refuseWaiters();
        return ok(res, method, body, { url: webhook.url, updated_at: webhook.updated_at });
      }
      case 'deleteWebhook':
        delete webhook.url;
        delete webhook.secret_token;
        webhook.updated_at = Date.now();
        return ok(res, method, body, { url: '', updated_at: webhook.updated_at });
      case 'getWebhookInfo':
        return ok(res, method, body, { url: webhook.url ?? '', updated_at: webhook.updated_at ?? 0 });
      case 'sendMessage': {
        if (!isNonEmptyString(body.chat_id)) return refuse(res, method, body, 400, 'Bad Request: chat_id is required');
        const text = body.text;
        if (typeof text !== 'string' || text.length < 1 || text.length > TEXT_LIMIT) {
          return refuse(res, method, body, 400, `Bad Request: text must be 1 to ${TEXT_LIMIT} characters`);
        }
        return ok(res, method, body, { message_id: nextMessageId(), date: Date.now() });
      }
      case 'sendPhoto': {
        if (!isNonEmptyString(body.chat_id)) return refuse(res, method, body, 400, 'Bad Request: chat_id is required');
        if (!isNonEmptyString(body.photo) || !/^https?:\/\//.test(body.photo)) {
          return refuse(res, method, body, 400, 'Bad Request: photo must be a URL');
        }
        if (body.caption !== undefined && (typeof body.caption !== 'string' || body.caption.length > TEXT_LIMIT)) {
          return refuse(res, method, body, 400, 'Bad Request: caption too long');
        }
        return ok(res, method, body, { message_id: nextMessageId(), date: Date.now() });
      }
      case 'sendSticker': {
        if (!isNonEmptyString(body.chat_id) || !isNonEmptyString(body.sticker)) {
          return refuse(res, method, body, 400, 'Bad Request: chat_id and sticker are required');
        }
        return ok(res, method, body, { message_id: nextMessageId(), date: Date.now() });
      }
      case 'sendChatAction': {
        if (!isNonEmptyString(body.chat_id)) return refuse(res, method, body, 400, 'Bad Request: chat_id is required');
        if (body.action !== 'typing' && body.action !== 'upload_photo') {
          return refuse(res, method, body, 400, 'Bad Request: unsupported action');
        }
        return ok(res, method, body, true);
      }
      default:
        return refuse(res, method, body, 404, 'Not Found: method not found');
    }
  }

  function applyFailure(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    body: Record<string, unknown>,
  ): boolean {
    const pending = failures.get(method);
    const failure = pending?.shift();
    if (!failure) return false;
    if (pending && pending.length === 0) failures.delete(method);
    const { kind, opts } = failure;
    requests.push({ method, body, at: Date.now(), outcome: kind });
    switch (kind) {
      case 'ok_false':
        reply(res, opts.status ?? 200, {
          ok: false,
          error_code: opts.error_code ?? 400,
          description: opts.description ?? 'Bad Request: simulated failure',
        });
        break;
      case '5xx': {
        const status = opts.status ?? 502;
        if (opts.json) {
          reply(res, status, { ok: false, error_code: status, description: opts.description ?? 'Internal error' });
        } else {
          const html = `<html><body><h1>${status} ${opts.description ?? 'Bad Gateway'}</h1></body></html>`;
          res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) });
          res.end(html);
        }
        break;
      }
      case 'hang':
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        break;
      case 'destroy':
        req.socket.destroy();
        break;
    }
    return true;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(path);
      if (!m) {
        reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        return;
      }
      const method = m[2]!;
      let pathToken = m[1]!;
      try {
        pathToken = decodeURIComponent(pathToken);
      } catch {
        /* keep raw */
      }
      let body: Record<string, unknown> = {};
      const raw = Buffer.concat(chunks).toString('utf8');
      if (pathToken !== token) {
        requests.push({ method, body, at: Date.now(), outcome: 'unauthorized' });
        reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
        return;
      }
      if (req.method !== 'POST') {
        refuse(res, method, body, 405, 'Method Not Allowed: use POST');
        return;
      }
      if (tooBig) {
        refuse(res, method, body, 413, 'Request Entity Too Large');
        return;
      }
      if (raw.trim().length > 0) {
        try {
          const parsed: unknown = JSON.parse(raw);
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
          body = parsed as Record<string, unknown>;
        } catch {
          refuse(res, method, {}, 400, 'Bad Request: body must be a JSON object');
          return;
        }
      }
      if (applyFailure(req, res, method, body)) return;
      handleMethod(req, res, method, body);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const apiRoot = `http://127.0.0.1:${port}`;

  return {
    apiRoot,
    token,
    sent,
    requests,
    webhook,
    pushUpdate(update) {
      queue.push(update as Record<string, unknown>);
      drain();
    },
    pendingUpdates: () => queue.length,
    failNext(method, kind, opts = {}) {
      const list = failures.get(method) ?? [];
      list.push({ kind, opts });
      failures.set(method, list);
    },
    waitFor(pred, timeoutMs = 2000) {
      const found = sent.find(pred);
      if (found) return Promise.resolve(found);
      if (closed) return Promise.reject(new Error('fake Zalo server is closed'));
      return new Promise<FakeZaloCall>((resolve, reject) => {
        const listener: WaitForListener = {
          pred,
          resolve,
          reject,
          timer: setTimeout(() => {
            listeners.delete(listener);
            const seen = sent.map((c) => c.method).join(', ') || 'nothing';
            reject(new Error(`fake Zalo: no matching call within ${timeoutMs} ms (sent so far: ${seen})`));
          }, timeoutMs),
        };
        listeners.add(listener);
      });
    },
    async deliverWebhook(update, opts = {}) {
      if (!webhook.url) throw new Error('fake Zalo: no webhook is set');
      const secret = opts.secret === undefined ? webhook.secret_token : opts.secret;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (secret !== null && secret !== undefined) headers['x-bot-api-secret-token'] = secret;
      const payload = opts.wrapped ? wrap(update as Record<string, unknown>) : update;
      const res = await fetch(webhook.url, { method: 'POST', headers, body: JSON.stringify(payload) });
      return { status: res.status, body: await res.text() };
    },
    reset() {
      sent.length = 0;
      requests.length = 0;
      queue.length = 0;
      failures.clear();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const l of listeners) {
        clearTimeout(l.timer);
        l.reject(new Error('fake Zalo server closed'));
      }
      listeners.clear();
      for (const w of waiters.splice(0)) {
        clearTimeout(w.timer);
        w.res.destroy();
      }
      for (const res of hanging) res.destroy();
      hanging.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

// =================================================================================================================
// Update builders
// =================================================================================================================

let updateSeq = 0;
function defaultMessageId(): string {
  updateSeq += 1;
  return `fake${Date.now().toString(16)}${updateSeq.toString(16).padStart(6, '0')}`;
}

export interface ZaloFakeUpdateBase {
  chatId: string;
  messageId?: string;
  /** display_name of the sender. Default 'Người dùng thử'. */
  fromName?: string;
  /** Default: chatId (a private chat's id is the user's id). */
  fromId?: string;
  chatType?: 'PRIVATE' | 'GROUP';
  /** Epoch ms. Default now. */
  date?: number;
}

function baseMessage(o: ZaloFakeUpdateBase) {
  return {
    message_id: o.messageId ?? defaultMessageId(),
    date: o.date ?? Date.now(),
    chat: { id: o.chatId, chat_type: o.chatType ?? 'PRIVATE' },
    from: { id: o.fromId ?? o.chatId, display_name: o.fromName ?? 'Người dùng thử', is_bot: false },
  } as const;
}

export function zaloTextUpdate(o: ZaloFakeUpdateBase & { text: string }): ZaloUpdateInput {
  return { event_name: 'message.text.received', message: { ...baseMessage(o), text: o.text } };
}

export function zaloStickerUpdate(o: ZaloFakeUpdateBase & { sticker?: string }): ZaloUpdateInput {
  return {
    event_name: 'message.sticker.received',
    message: { ...baseMessage(o), sticker: o.sticker ?? 'd063f44dc80821567819' },
  };
}

export function zaloImageUpdate(o: ZaloFakeUpdateBase & { photo?: string; caption?: string }): ZaloUpdateInput {
  return {
    event_name: 'message.image.received',
    message: {
      ...baseMessage(o),
      photo: o.photo ?? 'https://example.com/fake-zalo-photo.jpg',
      ...(o.caption !== undefined ? { caption: o.caption } : {}),
    },
  };
}
