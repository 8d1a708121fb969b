import type { Logger } from '../../log';
import { parseZaloUpdatePayload } from '../zalo/client';
import type { ZaloUpdate } from '../zalo/types';
import { zaloUpdateKey } from '../zalo/adapter';
import type { Intake } from './intake';
import { HttpError, WEBHOOK_BODY_LIMIT, isJsonContentType, parseJson, readBody, respondJson, secretMatcher } from './io';
import type { RouteHandler } from './server';

/**
 * POST /webhook/zalo. In this order, so a forged request costs us nothing and changes nothing:
 * the secret header (compared in constant time, before any byte of the body is read: 401 missing,
 * 403 wrong), the content type (415), the size (413 past 64 KB), JSON (400), the update's shape (400).
 * A valid update is written to the inbox and only then acknowledged with 200; a repeated one is
 * acknowledged and dropped. Handling happens after the answer, from the inbox.
 */

export const ZALO_SECRET_HEADER = 'x-bot-api-secret-token';

export function zaloWebhookRoute(opts: { secret: string; intake: Intake<ZaloUpdate>; log: Logger }): RouteHandler {
  const { intake, log } = opts;
  const secretOk = secretMatcher(opts.secret);
  const refusal = (status: number, reason: string): HttpError => {
    log.warn('zalo webhook refused', { status, reason });
    return new HttpError(status, reason);
  };
  const logged = (err: unknown): unknown => (err instanceof HttpError ? refusal(err.status, err.message) : err);
  return async (req, res) => {
    const presented = req.headers[ZALO_SECRET_HEADER];
    if (presented === undefined) throw refusal(401, 'Unauthorized: missing secret token');
    if (!secretOk(presented)) throw refusal(403, 'Forbidden: wrong secret token');
    if (!isJsonContentType(req.headers['content-type'])) throw refusal(415, 'Unsupported Media Type: expected application/json');
    let update: ZaloUpdate | null;
    try {
      update = parseZaloUpdatePayload(parseJson(await readBody(req, WEBHOOK_BODY_LIMIT)));
    } catch (err) {
      throw logged(err);
    }
    if (!update) throw refusal(400, 'Bad Request: not a Zalo update');
    const outcome = await intake.acceptSoon(zaloUpdateKey(update), update);
    respondJson(req, res, 200, outcome === 'duplicate' ? { ok: true, duplicate: true } : { ok: true });
  };
}
