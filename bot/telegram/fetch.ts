import { Agent, request } from 'undici';

/**
 * The `fetch` grammY calls the Bot API with, on undici's request API (already our Zalo client) instead of
 * node-fetch over node:http: grammY only sends a method, headers and a body (a JSON string, or a stream
 * for uploads) and reads the answer's JSON, so the WHATWG Request/Response machinery is not needed, and
 * each call costs less CPU (bench/answers.bench.ts: every answer is a getUpdates share and a sendMessage).
 * Connections are kept alive per origin; a long poll holds one of its own.
 */
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });

interface GrammyFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | NodeJS.ReadableStream;
  signal?: AbortSignal;
}

export async function botApiFetch(url: string | URL, init: GrammyFetchInit = {}): Promise<{ ok: boolean; status: number; json(): Promise<unknown> }> {
  const headers: Record<string, string> = {};
  // undici manages the connection itself and refuses a connection header.
  for (const [k, v] of Object.entries(init.headers ?? {})) if (k.toLowerCase() !== 'connection') headers[k] = v;
  const res = await request(url, {
    dispatcher,
    method: (init.method ?? 'GET') as 'GET' | 'POST',
    headers,
    body: init.body as string | undefined,
    signal: init.signal,
  });
  return { ok: res.statusCode >= 200 && res.statusCode < 300, status: res.statusCode, json: () => res.body.json() };
}
