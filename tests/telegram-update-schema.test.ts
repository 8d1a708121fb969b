import { describe, expect, it } from 'vitest';
import { parseTelegramUpdate } from '../bot/telegram/update-schema';

/** The check before an update is stored or handled: the fields we read are checked, the update kept as it came. */
describe('parseTelegramUpdate', () => {
  const from = { id: 4201, is_bot: false, first_name: 'Lan', language_code: 'vi', is_premium: true };
  const chat = { id: 4201, type: 'private', first_name: 'Lan', username: 'lan_thpt' };

  it('an update with fields we do not read (today’s and future ones) is accepted and kept whole, not copied', () => {
    const update = {
      update_id: 77,
      message: { message_id: 5, date: 1_780_000_000, chat, from, text: '12 đoàn', entities: [{ type: 'bold', offset: 0, length: 2 }], link_preview_options: { is_disabled: true }, some_future_field: { a: [1, 2] } },
      another_future_kind: { x: 1 },
    };
    const snapshot = structuredClone(update);
    const parsed = parseTelegramUpdate(update);
    expect(parsed).toBe(update);
    expect(update).toEqual(snapshot);
    const press = { update_id: 78, callback_query: { id: 'q1', from, chat_instance: '-1', message: { message_id: 6, date: 0, chat }, data: '/boqua' } };
    expect(parseTelegramUpdate(press)).toBe(press);
  });

  it('a field we read with the wrong type refuses the whole update', () => {
    expect(parseTelegramUpdate({ update_id: 79, message: { message_id: 5, date: 1, chat, from: { ...from, first_name: 7 }, text: 'x' } })).toBeNull();
    expect(parseTelegramUpdate({ update_id: 80, callback_query: { id: 'q', from, data: 15 } })).toBeNull();
    expect(parseTelegramUpdate({ update_id: -1 })).toBeNull();
    expect(parseTelegramUpdate(null)).toBeNull();
  });
});
