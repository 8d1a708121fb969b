import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDatabase, openDatabase, type Db } from '../storage/db';
import { pendingInbox, storeInboxUpdate } from '../storage/repositories/inbox';

const migrations = fileURLToPath(new URL('../storage/migrations', import.meta.url));
const NOW = new Date('2026-11-30T03:00:00Z');

let dir: string;
let db: Db | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baocao-migration-'));
});
afterEach(() => {
  if (db) closeDatabase(db);
  db = null;
  rmSync(dir, { recursive: true, force: true });
});

/** A database file as a release with the migrations before `tag` left it. */
function databaseBefore(tag: string, path: string): Database.Database {
  const folder = join(dir, 'migrations');
  cpSync(migrations, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag === tag);
  expect(cut).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, cut);
  writeFileSync(journalPath, JSON.stringify(journal));
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  return sqlite;
}

describe('migration 0007: the inbox without AUTOINCREMENT', () => {
  it('keeps every row, its id and its state, drops the counter, and new rows follow the highest id', () => {
    const path = join(dir, 'bot.db');
    const old = databaseBefore('0007_inbox_without_autoincrement', path);
    expect(old.prepare("select sql from sqlite_master where name = 'inbox'").pluck().get()).toMatch(/AUTOINCREMENT/);
    const insert = old.prepare('insert into inbox (channel, update_key, payload, received_at, processed_at) values (?, ?, ?, ?, ?)');
    insert.run('telegram', '101', '{"n":1}', NOW.getTime(), NOW.getTime());
    insert.run('telegram', '102', '{"n":2}', NOW.getTime(), null);
    insert.run('zalo', 'z-1', '{"n":3}', NOW.getTime(), null);
    insert.run('telegram', '103', '{"n":4}', NOW.getTime(), NOW.getTime());
    old.prepare("delete from inbox where update_key = '103'").run();
    expect(old.prepare("select seq from sqlite_sequence where name = 'inbox'").pluck().get()).toBe(4);
    old.close();

    db = openDatabase(path);
    const client = db.$client;
    expect(client.prepare("select sql from sqlite_master where name = 'inbox'").pluck().get()).not.toMatch(/AUTOINCREMENT/);
    expect(client.prepare("select count(*) from sqlite_sequence where name = 'inbox'").pluck().get()).toBe(0);
    expect(client.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'inbox' order by name").pluck().all()).toEqual([
      'inbox_channel_key',
      'inbox_unhandled',
    ]);
    expect(client.prepare('select id, channel, update_key, processed_at from inbox order by id').all()).toEqual([
      { id: 1, channel: 'telegram', update_key: '101', processed_at: NOW.getTime() },
      { id: 2, channel: 'telegram', update_key: '102', processed_at: null },
      { id: 3, channel: 'zalo', update_key: 'z-1', processed_at: null },
    ]);
    expect(pendingInbox(db, 'telegram').map((r) => r.payload)).toEqual(['{"n":2}']);
    // A repeated delivery is still recognised, and a new one takes the next id.
    expect(storeInboxUpdate(db, { channel: 'telegram', updateKey: '101', payload: '{}', now: NOW })).toBeNull();
    expect(storeInboxUpdate(db, { channel: 'telegram', updateKey: '104', payload: '{"n":5}', now: NOW })).toBe(4);
    expect(client.prepare("select count(*) from sqlite_sequence where name = 'inbox'").pluck().get()).toBe(0);
    expect(client.pragma('foreign_key_check')).toEqual([]);
  });
});
