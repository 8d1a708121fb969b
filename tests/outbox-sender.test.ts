import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { OutboxSender, SENT_MARKS_WINDOW_MS } from '../bot/outbox/sender';
import { silentLogger } from '../log';
import { closeDatabase, inTransaction, openDatabase, type Db } from '../storage/db';
import { enqueueMessages, keyboardState, markOutboxSent } from '../storage/repositories/outbox';
import type { OutboxRow } from '../storage/schema';
import { walCommits as walCommitsOf } from './helpers/wal';

/**
 * The reply queue's sender marks what it sent together, not one commit per reply, and never in a way that
 * loses a reply: a row sent and not marked yet is still pending in the table (a restart sends it again: a
 * duplicate, never silence), and whoever waits for the queue to be done (idle, stop) reads every mark.
 * A real SQLite file, read by a second connection as another process would; the platform is a function
 * that answers after 5 ms, so the sends end over many turns of the event loop.
 */

let dir: string;
let path: string;
let db: Db;
let other: Database.Database;
let sent: number[];
let sender: OutboxSender | null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baocao-sender-'));
  path = join(dir, 'bot.db');
  db = openDatabase(path);
  other = new Database(path, { readonly: true });
  sent = [];
  sender = null;
});
afterEach(async () => {
  await sender?.stop();
  other.close();
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

/** Rows of the queue with their send marks (outbox_sent), counted. */
const count = (where: string) => (other.prepare(`select count(*) as n from outbox left join outbox_sent using (id) where ${where}`).get() as { n: number }).n;

const walCommits = () => walCommitsOf(path);

function queue(chats: number, perChat: number): void {
  inTransaction(db, (tx) => {
    for (let c = 0; c < chats; c++) for (let i = 0; i < perChat; i++) enqueueMessages(tx, 'zalo', `chat${c}`, [{ text: `tin ${i + 1}` }], new Date());
  });
}

function start(onSent?: (row: OutboxRow) => void): OutboxSender {
  sender = new OutboxSender({
    db,
    channel: 'zalo',
    log: silentLogger,
    clock: () => new Date(),
    send: async (row) => {
      await new Promise((r) => setTimeout(r, 5));
      sent.push(row.id);
      onSent?.(row);
      return row.id * 10;
    },
    classify: () => 'transient',
  });
  sender.start();
  return sender;
}

describe('marks of sent replies', () => {
  it('a burst of 400 replies is marked in one commit per window of sends, and idle() finds every one marked', async () => {
    queue(40, 10);
    const before = walCommits();
    const t0 = performance.now();
    const s = start();
    await s.idle();
    const elapsed = performance.now() - t0;
    expect(sent).toHaveLength(400);
    expect(count('sent_at is not null and message_id = id * 10')).toBe(400);
    expect(count('sent_at is null')).toBe(0);
    // Ten rounds of sends, each ending over several turns of the event loop: a commit per turn (or per
    // reply) was at least ten; now one per window, one for the first read of the queue and one at idle.
    expect(walCommits() - before).toBeLessThanOrEqual(Math.ceil(elapsed / SENT_MARKS_WINDOW_MS) + 2);
  });

  it('a reply sent and not marked yet is still pending in the table, so a restart sends it again', async () => {
    queue(1, 1);
    let pendingWhenSent = -1;
    const s = start(() => {
      // Just sent: this process will not send it again; another one (after a crash) would.
      queueMicrotask(() => (pendingWhenSent = count('sent_at is null and failed_at is null')));
    });
    await s.idle();
    expect(sent).toHaveLength(1);
    expect(pendingWhenSent).toBe(1);
    expect(count('sent_at is not null')).toBe(1);
  });

  it('recordSent() writes at once the marks of every send made so far (the newest keyboard, at a button press)', async () => {
    inTransaction(db, (tx) => enqueueMessages(tx, 'zalo', 'chat0', [{ text: 'Câu 1', buttons: [['Bỏ qua']] }, { text: 'Câu 2', buttons: [['Bỏ qua']] }], new Date()));
    const s = start();
    while (sent.length < 2) await new Promise((r) => setImmediate(r));
    s.recordSent();
    // Read right after the call: no timer of the sender has had a turn since.
    expect(keyboardState(db, 'zalo', 'chat0')).toEqual({ newestSentId: sent[1]! * 10, pendingAfter: 0 });
    s.recordSent();
    expect(count('sent_at is not null')).toBe(2);
  });

  it('a restart sends what the last run left unsent, in order, and nothing it had sent', async () => {
    queue(4, 5);
    // The last run sent the first three replies of each chat and no more.
    const rows = other.prepare('select id, chat_id as chat from outbox order by id').all() as { id: number; chat: string }[];
    const seen = new Map<string, number>();
    const sentBefore = rows.filter((r) => {
      const n = (seen.get(r.chat) ?? 0) + 1;
      seen.set(r.chat, n);
      return n <= 3;
    });
    inTransaction(db, (tx) => {
      for (const r of sentBefore) markOutboxSent(tx, { id: r.id, at: new Date(), messageId: r.id, hadDocument: false });
    });
    const s = start();
    await s.idle();
    const left = rows.filter((r) => !sentBefore.includes(r)).map((r) => r.id);
    expect([...sent].sort((x, y) => x - y)).toEqual(left);
    expect(count('sent_at is null')).toBe(0);
    expect(count('message_id = id')).toBe(12);
  });

  it('stop() writes the marks of what was sent', async () => {
    queue(3, 2);
    const s = start();
    while (sent.length < 6) await new Promise((r) => setTimeout(r, 1));
    await s.stop();
    sender = null;
    expect(count('sent_at is not null')).toBe(6);
  });
});
