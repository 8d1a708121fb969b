import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fdatasync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Intake } from '../bot/http/intake';
import { silentLogger } from '../log';
import { closeDatabase, openDatabase, type Db, type SyncFile } from '../storage/db';
import { walCommits as walCommitsOf } from './helpers/wal';

/**
 * Webhook deliveries that arrive while a disk sync of the database runs wait in memory and are committed
 * together, in one transaction, the moment it ends; each is acknowledged only after a sync that started
 * after its commit. On a real SQLite file, with the real fdatasync, held back by the test where it needs a
 * sync to last. Transactions are counted in the write-ahead log itself (its commit frames).
 */

let dir: string;
let path: string;
let db: Db;
let other: Database.Database;
/** What happened, in order: syncs starting (with the rows committed by then) and ending, acknowledgements. */
let events: string[];
/** While set, a sync starting now waits for it before it syncs. */
let hold: Promise<void> | null;
/** The error the next sync ends with instead of syncing. */
let failNextSync: Error | null;

const syncLogFile: SyncFile = (fd, done) => {
  const n = events.filter((e) => e.endsWith('rows')).length + 1;
  events.push(`sync ${n} starts with ${committedRows()} rows`);
  const failure = failNextSync;
  failNextSync = null;
  void (hold ?? Promise.resolve()).then(() => {
    const end = (err: NodeJS.ErrnoException | null) => {
      events.push(`sync ${n} ends`);
      done(err);
    };
    if (failure) end(failure);
    else fdatasync(fd, end);
  });
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baocao-batching-'));
  path = join(dir, 'bot.db');
  events = [];
  hold = null;
  failNextSync = null;
  db = openDatabase(path, { syncLogFile });
  other = new Database(path, { readonly: true });
});
afterEach(() => {
  other.close();
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

/** Rows another process would see (committed), whatever this one holds in memory. */
const committedRows = () => (other.prepare('select count(*) as n from inbox').get() as { n: number }).n;
const nextTurn = () => new Promise((r) => setImmediate(r));

const walCommits = () => walCommitsOf(path);

function heldSync(): () => void {
  let release!: () => void;
  hold = new Promise<void>((r) => (release = r));
  return () => {
    hold = null;
    release();
  };
}

interface U {
  key: string;
}

/** Not ready (no handling): the only commits are the intake's own. */
const newIntake = () =>
  new Intake<U>({ db, channel: 'zalo', log: silentLogger, clock: () => new Date(), handle: async () => undefined, orderKey: (u) => u.key, decode: (j) => JSON.parse(j) as U });

function deliver(i: Intake<U>, key: string): Promise<'stored' | 'duplicate'> {
  return i.acceptSoon(key, { key }).then(
    (outcome) => {
      events.push(`ack ${key} ${outcome}`);
      return outcome;
    },
    (err: unknown) => {
      events.push(`refused ${key}`);
      throw err;
    },
  );
}

describe('webhook deliveries while a disk sync runs', () => {
  it('wait in memory and are committed in one transaction when it ends; none is acknowledged before its own sync', async () => {
    const i = newIntake();
    const release = heldSync();
    const first = deliver(i, 'a0');
    await nextTurn();
    expect(events).toEqual(['sync 1 starts with 1 rows']);
    const commitsBefore = walCommits();

    // Ten deliveries in ten turns of the event loop, and a repeat of the first, while sync 1 runs.
    const rest: Promise<'stored' | 'duplicate'>[] = [];
    for (let n = 1; n <= 10; n++) {
      rest.push(deliver(i, `a${n}`));
      await nextTurn();
    }
    rest.push(deliver(i, 'a0'));
    await nextTurn();
    expect(committedRows()).toBe(1);
    expect(walCommits()).toBe(commitsBefore);
    expect(events).toEqual(['sync 1 starts with 1 rows']);

    release();
    expect(await first).toBe('stored');
    expect(await Promise.all(rest)).toEqual([...Array.from({ length: 10 }, () => 'stored'), 'duplicate']);
    expect(walCommits()).toBe(commitsBefore + 1);
    expect(committedRows()).toBe(11);
    // Committed the moment sync 1 ended, before sync 2 started (which covers them all); acknowledged after it.
    expect(events.filter((e) => e.startsWith('sync'))).toEqual(['sync 1 starts with 1 rows', 'sync 1 ends', 'sync 2 starts with 11 rows', 'sync 2 ends']);
    expect(events.indexOf('ack a0 stored')).toBeGreaterThan(events.indexOf('sync 1 ends'));
    const acks = events.filter((e) => e.startsWith('ack') && e !== 'ack a0 stored');
    expect(acks).toHaveLength(11);
    for (const ack of acks) expect(events.indexOf(ack), ack).toBeGreaterThan(events.indexOf('sync 2 ends'));
  });

  it('with no sync running, the deliveries of one turn share a commit as before', async () => {
    const i = newIntake();
    const before = walCommits();
    const outcomes = await Promise.all(['b1', 'b2', 'b3', 'b1'].map((k) => deliver(i, k)));
    expect(outcomes).toEqual(['stored', 'stored', 'stored', 'duplicate']);
    expect(walCommits()).toBe(before + 1);
    expect(events.filter((e) => e.startsWith('sync'))).toEqual(['sync 1 starts with 3 rows', 'sync 1 ends']);
  });

  it('a held batch that cannot be stored is refused for every delivery of it, and the next one is stored', async () => {
    db.$client.exec(`CREATE TRIGGER refuse_bad BEFORE INSERT ON inbox WHEN NEW.update_key = 'bad' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
    const i = newIntake();
    const release = heldSync();
    const first = deliver(i, 'c0');
    await nextTurn();
    const held = [deliver(i, 'c1'), deliver(i, 'bad')];
    await nextTurn();
    held.push(deliver(i, 'c2'));
    await nextTurn();
    release();
    expect(await first).toBe('stored');
    const settled = await Promise.allSettled(held);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toContain('database or disk is full');
    expect(committedRows()).toBe(1);
    expect(await deliver(i, 'c3')).toBe('stored');
    expect(committedRows()).toBe(2);
  });

  it('a batch whose sync fails is refused for every delivery of it', async () => {
    const i = newIntake();
    const release = heldSync();
    const first = deliver(i, 'e0');
    await nextTurn();
    const held = [deliver(i, 'e1'), deliver(i, 'e2')];
    await nextTurn();
    failNextSync = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    release();
    expect(await first).toBe('stored');
    const settled = await Promise.allSettled(held);
    expect(settled.map((s) => (s.status === 'rejected' ? String(s.reason) : s.value))).toEqual(['Error: EIO: i/o error, fdatasync', 'Error: EIO: i/o error, fdatasync']);
    expect(events.filter((e) => e.startsWith('ack'))).toEqual(['ack e0 stored']);
  });
});

describe('a database file replaced under the bot', () => {
  it('refuses every delivery of the batch (nothing acknowledged); a poller is refused before its commit', async () => {
    const i = newIntake();
    expect(await deliver(i, 'd0')).toBe('stored');
    renameSync(path, `${path}.away`);
    writeFileSync(path, '');

    const settled = await Promise.allSettled([deliver(i, 'd1'), deliver(i, 'd2')]);
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).name : s.value))).toEqual(['StorageUnavailableError', 'StorageUnavailableError']);
    expect(events.filter((e) => e.startsWith('ack'))).toEqual(['ack d0 stored']);
    await expect(i.acceptBatch([{ updateKey: 'd3', payload: { key: 'd3' } }])).rejects.toThrow('database file deleted or replaced');
    // The webhook batch went into the file nobody will open again; the poller's was never written.
    const keys = (db.$client.prepare('select update_key from inbox order by id').pluck().all() as string[]);
    expect(keys).toEqual(['d0', 'd1', 'd2']);
  });
});
