import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formLinks } from '../storage/schema';
import { H1_CLOCK } from './helpers/harness';
import { startApp, telegramChat, zaloChat, type App } from './helpers/channels';

/**
 * Without an https PUBLIC_URL the page cannot be reached from a phone: /nhap then offers no button on
 * Telegram and no link on Zalo, issues no link, and the conversation goes on as before.
 */

let app: App;
beforeAll(async () => {
  // startApp's PUBLIC_URL is plain http on 127.0.0.1 (good enough for webhooks in tests, not for a phone).
  app = await startApp({ telegram: 'polling', zalo: 'polling', clock: () => H1_CLOCK });
}, 30_000);
afterAll(async () => {
  await app?.close();
});

describe('no https PUBLIC_URL', () => {
  test('Telegram: /nhap asks the first question with no "Mở biểu mẫu" button', async () => {
    const chat = telegramChat(app, 7401);
    await chat.send(`/start ${app.codeOf('THPT-THANGLONG')}`);
    await chat.expectReply('Đã liên kết');
    await chat.send('/nhap');
    await chat.expectReply('Câu 1/');
    const buttons = app.tg!.botMessages(7401).flatMap((m) => m.inlineKeyboard?.flat() ?? []);
    expect(buttons.length).toBeGreaterThan(0);
    expect(buttons.some((b) => b.web_app !== undefined || b.text === 'Mở biểu mẫu')).toBe(false);
  });

  test('Zalo: /nhap asks the first question with no link, and no link is issued', async () => {
    const chat = zaloChat(app, 'zalo-offer-1');
    await chat.send(`/start ${app.codeOf('PGD-DALAT')}`);
    await chat.expectReply('Đã liên kết');
    await chat.send('/nhap');
    const text = await chat.expectReply('Câu 1/');
    expect(text).not.toContain('/form/');
    expect(app.deps.db.select().from(formLinks).all()).toHaveLength(0);
  });
});
