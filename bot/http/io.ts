import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Small request/response helpers for the one HTTP server: reading a capped body, answering, and comparing
 * secrets in constant time.
 */

/** A request refused with this status; `message` is what the caller sees (short, no internals). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Webhook updates are a few kilobytes; anything near this is not a real update. */
export const WEBHOOK_BODY_LIMIT = 64 * 1024;
/**
 * The whole body must have arrived this long after the request began to be read (a webhook body is a few
 * kilobytes sent at once): a client trickling it is answered 408 and cut off, exactly at this limit.
 */
export const WEBHOOK_BODY_TIMEOUT_MS = 10_000;
/** A refused request's body is read and thrown away up to this much (so the client sees our answer), then cut. */
const DISCARD_LIMIT = 8 * 1024 * 1024;

/**
 * Compares a presented secret with the expected one in constant time. Both sides are hashed first so that
 * neither the content nor the length of the expected secret leaks through timing; the expected one once,
 * when the route is made (every webhook delivery is checked).
 */
export function secretMatcher(expected: string): (presented: string | string[] | undefined) => boolean {
  const digest = createHash('sha256').update(expected, 'utf8').digest();
  return (presented) => typeof presented === 'string' && timingSafeEqual(createHash('sha256').update(presented, 'utf8').digest(), digest);
}

export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}

/** Reads the whole body, refusing (413) as soon as it exceeds `limit` bytes, or (408) when it is not all there within `timeoutMs`. */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number = WEBHOOK_BODY_TIMEOUT_MS): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new HttpError(413, 'Payload Too Large'));
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new HttpError(408, 'Request Timeout: body too slow'));
    }, timeoutMs);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(new HttpError(413, 'Payload Too Large'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
  });
}

/** Parses a JSON body (400 when it is not JSON). */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'Bad Request: body is not valid JSON');
  }
}

/**
 * Answers and closes the connection. Whatever is left of the request body is drained (so the client reads
 * our status instead of a reset) but never kept, and the socket is cut if the client keeps sending.
 */
export function respond(req: IncomingMessage, res: ServerResponse, status: number, body: string, contentType = 'application/json; charset=utf-8'): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const refused = status >= 400;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(refused ? { connection: 'close' } : {}),
  });
  res.end(body);
  // A trickled body is not worth waiting for: cut the connection once our answer is out.
  if (status === 408) res.once('finish', () => req.socket.destroy());
  else if (refused && !req.complete) discard(req);
}

export function respondJson(req: IncomingMessage, res: ServerResponse, status: number, payload: unknown): void {
  respond(req, res, status, JSON.stringify(payload));
}

function discard(req: IncomingMessage): void {
  let seen = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DISCARD_LIMIT) req.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}
