import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db } from './db';
import { databaseFile, inTransaction } from './db';
import { health } from './schema';

/**
 * Whether what we acknowledge can really be kept. Two ways it cannot while the process runs happily: the
 * file cannot be written (disk full, made read-only, I/O error), or the file at DATABASE_PATH is no longer
 * the one we opened (deleted or replaced: our writes would go to a file nobody will ever open again, and
 * the next start would begin with an empty database).
 */

export type StorageProblem = 'file-replaced' | 'not-writable' | 'disk-full';

/** Below this much free space a burst of updates may not fit: report it before the writes fail. */
const MIN_FREE_BYTES = 1024 * 1024;

/** Same file as opened? A cheap stat of the path; safe to call for every stored batch. */
export function databaseFileProblem(db: Db): StorageProblem | null {
  const opened = databaseFile(db);
  if (!opened) return null;
  try {
    return sameFile(opened, statSync(opened.path)) ? null : 'file-replaced';
  } catch {
    return 'file-replaced';
  }
}

const sameFile = (a: { dev: number; ino: number }, b: { dev: number; ino: number }): boolean => a.ino === b.ino && a.dev === b.dev;

/** The full check for /healthz: the file is ours, and a real write commits. */
export function storageProblem(db: Db, now: Date): { problem: StorageProblem; detail: string } | null {
  const file = databaseFileProblem(db);
  if (file) return { problem: file, detail: 'the database file was deleted or replaced since the bot opened it' };
  const opened = databaseFile(db);
  if (opened) {
    try {
      const fs = statfsSync(dirname(opened.path));
      const free = fs.bavail * fs.bsize;
      if (free < MIN_FREE_BYTES) return { problem: 'disk-full', detail: `${free} bytes free next to the database` };
    } catch {
      // No statfs here: the real write below still tells.
    }
  }
  try {
    // Delete and insert, not an upsert: SQLite skips writing a row updated to the value it already holds
    // (two checks in one millisecond), and a check that writes nothing proves nothing.
    inTransaction(db, (tx) => {
      tx.delete(health).run();
      tx.insert(health).values({ id: 1, checkedAt: now }).run();
    });
    return null;
  } catch (err) {
    return { problem: 'not-writable', detail: err instanceof Error ? err.message : String(err) };
  }
}

export class StorageUnavailableError extends Error {
  constructor(readonly problem: StorageProblem) {
    super(problem === 'file-replaced' ? 'database file deleted or replaced since it was opened' : 'database cannot be written');
    this.name = 'StorageUnavailableError';
  }
}

/** Throws when updates must not be acknowledged (the file we write is not the one at DATABASE_PATH). */
export function assertDatabaseFile(db: Db): void {
  const p = databaseFileProblem(db);
  if (p) throw new StorageUnavailableError(p);
}
