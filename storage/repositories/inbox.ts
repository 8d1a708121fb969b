import { and, asc, eq, isNotNull, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db';
import { inbox, type Channel, type InboxRow } from '../schema';

/**
 * The webhook inbox: an update is written here before its delivery is acknowledged, and marked once it
 * has been handled. A row left unmarked by a crash is handled at the next start.
 */

/** Stores an update; null when one with the same key is already there (a repeated delivery). */
export function storeInboxUpdate(
  db: Db,
  u: { channel: Channel; updateKey: string; payload: string; now: Date },
): InboxRow | null {
  const row = db
    .insert(inbox)
    .values({ channel: u.channel, updateKey: u.updateKey, payload: u.payload, receivedAt: u.now })
    .onConflictDoNothing()
    .returning()
    .get();
  return row ?? null;
}

export function markInboxProcessed(db: Db, id: number, now: Date): void {
  db.update(inbox).set({ processedAt: now }).where(eq(inbox.id, id)).run();
}

/** Rows of a channel not yet handled, oldest first. */
export function pendingInbox(db: Db, channel: Channel): InboxRow[] {
  return db.select().from(inbox).where(and(eq(inbox.channel, channel), isNull(inbox.processedAt))).orderBy(asc(inbox.id)).all();
}

/** Payloads hold personal messages: handled rows are dropped after a while (processed_updates keeps the dedup). */
export function pruneProcessedInbox(db: Db, before: Date): number {
  return db.delete(inbox).where(and(isNotNull(inbox.processedAt), lt(inbox.processedAt, before))).run().changes;
}
