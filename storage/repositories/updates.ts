import { sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { processedUpdates, type Channel } from '../schema';

const statements = perDb((db) => ({
  mark: db
    .insert(processedUpdates)
    .values({ channel: sql.placeholder('channel'), updateKey: sql.placeholder('updateKey'), processedAt: sql.placeholder('now') })
    .onConflictDoNothing()
    .prepare(),
}));

/** Records an incoming update; false when it was already processed (a duplicate delivery). */
export function markUpdateProcessed(db: Db, channel: Channel, updateKey: string, now: Date): boolean {
  return statements(db).mark.run({ channel, updateKey, now }).changes === 1;
}
