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
import { countPendingOutbox, keyboardState, outboxSend, pendingOutbox, pruneOutbox } from '../storage/repositories/outbox';

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

/** The table has no AUTOINCREMENT any more, and no counter row is left behind. */
function expectNoCounter(client: Database.Database, table: string): void {
  expect(client.prepare('select sql from sqlite_master where name = ?').pluck().get(table)).not.toMatch(/AUTOINCREMENT/);
  expect(client.prepare('select count(*) from sqlite_sequence where name = ?').pluck().get(table)).toBe(0);
}

describe('migrations 0007 and 0010: the inbox without AUTOINCREMENT and without the index of unhandled rows', () => {
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
    expectNoCounter(client, 'inbox');
    // Migration 0010 drops the index of unhandled rows: only a start looks for them, by a scan.
    expect(client.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'inbox' order by name").pluck().all()).toEqual(['inbox_channel_key']);
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

describe('migration 0008: send marks in a table of their own', () => {
  it('moves every mark, keeps pending and refused rows as they were, and drops the columns and the index of pending rows', () => {
    const path = join(dir, 'bot.db');
    const old = databaseBefore('0008_outbox_sent_marks', path);
    const insert = old.prepare(
      'insert into outbox (id, channel, chat_id, text, buttons, created_at, sent_at, message_id, failed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const at = NOW.getTime();
    insert.run(1, 'telegram', '42', 'Câu 1', '[[{"text":"Bỏ qua","callback_data":"skip"}]]', at, at, 501, null);
    insert.run(2, 'telegram', '42', 'Câu 2', '[[{"text":"Bỏ qua","callback_data":"skip"}]]', at, null, null, null);
    insert.run(3, 'zalo', 'z', 'Chào', null, at, at + 1, null, null);
    insert.run(4, 'telegram', '43', 'Từ chối', null, at, null, null, at);
    old.close();

    db = openDatabase(path);
    const client = db.$client;
    const columns = (client.prepare("select name from pragma_table_info('outbox')").pluck().all() as string[]).join(',');
    expect(columns).not.toMatch(/sent_at|message_id/);
    expect(client.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'outbox'").pluck().all()).toEqual(['outbox_keyboards']);
    expect(client.prepare('select id, sent_at, message_id from outbox_sent order by id').all()).toEqual([
      { id: 1, sent_at: at, message_id: 501 },
      { id: 3, sent_at: at + 1, message_id: null },
    ]);
    expect(pendingOutbox(db, 'telegram', 0, 10).map((r) => r.text)).toEqual(['Câu 2']);
    expect(countPendingOutbox(db, 'telegram')).toBe(1);
    expect(countPendingOutbox(db, 'zalo')).toBe(0);
    expect(keyboardState(db, 'telegram', '42')).toEqual({ newestSentId: 501, pendingAfter: 1 });
    expect(outboxSend(db, 3)).toEqual({ sentAt: new Date(at + 1), messageId: null });
    // A week on, sent and refused rows go, with their marks; the pending one stays.
    expect(pruneOutbox(db, new Date(at + 2))).toBe(3);
    expect(client.prepare('select id from outbox').pluck().all()).toEqual([2]);
    expect(client.prepare('select count(*) from outbox_sent').pluck().get()).toBe(0);
  });
});

describe('migration 0009: answers without AUTOINCREMENT', () => {
  it('keeps every answer with its id and columns, drops the counter, and the next answer follows the highest id', () => {
    const path = join(dir, 'bot.db');
    const old = databaseBefore('0009_answers_without_autoincrement', path);
    const at = NOW.getTime();
    old.prepare("insert into units (id, code, name, type) values (1, 'THPT-A', 'Trường THPT A', 'thpt')").run();
    old.prepare("insert into form_versions (id, definition) values (1, '{}')").run();
    old.prepare("insert into periods (id, status, form_version_id) values ('2026-Y', 'open', 1)").run();
    old.prepare("insert into submissions (id, unit_id, period_id, form_version_id) values (1, 1, '2026-Y', 1)").run();
    const insert = old.prepare(
      'insert into answers (submission_id, question_key, value, raw_text, revision, contact_id, created_at, note, flag, none) values (1, ?, ?, ?, 1, 7, ?, ?, ?, ?)',
    );
    insert.run('students', '45', '45 học sinh', at, 'tính cả lớp ghép', null, 0);
    insert.run('students', '46', '46', at + 1, null, '{"kind":"jump"}', 0);
    insert.run('exams', 'null', 'không có', at + 2, null, null, 1);
    const before = old.prepare('select * from answers order by id').all();
    expect(old.prepare("select seq from sqlite_sequence where name = 'answers'").pluck().get()).toBe(3);
    old.close();

    db = openDatabase(path);
    const client = db.$client;
    expectNoCounter(client, 'answers');
    expect(client.prepare('select * from answers order by id').all()).toEqual(before);
    expect(client.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'answers'").pluck().all()).toEqual(['answers_submission_key']);
    expect(client.prepare("insert into answers (submission_id, question_key, value, revision) values (1, 'exams', '2', 2) returning id").pluck().get()).toBe(4);
    // The reference to its submission is still enforced.
    expect(() => client.prepare("insert into answers (submission_id, question_key, value, revision) values (999, 'x', '1', 1)").run()).toThrow(/FOREIGN KEY/);
    expect(client.pragma('foreign_key_check')).toEqual([]);
  });
});
