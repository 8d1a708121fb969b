import { and, count, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { rowStatement } from '../rows';
import { plainWrite } from '../plain-statements';
import { outbox, type Channel, type OutboxRow } from '../schema';

/**
 * The reply queue. Rows are written inside the transaction that handled an update, then sent in id order
 * per chat by the channel's sender, which marks each one sent (or refused for good). Whatever is neither
 * is sent again at the next start.
 */

/** One message as a channel will send it: a text (with an optional keyboard) or a document. */
export interface OutMessage {
  text?: string;
  /** Inline keyboard rows, already in the platform's shape (Telegram). */
  buttons?: unknown;
  document?: { filename: string; bytes: Uint8Array; asPhoto?: boolean };
}

const pending = rowStatement<typeof outbox, [channel: Channel, after: number, limit: number]>(
  outbox,
  'select $columns from outbox where channel = ? and sent_at is null and failed_at is null and id > ? order by id limit ?',
);

/** The insert of a reply row, its values as placeholders (exported for the test of plainWrite). */
export const enqueueInsert = (db: Db) =>
  db.insert(outbox).values({
    channel: sql.placeholder('channel'),
    chatId: sql.placeholder('chatId'),
    text: sql.placeholder('text'),
    buttons: sql.placeholder('buttons'),
    documentName: sql.placeholder('documentName'),
    document: sql.placeholder('document'),
    asPhoto: sql.placeholder('asPhoto'),
    createdAt: sql.placeholder('now'),
  });

const statements = perDb((db) => ({
  enqueue: plainWrite<{ channel: Channel; chatId: string; text: string | null; buttons: string | null; documentName: string | null; document: Buffer | null; asPhoto: boolean; now: Date }>(db, enqueueInsert(db)),
  sent: plainWrite<{ id: number; nowMs: number; messageId: number | null }>(
    db,
    db
      .update(outbox)
      .set({ sentAt: sql`${sql.placeholder('nowMs')}`, messageId: sql`${sql.placeholder('messageId')}`, document: null })
      .where(eq(outbox.id, sql.placeholder('id'))),
  ),
}));

export function enqueueMessages(db: Db, channel: Channel, chatId: string, messages: readonly OutMessage[], now: Date): void {
  const { enqueue } = statements(db);
  for (const m of messages) {
    enqueue({
      channel,
      chatId,
      text: m.text ?? null,
      buttons: m.buttons === undefined ? null : JSON.stringify(m.buttons),
      documentName: m.document?.filename ?? null,
      document: m.document ? Buffer.from(m.document.bytes) : null,
      asPhoto: m.document?.asPhoto ?? false,
      now,
    });
  }
}

/** Rows of a channel still to send with an id above `after`, oldest first (at most `limit`). */
export function pendingOutbox(db: Db, channel: Channel, after: number, limit: number): OutboxRow[] {
  return pending(db).all(channel, after, limit);
}

export function countPendingOutbox(db: Db, channel: Channel): number {
  return db.select({ n: count() }).from(outbox).where(and(eq(outbox.channel, channel), isNull(outbox.sentAt), isNull(outbox.failedAt))).get()?.n ?? 0;
}

export function markOutboxSent(db: Db, id: number, now: Date, messageId: number | null): void {
  statements(db).sent({ id, nowMs: now.getTime(), messageId });
}

/** Refused for good: kept for inspection, never sent. */
export function markOutboxFailed(db: Db, id: number, now: Date, error: string): void {
  db.update(outbox).set({ failedAt: now, error: error.slice(0, 500), document: null }).where(eq(outbox.id, id)).run();
}

/** A transient failure: counted, the row stays pending. */
export function noteOutboxAttempt(db: Db, id: number, error: string): void {
  db.update(outbox).set({ attempts: sql`${outbox.attempts} + 1`, error: error.slice(0, 500) }).where(eq(outbox.id, id)).run();
}

/** The recipient refused the chat (blocked the bot): nothing more of it is sent. */
export function failPendingOfChat(db: Db, channel: Channel, chatId: string, now: Date, error: string): number {
  return db
    .update(outbox)
    .set({ failedAt: now, error: error.slice(0, 500), document: null })
    .where(and(eq(outbox.channel, channel), eq(outbox.chatId, chatId), isNull(outbox.sentAt), isNull(outbox.failedAt)))
    .run().changes;
}

/**
 * The chat's keyboards: the platform id of the newest one known delivered, and how many keyboards queued
 * after it are not marked sent yet (counted up to 2; the first may be on its way right now).
 */
export function keyboardState(db: Db, channel: Channel, chatId: string): { newestSentId: number | null; pendingAfter: number } {
  const mine = and(eq(outbox.channel, channel), eq(outbox.chatId, chatId), isNotNull(outbox.buttons));
  const sent = db
    .select({ id: outbox.id, messageId: outbox.messageId })
    .from(outbox)
    .where(and(mine, isNotNull(outbox.messageId)))
    .orderBy(sql`${outbox.id} desc`)
    .limit(1)
    .get();
  const pending = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(mine, isNull(outbox.sentAt), isNull(outbox.failedAt), sql`${outbox.id} > ${sent?.id ?? 0}`))
    .limit(2)
    .all();
  return { newestSentId: sent?.messageId ?? null, pendingAfter: pending.length };
}

/** Sent and refused rows are dropped after a while (they hold message texts). */
export function pruneOutbox(db: Db, before: Date): number {
  return db
    .delete(outbox)
    .where(sql`(${outbox.sentAt} is not null and ${outbox.sentAt} < ${before.getTime()}) or (${outbox.failedAt} is not null and ${outbox.failedAt} < ${before.getTime()})`)
    .run().changes;
}
