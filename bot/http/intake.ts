import type { Logger } from '../../log';
import type { Db } from '../../storage/db';
import type { Channel } from '../../storage/schema';
import { markInboxProcessed, pendingInbox, pruneProcessedInbox, storeInboxUpdate } from '../../storage/repositories/inbox';

/**
 * Where a channel's incoming updates go first: the update is written to the `inbox` table, and only then
 * is its delivery acknowledged (webhook 200) and the update handled. A crash between the two leaves the
 * row unmarked; {@link Intake.recover} handles it at the next start. A second delivery of a stored update
 * is recognised by its key and dropped, whether the first one is handled yet or not.
 *
 * Handling is ordered per user (one person's messages in the order they came) and parallel across users.
 */

export interface IntakeOptions<P> {
  db: Db;
  channel: Channel;
  log: Logger;
  clock: () => Date;
  /** Handles one update. Errors are logged; the update counts as handled (the router's transaction rolled back). */
  handle: (payload: P) => Promise<void>;
  /** Which queue an update joins (the sender): same key, strict order. */
  orderKey: (payload: P) => string;
  /** Reads a stored payload back; null for a row that cannot be understood any more (it is marked and skipped). */
  decode: (json: string) => P | null;
}

/** Handled inbox rows are kept this long for inspection, then dropped (they hold message texts). */
const INBOX_RETENTION_MS = 7 * 86_400_000;

export class Intake<P> {
  readonly #o: IntakeOptions<P>;
  readonly #queues = new Map<string, Promise<void>>();
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: IntakeOptions<P>) {
    this.#o = options;
  }

  /**
   * Stores the update (synchronously: when this returns 'stored', the row is committed) and schedules its
   * handling. 'duplicate' means it was stored before and must only be acknowledged.
   */
  accept(updateKey: string, payload: P): 'stored' | 'duplicate' {
    const { db, channel, clock } = this.#o;
    const row = storeInboxUpdate(db, { channel, updateKey, payload: JSON.stringify(payload), now: clock() });
    if (!row) {
      this.#o.log.info('duplicate delivery ignored', { channel, updateKey });
      return 'duplicate';
    }
    this.#schedule(row.id, payload);
    return 'stored';
  }

  /** Schedules every row a previous run stored but did not finish. Returns how many. */
  recover(): number {
    const { db, channel, clock, log } = this.#o;
    pruneProcessedInbox(db, new Date(clock().getTime() - INBOX_RETENTION_MS));
    const rows = pendingInbox(db, channel);
    for (const row of rows) {
      const payload = this.#o.decode(row.payload);
      if (payload === null) {
        log.warn('unreadable inbox row skipped', { channel, id: row.id });
        markInboxProcessed(db, row.id, clock());
        continue;
      }
      this.#schedule(row.id, payload);
    }
    if (rows.length > 0) log.info('resuming updates stored before a stop', { channel, count: rows.length });
    return rows.length;
  }

  /** Resolves once every scheduled update has been handled. */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #schedule(id: number, payload: P): void {
    const key = this.#o.orderKey(payload);
    this.#inFlight++;
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.#run(id, payload));
    this.#queues.set(key, next);
    void next.then(() => {
      if (this.#queues.get(key) === next) this.#queues.delete(key);
      if (--this.#inFlight === 0) for (const w of this.#idleWaiters.splice(0)) w();
    });
  }

  async #run(id: number, payload: P): Promise<void> {
    const { db, channel, clock, log } = this.#o;
    try {
      await this.#o.handle(payload);
    } catch (err) {
      log.error('update handling failed', { channel, id, err: err instanceof Error ? err.message : String(err) });
    }
    try {
      markInboxProcessed(db, id, clock());
    } catch (err) {
      // The database is closing or broken: the row stays pending and is handled (deduplicated) next start.
      log.error('could not mark inbox row', { channel, id, err: err instanceof Error ? err.message : String(err) });
    }
  }
}
