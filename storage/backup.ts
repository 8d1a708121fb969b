import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db } from './db';
import { toWall } from '../domain/periods';

/**
 * Consistent copies of the database while the bot runs (SQLite's online backup API), and putting one
 * back while it is stopped. A copy is written next to its destination under a temporary name and
 * renamed only once it passed `PRAGMA integrity_check`, so a half-written file never carries the
 * backup's name (a crash or a full disk leaves a `.tmp` file, not a broken backup).
 */

export interface BackupInfo {
  path: string;
  bytes: number;
  /** Units and submissions in the copy: a quick sign that it holds what the office expects. */
  units: number;
  submissions: number;
}

export class BackupError extends Error {}

export async function backupDatabase(db: Db, dest: string): Promise<BackupInfo> {
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  try {
    // Copies the pages in steps between which the bot keeps answering; writes made meanwhile restart
    // the copy of what they touched (SQLite's rule), so the result is the database at one instant.
    await db.$client.backup(tmp);
    const info = inspectDatabaseFile(tmp);
    renameSync(tmp, dest);
    return { ...info, path: dest };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Opens a file read-only and checks it is a sound database of this bot. */
export function inspectDatabaseFile(path: string): BackupInfo {
  if (!existsSync(path)) throw new BackupError(`không tìm thấy tệp ${path}`);
  let file: Database.Database;
  try {
    file = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new BackupError(`tệp ${path} không mở được như cơ sở dữ liệu SQLite (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    let check: string;
    try {
      check = String(file.pragma('integrity_check', { simple: true }));
    } catch {
      throw new BackupError(`tệp ${path} không phải cơ sở dữ liệu SQLite`);
    }
    if (check !== 'ok') throw new BackupError(`tệp ${path} bị hỏng (integrity_check: ${check})`);
    const tables = new Set((file.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name));
    if (!tables.has('__drizzle_migrations') || !tables.has('units') || !tables.has('submissions')) {
      throw new BackupError(`tệp ${path} là cơ sở dữ liệu SQLite nhưng không phải của bot báo cáo`);
    }
    const count = (t: string) => (file.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n;
    return { path, bytes: statSync(path).size, units: count('units'), submissions: count('submissions') };
  } finally {
    file.close();
  }
}

/**
 * Replaces the database file by a checked copy. The current file (with its WAL, which may hold the last
 * commits of a crashed run) is kept beside it under `aside`, so a restore from the wrong file can be undone.
 * Call only while no process has the database open.
 */
export function restoreDatabase(source: string, databasePath: string, aside: string): BackupInfo {
  const info = inspectDatabaseFile(source);
  mkdirSync(dirname(databasePath), { recursive: true });
  const tmp = `${databasePath}.${process.pid}.restore.tmp`;
  copyFileSync(source, tmp);
  try {
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(databasePath + suffix)) renameSync(databasePath + suffix, aside + suffix);
    }
    renameSync(tmp, databasePath);
  } finally {
    rmSync(tmp, { force: true });
  }
  return { ...info, path: databasePath };
}

/** "baocao-2026-11-29-0405.db": local time, so the office finds "yesterday's copy" by its name; sorts by time. */
export function backupFileName(now: Date, timeZone: string): string {
  return `baocao-${toWall(now, timeZone).format('YYYY-MM-DD-HHmm')}.db`;
}

export const BACKUP_NAME = /^baocao-(\d{4}-\d{2}-\d{2})-\d{4}\.db$/;
