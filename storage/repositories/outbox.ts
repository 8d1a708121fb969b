import { eq, sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { rowStatement } from '../rows';
import { plainWrite } from '../plain-statements';
import { outbox, outboxSent, type Channel, type OutboxRow } from '../schema';

/**
 * The reply queue. Rows are written inside the transaction that handled an update, then sent in id order
 * per chat by the channel's sender, which marks each one sent (a row of `outbox_sent`) or refused for good.
 * Whatever is neither is sent again at the next start.
 */

/** One message as a channel will send it: a text (with an optional keyboard) or a document. */
export interface OutMessage {
  text?: string;
  /** Inline keyboard rows, already in the platform's shape (Telegram). */
  buttons?: unknown;
  document?: { filename: string; bytes: Uint8Array; asPhoto?: boolean };
}

/** A row still to send: neither refused nor marked sent. */
const UNSENT = 'failed_at is null and not exists (select 1 from outbox_sent s where s.id = outbox.id)';

/** The two reads made at every send and button press (exported for the test of their query plans). */
export const OUTBOX_READS = {
  // By id from the last row read: the new rows only, each looked up in outbox_sent by its key.
  pending: `select $columns from outbox where id > ? and channel = ? and ${UNSENT} order by id limit ?`,
  // By the chat's keyboards index, newest first.
  newestSentKeyboard: `select o.id as id, s.message_id as messageId from outbox o join outbox_sent s on s.id = o.id
     where o.channel = ? and o.chat_id = ? and o.buttons is not null and s.message_id is not null order by o.id desc limit 1`,
};

const pending = rowStatement<typeof outbox, [after: number, channel: Channel, limit: number]>(outbox, OUTBOX_READS.pending);

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
  // A row sent once is never sent again by this process: a second mark (there is none) would change nothing.
  sent: db.$client.prepare('insert into outbox_sent (id, sent_at, message_id) values (?, ?, ?) on conflict do nothing'),
  // The bytes of a sent document are not kept for the week its row stays.
  dropDocument: db.$client.prepare('update outbox set document = null where id = ?'),
  count: db.$client.prepare(`select count(*) from outbox where channel = ? and ${UNSENT}`).pluck(),
  settledUpTo: db.$client.prepare(`select coalesce((select min(id) - 1 from outbox where channel = ? and ${UNSENT}), (select max(id) from outbox), 0)`).pluck(),
  failChat: db.$client.prepare(`update outbox set failed_at = ?, error = ?, document = null where id >= ? and channel = ? and chat_id = ? and ${UNSENT}`),
  newestSentKeyboard: db.$client.prepare(OUTBOX_READS.newestSentKeyboard),
  keyboardsAfter: db.$client
    .prepare(`select id from outbox where channel = ? and chat_id = ? and buttons is not null and id > ? and ${UNSENT} limit 2`)
    .pluck(),
  pruneRows: db.$client.prepare('delete from outbox where id in (select id from outbox_sent where sent_at < ?) or failed_at < ?'),
  pruneSent: db.$client.prepare('delete from outbox_sent where sent_at < ?'),
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
  return pending(db).all(after, channel, limit);
}

export function countPendingOutbox(db: Db, channel: Channel): number {
  return statements(db).count.get(channel) as number;
}

/**
 * An id at or below which every row of the channel is settled (sent or refused): where the sender starts
 * reading at a start. From 0 it would go through the week of sent rows at every read until a new one came.
 */
export function outboxSettledUpTo(db: Db, channel: Channel): number {
  return statements(db).settledUpTo.get(channel) as number;
}

/** The row went out (`messageId`: the platform's id for it); `hadDocument`: its bytes are dropped. */
export function markOutboxSent(db: Db, m: { id: number; at: Date; messageId: number | null; hadDocument: boolean }): void {
  const s = statements(db);
  s.sent.run(m.id, m.at.getTime(), m.messageId);
  if (m.hadDocument) s.dropDocument.run(m.id);
}

/** When the row was marked sent, and the platform's id for it; undefined while it is not. */
export function outboxSend(db: Db, id: number): { sentAt: Date; messageId: number | null } | undefined {
  return db.select({ sentAt: outboxSent.sentAt, messageId: outboxSent.messageId }).from(outboxSent).where(eq(outboxSent.id, id)).get();
}

/** Refused for good: kept for inspection, never sent. */
export function markOutboxFailed(db: Db, id: number, now: Date, error: string): void {
  db.update(outbox).set({ failedAt: now, error: error.slice(0, 500), document: null }).where(eq(outbox.id, id)).run();
}

/** A transient failure: counted, the row stays pending. */
export function noteOutboxAttempt(db: Db, id: number, error: string): void {
  db.update(outbox).set({ attempts: sql`${outbox.attempts} + 1`, error: error.slice(0, 500) }).where(eq(outbox.id, id)).run();
}

/**
 * The recipient refused the chat (blocked the bot): nothing more of it is sent. `fromId`: the chat's oldest
 * unsettled row (the one refused; a chat's rows go out in order), so only the rows from it on are read.
 */
export function failPendingOfChat(db: Db, channel: Channel, chatId: string, fromId: number, now: Date, error: string): number {
  return statements(db).failChat.run(now.getTime(), error.slice(0, 500), fromId, channel, chatId).changes;
}

/**
 * The chat's keyboards: the platform id of the newest one known delivered, and how many keyboards queued
 * after it are not marked sent yet (counted up to 2; the first may be on its way right now).
 */
export function keyboardState(db: Db, channel: Channel, chatId: string): { newestSentId: number | null; pendingAfter: number } {
  const s = statements(db);
  const sent = s.newestSentKeyboard.get(channel, chatId) as { id: number; messageId: number } | undefined;
  const pendingAfter = s.keyboardsAfter.all(channel, chatId, sent?.id ?? 0).length;
  return { newestSentId: sent?.messageId ?? null, pendingAfter };
}

/** Sent and refused rows are dropped after a while (they hold message texts), and their marks with them. */
export function pruneOutbox(db: Db, before: Date): number {
  const s = statements(db);
  const cut = before.getTime();
  const dropped = s.pruneRows.run(cut, cut).changes;
  s.pruneSent.run(cut);
  return dropped;
}
