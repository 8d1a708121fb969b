import { and, eq, sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { processedUpdates, type Channel } from '../schema';

const statements = perDb((db) => ({
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

/** Records an incoming update; false when it was already processed (a duplicate delivery). */
export function markUpdateProcessed(db: Db, channel: Channel, updateKey: string, now: Date): boolean {
  return statements(db).mark.run({ channel, updateKey, now }).changes === 1;
}

export function isUpdateProcessed(db: Db, channel: Channel, updateKey: string): boolean {
  return statements(db).seen.get({ channel, updateKey }) !== undefined;
}
