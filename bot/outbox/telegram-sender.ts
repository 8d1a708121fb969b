import type { Api, Bot } from 'grammy';
import { RecipientUnreachableError, type SendFn } from '../../handlers/reminders/send';
import { sendReplies } from '../telegram/bot';
import { initiatedApi, isRecipientGone } from './telegram';

/**
 * The scheduler's way to reach a Telegram contact: through the bot's outgoing queue, one message per
 * second per chat; a 403 (blocked, account deleted) becomes RecipientUnreachableError.
 */
export function telegramReminderSender(bot: Pick<Bot, 'token' | 'api'>): SendFn {
  return sendThrough(initiatedApi(bot));
}

export function sendThrough(api: Api): SendFn {
  return async (contact, replies) => {
    try {
      await sendReplies(api, contact.externalId, replies);
    } catch (err) {
      if (isRecipientGone(err)) throw new RecipientUnreachableError(err.description);
      throw err;
    }
  };
}
