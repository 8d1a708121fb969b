import type { Api } from 'grammy';
import { menuCommands } from '../../handlers/commands';
import { contactBindingsVersion, findContact } from '../../storage/repositories/contacts';
import type { AppDeps } from '../../handlers/types';

/**
 * Telegram's command menu: contact commands for everyone, and the office commands added in the private
 * chats of office accounts (a chat-scoped menu), so the menu offers each person what they may use.
 */
export function createOfficeMenu(deps: AppDeps): (api: Api, userId: string, chatId: number) => Promise<void> {
  const done = new Set<number>();
  // Chats found not to be an office account's, with the bindings version then: a school's chat is not read
  // again at every answer, only after some contact was bound or unbound.
  const notOffice = new Map<number, number>();
  return async (api, userId, chatId) => {
    if (done.has(chatId)) return;
    const version = contactBindingsVersion(deps.db);
    if (notOffice.get(chatId) === version) return;
    const contact = findContact(deps.db, 'telegram', userId);
    if (!contact?.active || contact.role !== 'office') {
      notOffice.set(chatId, version);
      return;
    }
    notOffice.delete(chatId);
    done.add(chatId);
    await api.setMyCommands(menuCommands('office'), { scope: { type: 'chat', chat_id: chatId } }).catch((err: unknown) => {
      done.delete(chatId);
      deps.log.warn('office menu not set', { err: err instanceof Error ? err.message : String(err) });
    });
  };
}
