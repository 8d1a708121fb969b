import type { Logger } from '../../log';
import { flushGroup, inGroup, type Db } from '../../storage/db';
import type { Channel, OutboxRow } from '../../storage/schema';
import { countPendingOutbox, failPendingOfChat, markOutboxFailed, markOutboxSent, noteOutboxAttempt, outboxSettledUpTo, pendingOutbox, pruneOutbox } from '../../storage/repositories/outbox';

/**
 * Sends a channel's reply queue (the `outbox` table). Rows of one chat go out strictly in order, one at a
 * time; different chats in parallel, so the channel's own rate limiter (Telegram's throttler, Zalo's queue)
 * decides the pace. Each row is marked sent as soon as the platform accepted it. A row that failed for a
 * passing reason (network, 5xx, 429) stays pending and its chat waits, doubling the wait up to a ceiling;
 * a row the platform refuses for good is marked and skipped; a recipient who blocked the bot has every
 * pending row of the chat marked.
 *
 * After a crash the row that was being sent is sent again (the platforms have no idempotency key): a person
 * may see that one message twice, never silence.
 */

export type SendFailure = 'transient' | 'refused' | 'recipient-gone';

export interface OutboxSenderOptions {
  db: Db;
  channel: Channel;
  log: Logger;
  clock: () => Date;
  /** Sends one row; resolves with the platform's message id when it gives one. */
  send: (row: OutboxRow) => Promise<number | null>;
  classify: (err: unknown) => SendFailure;
  /** The chat refused us for good (blocked): the account is marked unreachable. */
  onRecipientGone?: (chatId: string, reason: string) => void;
  /** Chats sent to at the same time, at most. */
  maxChats?: number;
  backoffMs?: { initial: number; max: number };
  /** How often the queue is read when nothing woke the sender. */
  pollMs?: number;
}

/** Sent rows are kept this long (the newest keyboard per chat is read from them), then dropped. */
const RETENTION_MS = 7 * 86_400_000;
const LOAD_LIMIT = 1000;
const POLL_MS = 5000;
/**
 * Sends are marked in the table together, at most this long after the first of them: each mark in a commit
 * of its own made a commit (a write of the queue's pages) of nearly every reply in a burst. A crash in
 * between leaves those rows pending, and they are sent again at the next start (a duplicate, never silence,
 * as after a power cut).
 */
export const SENT_MARKS_WINDOW_MS = 20;
const SENT_MARKS_BATCH = 256;

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class OutboxSender {
  readonly #o: OutboxSenderOptions;
  readonly #busy = new Set<string>();
  readonly #waitUntil = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  #scheduled = false;
  #stopped = false;
  #settled = false;
  #timer: NodeJS.Timeout | null = null;
  /** Rows read from the queue and not settled yet, per chat, in order. */
  readonly #pending = new Map<string, OutboxRow[]>();
  /** The highest row id read: the next read starts above it. */
  #loadedUpTo = 0;
  /**
   * Rows may have been committed since the last read (a wake, or the last read stopped at its limit).
   * A send ending only frees its chat's turn: reading the table then found nothing new, once per message.
   */
  #unread = true;
  #idleWaiters: (() => void)[] = [];
  #workers = new Set<Promise<void>>();
  /** Rows sent and not marked in the table yet (#writeSentMarks). */
  readonly #sentMarks: { id: number; at: Date; messageId: number | null; hadDocument: boolean }[] = [];
  #sentMarksTimer: NodeJS.Timeout | null = null;

  constructor(options: OutboxSenderOptions) {
    this.#o = options;
  }

  /** Drops old rows and sends whatever a previous run left unsent. */
  start(): void {
    const { db, clock, log, channel } = this.#o;
    try {
      pruneOutbox(db, new Date(clock().getTime() - RETENTION_MS));
      this.#loadedUpTo = outboxSettledUpTo(db, channel);
      const left = countPendingOutbox(db, channel);
      if (left > 0) log.info('sending replies left from before a stop', { channel, count: left });
    } catch (err) {
      log.error('outbox not readable', { channel, err: errorText(err) });
    }
    this.wake();
  }

  /** New rows were committed: look for work soon. */
  wake(): void {
    this.#unread = true;
    this.#pumpSoon();
  }

  #pumpSoon(): void {
    if (this.#stopped || this.#scheduled) return;
    this.#settled = false;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  /** Resolves once nothing is pending except rows of chats waiting after a failure. */
  idle(): Promise<void> {
    if (this.#settled && this.#busy.size === 0 && !this.#scheduled) {
      this.#writeSentMarks();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Writes the marks of the rows sent so far now, instead of within SENT_MARKS_WINDOW_MS: for a reader of
   * the table that must see every send that has happened (which keyboard is the newest, at a button press).
   */
  recordSent(): void {
    this.#writeSentMarks();
  }

  /** Number of chats being sent to right now. */
  get activeChats(): number {
    return this.#busy.size;
  }

  /** Stops taking new rows; the sends under way finish (bounded by the channel's own timeouts). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await Promise.all([...this.#workers]);
    this.#writeSentMarks();
    for (const w of this.#idleWaiters.splice(0)) w();
  }

  #pump(): void {
    if (this.#stopped) return;
    const { db, channel, log } = this.#o;
    let rows: OutboxRow[];
    try {
      // Only rows not read before (the ones waiting in memory are not read again at every wake), and no
      // more than LOAD_LIMIT held at once: a long backlog waits in the table, not in memory.
      let held = 0;
      for (const list of this.#pending.values()) held += list.length;
      const room = LOAD_LIMIT - held;
      rows = [];
      if (room > 0 && this.#unread) {
        // Only committed replies go out: a reply whose handling could still be rolled back is not sent.
        // Only before a read: a pump after a send reads nothing, and committing there (the marks of the
        // sends) made a commit of its own of nearly every reply in a burst.
        flushGroup(db);
        rows = pendingOutbox(db, channel, this.#loadedUpTo, room);
        this.#unread = rows.length === room;
      }
    } catch (err) {
      log.error('outbox not readable', { channel, err: errorText(err) });
      this.#retryIn(5000);
      this.#settle();
      return;
    }
    for (const r of rows) {
      const list = this.#pending.get(r.chatId);
      if (list) list.push(r);
      else this.#pending.set(r.chatId, [r]);
      this.#loadedUpTo = r.id;
    }
    const now = Date.now();
    let nextWake = Infinity;
    const maxChats = this.#o.maxChats ?? 64;
    for (const [chat, list] of this.#pending) {
      if (this.#busy.has(chat)) continue;
      const until = this.#waitUntil.get(chat) ?? 0;
      if (until > now) {
        nextWake = Math.min(nextWake, until);
        continue;
      }
      if (this.#busy.size >= maxChats) break;
      this.#busy.add(chat);
      const worker = this.#work(chat, list).finally(() => {
        this.#busy.delete(chat);
        this.#workers.delete(worker);
        if (list.length === 0 && this.#pending.get(chat) === list) this.#pending.delete(chat);
        this.#pumpSoon();
      });
      this.#workers.add(worker);
    }
    if (nextWake < Infinity) this.#retryIn(nextWake - now);
    // Rows committed by another process (the CLI returning a report) wake nobody here: look now and then.
    else if (!this.#timer) this.#retryIn(this.#o.pollMs ?? POLL_MS);
    this.#settle();
  }

  #settle(): void {
    if (this.#busy.size > 0 || this.#scheduled) return;
    this.#settled = true;
    // Whoever waits for the queue to be done reads the marks next.
    if (this.#idleWaiters.length > 0) this.#writeSentMarks();
    for (const w of this.#idleWaiters.splice(0)) w();
  }

  #markSent(row: OutboxRow, messageId: number | null): void {
    this.#sentMarks.push({ id: row.id, at: this.#o.clock(), messageId, hadDocument: row.document !== null });
    if (this.#sentMarks.length >= SENT_MARKS_BATCH) this.#writeSentMarks();
    else if (!this.#sentMarksTimer) {
      this.#sentMarksTimer = setTimeout(() => this.#writeSentMarks(), SENT_MARKS_WINDOW_MS);
      this.#sentMarksTimer.unref();
    }
  }

  #writeSentMarks(): void {
    if (this.#sentMarksTimer) clearTimeout(this.#sentMarksTimer);
    this.#sentMarksTimer = null;
    if (this.#sentMarks.length === 0) return;
    const marks = this.#sentMarks.splice(0);
    const { db, channel, log } = this.#o;
    try {
      // In the group commit: lost to a power cut, the rows are sent again (a duplicate, never silence).
      inGroup(db, (tx) => {
        for (const m of marks) markOutboxSent(tx, m);
      });
      // Committed now: readers of the table (another process, whoever waited for idle) see the marks.
      flushGroup(db);
    } catch (err) {
      // The rows stay pending in the table (this process never sends them again; the next start does).
      log.error('outbox could not be updated', { channel, rows: marks.length, err: errorText(err) });
    }
  }

  #retryIn(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.wake();
    }, Math.max(10, ms));
    this.#timer.unref();
  }

  /** Sends the chat's rows in order, taking each off the list once it is settled (sent, refused or dropped). */
  async #work(chat: string, rows: OutboxRow[]): Promise<void> {
    const { db, channel, log, clock } = this.#o;
    while (rows.length > 0) {
      if (this.#stopped) return;
      const row = rows[0]!;
      let messageId: number | null;
      try {
        messageId = await this.#o.send(row);
      } catch (err) {
        const kind = this.#o.classify(err);
        const reason = errorText(err);
        try {
          if (kind === 'transient') {
            // The row stays first in line; the chat waits.
            noteOutboxAttempt(db, row.id, reason);
            const failures = (this.#failures.get(chat) ?? 0) + 1;
            this.#failures.set(chat, failures);
            const { initial, max } = this.#o.backoffMs ?? { initial: 1000, max: 60_000 };
            const wait = Math.min(max, initial * 2 ** Math.min(failures - 1, 20));
            this.#waitUntil.set(chat, Date.now() + wait);
            log.warn('reply not sent, will retry', { channel, outboxId: row.id, failures, retryInMs: wait, err: reason });
            return;
          }
          if (kind === 'recipient-gone') {
            const dropped = failPendingOfChat(db, channel, chat, row.id, clock(), reason);
            rows.length = 0;
            log.info('recipient refused the chat, replies dropped', { channel, outboxId: row.id, dropped });
            this.#o.onRecipientGone?.(chat, reason);
            return;
          }
          markOutboxFailed(db, row.id, clock(), reason);
          rows.shift();
          log.error('reply refused by the platform', { channel, outboxId: row.id, err: reason });
          continue;
        } catch (dbErr) {
          this.#databaseFailed(chat, dbErr);
          return;
        }
      }
      // Sent: never again from this process, even if the mark fails (after a restart it would be).
      rows.shift();
      this.#failures.delete(chat);
      this.#waitUntil.delete(chat);
      this.#markSent(row, messageId);
    }
  }

  #databaseFailed(chat: string, err: unknown): void {
    this.#o.log.error('outbox could not be updated', { channel: this.#o.channel, err: errorText(err) });
    this.#waitUntil.set(chat, Date.now() + 30_000);
  }
}
