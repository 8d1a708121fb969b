import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log';

/**
 * What /healthz says about a channel, and the one way channels start: a set-up step (getMe, setWebhook…)
 * that fails is retried with a growing wait, saying so in the log, while the other channels go on.
 */

export type ChannelState = 'starting' | 'running' | 'retrying' | 'stopped';

export class ChannelStatus {
  state: ChannelState = 'starting';
  /** Failures in a row of the platform (set-up or polling); 0 once a call worked. */
  failures = 0;
  lastError: string | null = null;

  constructor(readonly mode: 'polling' | 'webhook') {}

  ok(): void {
    this.state = 'running';
    this.failures = 0;
    this.lastError = null;
  }

  failed(err: unknown): number {
    this.failures++;
    this.state = 'retrying';
    this.lastError = shortError(err);
    return this.failures;
  }

  toJSON() {
    return { mode: this.mode, state: this.state, failures: this.failures, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }
}

export interface Backoff {
  initial: number;
  max: number;
}

export const DEFAULT_BACKOFF: Backoff = { initial: 1000, max: 60_000 };

export const backoffDelay = (b: Backoff, failures: number): number => Math.min(b.max, b.initial * 2 ** Math.min(Math.max(failures - 1, 0), 20));

/** An error as one short line (the logger cuts secrets out of it). */
export function shortError(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
}

/**
 * Runs `step` until it succeeds or `signal` aborts (then resolves false). Each failure is logged with the
 * wait before the next try.
 */
export async function retryUntilDone(
  step: () => Promise<void>,
  o: { what: string; channel: string; status: ChannelStatus; log: Logger; signal: AbortSignal; backoff?: Backoff; afterFirstTry?: () => void },
): Promise<boolean> {
  let first = true;
  const tried = () => {
    if (first) o.afterFirstTry?.();
    first = false;
  };
  while (!o.signal.aborted) {
    try {
      await step();
      tried();
      return true;
    } catch (err) {
      tried();
      if (o.signal.aborted) return false;
      const failures = o.status.failed(err);
      const wait = backoffDelay(o.backoff ?? DEFAULT_BACKOFF, failures);
      o.log.warn(`${o.channel} ${o.what} failed, retrying`, { failures, retryInMs: wait, err: shortError(err) });
      await sleep(wait, undefined, { signal: o.signal }).catch(() => undefined);
    }
  }
  return false;
}
