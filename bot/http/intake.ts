import type { Logger } from '../../log';
import type { Db } from '../../storage/db';
import type { Channel } from '../../storage/schema';
import { inGroup, inGroupSyncedLater, inTransactionSyncedLater, whenLogSyncEnds } from '../../storage/db';
import { markInboxProcessed, pendingInbox, pruneProcessedInbox, storeInboxUpdate } from '../../storage/repositories/inbox';
import { isDatabaseError } from '../../storage/errors';
import { assertDatabaseFile } from '../../storage/health';

/**
 * Where a channel's incoming updates go first: the update is written to the `inbox` table, and only then
 * is its delivery acknowledged (a webhook's 200, or the next getUpdates offset). A webhook delivery is
 * committed on its own and handled after; a polled batch is handled in the same commit that stores it.
 * A crash before its handling is committed leaves the row unmarked; {@link Intake.recover} handles it at
 * the next start. A second delivery of a stored update is recognised by its key and dropped, whether the
 * first one is handled yet or not.
 *
 * Handling is ordered per user (one person's messages in the order they came) and parallel across users.
 * It commits the answers and the replies to send (the outbox) and does not wait for any send, so a burst
 * waits on disk, not in memory.
 *
 * Until {@link Intake.recover} has run (the channel is set up: bot info known), updates are stored but not
 * handled; recover then takes them with the rest.
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
  /** Handling failed for another reason than the database: tell the person (through the outbox). */
  onFailed?: (payload: P) => void;
}

/** Updates started per slice of handling (they share one group commit). */
const SLICE = 64;
/**
 * While webhook deliveries keep coming (the last one, or its acknowledgement, within ACKNOWLEDGING_MS),
 * their 200s come first: updates are started a few at a time, each slice after the requests that came
 * meanwhile, so a delivery waits for at most a few handlings (about 2 ms).
 */
const SLICE_WHILE_ACKNOWLEDGING = 4;
/** A burst of webhook deliveries is taken to go on this long after its last delivery or acknowledgement. */
const ACKNOWLEDGING_MS = 20;
/**
 * A flood: more deliveries than this in the last FLOOD_WINDOW_MS (1,000 a second), far more than people
 * type (the platform sending a backlog). Handling then lags on purpose, its updates are on disk: one is
 * started at most every FLOOD_HANDLING_INTERVAL_MS (50 a second, so a long flood still makes progress),
 * and the rest of the machine goes to acknowledging. Below it, handling keeps up with the deliveries.
 */
const FLOOD_DELIVERIES = 100;
const FLOOD_WINDOW_MS = 100;
const FLOOD_HANDLING_INTERVAL_MS = 20;
/** Stored updates waiting for handling in memory before pollers stop fetching more. */
const MAX_WAITING = 1000;

/** Handled inbox rows are kept this long for inspection, then dropped (they hold message texts). */
const INBOX_RETENTION_MS = 7 * 86_400_000;

interface StoredBatch {
  /** Per update of the batch, in its order. */
  outcomes: ('stored' | 'duplicate')[];
  synced: Promise<void>;
}

export class Intake<P> {
  readonly #o: IntakeOptions<P>;
  /** Stored updates not started yet, per person (order key), in order; a person's queue goes to the back once served. */
  readonly #queues = new Map<string, { id: number; payload: P }[]>();
  /** People with an update being handled right now. */
  readonly #busy = new Set<string>();
  #roomWaiters: (() => void)[] = [];
  #sliceScheduled = false;
  /** The next slice when it is to run at the next turn (not a flood's delayed one). */
  #sliceImmediate: NodeJS.Immediate | null = null;
  /** When a webhook delivery last arrived (performance.now()). */
  #lastDeliveryAt = -Infinity;
  /** When an update was last started during a flood (performance.now()). */
  #lastStartedInFlood = -Infinity;
  /** Deliveries counted in the current window, which started at #windowStart, and in the one before. */
  #windowStart = -Infinity;
  #windowDeliveries = 0;
  #previousWindowDeliveries = 0;
  /** Webhook deliveries received and not acknowledged yet (waiting to be stored or synced). */
  #unacknowledged = 0;
  /** Stored updates scheduled here and not handled yet (queued or being handled). */
  readonly #scheduled = new Set<number>();
  #idleWaiters: (() => void)[] = [];
  #ready = false;
  #waiting: { updateKey: string; payload: P; resolve: (o: 'stored' | 'duplicate') => void; reject: (err: unknown) => void }[] = [];

  constructor(options: IntakeOptions<P>) {
    this.#o = options;
  }

  /**
   * Stores the update together with the others that arrive in the same turn of the event loop (webhook
   * requests come in bursts), or, while a disk sync of the database runs, with all that arrive until it
   * ends: one transaction and one disk sync for all of them, then each caller may acknowledge ('duplicate':
   * stored before, acknowledge only). Rejects, for every update of the batch, when the batch could not be
   * stored.
   */
  acceptSoon(updateKey: string, payload: P): Promise<'stored' | 'duplicate'> {
    const now = performance.now();
    this.#lastDeliveryAt = now;
    this.#unacknowledged++;
    if (now - this.#windowStart >= FLOOD_WINDOW_MS) {
      this.#previousWindowDeliveries = now - this.#windowStart < 2 * FLOOD_WINDOW_MS ? this.#windowDeliveries : 0;
      this.#windowStart = now;
      this.#windowDeliveries = 0;
    }
    this.#windowDeliveries++;
    const stored = new Promise<'stored' | 'duplicate'>((resolve, reject) => {
      this.#waiting.push({ updateKey, payload, resolve, reject });
      if (this.#waiting.length === 1) this.#storeWaitingSoon();
    });
    const settled = () => {
      this.#unacknowledged--;
      this.#lastDeliveryAt = performance.now();
    };
    stored.then(settled, settled);
    return stored;
  }

  /**
   * A commit made while a sync runs waits for the next sync anyway: the deliveries wait in memory instead
   * and are committed together the moment it ends, just before the next one starts. Otherwise they are
   * committed at the end of this turn, unless a sync has started by then.
   */
  #storeWaitingSoon(): void {
    const { db } = this.#o;
    const store = () => this.#storeWaiting();
    if (whenLogSyncEnds(db, store)) return;
    setImmediate(() => {
      if (!whenLogSyncEnds(db, store)) store();
    });
  }

  /** Called from a sync's end too, where nothing may throw: every failure goes to the deliveries. */
  #storeWaiting(): void {
    const waiting = this.#waiting.splice(0);
    const fail = (err: unknown) => {
      for (const w of waiting) w.reject(err);
    };
    let stored: StoredBatch | undefined;
    try {
      stored = this.#store(waiting);
      // Stored into a file nobody will open again is not stored. The stat comes after the commit, so it
      // speaks for the file that holds it; a refusal is that of a failed sync (its updates may be handled,
      // nothing of it is acknowledged). A plain stat of a cached path, as SQLite makes several at every
      // commit: sent to libuv's thread pool it cost the event loop about 100 µs per batch (waking a
      // thread), here a few.
      assertDatabaseFile(this.#o.db);
    } catch (err) {
      stored?.synced.catch(() => undefined);
      fail(err);
      return;
    }
    const { synced, outcomes } = stored;
    synced.then(() => waiting.forEach((w, i) => w.resolve(outcomes[i]!)), fail);
  }

  /**
   * Stores a batch of polled updates (a getUpdates answer) and starts handling them at once, in the same
   * group commit: a message that comes alone costs one commit, not one to store it and one to handle it.
   * When the promise resolves, every update of the batch is durable (the commit synced) and may be
   * confirmed; when it rejects, none may be (the group rolled back, or the sync failed: a redelivery is then
   * recognised as stored). The sync runs off the event loop after the commit, and the replies may go out
   * before it ends: a reply sent before a power cut is sent again after the redelivery, never lost.
   */
  async acceptBatch(batch: readonly { updateKey: string; payload: P }[]): Promise<('stored' | 'duplicate')[]> {
    // Stored into a file nobody will open again is not stored: refuse, so nothing is acknowledged.
    assertDatabaseFile(this.#o.db);
    const { outcomes, synced } = this.#store(batch, inGroupSyncedLater);
    if (this.#sliceImmediate) {
      clearImmediate(this.#sliceImmediate);
      this.#slice();
    }
    await synced;
    return outcomes;
  }

  /**
   * Commits the batch and schedules its new updates; `synced` resolves once the commit is on disk. Webhook
   * deliveries commit on their own, at once: their sync starts before any handling, and their 200s wait
   * for nothing else.
   */
  #store(batch: readonly { updateKey: string; payload: P }[], commit = inTransactionSyncedLater): StoredBatch {
    const { db, channel, clock, log } = this.#o;
    const now = clock();
    const { value: ids, synced } = commit(db, (tx) =>
      batch.map((u) => storeInboxUpdate(tx, { channel, updateKey: u.updateKey, payload: JSON.stringify(u.payload), now })),
    );
    const outcomes = ids.map((id, i) => {
      const u = batch[i]!;
      if (id === null) {
        log.info('duplicate delivery ignored', { channel, updateKey: u.updateKey });
        return 'duplicate' as const;
      }
      if (this.#ready) this.#schedule(id, u.payload);
      return 'stored' as const;
    });
    return { outcomes, synced };
  }

  /** Schedules every row a previous run (or this one, before the channel was ready) stored but did not finish. Returns how many. */
  recover(): number {
    const { db, clock } = this.#o;
    this.#ready = true;
    pruneProcessedInbox(db, new Date(clock().getTime() - INBOX_RETENTION_MS));
    return this.retryUnhandled();
  }

  /**
   * Schedules again the stored updates that are neither handled nor scheduled: after a group commit failed
   * (their handling was rolled back), once the channel is ready. Returns how many.
   */
  retryUnhandled(): number {
    if (!this.#ready) return 0;
    const { db, channel, clock, log } = this.#o;
    const rows = pendingInbox(db, channel).filter((r) => !this.#scheduled.has(r.id));
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

  /** Updates stored and not handled yet (scheduled here). */
  get pending(): number {
    return this.#scheduled.size;
  }

  /**
   * Resolves once fewer than MAX_WAITING stored updates wait for handling here. A poller awaits it before
   * fetching more: in a long burst the rest waits at the platform, unacknowledged, instead of in memory.
   */
  room(signal?: AbortSignal): Promise<void> {
    if (this.#scheduled.size < MAX_WAITING || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#roomWaiters.push(resolve);
      // Stopping does not wait for the handling to catch up.
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** Resolves once every scheduled update has been handled. */
  idle(): Promise<void> {
    if (this.#scheduled.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #schedule(id: number, payload: P): void {
    const key = this.#o.orderKey(payload);
    this.#scheduled.add(id);
    const queue = this.#queues.get(key);
    if (queue) queue.push({ id, payload });
    else this.#queues.set(key, [{ id, payload }]);
    this.#requestSlice();
  }

  #requestSlice(delayMs = 0): void {
    if (this.#sliceScheduled) return;
    this.#sliceScheduled = true;
    if (delayMs > 0) setTimeout(() => this.#slice(), delayMs);
    else this.#sliceImmediate = setImmediate(() => this.#slice());
  }

  /**
   * Starts the next update of each person not being handled already, up to a budget, and yields to the
   * event loop before the next slice. Acknowledgements come first: while webhook deliveries keep coming,
   * slices are small, so each delivery is read and stored between them; in a flood one update is started
   * every FLOOD_HANDLING_INTERVAL_MS (handling lags, its updates are on disk); otherwise a slice is large,
   * and its handlings share one group commit. One person's updates never overlap, and people take turns.
   */
  #slice(): void {
    this.#sliceScheduled = false;
    this.#sliceImmediate = null;
    // Deliveries in the last few milliseconds, not only since the last slice: two slices can follow each
    // other between two requests of a burst, and a full slice then holds every waiting delivery back.
    const now = performance.now();
    let budget = SLICE;
    // Acknowledging: deliveries wait for their 200 (a slow disk sync holds them all), or came just now.
    if (this.#unacknowledged > 0 || now - this.#lastDeliveryAt < ACKNOWLEDGING_MS) {
      if (this.#flooded(now)) {
        const wait = this.#lastStartedInFlood + FLOOD_HANDLING_INTERVAL_MS - now;
        if (wait > 0) {
          this.#requestSlice(wait);
          return;
        }
        budget = 1;
        this.#lastStartedInFlood = now;
      } else budget = SLICE_WHILE_ACKNOWLEDGING;
    }
    for (const [key, queue] of this.#queues) {
      if (budget === 0) break;
      if (this.#busy.has(key)) continue;
      const next = queue.shift()!;
      // To the back of the line: the others' first updates go before this person's second.
      this.#queues.delete(key);
      if (queue.length > 0) this.#queues.set(key, queue);
      this.#busy.add(key);
      budget--;
      void this.#run(next.id, next.payload).then(() => {
        this.#busy.delete(key);
        this.#scheduled.delete(next.id);
        if (this.#scheduled.size === 0) for (const w of this.#idleWaiters.splice(0)) w();
        if (this.#scheduled.size < MAX_WAITING) for (const w of this.#roomWaiters.splice(0)) w();
        if (this.#queues.size > 0) this.#requestSlice();
      });
    }
    if (budget === 0 && this.#queues.size > 0) this.#requestSlice();
  }

  /** More than FLOOD_DELIVERIES deliveries in the current window or in the one just before it. */
  #flooded(now: number): boolean {
    const age = now - this.#windowStart;
    if (age >= 2 * FLOOD_WINDOW_MS) return false;
    if (age >= FLOOD_WINDOW_MS) return this.#windowDeliveries > FLOOD_DELIVERIES;
    return this.#windowDeliveries > FLOOD_DELIVERIES || this.#previousWindowDeliveries > FLOOD_DELIVERIES;
  }

  async #run(id: number, payload: P): Promise<void> {
    const { db, channel, clock, log } = this.#o;
    try {
      await this.#o.handle(payload);
    } catch (err) {
      const cause = unwrap(err);
      if (isDatabaseError(cause)) {
        // Nothing of it was stored (the transaction rolled back): the row stays pending for the next start.
        log.error('update not handled, database failed; kept for the next start', { channel, id, err: cause.message });
        return;
      }
      log.error('update handling failed', { channel, id, err: cause instanceof Error ? cause.message : String(cause) });
      try {
        this.#o.onFailed?.(payload);
      } catch (e) {
        log.error('could not queue the failure notice', { channel, id, err: e instanceof Error ? e.message : String(e) });
      }
    }
    try {
      // Usually marked already, by the handling's own transaction; then this writes nothing.
      inGroup(db, (tx) => markInboxProcessed(tx, id, clock()));
    } catch (err) {
      // The database is closing or broken: the row stays pending and is handled (deduplicated) next start.
      log.error('could not mark inbox row', { channel, id, err: err instanceof Error ? err.message : String(err) });
    }
  }
}

/** grammY wraps what a middleware threw in a BotError (`.error`). */
function unwrap(err: unknown): unknown {
  return err !== null && typeof err === 'object' && 'error' in err && (err as { name?: unknown }).name === 'BotError' ? (err as { error: unknown }).error : err;
}
