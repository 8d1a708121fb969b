import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Opens (creating if needed) the database file and brings its schema up to date. */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  // WAL lets the scheduler and the bot read while one of them writes; busy_timeout makes a second
  // process wait for the lock instead of failing at once.
  sqlite.pragma('journal_mode = WAL');
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
  }
  return db;
}

/** The file each database was opened from, to notice it being deleted or replaced under us (storage/health.ts). */
const files = new WeakMap<Db, { path: string; dev: number; ino: number }>();

export function databaseFile(db: Db): { path: string; dev: number; ino: number } | undefined {
  return files.get(db);
}

export function closeDatabase(db: Db): void {
  db.$client.close();
}

/** Runs fn in one SQLite transaction (better-sqlite3 transactions are synchronous by design). */
export function inTransaction<T>(db: Db, fn: (tx: Db) => T): T {
  return db.$client.transaction(() => fn(db))();
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
