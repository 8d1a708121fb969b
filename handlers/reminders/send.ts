import type { Reply } from '../../domain/replies';
import type { Channel, ContactRow } from '../../storage/schema';

/**
 * How the scheduler reaches a contact: one function per channel, given by the channel adapter. It sends
 * through that channel's rate-limited outgoing queue and resolves once the platform accepted the messages.
 */
export type SendFn = (contact: ContactRow, replies: Reply[]) => Promise<void>;
export type ChannelSenders = Partial<Record<Channel, SendFn>>;

/**
 * Thrown by a SendFn when the platform refuses the contact for good (Telegram 403: they blocked the bot).
 * The contact is then marked unreachable and skipped until they write to the bot again.
 */
export class RecipientUnreachableError extends Error {
  constructor(readonly reason: string) {
    super(`recipient unreachable: ${reason}`);
    this.name = 'RecipientUnreachableError';
  }
}
