import { setTimeout as sleep } from 'node:timers/promises';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { menuCommands } from '../../handlers/commands';
import type { AppDeps } from '../../handlers/types';
import { Intake } from '../http/intake';
import { telegramSender, telegramUpdateKey } from '../http/telegram-webhook';
import type { OutboxSender } from '../outbox/sender';
import { ChannelStatus, DEFAULT_BACKOFF, backoffDelay, retryUntilDone, shortError, type Backoff } from '../channel-status';
import { queueHandlingFailed, startTelegramSender } from './bot';
import { parseTelegramUpdate } from './update-schema';

/**
 * The Telegram channel as it runs: updates are stored in the inbox before they are acknowledged (webhook:
 * before the 200; polling: before the next getUpdates confirms them with its offset), handled from there in
 * order per person, and the replies go out from the outbox. Set-up and polling failures are retried with a
 * growing wait and never stop the process; /healthz shows the state.
 */

export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

export interface TelegramChannel {
  readonly bot: Bot;
  readonly intake: Intake<Update>;
  readonly sender: OutboxSender;
  readonly status: ChannelStatus;
  isRunning(): boolean;
  /** Stops fetching (polling) or setting up; stored updates are still handled. */
  stop(): Promise<void>;
  /** Resolves once every stored update is handled and its replies sent (or waiting after a failure). */
  idle(): Promise<void>;
  /** stop(), then waits (at most `graceMs`) for idle(), then stops the sender. */
  close(graceMs?: number): Promise<void>;
  /** Resolves after the first set-up attempt, whether it worked or not. */
  readonly firstAttempt: Promise<void>;
}

export interface TelegramChannelOptions {
  mode: 'polling' | 'webhook';
  /** Webhook mode: where Telegram posts, and the secret it sends back. */
  webhook?: { url: string; secret: string };
  pollTimeoutS?: number;
  backoff?: Backoff;
}

export function telegramIntake(bot: Bot, deps: AppDeps): Intake<Update> {
  return new Intake<Update>({
    db: deps.db,
    channel: 'telegram',
    log: deps.log,
    clock: deps.clock,
    handle: (u) => bot.handleUpdate(u),
    orderKey: telegramSender,
    decode: (json) => parseTelegramUpdate(JSON.parse(json)),
    onFailed: (u) => queueHandlingFailed(bot, deps, u),
  });
}

export function startTelegramChannel(bot: Bot, deps: AppDeps, o: TelegramChannelOptions): TelegramChannel {
  const { log } = deps;
  const intake = telegramIntake(bot, deps);
  // What a previous run left unsent goes out at once, whatever the set-up below is doing.
  const sender = startTelegramSender(bot, deps);
  const status = new ChannelStatus(o.mode);
  const stopper = new AbortController();
  const { signal } = stopper;
  // grammY types its signal with a polyfill's type; at run time it is the platform's AbortSignal.
  const apiSignal = signal as never;
  const backoff = o.backoff ?? DEFAULT_BACKOFF;
  let running = true;
  let firstTried!: () => void;
  const firstAttempt = new Promise<void>((r) => (firstTried = r));

  const setUp = async () => {
    // Not bot.init(): grammY retries getMe there forever without a word; our loop logs and backs off.
    if (!bot.isInited()) bot.botInfo = await bot.api.getMe(apiSignal);
    if (o.mode === 'webhook') {
      await bot.api.setWebhook(o.webhook!.url, { secret_token: o.webhook!.secret, allowed_updates: [...ALLOWED_UPDATES] }, apiSignal);
    } else {
      // The platform refuses getUpdates while a webhook is set.
      await bot.api.deleteWebhook({}, apiSignal);
    }
    await bot.api.setMyCommands(menuCommands('contact'), {}, apiSignal);
  };

  const loop = (async () => {
    if (!(await retryUntilDone(setUp, { what: 'set-up', channel: 'telegram', status, log, signal, backoff, afterFirstTry: () => firstTried() }))) return;
    status.ok();
    intake.recover();
    log.info(o.mode === 'webhook' ? 'telegram webhook set' : 'telegram polling started', { username: bot.botInfo.username, ...(o.webhook ? { url: o.webhook.url } : {}) });
    if (o.mode === 'polling') await poll();
  })()
    .catch((err: unknown) => log.error('telegram channel stopped', { err: shortError(err) }))
    .finally(() => {
      running = false;
      firstTried();
    });

  /**
   * getUpdates in a loop. A batch is stored in one transaction before the next call confirms it (its
   * offset); if it cannot be stored, the offset stays and Telegram delivers the batch again.
   */
  async function poll(): Promise<void> {
    let offset: number | undefined;
    while (!signal.aborted) {
      await intake.room(signal);
      if (signal.aborted) return;
      let updates: Update[];
      try {
        updates = await bot.api.getUpdates({ offset, timeout: o.pollTimeoutS ?? 30, limit: 100, allowed_updates: [...ALLOWED_UPDATES] }, apiSignal);
        if (status.failures > 0) status.ok();
      } catch (err) {
        if (signal.aborted) return;
        const failures = status.failed(err);
        const wait = backoffDelay(backoff, failures);
        log.warn('telegram getUpdates failed', { failures, retryInMs: wait, err: shortError(err) });
        await sleep(wait, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (updates.length === 0) continue;
      const batch = updates.flatMap((u) => {
        const parsed = parseTelegramUpdate(u);
        if (!parsed) log.warn('telegram update of unexpected shape dropped', { updateId: (u as { update_id?: unknown }).update_id });
        return parsed ? [{ updateKey: telegramUpdateKey(parsed), payload: parsed }] : [];
      });
      try {
        await intake.acceptBatch(batch);
      } catch (err) {
        const failures = status.failed(err);
        const wait = backoffDelay(backoff, failures);
        log.error('telegram updates could not be stored, not confirmed', { failures, retryInMs: wait, err: shortError(err) });
        await sleep(wait, undefined, { signal }).catch(() => undefined);
        continue;
      }
      offset = updates[updates.length - 1]!.update_id + 1;
    }
  }

  return {
    bot,
    intake,
    sender,
    status,
    firstAttempt,
    isRunning: () => running,
    async stop() {
      stopper.abort();
      await loop;
      status.state = 'stopped';
    },
    async idle() {
      await intake.idle();
      await sender.idle();
    },
    async close(graceMs = 8000) {
      await this.stop();
      await Promise.race([this.idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
      await sender.stop();
    },
  };
}

/** Long polling on its own (tests, tools): the channel without the HTTP server, once its first set-up attempt is over. */
export async function startTelegramPolling(bot: Bot, deps: AppDeps): Promise<TelegramChannel> {
  const channel = startTelegramChannel(bot, deps, { mode: 'polling' });
  await channel.firstAttempt;
  return channel;
}
