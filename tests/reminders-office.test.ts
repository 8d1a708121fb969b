import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-server';
import { closeDeps, H1_CLOCK, makeDeps, seed, tempDir } from './helpers/harness';
import { createTelegramBot } from '../bot/telegram/bot';
import { startTelegramPolling, type TelegramChannel } from '../bot/telegram/channel';
import { telegramReminderSender } from '../bot/outbox/telegram-sender';
import { createReminderScheduler, type ReminderScheduler } from '../handlers/reminders/scheduler';
import { attachScheduler } from '../handlers/reminders/registry';
import type { AppDeps } from '../handlers/types';
import type { DemoSeed } from '../storage/demo-seed';
import { createInvite } from '../storage/repositories/invites';
import { ensurePeriod, findPeriod } from '../storage/repositories/periods';
import { confirmSubmission, createSubmission } from '../storage/repositories/submissions';
import { auditLog, contacts, reminderSends } from '../storage/schema';
import { displayInviteCode } from '../domain/invite-code';

/**
 * The office's side of reminders end to end: /nhacnho, /ky and the digest through the real grammY bot
 * long-polling the fake Bot API server, on a real SQLite file; unit contacts are refused both commands.
 */

const OFFICE = 5001;
const PRINCIPAL = 6001; // Trường THPT Chuyên Thăng Long: has started (one answer)
const SILENT_BLOCKER = 6002; // Trường THPT Bùi Thị Xuân: blocked the bot, Telegram never told us
const BLOCKER = 6003; // Phòng GD&ĐT Đà Lạt: blocked the bot (my_chat_member)
const CONFIRMED = 6004; // Phòng GD&ĐT Bảo Lộc: confirmed already

let tmp: ReturnType<typeof tempDir>;
let fake: FakeTelegram;
let deps: AppDeps;
let demo: DemoSeed;
let runner: TelegramChannel;
let scheduler: ReminderScheduler;

const codeOf = (unitCode: string) => displayInviteCode(demo.units.find((u) => u.unit.code === unitCode)!.invite.code);
const unitIdOf = (unitCode: string) => demo.units.find((u) => u.unit.code === unitCode)!.unit.id;

async function say(chat: number, text: string, expectText: string | RegExp): Promise<string> {
  fake.pushText(chat, text);
  // Generous: on a loaded machine (the whole suite on two cores) an answer can take seconds.
  return fake.waitForMessage(chat, (t) => (typeof expectText === 'string' ? t.includes(expectText) : expectText.test(t)), 15_000);
}

beforeEach(async () => {
  tmp = tempDir();
  fake = await startFakeTelegram();
  // Half-year and year periods only: on 01/5/2026 exactly one period (2026-H1) is open.
  deps = makeDeps(`${tmp.dir}/bot.db`, () => H1_CLOCK, { PERIOD_KINDS: 'half,year' });
  demo = seed(deps);
  const bot = createTelegramBot({ token: fake.token, apiRoot: fake.apiRoot, deps });
  scheduler = createReminderScheduler(deps, { telegram: telegramReminderSender(bot) });
  attachScheduler(deps.db, scheduler);
  runner = await startTelegramPolling(bot, deps);

  const officeInvite = createInvite(deps.db, { role: 'office', unitId: null, now: H1_CLOCK });
  await say(OFFICE, `/start ${displayInviteCode(officeInvite.code)}`, 'Đã liên kết tài khoản Văn phòng Sở');
  await say(PRINCIPAL, `/start ${codeOf('THPT-THANGLONG')}`, 'Đã liên kết');
  await say(PRINCIPAL, '/nhap', 'Câu 1/32');
  await say(PRINCIPAL, '12', 'Câu 2/32');
  await say(SILENT_BLOCKER, `/start ${codeOf('THPT-BUITHIXUAN')}`, 'Đã liên kết');
  await say(BLOCKER, `/start ${codeOf('PGD-DALAT')}`, 'Đã liên kết');
  await say(CONFIRMED, `/start ${codeOf('PGD-BAOLOC')}`, 'Đã liên kết');
  const sub = createSubmission(deps.db, unitIdOf('PGD-BAOLOC'), '2026-H1', ensurePeriod(deps.db, '2026-H1').formVersionId, H1_CLOCK);
  confirmSubmission(deps.db, sub.id, null, H1_CLOCK);
});

afterEach(async () => {
  await scheduler.stop();
  await runner.close();
  await fake.close();
  closeDeps(deps);
  tmp.cleanup();
});

const reachable = (chat: number) => deps.db.select().from(contacts).where(eq(contacts.externalId, String(chat))).get()!.reachable;

/** The runner confirms an update before its handler has run: wait for the effect itself. */
async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('/nhacnho and the digest', () => {
  test('a manual round reaches every reachable contact of unconfirmed units once; the office gets the digest', async () => {
    // One user blocks the bot and Telegram tells us; another blocked it without our knowing.
    fake.pushMyChatMember(BLOCKER, 'kicked');
    await until(() => !reachable(BLOCKER), 'the block to be recorded');
    fake.setBlocked(SILENT_BLOCKER, true);

    const ack = await say(OFFICE, '/nhacnho', 'Đang gửi nhắc nhở');
    expect(ack).toBe(
      'Đang gửi nhắc nhở báo cáo 6 tháng đầu năm 2026 tới 2 tài khoản của 2 đơn vị chưa xác nhận. Bản tổng hợp sẽ được gửi tới Văn phòng Sở khi gửi xong.',
    );
    const reminder = await fake.waitForMessage(PRINCIPAL, (t) => t.startsWith('🔔'));
    expect(reminder).toContain('Kính gửi Trường THPT Chuyên Thăng Long');
    expect(reminder).toContain('có hạn nộp 05/5/2026 (còn 4 ngày)');
    expect(reminder).toContain('Đơn vị còn 31/32 câu hỏi chưa trả lời.');
    expect(reminder).toContain('Vui lòng gõ /nhap để tiếp tục nhập');
    expect(fake.lastMessage(PRINCIPAL)!.inlineKeyboard?.flat().map((b) => b.callback_data)).toEqual(['/nhap']);

    const digest = await fake.waitForMessage(OFFICE, (t) => t.includes('TỔNG HỢP NHẮC BÁO CÁO'));
    expect(digest).toContain('📋 TỔNG HỢP NHẮC BÁO CÁO 6 THÁNG ĐẦU NĂM 2026');
    expect(digest).toContain('Hạn nộp: 05/5/2026, còn 4 ngày.');
    expect(digest).toContain('Đã xác nhận: 1/7 đơn vị.');
    expect(digest).toContain('Lượt nhắc theo yêu cầu lúc 10:00 ngày 01/5/2026: đã gửi 1 tin, 1 tài khoản đã chặn bot.');
    expect(digest).toContain('Đơn vị chưa xác nhận (6):');
    expect(digest).toContain('. Trường THPT Chuyên Thăng Long\n');
    expect(digest).toContain('. Phòng Giáo dục Trung học (thuộc Sở) (chưa có tài khoản nhận được tin nhắc)');
    expect(digest).not.toContain('Bảo Lộc');
    expect(digest).toContain('Tài khoản đã chặn bot, không nhận được tin (2):');
    expect(digest).toContain(`- User${BLOCKER} — Phòng Giáo dục và Đào tạo thành phố Đà Lạt (Telegram)`);
    expect(digest).toContain(`- User${SILENT_BLOCKER} — Trường THPT Bùi Thị Xuân (Telegram)`);

    // Nothing to the confirmed unit, nothing to the blocked ones; the silent blocker is now known.
    expect(fake.messagesTo(CONFIRMED).some((t) => t.startsWith('🔔'))).toBe(false);
    expect(fake.messagesTo(BLOCKER).some((t) => t.startsWith('🔔'))).toBe(false);
    expect(fake.messagesTo(SILENT_BLOCKER).some((t) => t.startsWith('🔔'))).toBe(false);
    expect(reachable(SILENT_BLOCKER)).toBe(false);
    const rows = deps.db.select().from(reminderSends).where(like(reminderSends.slotId, 'manual-%')).all();
    expect(rows.map((r) => r.status).sort()).toEqual(['failed', 'sent']);
    const audit = deps.db.select().from(auditLog).where(eq(auditLog.action, 'reminder_round_manual')).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.subject).toBe('period:2026-H1');

    // The user unblocks the bot: reachable again, and the next round reaches them.
    fake.pushMyChatMember(BLOCKER, 'member');
    await until(() => reachable(BLOCKER), 'the unblock to be recorded');
    await say(OFFICE, '/nhacnho', 'tới 2 tài khoản của 2 đơn vị');
    await fake.waitForMessage(BLOCKER, (t) => t.startsWith('🔔'));
    await fake.waitForMessage(PRINCIPAL, (t) => t.startsWith('🔔'));
    await fake.waitForMessage(OFFICE, (t) => t.includes('TỔNG HỢP NHẮC BÁO CÁO'));
  });

  test('the scheduled round sends the due slot and a digest; /nhacnho is refused to unit contacts', async () => {
    const refused = await say(PRINCIPAL, '/nhacnho', 'chỉ dành cho tài khoản Văn phòng Sở');
    expect(refused).toBe('Lệnh này chỉ dành cho tài khoản Văn phòng Sở.');
    await fake.waitForIdle(100);
    expect(deps.db.select().from(reminderSends).all()).toEqual([]);

    // 01/5 10:00: the latest slot of 2026-H1 is before-7 (28/4). One contact blocked the bot silently.
    fake.setBlocked(BLOCKER, true);
    const reports = await scheduler.tick();
    expect(reports).toEqual([{ periodId: '2026-H1', kind: 'scheduled', planned: 3, sent: 2, failed: 0, unreachable: 1, skipped: 0, deferred: 0 }]);
    for (const chat of [PRINCIPAL, SILENT_BLOCKER]) await fake.waitForMessage(chat, (t) => t.startsWith('🔔'));
    const digest = await fake.waitForMessage(OFFICE, (t) => t.includes('TỔNG HỢP NHẮC BÁO CÁO'));
    expect(digest).toContain('Lượt nhắc tự động lúc 10:00 ngày 01/5/2026: đã gửi 2 tin, 1 tài khoản đã chặn bot.');
    expect(digest).toContain('Đã xác nhận: 1/7 đơn vị.');
    // A second tick: nothing due, no digest.
    expect(await scheduler.tick()).toEqual([{ periodId: '2026-H1', kind: 'scheduled', planned: 0, sent: 0, failed: 0, unreachable: 0, skipped: 0, deferred: 0 }]);
  });
});

describe('/ky', () => {
  test('lists the periods, closes and reopens one with an audit trail; bad input changes nothing', async () => {
    const list = await say(OFFICE, '/ky', 'CÁC KỲ BÁO CÁO');
    expect(list).toContain('• 2026-H1 — 6 tháng đầu năm 2026: hạn 05/5/2026, đang mở, đã xác nhận 1/7 đơn vị');
    expect(list).toContain('• 2025-Y — năm 2025: hạn 05/11/2025, đã đóng, đã xác nhận 0/7 đơn vị');
    expect(list).toContain('• 2026-Y — năm 2026: hạn 05/11/2026, chưa mở, đã xác nhận 0/7 đơn vị');

    const closed = await say(OFFICE, '/ky dong 2026-H1', 'Đã đóng kỳ');
    expect(closed).toBe('Đã đóng kỳ báo cáo 6 tháng đầu năm 2026. Đơn vị không nhập hoặc sửa được nữa và bot ngừng nhắc cho kỳ này.');
    expect(findPeriod(deps.db, '2026-H1')!.status).toBe('closed');
    const audit = deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'period_closed'), eq(auditLog.subject, 'period:2026-H1'))).all();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details!)).toEqual({ previous: 'calendar', status: 'closed' });
    // Closed: units cannot enter it, reminders stop, /nhacnho has nothing to do.
    await say(PRINCIPAL, '/nhap', 'Hiện chưa có kỳ báo cáo nào đang mở');
    expect(await scheduler.tick()).toEqual([]);
    await say(OFFICE, '/nhacnho', 'Hiện không có kỳ báo cáo nào đang mở để nhắc.');
    expect(await say(OFFICE, '/ky', 'CÁC KỲ BÁO CÁO')).toContain('• 2026-H1 — 6 tháng đầu năm 2026: hạn 05/5/2026, đã đóng (Văn phòng Sở đóng), đã xác nhận 1/7 đơn vị');

    // Bad input: a clear message, nothing changes.
    await say(OFFICE, '/ky dong 2026-X9', '“2026-X9” không phải mã kỳ báo cáo');
    await say(OFFICE, '/ky xoa 2026-H1', 'Cách dùng: /ky');
    await say(OFFICE, '/ky dong', 'Cách dùng: /ky');
    expect(findPeriod(deps.db, '2026-H1')!.status).toBe('closed');

    // Reopen (diacritics accepted), then back to the calendar.
    await say(OFFICE, '/ky mở 2026-h1', 'Đã mở kỳ báo cáo 6 tháng đầu năm 2026');
    expect(findPeriod(deps.db, '2026-H1')!.status).toBe('open');
    await say(PRINCIPAL, '/nhap', 'Câu 2/32');
    await say(OFFICE, '/ky lich 2026-H1', 'Kỳ báo cáo 6 tháng đầu năm 2026 trở lại đóng, mở theo lịch; hiện đang mở.');
    expect(findPeriod(deps.db, '2026-H1')!.status).toBe('calendar');
    expect(deps.db.select().from(auditLog).where(like(auditLog.action, 'period_%')).all().map((a) => a.action)).toEqual([
      'period_closed',
      'period_opened',
      'period_calendar',
    ]);
  });

  test('refused to unit contacts', async () => {
    expect(await say(PRINCIPAL, '/ky', 'Văn phòng Sở')).toBe('Lệnh này chỉ dành cho tài khoản Văn phòng Sở.');
    expect(await say(PRINCIPAL, '/ky dong 2026-H1', 'Văn phòng Sở')).toBe('Lệnh này chỉ dành cho tài khoản Văn phòng Sở.');
    expect(findPeriod(deps.db, '2026-H1')!.status).toBe('calendar');
  });
});
