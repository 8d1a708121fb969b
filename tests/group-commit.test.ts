import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { closeDatabase, flushGroup, inGroup, inGroupSyncedLater, inTransaction, inTransactionSyncedLater, onGroupCommitError, openDatabase, type Db } from '../storage/db';
import { Intake } from '../bot/http/intake';
import { silentLogger } from '../log';
import { inbox } from '../storage/schema';
import { upsertUnit } from '../storage/repositories/units';

/**
 * The group commit (storage/db.ts): handlings share one transaction, each in a savepoint, committed at
 * the next turn of the event loop, before any transaction of its own, and before anything is read for
 * sending. Seen from a second connection, as another process (or the next start) would see the file.
 */

let dir: string;
let db: Db;
let other: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baocao-group-'));
  db = openDatabase(join(dir, 'bot.db'));
  other = new Database(join(dir, 'bot.db'), { readonly: true });
});
afterEach(() => {
  other.close();
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

const committed = (code: string) => other.prepare('select count(*) as n from units where code = ?').get(code) as { n: number };
const unit = (code: string) => ({ code, name: `Đơn vị ${code}`, type: 'thpt' as const });
const nextTurn = () => new Promise((r) => setImmediate(r));
const synchronousLevel = () => db.$client.pragma('synchronous', { simple: true });

describe('group commit', () => {
  it('commits at the next turn of the event loop, one transaction for several handlings', async () => {
    inGroup(db, (tx) => upsertUnit(tx, unit('A1')));
    inGroup(db, (tx) => upsertUnit(tx, unit('A2')));
    expect(db.$client.inTransaction).toBe(true);
    expect(committed('A1').n).toBe(0);
    await nextTurn();
    expect(db.$client.inTransaction).toBe(false);
    expect(committed('A1').n).toBe(1);
    expect(committed('A2').n).toBe(1);
  });

  it('a handling that throws undoes only its own changes', async () => {
    inGroup(db, (tx) => upsertUnit(tx, unit('B1')));
    expect(() =>
      inGroup(db, (tx) => {
        upsertUnit(tx, unit('B2'));
        throw new Error('handling failed');
      }),
    ).toThrow('handling failed');
    inGroup(db, (tx) => upsertUnit(tx, unit('B3')));
    flushGroup(db);
    expect([committed('B1').n, committed('B2').n, committed('B3').n]).toEqual([1, 0, 1]);
  });

  it('a transaction of its own commits the open group first, and is itself committed (and synced) when it returns', () => {
    inGroup(db, (tx) => upsertUnit(tx, unit('C1')));
    expect(synchronousLevel()).toBe(1); // NORMAL while the group is open
    inTransaction(db, (tx) => upsertUnit(tx, unit('C2')));
    expect(db.$client.inTransaction).toBe(false);
    expect(synchronousLevel()).toBe(2); // FULL again for everything acknowledged
    expect([committed('C1').n, committed('C2').n]).toEqual([1, 1]);
  });

  it('a group that cannot begin (another process holds the lock) leaves every later commit synced', () => {
    const writer = new Database(join(dir, 'bot.db'));
    db.$client.pragma('busy_timeout = 50');
    writer.exec('BEGIN IMMEDIATE');
    try {
      expect(() => inGroup(db, (tx) => upsertUnit(tx, unit('F1')))).toThrow(/locked|busy/i);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
    expect(synchronousLevel()).toBe(2);
    inTransaction(db, (tx) => upsertUnit(tx, unit('F2')));
    expect([committed('F1').n, committed('F2').n]).toEqual([0, 1]);
  });

  it('nested inside a handling, a transaction is a savepoint of the group', async () => {
    inGroup(db, (tx) => {
      upsertUnit(tx, unit('D1'));
      inTransaction(tx, (t2) => upsertUnit(t2, unit('D2')));
      expect(committed('D2').n).toBe(0);
    });
    await nextTurn();
    expect([committed('D1').n, committed('D2').n]).toEqual([1, 1]);
  });

  /** An intake whose first handling makes the whole group fail at COMMIT, as an I/O error would. */
  function failingOnce(errors: unknown[]) {
    onGroupCommitError(db, (err) => errors.push(err));
    let attempt = 0;
    const intake = new Intake<{ n: number }>({
      db,
      channel: 'telegram',
      log: silentLogger,
      clock: () => new Date(),
      orderKey: () => 'one person',
      decode: (j) => JSON.parse(j) as { n: number },
      handle: async () => {
        attempt++;
        inGroup(db, (tx) => {
          upsertUnit(tx, unit(`E${attempt}`));
          if (attempt === 1) {
            // A violation checked only at COMMIT: the commit of the whole group fails.
            tx.$client.pragma('defer_foreign_keys = ON');
            tx.$client.prepare("insert into submissions (unit_id, period_id, form_version_id) values (999999, '2026-H1', 999999)").run();
          }
        });
      },
    });
    intake.recover();
    return intake;
  }

  it('a webhook delivery is committed on its own: a handling group that cannot be committed is rolled back, reported, and its update handled again', async () => {
    const errors: unknown[] = [];
    const intake = failingOnce(errors);
    await intake.acceptSoon('u1', { n: 1 });
    expect(other.prepare('select count(*) as n from inbox').get()).toEqual({ n: 1 });
    await intake.idle();
    await nextTurn();
    expect(errors).toHaveLength(1);
    expect(committed('E1').n).toBe(0);
    expect(db.select().from(inbox).all().map((r) => r.processedAt)).toEqual([null]);
    expect(intake.retryUnhandled()).toBe(1);
    await intake.idle();
    await nextTurn();
    expect(committed('E2').n).toBe(1);
    expect(db.select().from(inbox).all().every((r) => r.processedAt !== null)).toBe(true);
  });

  it('a polled batch is stored and handled in one commit; when that commit fails nothing is kept and the batch is refused, so it is delivered again', async () => {
    const errors: unknown[] = [];
    const intake = failingOnce(errors);
    await expect(intake.acceptBatch([{ updateKey: 'u1', payload: { n: 1 } }])).rejects.toThrow(/FOREIGN KEY/);
    await intake.idle();
    expect(errors).toHaveLength(1);
    expect(committed('E1').n).toBe(0);
    expect(db.select().from(inbox).all()).toEqual([]);
    expect(intake.retryUnhandled()).toBe(0);
    // Not confirmed: Telegram delivers the same batch again.
    expect(await intake.acceptBatch([{ updateKey: 'u1', payload: { n: 1 } }])).toEqual(['stored']);
    // Handled in the commit that stored it: committed and marked by the time the batch may be confirmed.
    expect(committed('E2').n).toBe(1);
    expect(other.prepare('select processed_at is not null as handled from inbox').all()).toEqual([{ handled: 1 }]);
    await intake.idle();
  });
});

describe('a savepoint of the group synced later (what a polled batch waits for)', () => {
  it('resolves once the group that holds it is committed and the log synced; what the same turn adds shares that commit', async () => {
    const stored = inGroupSyncedLater(db, (tx) => upsertUnit(tx, unit('G1')).unit.code);
    expect(stored.value).toBe('G1');
    inGroup(db, (tx) => upsertUnit(tx, unit('G2')));
    let synced = false;
    void stored.synced.then(() => (synced = true));
    expect(committed('G1').n).toBe(0);
    await stored.synced;
    expect(synced).toBe(true);
    expect([committed('G1').n, committed('G2').n]).toEqual([1, 1]);
    expect(synchronousLevel()).toBe(2);
  });

  it('committed early by a transaction of its own, it is synced after that commit', async () => {
    const stored = inGroupSyncedLater(db, (tx) => upsertUnit(tx, unit('H1')));
    inTransaction(db, (tx) => upsertUnit(tx, unit('H2')));
    expect(committed('H1').n).toBe(1);
    await expect(stored.synced).resolves.toBeUndefined();
  });

  it('rejects when the sync of the log fails, though the group is committed', async () => {
    const failing = openDatabase(join(dir, 'failing.db'), { syncLogFile: (_fd, done) => setImmediate(() => done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))) });
    try {
      const stored = inGroupSyncedLater(failing, (tx) => upsertUnit(tx, unit('K1')));
      await expect(stored.synced).rejects.toThrow('EIO');
    } finally {
      closeDatabase(failing);
    }
  });

  it('inside another transaction it is nested, and resolved with nothing to wait for', async () => {
    const outer = inTransaction(db, (tx) => inGroupSyncedLater(tx, (t2) => upsertUnit(t2, unit('J1'))));
    await expect(outer.synced).resolves.toBeUndefined();
    expect(committed('J1').n).toBe(1);
  });
});

describe('a commit synced later (what an acknowledgement waits for)', () => {
  it('is committed when the call returns, the open group with it, and synced by a shared fsync off the event loop', async () => {
    inGroup(db, (tx) => upsertUnit(tx, unit('S0')));
    const first = inTransactionSyncedLater(db, (tx) => upsertUnit(tx, unit('S1')).unit.code);
    expect(first.value).toBe('S1');
    // Not synced inside the call: the fsync runs in the thread pool, and ends after a few microtasks at least.
    let firstSynced = false;
    void first.synced.then(() => (firstSynced = true));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(firstSynced).toBe(false);
    // Committed at once (a second connection sees it), the group before it; FULL again for everything else.
    expect([committed('S0').n, committed('S1').n]).toEqual([1, 1]);
    expect(synchronousLevel()).toBe(2);
    // Waits that come while a sync runs share the next one, which ends after it.
    const order: string[] = [];
    const rest = Array.from({ length: 20 }, (_, i) => inTransactionSyncedLater(db, (tx) => upsertUnit(tx, unit(`T${i}`))));
    await Promise.all([
      first.synced.then(() => order.push('first')),
      ...rest.map((r) => r.synced.then(() => order.push('later'))),
    ]);
    expect(order[0]).toBe('first');
    expect(order).toHaveLength(21);
    expect(other.prepare("select count(*) as n from units where code like 'T%'").get()).toEqual({ n: 20 });
  });

  it('inside another transaction it is nested, and undone with it', async () => {
    expect(() =>
      inTransaction(db, (tx) => {
        const inner = inTransactionSyncedLater(tx, (t) => upsertUnit(t, unit('N1')));
        void inner.synced;
        throw new Error('outer failed');
      }),
    ).toThrow('outer failed');
    expect(committed('N1').n).toBe(0);
  });

  it('a failing transaction commits nothing, throws, and leaves FULL in force', () => {
    expect(() =>
      inTransactionSyncedLater(db, (tx) => {
        upsertUnit(tx, unit('F1'));
        throw new Error('store failed');
      }),
    ).toThrow('store failed');
    expect(committed('F1').n).toBe(0);
    expect(synchronousLevel()).toBe(2);
  });

  it('an in-memory database gets the ordinary commit', async () => {
    const mem = openDatabase(':memory:');
    try {
      const r = inTransactionSyncedLater(mem, (tx) => upsertUnit(tx, unit('M1')).unit.code);
      await r.synced;
      expect(r.value).toBe('M1');
    } finally {
      closeDatabase(mem);
    }
  });
});
