import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { inbox, processedUpdates, type Channel } from '../schema';

/**
 * De-duplication marks. An update that came through the inbox (every Telegram and Zalo update) is marked
 * on its inbox row: the row is written anyway, and a second table would cost two more pages per message.
 * An update that never was in the inbox (handled directly, as some tools and tests do) gets a row in
 * `processed_updates`.
 */
const statements = perDb((db) => ({
  markInbox: db
    .update(inbox)
    .set({ processedAt: sql`${sql.placeholder('nowMs')}` })
    .where(and(eq(inbox.channel, sql.placeholder('channel')), eq(inbox.updateKey, sql.placeholder('updateKey')), isNull(inbox.processedAt)))
    .prepare(),
  inInbox: db
    .select({ processed: isNotNull(inbox.processedAt) })
    .from(inbox)
    .where(and(eq(inbox.channel, sql.placeholder('channel')), eq(inbox.updateKey, sql.placeholder('updateKey'))))
    .prepare(),
  mark: db
    .insert(processedUpdates)
    .values({ channel: sql.placeholder('channel'), updateKey: sql.placeholder('updateKey'), processedAt: sql.placeholder('now') })
    .onConflictDoNothing()
    .prepare(),
  seen: db
    .select({ k: processedUpdates.updateKey })
    .from(processedUpdates)
    .where(and(eq(processedUpdates.channel, sql.placeholder('channel')), eq(processedUpdates.updateKey, sql.placeholder('updateKey'))))
    .prepare(),
}));

/** Records an incoming update as handled; false when it was already (a duplicate delivery). */
export function markUpdateProcessed(db: Db, channel: Channel, updateKey: string, now: Date): boolean {
  const s = statements(db);
  if (s.markInbox.run({ channel, updateKey, nowMs: now.getTime() }).changes === 1) return true;
  if (s.inInbox.get({ channel, updateKey })) return false;
  return s.mark.run({ channel, updateKey, now }).changes === 1;
}

export function isUpdateProcessed(db: Db, channel: Channel, updateKey: string): boolean {
  const s = statements(db);
  const row = s.inInbox.get({ channel, updateKey });
  if (row) return Boolean(row.processed);
  return s.seen.get({ channel, updateKey }) !== undefined;
}
