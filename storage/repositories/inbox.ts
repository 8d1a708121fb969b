import { and, asc, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { plainWrite } from '../plain-statements';
import { inbox, type Channel, type InboxRow } from '../schema';

/**
 * The webhook inbox: an update is written here before its delivery is acknowledged, and marked once it
 * has been handled. A row left unmarked by a crash is handled at the next start.
 */

const statements = perDb((db) => ({
  // A plain statement: every delivery runs it before its acknowledgement. No row back: already stored.
  store: db.$client.prepare('insert into inbox (channel, update_key, payload, received_at) values (?, ?, ?, ?) on conflict do nothing returning id').pluck(),
  mark: plainWrite<{ id: number; nowMs: number }>(
    db,
    db
      .update(inbox)
      .set({ processedAt: sql`${sql.placeholder('nowMs')}` })
      .where(and(eq(inbox.id, sql.placeholder('id')), isNull(inbox.processedAt))),
  ),
}));

/** Stores an update; its row id, or null when one with the same key is already there (a repeated delivery). */
export function storeInboxUpdate(db: Db, u: { channel: Channel; updateKey: string; payload: string; now: Date }): number | null {
  return (statements(db).store.get(u.channel, u.updateKey, u.payload, u.now.getTime()) as number | undefined) ?? null;
}

export function markInboxProcessed(db: Db, id: number, now: Date): void {
  statements(db).mark({ id, nowMs: now.getTime() });
}

/** Rows of a channel not yet handled, oldest first. */
export function pendingInbox(db: Db, channel: Channel): InboxRow[] {
  return db.select().from(inbox).where(and(eq(inbox.channel, channel), isNull(inbox.processedAt))).orderBy(asc(inbox.id)).all();
}

/** Payloads hold personal messages: handled rows are dropped after a while (processed_updates keeps the dedup). */
export function pruneProcessedInbox(db: Db, before: Date): number {
  return db.delete(inbox).where(and(isNotNull(inbox.processedAt), lt(inbox.processedAt, before))).run().changes;
}
