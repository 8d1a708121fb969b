import type { Api } from 'grammy';
import { menuCommands } from '../../handlers/commands';
import { findContact } from '../../storage/repositories/contacts';
import type { AppDeps } from '../../handlers/types';

/**
 * Telegram's command menu: contact commands for everyone, and the office commands added in the private
 * chats of office accounts (a chat-scoped menu), so the menu offers each person what they may use.
 */
export function createOfficeMenu(deps: AppDeps): (api: Api, userId: string, chatId: number) => Promise<void> {
  const done = new Set<number>();
  return async (api, userId, chatId) => {
    if (done.has(chatId)) return;
    const contact = findContact(deps.db, 'telegram', userId);
    if (!contact?.active || contact.role !== 'office') return;
    done.add(chatId);
    await api.setMyCommands(menuCommands('office'), { scope: { type: 'chat', chat_id: chatId } }).catch((err: unknown) => {
      done.delete(chatId);
      deps.log.warn('office menu not set', { err: err instanceof Error ? err.message : String(err) });
    });
  };
}
