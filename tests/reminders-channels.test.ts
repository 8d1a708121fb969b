import { afterEach, describe, expect, test } from 'vitest';
import { startReminderScheduler } from '../bot/outbox/reminders';
import { detachScheduler } from '../handlers/reminders/registry';
import type { ReminderScheduler } from '../handlers/reminders/scheduler';
import { displayInviteCode } from '../domain/invite-code';
import { reminderSends } from '../storage/schema';
import { startApp, telegramChat, zaloChat, type App } from './helpers/channels';

/**
 * Reminders on both channels in one process, wired as bot/main.ts wires them (startRuntime, then
 * startReminderScheduler over its Telegram bot and Zalo channel): contacts on Telegram and on Zalo get
 * their reminder once per round, the office gets the digest on every account it linked, whichever the
 * channel, and /nhacnho works from either channel but never outside working hours.
 */

// 01/5/2026 10:00 in Hà Nội (a Friday): 2026-H1 (due 05/5) is open and its before-7 slot is due.
const FRIDAY_10H = new Date('2026-05-01T03:00:00Z');

let app: App | undefined;
let scheduler: ReminderScheduler | null = null;
afterEach(async () => {
  await scheduler?.stop();
  if (app) detachScheduler(app.deps.db);
  scheduler = null;
  await app?.close();
  app = undefined;
});

const remindersIn = (texts: string[]) => texts.filter((t) => t.startsWith('🔔'));

describe('reminders and the digest on Telegram and Zalo at once', () => {
  test('scheduled and manual rounds reach the contacts of both channels once each; the digest reaches every office account', async () => {
    let now = FRIDAY_10H;
    app = await startApp({ telegram: 'polling', zalo: 'polling', clock: () => now, env: { PERIOD_KINDS: 'half,year', REMINDER_TICK_SECONDS: '3600' } });
    const a = app;
    const tg = a.tg!;
    const zalo = a.zalo!;
    const officeCode = displayInviteCode(a.demo.officeInvite.code);

    const tgPrincipal = telegramChat(a, 4101);
    await tgPrincipal.send(`/start ${a.codeOf('PGD-DALAT')}`);
    await tgPrincipal.expectReply('Đã liên kết');
    const zaloPrincipal = zaloChat(a, 'zl-principal');
    await zaloPrincipal.send(a.codeOf('THPT-THANGLONG'));
    await zaloPrincipal.expectReply('Đã liên kết');
    const tgOffice = telegramChat(a, 4900);
    await tgOffice.send(`/start ${officeCode}`);
    await tgOffice.expectReply('Văn phòng Sở');
    const zaloOffice = zaloChat(a, 'zl-office');
    await zaloOffice.send(`/start ${officeCode}`);
    await zaloOffice.expectReply('Văn phòng Sở');
    await Promise.all([tgPrincipal.settle(), zaloPrincipal.settle(), tgOffice.settle(), zaloOffice.settle()]);

    const zaloTexts = (chatId: string) => zalo.sent.filter((c) => c.method === 'sendMessage' && c.body.chat_id === chatId).map((c) => String(c.body.text));

    // The first tick runs at start: the before-7 reminder to both contacts, then a digest to both office accounts.
    scheduler = startReminderScheduler(a.deps, { telegram: a.runtime.telegram, zalo: a.runtime.zalo?.channel });
    expect(scheduler).not.toBeNull();
    const tgDigest = await tg.waitForMessage(4900, (t) => t.includes('TỔNG HỢP NHẮC BÁO CÁO'), 10_000);
    const zaloDigest = await zalo.waitFor((c) => c.body.chat_id === 'zl-office' && String(c.body.text).includes('TỔNG HỢP NHẮC BÁO CÁO'), 10_000);
    for (const digest of [tgDigest, String(zaloDigest.body.text)]) {
      expect(digest).toContain('📋 TỔNG HỢP NHẮC BÁO CÁO 6 THÁNG ĐẦU NĂM 2026');
      expect(digest).toContain('Hạn nộp: 05/5/2026, còn 4 ngày.');
      expect(digest).toContain('Lượt nhắc tự động lúc 10:00 ngày 01/5/2026: đã gửi 2 tin.');
      expect(digest).toContain('Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    }
    expect(remindersIn(tg.messagesTo(4101))).toHaveLength(1);
    const zaloReminders = remindersIn(zaloTexts('zl-principal'));
    expect(zaloReminders).toHaveLength(1);
    // On Zalo the Telegram button becomes the command to type.
    expect(zaloReminders[0]).toContain('Kính gửi Trường THPT Chuyên Thăng Long');
    expect(zaloReminders[0]).toContain('có hạn nộp 05/5/2026 (còn 4 ngày)');
    expect(zaloReminders[0]).toMatch(/\n\n\/nhap: nhập báo cáo$/);
    // Office accounts are not units: they get the digest, never a reminder.
    expect(remindersIn(tg.messagesTo(4900))).toEqual([]);
    expect(remindersIn(zaloTexts('zl-office'))).toEqual([]);

    // A second tick at the same slot sends nothing.
    expect((await scheduler!.tick()).every((r) => r.planned === 0)).toBe(true);

    // /nhacnho from the Zalo office account: one more reminder to each contact, a digest to both offices.
    await zaloOffice.send('/nhacnho');
    const ack = await zaloOffice.expectReply('Đang gửi nhắc nhở');
    expect(ack).toContain('tới 2 tài khoản của 2 đơn vị chưa xác nhận');
    await zalo.waitFor((c) => c.body.chat_id === 'zl-office' && String(c.body.text).includes('Lượt nhắc theo yêu cầu'), 10_000);
    await tg.waitForMessage(4900, (t) => t.includes('Lượt nhắc theo yêu cầu'), 10_000);
    expect(remindersIn(tg.messagesTo(4101))).toHaveLength(2);
    expect(remindersIn(zaloTexts('zl-principal'))).toHaveLength(2);
    expect(a.deps.db.select().from(reminderSends).all().map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);

    // At night the office is told when reminders can go out, and nobody is messaged.
    now = new Date('2026-05-01T15:30:00Z'); // 22:30 in Hà Nội
    const before = { tg: tg.messagesTo(4101).length, zalo: zaloTexts('zl-principal').length };
    await tgOffice.send('/nhacnho');
    const refused = await tgOffice.expectReply('ngoài giờ gửi tin nhắc');
    expect(refused).toBe(
      'Bây giờ ngoài giờ gửi tin nhắc (07:30–20:00, trừ Chủ nhật), nên bot không nhắn cho các đơn vị lúc này. Vui lòng gửi lại lệnh /nhacnho trong giờ làm việc.',
    );
    await a.runtime.idle();
    expect((await scheduler!.tick()).length).toBe(0);
    expect(tg.messagesTo(4101)).toHaveLength(before.tg);
    expect(zaloTexts('zl-principal')).toHaveLength(before.zalo);
    expect(a.deps.db.select().from(reminderSends).all()).toHaveLength(4);
  }, 30_000);
});
