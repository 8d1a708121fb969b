import { Api, GrammyError, HttpError, type Bot, type Transformer } from 'grammy';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { autoRetry } from '@grammyjs/auto-retry';
import { createRateLimiter } from './rate-limiter';

/**
 * The Telegram outgoing queue: every call the bot makes with a `chat_id` (replies, reminders, digests,
 * documents) passes one throttler per bot (@grammyjs/transformer-throttler), so Telegram's limits hold
 * before it has to answer 429: 30 messages per second overall, 20 per minute per group.
 *
 * One message per second per private chat applies to what the bot sends on its own (reminders, digests:
 * `initiatedApi`). Replies to a user's message are not held back per chat: they follow the user's own
 * pace, a multi-part reply is a short burst that Telegram tolerates, and holding each reply for a second
 * would make every answer of a fast typist wait. They still share the global queue.
 *
 * Order of the transformers (the last installed runs first): a bounded retry of network failures, then
 * @grammyjs/auto-retry (429 `retry_after` and 5xx, bounded), then the throttler, then the arrival guard.
 * Retries therefore queue again and count against the limits like any send.
 */

export interface TelegramLimits {
  /** Messages per second over all chats (Telegram: 30). */
  perSecond: number;
  /** Messages per second to one private chat (Telegram: 1). */
  perChatPerSecond: number;
  /** Messages per minute to one group (Telegram: 20). */
  perGroupPerMinute: number;
}

export const TELEGRAM_LIMITS: Readonly<TelegramLimits> = Object.freeze({ perSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 });

/** Bounds for @grammyjs/auto-retry (its defaults are unbounded) and for our retry of network failures. */
export const TELEGRAM_RETRY = Object.freeze({
  /** Retries of one call after 429 or 5xx. */
  maxRetryAttempts: 3,
  /** A 429 asking to wait longer than this fails the call instead of holding the queue. */
  maxDelaySeconds: 30,
  /** Retries of one call after a network failure (no answer from Telegram). */
  networkRetries: 2,
  networkDelayMs: 1000,
});

export function throttlerOptions(limits: TelegramLimits = TELEGRAM_LIMITS) {
  // Spacing alone cannot keep the limit as Telegram counts it (on arrival, after any network or event-loop
  // delay); arrivalGuard below does, so the spacing needs no margin.
  const globalGap = 1000 / limits.perSecond;
  return {
    // Spacing, not a reservoir refilled every second: a refill lets 30 go out at the end of one second and 30
    // more at the start of the next, i.e. 60 within one sliding second.
    global: { minTime: globalGap, maxConcurrent: null },
    group: {
      maxConcurrent: 1,
      minTime: 1000,
      reservoir: limits.perGroupPerMinute,
      reservoirRefreshAmount: limits.perGroupPerMinute,
      reservoirRefreshInterval: 60_000,
    },
    // Private chats: one request at a time, so a chat's messages keep their order; the per-chat spacing of
    // bot-initiated messages is in initiatedApi.
    out: { maxConcurrent: 1 },
  };
}

/**
 * Holds Telegram's overall limit as Telegram counts it, on arrival: a message leaves only once the one
 * `perSecond` places before it was answered a second ago (the rule of rate-limiter.ts), so no delay between
 * us and Telegram can bunch more than `perSecond` arrivals into one second. Calls without a chat are not
 * messages and pass.
 */
export function arrivalGuard(limits: TelegramLimits = TELEGRAM_LIMITS): Transformer {
  const limiter = createRateLimiter({ perSecond: limits.perSecond });
  return (prev, method, payload, signal) => {
    if (!(payload && 'chat_id' in payload)) return prev(method, payload, signal);
    return limiter.schedule('all', () => prev(method, payload, signal));
  };
}

/** Retries a call that got no answer (network error, timeout) a bounded number of times. */
export function networkRetry(retries: number = TELEGRAM_RETRY.networkRetries, delayMs: number = TELEGRAM_RETRY.networkDelayMs): Transformer {
  // Not an async function: a call that succeeds (nearly all) costs no frame and no promise of its own.
  return (prev, method, payload, signal) => {
    const attempt = (n: number): ReturnType<typeof prev> =>
      prev(method, payload, signal).catch(async (err: unknown) => {
        if (!(err instanceof HttpError) || n >= retries || signal?.aborted) throw err;
        await new Promise((r) => setTimeout(r, delayMs * 2 ** n));
        return attempt(n + 1);
      });
    return attempt(0);
  };
}

/**
 * Puts the outgoing queue on a bot's Api (call once, before the first request). `throttle: false` (only
 * OUTGOING_THROTTLE=off, for benchmarks) leaves the spacing out and keeps the retries.
 */
export function installTelegramOutbox(api: Api, limits: TelegramLimits = TELEGRAM_LIMITS, throttle = true): void {
  if (throttle) {
    // Installed first, so it runs last: right before the request leaves, after the throttler's spacing.
    api.config.use(arrivalGuard(limits));
    api.config.use(apiThrottler(throttlerOptions(limits)));
  }
  api.config.use(
    autoRetry({
      maxRetryAttempts: TELEGRAM_RETRY.maxRetryAttempts,
      maxDelaySeconds: TELEGRAM_RETRY.maxDelaySeconds,
      // auto-retry's own loop for network errors has no bound; networkRetry below does it instead.
      rethrowHttpErrors: true,
      rethrowInternalServerErrors: false,
    }),
  );
  api.config.use(networkRetry());
}

/**
 * An Api for messages the bot sends on its own: the same queue as `bot.api` (its transformers, hence the
 * same throttler), plus one message per second per private chat.
 */
export function initiatedApi(bot: Pick<Bot, 'token' | 'api'>, limits: TelegramLimits = TELEGRAM_LIMITS): Api {
  const api = new Api(bot.token, bot.api.options);
  // The limiter's arrival rule: a chat's next message leaves once its previous one was answered a second ago.
  const perChat = createRateLimiter({ perSecond: Infinity, perChatPerSecond: limits.perChatPerSecond });
  const spacing: Transformer = (prev, method, payload, signal) => {
    const chatId = payload && 'chat_id' in payload ? Number(payload.chat_id) : NaN;
    // Groups have their own limit in the throttler; calls without a chat are not messages.
    if (!(chatId > 0)) return prev(method, payload, signal);
    return perChat.schedule(String(chatId), () => prev(method, payload, signal));
  };
  api.config.use(...bot.api.config.installedTransformers(), spacing);
  return api;
}

/**
 * True when Telegram refuses the chat for good until the user acts: they blocked the bot, deleted their
 * account, or never started it (all 403 Forbidden).
 */
export function isRecipientGone(err: unknown): err is GrammyError {
  return err instanceof GrammyError && err.error_code === 403;
}
