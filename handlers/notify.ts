import type { Reply } from '../domain/replies';
import type { Db } from '../storage/db';
import type { Channel, ContactRow } from '../storage/schema';

/**
 * Messages to a contact outside the reply to their own message (a unit told its report was returned, the
 * chat told of a confirmation made on the form page). They are queued in the caller's transaction, next to
 * the change they announce, so a crash can lose neither without the other; the channel's sender sends them
 * after the commit. Each channel registers how its messages are queued (rendering is the channel's
 * business); handlers only know this registry. Keyed by the database, like the reminder scheduler's.
 */
export interface ReplyQueue {
  /** Writes the messages for the contact's private chat, in the caller's transaction. */
  queue(tx: Db, contact: ContactRow, replies: readonly Reply[], now: Date): void;
  /** Rows were committed: the sender should look for work. */
  wake(): void;
}
export type ReplyQueues = Partial<Record<Channel, ReplyQueue>>;

const registry = new WeakMap<Db, ReplyQueues>();
/** Channels with rows queued here and not yet announced to their sender. */
const unannounced = new WeakMap<Db, Set<Channel>>();

/** Adds (or replaces) the queues of some channels; the others stay. */
export function attachQueues(db: Db, queues: ReplyQueues): void {
  registry.set(db, { ...registry.get(db), ...queues });
}

export function detachQueues(db: Db): void {
  registry.delete(db);
}

/**
 * Queues the replies for each reachable contact whose channel has a queue, in the caller's transaction;
 * how many were queued. The router calls `wakeQueues` after every commit; others call it after theirs.
 */
export function queueForContacts(tx: Db, contacts: readonly ContactRow[], replies: Reply[], now: Date): number {
  const queues = registry.get(tx);
  let queued = 0;
  for (const contact of contacts) {
    const q = queues?.[contact.channel as Channel];
    if (!q || !contact.reachable) continue;
    q.queue(tx, contact, replies, now);
    queued += 1;
    let channels = unannounced.get(tx);
    if (!channels) unannounced.set(tx, (channels = new Set()));
    channels.add(contact.channel as Channel);
  }
  return queued;
}

/** Wakes the senders of the channels something was queued for (nothing to do, nearly free). */
export function wakeQueues(db: Db): void {
  const channels = unannounced.get(db);
  if (!channels || channels.size === 0) return;
  const queues = registry.get(db);
  for (const ch of channels) queues?.[ch]?.wake();
  channels.clear();
}
