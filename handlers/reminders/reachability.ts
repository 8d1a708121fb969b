import { findContact, setReachable } from '../../storage/repositories/contacts';
import type { Channel } from '../../storage/schema';
import type { AppDeps } from '../types';

/**
 * A send to this account was refused for good (it blocked the bot): reminders skip it and the office digest
 * lists it, until the user writes to the bot again (touchContact) or unblocks it (my_chat_member).
 */
export function markUnreachable(deps: Pick<AppDeps, 'db' | 'log'>, channel: Channel, externalId: string, reason: string): void {
  const contact = findContact(deps.db, channel, externalId);
  if (!contact || !contact.reachable) return;
  setReachable(deps.db, contact.id, false);
  deps.log.info('contact unreachable', { channel, contactId: contact.id, reason });
}
