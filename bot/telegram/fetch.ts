import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import { HttpError, type Transformer } from 'grammy';

/**
 * The transport of every Bot API call, given to grammY as its `client.fetch` (grammY reads only `json()`
 * of the answer). grammY's default goes through node-fetch, whose Request, Headers and Body objects cost
 * about a fifth of the CPU of a sendMessage, and every answer the bot gives is one (measured: 140 → 116 µs per
 * call against a local server). This is node's own client with one keep-alive agent per protocol,
 * nothing else: grammY still builds the payload, applies the transformers (throttle, retries), times the
 * call out through `signal` and turns a failure into its HttpError. The calls made for every answer also
 * skip grammY's own last step (`directJsonCalls` below).
 */

type Body = string | Uint8Array | Readable | AsyncIterable<Uint8Array> | null | undefined;

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: Body;
  signal?: AbortSignal | null;
  /** Abandons the call when its socket stays silent this long (grammY times its own calls itself). */
  timeoutMs?: number;
}

export interface BotApiAnswer {
  status: number;
  json(): Promise<unknown>;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** Where a call goes, as node's client takes it: worked out once, since a URL string is parsed at every request. */
interface Target {
  secure: boolean;
  options: http.RequestOptions;
}

export function botApiFetch(url: string | Target, init: FetchInit = {}): Promise<BotApiAnswer> {
  return new Promise((resolve, reject) => {
    const secure = typeof url === 'string' ? url.startsWith('https:') : url.secure;
    const client = secure ? https : http;
    const options: http.RequestOptions = { method: init.method ?? 'GET', headers: init.headers, agent: agents[secure ? 'https:' : 'http:'], signal: init.signal ?? undefined, timeout: init.timeoutMs };
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
        // Parsed when grammY asks, as fetch does: a body that is not JSON (a proxy's error page) rejects there.
        resolve({ status: res.statusCode ?? 0, json: async () => JSON.parse(text) as unknown });
      });
    };
    const request = typeof url === 'string' ? client.request(url, options, onResponse) : client.request(Object.assign(options, url.options), onResponse);
    request.on('error', reject);
    if (init.timeoutMs !== undefined) request.on('timeout', () => request.destroy(new Error(`timed out after ${init.timeoutMs! / 1000} seconds`)));
    const body = init.body;
    if (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array) {
      request.end(body ?? undefined);
      return;
    }
    // A multipart upload (a report, a chart): grammY streams it.
    void (async () => {
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        if (request.destroyed) return;
        if (!request.write(chunk)) await new Promise((r) => (request.once('drain', r), request.once('close', r)));
      }
      request.end();
    })().catch((err: unknown) => request.destroy(err instanceof Error ? err : new Error(String(err))));
  });
}

/** The calls made for every answer; their payloads come from our own code, with no file and no null in them. */
const DIRECT_METHODS: ReadonlySet<string> = new Set(['sendMessage', 'answerCallbackQuery', 'sendChatAction']);
const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json' });

/**
 * The innermost transformer of the bot's Api (install it before the others, so it runs last): the calls
 * of DIRECT_METHODS go straight to the transport. For them grammY's own last step is most of a call's CPU
 * (measured against a local server: 130–180 µs per sendMessage through it, 80–117 µs without): it walks
 * the payload for files, builds an AbortController, a timeout timer and three promises raced per call, and
 * serializes with a replacer. The result is the same ApiResponse, so grammY still turns a refusal into its
 * GrammyError, and every transformer installed after this one (throttle, retries) applies as before; a
 * failure without an answer is grammY's HttpError, whose message names only the method. A call with an
 * abort signal is left to grammY.
 */
export function directJsonCalls(apiRoot: string, token: string, timeoutSeconds = 500): Transformer {
  const timeoutMs = timeoutSeconds * 1000;
  const targets = new Map<string, Target>();
  for (const method of DIRECT_METHODS) {
    const url = new URL(`${apiRoot}/bot${token}/${method}`);
    targets.set(method, { secure: url.protocol === 'https:', options: urlToHttpOptions(url) });
  }
  return (prev, method, payload, signal) => {
    const target = signal === undefined ? targets.get(method) : undefined;
    if (!target) return prev(method, payload, signal);
    return botApiFetch(target, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(payload), timeoutMs })
      .then((answer) => answer.json())
      .catch((err: unknown) => {
        throw new HttpError(`Network request for '${method}' failed!`, err);
      }) as ReturnType<typeof prev>;
  };
}
