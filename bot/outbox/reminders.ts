import type { Bot } from 'grammy';
import type { AppDeps } from '../../handlers/types';
import { attachScheduler } from '../../handlers/reminders/registry';
import { createReminderScheduler, type ReminderScheduler } from '../../handlers/reminders/scheduler';
import type { ChannelSenders, SendFn } from '../../handlers/reminders/send';
import type { ZaloChannel } from '../zalo/adapter';
import { telegramReminderSender } from './telegram-sender';

/** Reaching a Zalo contact: private chats are addressed by the user's id, which is the contact's external id. */
function zaloReminderSender(channel: ZaloChannel): SendFn {
  return (contact, replies) => channel.sendReplies(contact.externalId, replies, contact.externalId);
}

/**
 * Starts the reminder loop over the channels that run (next to them, in bot/main.ts) and makes it
 * available to /nhacnho. Null when REMINDERS_ENABLED=false or no channel can send.
 */
export function startReminderScheduler(deps: AppDeps, channels: { telegram?: Bot | undefined; zalo?: ZaloChannel | undefined }): ReminderScheduler | null {
  const senders: ChannelSenders = {};
  if (channels.telegram) senders.telegram = telegramReminderSender(channels.telegram);
  if (channels.zalo) senders.zalo = zaloReminderSender(channels.zalo);
  if (!deps.config.reminders.enabled) {
    deps.log.info('reminders disabled (REMINDERS_ENABLED=false)');
    return null;
  }
  if (Object.keys(senders).length === 0) return null;
  const scheduler = createReminderScheduler(deps, senders);
  attachScheduler(deps.db, scheduler);
  scheduler.start();
  return scheduler;
}
