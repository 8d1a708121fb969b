import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log';
import type { ZaloClient } from './client';
import type { ZaloUpdate } from './types';
import type { ChannelStatus } from '../channel-status';

/**
 * Long polling: getUpdates in a loop. After a failure (network, 5xx, a webhook still set) the loop waits,
 * doubling the wait up to a ceiling, and goes on; the first success resets the wait. Empty answers that
 * come back at once are spaced too. stop() cancels the poll or the wait under way and resolves once the
 * loop has ended.
 */

export interface ZaloPollingOptions {
  client: ZaloClient;
  /**
   * Receives each answer's updates; the intake stores them in one transaction and resolves once they are
   * on disk; a rejection is logged. (Zalo has no offset: what getUpdates returned is not delivered again.)
   */
  onUpdates: (updates: ZaloUpdate[]) => Promise<unknown> | void;
  /** Awaited before each fetch: a long burst waits at the platform while much is waiting to be handled here. */
  room?: (signal: AbortSignal) => Promise<void>;
  /** Where /healthz reads the poller's failures. */
  status?: ChannelStatus;
  log: Logger;
  /** Seconds a getUpdates call may wait for an update. Default 30. */
  pollTimeoutS?: number;
  /** First and longest wait after a failure. Default 1 s and 60 s. */
  backoffMs?: { initial: number; max: number };
  /**
   * Shortest time between two polls that brought nothing. Default 1 s: a platform that answers "no update"
   * at once instead of holding the call (or ignores `timeout`) must not be polled in a tight loop.
   */
  minEmptyPollMs?: number;
}

export interface ZaloPoller {
  readonly running: boolean;
  /** Number of getUpdates failures in a row (0 when the last call worked). */
  readonly failures: number;
  stop(): Promise<void>;
}

export function startZaloPolling(opts: ZaloPollingOptions): ZaloPoller {
  const { client, onUpdates, log, status } = opts;
  const timeout = opts.pollTimeoutS ?? 30;
  const { initial, max } = opts.backoffMs ?? { initial: 1000, max: 60_000 };
  const minEmptyPollMs = opts.minEmptyPollMs ?? 1000;
  const stopper = new AbortController();
  const { signal } = stopper;
  let running = true;
  let failures = 0;

  const loop = (async () => {
    while (!signal.aborted) {
      await opts.room?.(signal);
      if (signal.aborted) break;
      let updates: ZaloUpdate[];
      const started = Date.now();
      try {
        updates = await client.getUpdates({ timeout }, { signal });
        failures = 0;
        if (status && status.failures > 0) status.ok();
        if (updates.length === 0 && Date.now() - started < minEmptyPollMs) {
          await sleep(minEmptyPollMs - (Date.now() - started), undefined, { signal }).catch(() => undefined);
          continue;
        }
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        status?.failed(err);
        const wait = Math.min(max, initial * 2 ** Math.min(failures - 1, 20));
        log.warn('zalo getUpdates failed', { failures, retryInMs: wait, err: err instanceof Error ? err.message : String(err) });
        await sleep(wait, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (updates.length === 0) continue;
      try {
        await onUpdates(updates);
      } catch (err) {
        log.error('zalo updates could not be stored', { count: updates.length, err: err instanceof Error ? err.message : String(err) });
      }
    }
  })().finally(() => {
    running = false;
  });

  return {
    get running() {
      return running;
    },
    get failures() {
      return failures;
    },
    async stop() {
      stopper.abort();
      await loop;
    },
  };
}
