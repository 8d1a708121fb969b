import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { closeSync, fdatasync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** How the log file is synced: node's fdatasync, run in libuv's thread pool. */
export type SyncFile = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;

export interface OpenOptions {
  /** For tests that need a sync slower than the disk's, or one that fails: wraps the real one. */
  syncLogFile?: SyncFile;
}

/** Opens (creating if needed) the database file and brings its schema up to date. */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  // WAL lets the scheduler and the bot read while one of them writes; busy_timeout makes a second
  // process wait for the lock instead of failing at once.
  // 1 KB pages for a new database (an existing one keeps its own): every commit writes each page it
  // touched whole, and an answer touches a dozen small rows in different tables and indexes; with 4 KB
  // pages that was ~45 KB written per answer, with 1 KB ~7 KB (bench/answers.bench.ts).
  sqlite.pragma('page_size = 1024');
  sqlite.pragma('journal_mode = WAL');
  // A checkpoint (copying the log back into the file, with a sync) every 10 MB of log instead of every
  // 1,000 pages (1 MB with 1 KB pages): the turn that runs one is the slowest a person waits for.
  sqlite.pragma('wal_autocheckpoint = 10000');
  // FULL: every commit is synced to disk before it returns, so an update acknowledged after its commit
  // survives a power cut, not only a crash (NORMAL in WAL may lose the last commits on power loss). The
  // cost is one fsync per commit (README, "Data safety").
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  if (path !== ':memory:' && path !== '') {
    const st = statSync(path);
    files.set(db, { path: resolve(path), dev: st.dev, ino: st.ino });
    logs.set(db, { path: `${resolve(path)}-wal`, fd: null, sync: options.syncLogFile ?? fdatasync, running: null, next: null, onEnd: [], ending: false });
  }
  return db;
}

/** The file each database was opened from, to notice it being deleted or replaced under us (storage/health.ts). */
const files = new WeakMap<Db, { path: string; dev: number; ino: number }>();

export function databaseFile(db: Db): { path: string; dev: number; ino: number } | undefined {
  return files.get(db);
}

export function closeDatabase(db: Db): void {
  flushGroup(db);
  db.$client.close();
  const log = logs.get(db);
  if (log?.fd != null) closeSync(log.fd);
  logs.delete(db);
}

/**
 * The write-ahead log of a database file, synced off the event loop. A commit that an acknowledgement
 * waits for is written with synchronous=NORMAL (no sync inside SQLite, which would hold the event loop
 * for the whole sync) and the acknowledgement waits for an fdatasync of the log file run by libuv's thread
 * pool instead: the same guarantee as FULL (in WAL mode FULL is exactly a sync of the log at each commit),
 * while the event loop goes on reading requests and handling. Concurrent waits share one sync; a wait
 * that comes while one is running gets the next one, which starts after it (it covers every commit made
 * before it starts). A checkpoint syncs the log itself before copying it back and the database file after.
 */
interface LogFile {
  path: string;
  fd: number | null;
  sync: SyncFile;
  running: Promise<void> | null;
  /** The sync that starts when the running one ends, for the commits made while it runs. */
  next: { promise: Promise<void>; start: (sync: Promise<void>) => void } | null;
  /** Called when the running sync ends, before the next one starts (whenLogSyncEnds). */
  onEnd: (() => void)[];
  /** While onEnd runs: its commits all join the one next sync instead of the first starting it alone. */
  ending: boolean;
}
const logs = new WeakMap<Db, LogFile>();

function syncLogOnce(log: LogFile): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      // Opened at the first sync (a commit has created the log by then) and kept: it is the file SQLite
      // writes while the database is open here (SQLite removes it only when the last connection closes).
      // A database file deleted or replaced under us is refused before anything is acknowledged (health.ts).
      log.fd ??= openSync(log.path, 'r');
    } catch (err) {
      reject(err);
      return;
    }
    // fdatasync, as SQLite syncs the log on Linux: the data and the size, not the times.
    log.sync(log.fd, (err) => (err ? reject(err) : resolve()));
  });
}

/** Resolves once everything committed before the call is on disk. */
function syncLog(log: LogFile): Promise<void> {
  if (!log.running && !log.ending) return startSync(log);
  if (!log.next) {
    let start!: (sync: Promise<void>) => void;
    const promise = new Promise<void>((resolve) => (start = resolve));
    log.next = { promise, start };
  }
  return log.next.promise;
}

function startSync(log: LogFile): Promise<void> {
  const running = syncLogOnce(log);
  log.running = running;
  // Registered before any caller's handlers: what waits for the end is committed, and the next sync started,
  // before the acknowledgements of this one go out (the disk works while they are written).
  const ended = () => syncEnded(log);
  running.then(ended, ended);
  return running;
}

function syncEnded(log: LogFile): void {
  log.running = null;
  log.ending = true;
  try {
    for (const fn of log.onEnd.splice(0)) fn();
  } finally {
    log.ending = false;
    const next = log.next;
    log.next = null;
    if (next) next.start(startSync(log));
  }
}

/**
 * While a sync of this database's log runs, a commit waiting for a sync gets the next one, which starts
 * when it ends: committing it then, rather than now, makes it no later and lets everything that comes
 * meanwhile share that commit. Returns false when no sync runs; otherwise `commit` is called the moment
 * the running one ends, before the next starts (which covers what it commits). `commit` must not throw.
 */
export function whenLogSyncEnds(db: Db, commit: () => void): boolean {
  const log = logs.get(db);
  if (!log?.running) return false;
  log.onEnd.push(commit);
  return true;
}

/**
 * Runs fn in one transaction of its own, committed before this returns but synced to disk later, off the
 * event loop: `synced` resolves once it is durable (rejects if the sync failed). For what is acknowledged
 * to a platform: acknowledge after `synced`. In-memory databases, and calls inside another transaction,
 * get the ordinary synced commit (or nesting) and an already resolved promise.
 */
export function inTransactionSyncedLater<T>(db: Db, fn: (tx: Db) => T): { value: T; synced: Promise<void> } {
  const log = logs.get(db);
  const g = groupOf(db);
  if (!log || g.depth > 0) return { value: inTransaction(db, fn), synced: Promise.resolve() };
  // The open group (handlings of the last turn) is committed first, and goes to disk with this sync.
  flushGroup(db);
  if (db.$client.inTransaction) return { value: inTransaction(db, fn), synced: Promise.resolve() };
  db.$client.exec('PRAGMA synchronous = NORMAL');
  let value: T;
  try {
    value = run(db, g, fn);
  } finally {
    db.$client.exec('PRAGMA synchronous = FULL');
  }
  return { value, synced: syncLog(log) };
}

/**
 * Group commit. Handling a stored update needs no commit of its own before anything is acknowledged (the
 * update itself was committed, synced, before its acknowledgement; a handling lost to a power cut is done
 * again from it). So the handlings of a burst share one transaction, each in its own savepoint (a failure
 * undoes only its own update), committed once the burst's work is done: at the next turn of the event
 * loop, before anything reads the queue of replies to send, and before any other transaction. That is one
 * write of each touched page per burst instead of per update. The group commits with synchronous=NORMAL
 * (no disk sync of its own): the next sync of the log that precedes an acknowledgement (a FULL commit, or
 * inTransactionSyncedLater's fsync) takes everything written before it, so a power cut can lose only
 * handlings since the last acknowledgement, and their updates are in the inbox to be handled again (a
 * reply may then be sent twice, never lost). SQLite forbids changing the level inside a transaction, and no other transaction
 * can run while a group is open, so the level is NORMAL exactly for the group's commit.
 */
interface Group {
  /** Transaction callbacks running right now (ours or nested ones). */
  depth: number;
  open: boolean;
  onError?: (err: unknown) => void;
  /** Waiting for the open group to be committed and synced (inGroupSyncedLater); rejected at its rollback. */
  durable: { resolve: () => void; reject: (err: unknown) => void }[];
}
const groups = new WeakMap<Db, Group>();
const groupOf = (db: Db): Group => {
  let g = groups.get(db);
  if (!g) groups.set(db, (g = { depth: 0, open: false, durable: [] }));
  return g;
};

/** Where a failed group commit is reported (the runtime has the handlings in it done again). */
export function onGroupCommitError(db: Db, report: (err: unknown) => void): void {
  groupOf(db).onError = report;
}

/**
 * Commits the open group, if any. Called before every other transaction and before replies are read for
 * sending; a failure rolls the group back (its updates stay unmarked in the inbox) and is reported.
 */
export function flushGroup(db: Db): void {
  const g = groups.get(db);
  if (!g?.open || g.depth > 0) return;
  g.open = false;
  const durable = g.durable.splice(0);
  try {
    db.$client.exec('COMMIT');
  } catch (err) {
    if (db.$client.inTransaction) db.$client.exec('ROLLBACK');
    rolledBack(db);
    for (const w of durable) w.reject(err);
    if (g.onError) g.onError(err);
    else throw err;
    return;
  } finally {
    db.$client.exec('PRAGMA synchronous = FULL');
  }
  if (durable.length === 0) return;
  const synced = syncLog(logs.get(db)!);
  for (const w of durable) synced.then(w.resolve, w.reject);
}

/**
 * One transaction function per database, given the work as its argument: better-sqlite3 builds a
 * transaction function with its variants and wrappers at each call of `transaction()`, which made it the
 * largest single allocation of the message path (several per message).
 */
const transactionOf = perDb((db) => db.$client.transaction((fn: (tx: Db) => unknown) => fn(db)));

const run = <T>(db: Db, g: Group, fn: (tx: Db) => T): T => {
  g.depth++;
  try {
    return transactionOf(db)(fn) as T;
  } catch (err) {
    // better-sqlite3 rolled the transaction (or the savepoint) back before rethrowing.
    rolledBack(db);
    throw err;
  } finally {
    g.depth--;
  }
};

const rollbackListeners = new WeakMap<Db, (() => void)[]>();

/**
 * Calls `forget` whenever a transaction or savepoint of this connection rolls back: a cache of what was
 * read or written inside it may hold rows that no longer exist (and whose ids SQLite may give out again).
 */
export function onRollback(db: Db, forget: () => void): void {
  const list = rollbackListeners.get(db);
  if (list) list.push(forget);
  else rollbackListeners.set(db, [forget]);
}

function rolledBack(db: Db): void {
  for (const forget of rollbackListeners.get(db) ?? []) forget();
}

/**
 * Runs fn in a savepoint of the group transaction (opened if needed, committed soon after): for work that
 * is done again from a durable record if it is lost. Inside another transaction it is simply nested.
 */
export function inGroup<T>(db: Db, fn: (tx: Db) => T): T {
  const g = groupOf(db);
  if (!g.open && !db.$client.inTransaction) {
    db.$client.exec('PRAGMA synchronous = NORMAL');
    try {
      db.$client.exec('BEGIN IMMEDIATE');
    } catch (err) {
      // Busy (another process kept the lock past busy_timeout): no group, and FULL again for the rest.
      db.$client.exec('PRAGMA synchronous = FULL');
      throw err;
    }
    g.open = true;
    setImmediate(() => flushGroup(db));
  }
  return run(db, g, fn);
}

/**
 * Runs fn in a savepoint of the group, as inGroup, for what is acknowledged to a platform once it is
 * durable: `synced` resolves once the group holding it is committed and the log synced after that commit
 * (rejects when the group rolls back or the sync fails). What the same turn does next (handling what was
 * stored) joins the same commit: a message that comes alone is stored and handled in one commit, not two.
 * In-memory databases, and calls inside another transaction, get inTransactionSyncedLater.
 */
export function inGroupSyncedLater<T>(db: Db, fn: (tx: Db) => T): { value: T; synced: Promise<void> } {
  const g = groupOf(db);
  if (!logs.has(db) || g.depth > 0 || (!g.open && db.$client.inTransaction)) return inTransactionSyncedLater(db, fn);
  const value = inGroup(db, fn);
  const synced = new Promise<void>((resolve, reject) => g.durable.push({ resolve, reject }));
  return { value, synced };
}

/**
 * Runs fn in one SQLite transaction of its own, committed (and synced) when this returns: for what is
 * acknowledged afterwards. An open group is committed first; inside another transaction fn is nested.
 */
export function inTransaction<T>(db: Db, fn: (tx: Db) => T): T {
  const g = groupOf(db);
  if (g.depth === 0) flushGroup(db);
  return run(db, g, fn);
}

/**
 * Builds something once per open database and hands the same one back afterwards: the prepared statements
 * of the hot path (every message runs a dozen small queries; building and preparing their SQL each time
 * cost ten times more than SQLite running them).
 */
export function perDb<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let value = built.get(db);
    if (value === undefined) {
      value = build(db);
      built.set(db, value);
    }
    return value;
  };
}
