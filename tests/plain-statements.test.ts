import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, asc, eq, gte, sql } from 'drizzle-orm';
import { closeDatabase, openDatabase, type Db } from '../storage/db';
import { outbox } from '../storage/schema';
import { plainRead, plainWrite } from '../storage/plain-statements';
import { enqueueInsert } from '../storage/repositories/outbox';

/** The hot statements run past drizzle's per-call placeholder filling must store and read exactly what drizzle does. */

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baocao-plain-write-'));
  db = openDatabase(join(dir, 'bot.db'));
});
afterEach(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

const insert = () => enqueueInsert(db);
const storedRows = () => db.$client.prepare('select channel, chat_id, text, buttons, document_name, document, as_photo, created_at, failed_at, attempts from outbox order by id').raw(true).all();

describe('plainWrite and plainRead', () => {
  it('stores the same bytes as drizzle’s prepared run: dates as epoch ms, booleans as 0/1, nulls, blobs, constants', () => {
    const cases = [
      { channel: 'telegram', chatId: '42', text: 'Câu 3. Số lượt tin bài?', buttons: '[[{"text":"Bỏ qua"}]]', documentName: null, document: null, asPhoto: false, now: new Date('2026-05-01T03:00:00.123Z') },
      { channel: 'zalo', chatId: 'abc', text: null, buttons: null, documentName: 'Báo cáo.docx', document: Buffer.from([0, 255, 7]), asPhoto: true, now: new Date(0) },
    ] as const;
    const viaDrizzle = insert().prepare();
    const viaPlain = plainWrite<(typeof cases)[number]>(db, insert());
    for (const c of cases) viaDrizzle.run(c);
    const drizzleRows = storedRows();
    db.$client.exec('delete from outbox');
    const results = cases.map((c) => viaPlain(c));
    expect(storedRows()).toEqual(drizzleRows);
    expect(results.map((r) => r.changes)).toEqual([1, 1]);

    // An update mixing placeholders inside sql`` with a constant (document: null).
    const failed = plainWrite<{ id: number; nowMs: number; attempts: number }>(
      db,
      db.update(outbox).set({ failedAt: sql`${sql.placeholder('nowMs')}`, attempts: sql`${sql.placeholder('attempts')}`, document: null }).where(eq(outbox.id, sql.placeholder('id'))),
    );
    const secondId = Number(results[1]!.lastInsertRowid);
    expect(failed({ id: secondId, nowMs: 1_700_000_000_000, attempts: 99 }).changes).toBe(1);
    const row = db.select().from(outbox).where(eq(outbox.id, secondId)).get();
    expect(row).toMatchObject({ failedAt: new Date(1_700_000_000_000), attempts: 99, document: null, asPhoto: true, documentName: 'Báo cáo.docx' });
  });

  it('a missing value is refused before anything is written, as drizzle refuses it', () => {
    const viaPlain = plainWrite<Record<string, unknown>>(db, insert());
    expect(() => viaPlain({ channel: 'telegram', chatId: '1', text: 'x', buttons: null, documentName: null, document: null, now: new Date() })).toThrow(/No value for placeholder "asPhoto"/);
    expect(storedRows()).toEqual([]);
  });

  it('a read gives drizzle’s rows as plain arrays in the select’s order, a constant condition included', () => {
    const add = plainWrite<Record<string, unknown>>(db, insert());
    for (const [chatId, channel] of [['1', 'telegram'], ['2', 'zalo'], ['3', 'telegram']] as const)
      add({ channel, chatId, text: `tin ${chatId}`, buttons: null, documentName: null, document: null, asPhoto: chatId === '3', now: new Date(Number(chatId)) });
    const select = () =>
      db
        .select({ chatId: outbox.chatId, text: outbox.text, asPhoto: outbox.asPhoto })
        .from(outbox)
        .where(and(eq(outbox.channel, 'telegram'), gte(outbox.createdAt, sql.placeholder('from'))))
        .orderBy(asc(outbox.id));
    const viaDrizzle = select().prepare().all({ from: 1 });
    const viaPlain = plainRead<{ from: number }, [string, string, number]>(db, select())({ from: 1 });
    expect(viaPlain).toEqual([['1', 'tin 1', 0], ['3', 'tin 3', 1]]);
    expect(viaPlain.map(([chatId, text, asPhoto]) => ({ chatId, text, asPhoto: asPhoto === 1 }))).toEqual(viaDrizzle);
  });
});
