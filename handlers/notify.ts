import type { Reply } from '../domain/replies';
import type { Db } from '../storage/db';
import type { Channel, ContactRow } from '../storage/schema';
import type { ChannelSenders } from './reminders/send';

/**
 * Messages to people other than the one who wrote (a unit told its report was returned): commands only
 * get AppDeps, while the channels' send functions live next to the channels (bot/outbox). Keyed by the
 * database, like the reminder scheduler's registry.
 */
const registry = new WeakMap<Db, ChannelSenders>();

export function attachSenders(db: Db, senders: ChannelSenders): void {
  registry.set(db, senders);
}

export function detachSenders(db: Db): void {
  registry.delete(db);
}

/** Sends to each contact through its channel; how many were reached. Failures are logged, never thrown. */
export async function notifyContacts(
  db: Db,
  contacts: readonly ContactRow[],
  replies: Reply[],
  log: { warn: (m: string, f?: Record<string, unknown>) => void },
): Promise<number> {
  const senders = registry.get(db);
  let reached = 0;
  for (const contact of contacts) {
    const send = senders?.[contact.channel as Channel];
    if (!send || !contact.reachable) continue;
    try {
      await send(contact, replies);
      reached += 1;
    } catch (err) {
      log.warn('notification failed', { contactId: contact.id, err: err instanceof Error ? err.message : String(err) });
    }
  }
  return reached;
}
