import { and, eq, isNull, sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { plainWrite } from '../plain-statements';
import { inbox, processedUpdates, type Channel } from '../schema';

/**
 * De-duplication marks. An update that came through the inbox (every Telegram and Zalo update) is marked
 * on its inbox row: the row is written anyway, and a second table would cost two more pages per message.
 * An update that never was in the inbox (handled directly, as some tools and tests do) gets a row in
 * `processed_updates`.
 */
const statements = perDb((db) => ({
  markInbox: plainWrite<{ channel: Channel; updateKey: string; nowMs: number }>(
    db,
    db
      .update(inbox)
      .set({ processedAt: sql`${sql.placeholder('nowMs')}` })
      .where(and(eq(inbox.channel, sql.placeholder('channel')), eq(inbox.updateKey, sql.placeholder('updateKey')), isNull(inbox.processedAt))),
  ),
  // 1 when handled, 0 when not yet, no row when the update never was in the inbox.
  inInbox: db.$client.prepare('select processed_at is not null from inbox where channel = ? and update_key = ?').pluck(),
  mark: plainWrite<{ channel: Channel; updateKey: string; now: Date }>(
    db,
    db
      .insert(processedUpdates)
      .values({ channel: sql.placeholder('channel'), updateKey: sql.placeholder('updateKey'), processedAt: sql.placeholder('now') })
      .onConflictDoNothing(),
  ),
  seen: db
    .select({ k: processedUpdates.updateKey })
    .from(processedUpdates)
    .where(and(eq(processedUpdates.channel, sql.placeholder('channel')), eq(processedUpdates.updateKey, sql.placeholder('updateKey'))))
    .prepare(),
}));

/** Records an incoming update as handled; false when it was already (a duplicate delivery). */
export function markUpdateProcessed(db: Db, channel: Channel, updateKey: string, now: Date): boolean {
  const s = statements(db);
  if (s.markInbox({ channel, updateKey, nowMs: now.getTime() }).changes === 1) return true;
  if (s.inInbox.get(channel, updateKey) !== undefined) return false;
  return s.mark({ channel, updateKey, now }).changes === 1;
}

export function isUpdateProcessed(db: Db, channel: Channel, updateKey: string): boolean {
  const s = statements(db);
  const processed = s.inInbox.get(channel, updateKey);
  if (processed !== undefined) return processed === 1;
  return s.seen.get({ channel, updateKey }) !== undefined;
}
