import type { Update } from 'grammy/types';
import type { Logger } from '../../log';
import { parseTelegramUpdate } from '../telegram/update-schema';
import type { Intake } from './intake';
import { HttpError, WEBHOOK_BODY_LIMIT, isJsonContentType, parseJson, readBody, respondJson, secretMatcher } from './io';
import type { RouteHandler } from './server';

/**
 * POST /webhook/telegram. In this order, so a forged request costs us nothing and changes nothing: the
 * secret in X-Telegram-Bot-Api-Secret-Token (compared in constant time before any byte of the body is
 * read; 401), the content type (415), the size (413 past 64 KB), JSON (400), the update's shape (400).
 * A valid update is written to the inbox and only then acknowledged with 200; the bot handles it
 * afterwards, from the inbox.
 */

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export function telegramUpdateKey(u: Update): string {
  return String(u.update_id);
}

/** The sender, so one person's updates are handled in order. */
export function telegramSender(u: Update): string {
  const from = u.message?.from ?? u.callback_query?.from ?? u.my_chat_member?.from ?? u.edited_message?.from;
  return from ? String(from.id) : 'telegram';
}

export function telegramWebhookRoute(opts: { secret: string; intake: Intake<Update>; log: Logger }): RouteHandler {
  const { intake, log } = opts;
  const secretOk = secretMatcher(opts.secret);
  const refusal = (status: number, reason: string): HttpError => {
    log.warn('telegram webhook refused', { status, reason });
    return new HttpError(status, reason);
  };
  return async (req, res) => {
    if (!secretOk(req.headers[TELEGRAM_SECRET_HEADER])) throw refusal(401, 'Unauthorized');
    if (!isJsonContentType(req.headers['content-type'])) throw refusal(415, 'Unsupported Media Type: expected application/json');
    let update: Update | null;
    try {
      update = parseTelegramUpdate(parseJson(await readBody(req, WEBHOOK_BODY_LIMIT)));
    } catch (err) {
      throw err instanceof HttpError ? refusal(err.status, err.message) : err;
    }
    if (!update) throw refusal(400, 'Bad Request: not a Telegram update');
    const outcome = await intake.acceptSoon(telegramUpdateKey(update), update);
    respondJson(req, res, 200, outcome === 'duplicate' ? { ok: true, duplicate: true } : { ok: true });
  };
}
