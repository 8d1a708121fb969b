import type { Db } from '../../storage/db';
import type { ReminderScheduler } from './scheduler';

/**
 * The running scheduler of a database, for /nhacnho: commands only get AppDeps, while the scheduler holds
 * the channels' send functions and is started next to the channels (bot/main.ts). Keyed by the database
 * so that tests running several bots in one process never share one.
 */
const schedulers = new WeakMap<Db, ReminderScheduler>();

export function attachScheduler(db: Db, scheduler: ReminderScheduler): void {
  schedulers.set(db, scheduler);
}

export function detachScheduler(db: Db): void {
  schedulers.delete(db);
}

export function schedulerFor(db: Db): ReminderScheduler | undefined {
  return schedulers.get(db);
}
