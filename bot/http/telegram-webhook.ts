import type { IncomingMessage, ServerResponse } from 'node:http';
import { webhookCallback, type Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../../log';
import { createTelegramIntakeBot } from '../telegram/bot';
import type { Intake } from './intake';
import { HttpError, WEBHOOK_BODY_LIMIT, isJsonContentType, parseJson, readBody, respond, respondJson } from './io';
import type { RouteHandler } from './server';

/**
 * POST /webhook/telegram through grammY's webhookCallback: it compares X-Telegram-Bot-Api-Secret-Token with
 * the secret in constant time before the body is touched (401 otherwise). Our adapter then reads the body
 * with a size cap (413), requires JSON (415, 400), and the intake bot writes the update to the inbox; only
 * then is the request answered 200. The main bot handles the update afterwards, from the inbox.
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

function isUpdate(v: unknown): v is Update {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Number.isSafeInteger((v as { update_id?: unknown }).update_id);
}

/** grammY's node adapter, with the checks it lacks: content type, body cap, shape. */
function cappedNodeAdapter(req: IncomingMessage, res: ServerResponse) {
  const header = req.headers[TELEGRAM_SECRET_HEADER];
  return {
    // A getter: grammY reads it only after the secret matched, so a forged request's body is never parsed.
    get update(): Promise<Update> {
      return (async () => {
        if (!isJsonContentType(req.headers['content-type'])) throw new HttpError(415, 'Unsupported Media Type: expected application/json');
        const json = parseJson(await readBody(req, WEBHOOK_BODY_LIMIT));
        if (!isUpdate(json)) throw new HttpError(400, 'Bad Request: not a Telegram update');
        return json;
      })();
    },
    header: typeof header === 'string' ? header : undefined,
    end: () => respondJson(req, res, 200, { ok: true }),
    respond: (json: string) => respond(req, res, 200, json),
    unauthorized: () => respondJson(req, res, 401, { ok: false, error: 'Unauthorized' }),
  };
}

export function telegramWebhookRoute(opts: { bot: Bot; secret: string; intake: Intake<Update>; log: Logger }): RouteHandler {
  const { intake, log } = opts;
  const intakeBot = createTelegramIntakeBot(opts.bot, (update) => {
    intake.accept(telegramUpdateKey(update), update);
  });
  const callback = webhookCallback(intakeBot, cappedNodeAdapter, {
    secretToken: opts.secret,
    onTimeout: 'throw',
    timeoutMilliseconds: 10_000,
  });
  return async (req, res) => {
    try {
      await callback(req, res);
    } catch (err) {
      // grammY wraps what the middleware threw; unwrap to answer with our status.
      const cause = err instanceof HttpError ? err : (err as { error?: unknown })?.error;
      if (cause instanceof HttpError) {
        log.warn('telegram webhook refused', { status: cause.status, reason: cause.message });
        respondJson(req, res, cause.status, { ok: false, error: cause.message });
        return;
      }
      throw err;
    }
    if (res.statusCode === 401) log.warn('telegram webhook refused', { status: 401, reason: 'secret token mismatch' });
  };
}
