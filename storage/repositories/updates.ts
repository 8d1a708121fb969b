import type { Db } from '../db';
import { processedUpdates, type Channel } from '../schema';

/** Records an incoming update; false when it was already processed (a duplicate delivery). */
export function markUpdateProcessed(db: Db, channel: Channel, updateKey: string, now: Date): boolean {
  const res = db.insert(processedUpdates).values({ channel, updateKey, processedAt: now }).onConflictDoNothing().run();
  return res.changes === 1;
}
