import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { eq } from 'drizzle-orm';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-server';
import { closeDeps, makeDeps, tempDir } from './helpers/harness';
import { populateProvince, type Province } from './fixtures/scheduler-child';
import { createTelegramBot } from '../bot/telegram/bot';
import { telegramReminderSender } from '../bot/outbox/telegram-sender';
import { createReminderScheduler, type ReminderScheduler } from '../handlers/reminders/scheduler';
import type { AppDeps } from '../handlers/types';
import { bindContact, touchContact } from '../storage/repositories/contacts';
import { confirmSubmission, createSubmission } from '../storage/repositories/submissions';
import { ensurePeriod } from '../storage/repositories/periods';
import { contacts, reminderSends } from '../storage/schema';
import { periodInfo } from '../domain/periods';
import { reminderSlots } from '../domain/reminders';

/**
 * Scheduled rounds end to end: the real scheduler claims rows in a real SQLite file and sends through the
 * real grammY client (with the throttler and auto-retry) to the fake Bot API server, which enforces 30
 * messages per second overall and 1 per second per chat, answering 429 with retry_after beyond that.
 */

// Saturday 02/5/2026 10:00 in Hà Nội: the latest due slot of 2026-H1 (deadline Tuesday 05/5) is before-3.
const SATURDAY_10H = new Date('2026-05-02T03:00:00Z');
const H1 = '2026-H1';

let tmp: ReturnType<typeof tempDir>;
let fake: FakeTelegram;
let deps: AppDeps;
let now: Date;

beforeEach(() => {
  tmp = tempDir();
  now = SATURDAY_10H;
  // Quarters off: 2026-Q1 (due 05/4) is still open on 02/5 and would get its own reminders.
  deps = makeDeps(`${tmp.dir}/bot.db`, () => now, { PERIOD_KINDS: 'half,year' });
});

afterEach(async () => {
  await fake?.close();
  closeDeps(deps);
  tmp.cleanup();
});

function schedulerFor(fakeServer: FakeTelegram, settings = {}): ReminderScheduler {
  const bot = createTelegramBot({ token: fakeServer.token, apiRoot: fakeServer.apiRoot, deps });
  return createReminderScheduler(deps, { telegram: telegramReminderSender(bot) }, settings);
}

const chatOf = (c: { externalId: string }) => Number(c.externalId);

function bindOffice(chat: number) {
  const c = touchContact(deps.db, 'telegram', String(chat), 'Văn phòng Sở', now);
  return bindContact(deps.db, c.id, null, 'office');
}

describe('a reminder round through the rate-limited fake Telegram server', () => {
  test('300 contacts: every due reminder arrives exactly once, none to confirmed units, blocked ones listed', async () => {
    fake = await startFakeTelegram({ rateLimit: { global: 30, perChat: 1 } });
    // 200 units; the first 100 have two contacts each: 300 contacts. Every 5th unit confirmed; every 3rd started.
    const p: Province = populateProvince(deps.db, {
      units: 200,
      contactsOf: (i) => (i < 100 ? 2 : 1),
      confirmed: (i) => i % 5 === 0,
      answered: (i) => (i % 3 === 0 ? 10 : 0),
      periodId: H1,
      now,
    });
    expect(p.contacts).toHaveLength(300);
    const office = bindOffice(1);
    const blocked = p.contacts.filter((c) => !p.confirmedUnitIds.has(c.unitId!)).slice(10, 13);
    for (const c of blocked) fake.setBlocked(chatOf(c), true);
    // A unit that confirms while the round is under way: its contacts come last (highest ids).
    const lateUnit = p.units.at(-1)!;
    const lateContacts = p.contacts.filter((c) => c.unitId === lateUnit.id);
    const dueContacts = p.contacts.filter((c) => !p.confirmedUnitIds.has(c.unitId!) && !blocked.includes(c) && c.unitId !== lateUnit.id);

    const scheduler = schedulerFor(fake);
    const confirmMidway = fake.waitForCall('sendMessage', () => fake.callsOf('sendMessage').length >= 100, 20_000).then(() => {
      const sub = createSubmission(deps.db, lateUnit.id, H1, ensurePeriod(deps.db, H1).formVersionId, now);
      confirmSubmission(deps.db, sub.id, lateContacts[0]!.id, now);
    });
    const started = Date.now();
    const [report] = await scheduler.tick();
    const elapsed = Date.now() - started;
    await confirmMidway;

    // Exactly once to every due contact, nothing to contacts of confirmed units.
    const reminderCalls = fake.callsOf('sendMessage').filter((c) => String(c.body.text).startsWith('🔔'));
    const perChat = new Map<number, number>();
    for (const c of reminderCalls) perChat.set(Number(c.chat_id), (perChat.get(Number(c.chat_id)) ?? 0) + 1);
    expect([...perChat.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(perChat.keys())).toEqual(new Set(dueContacts.map(chatOf)));
    for (const c of p.contacts.filter((x) => p.confirmedUnitIds.has(x.unitId!))) expect(fake.messagesTo(chatOf(c))).toEqual([]);
    for (const c of lateContacts) expect(fake.messagesTo(chatOf(c))).toEqual([]);
    expect(report).toMatchObject({ periodId: H1, kind: 'scheduled', sent: dueContacts.length, unreachable: 3, failed: 0 });

    // The text: period, deadline as a date, questions left for the unit, the command to continue.
    const started10 = p.contacts.find((c) => p.answeredByUnit.get(c.unitId!) === 10 && dueContacts.includes(c))!;
    const text = fake.messagesTo(chatOf(started10))[0]!;
    expect(text).toContain('6 tháng đầu năm 2026');
    expect(text).toContain('05/5/2026 (còn 3 ngày)');
    expect(text).toContain(`còn ${p.questions - 10}/${p.questions} câu hỏi chưa trả lời`);
    expect(text).toContain('/nhap');
    const notStarted = dueContacts.find((c) => !p.answeredByUnit.has(c.unitId!))!;
    expect(fake.messagesTo(chatOf(notStarted))[0]).toContain(`chưa nhập câu nào (báo cáo gồm ${p.questions} câu hỏi)`);

    // The database agrees, and blocked contacts are unreachable from now on.
    const rows = deps.db.select().from(reminderSends).all();
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(dueContacts.length);
    expect(rows.filter((r) => r.status === 'sending')).toHaveLength(0);
    expect(rows.every((r) => r.slotId === 'before-3')).toBe(true);
    for (const c of blocked) expect(deps.db.select().from(contacts).where(eq(contacts.id, c.id)).get()!.reachable).toBe(false);

    // The rate: never above 30 messages in any second (the fake would have refused), and not far below it.
    // The queue spaces sends ~20 ms wider than needed per second; a stall of the shared event loop longer
    // than that (the whole suite runs on 2 cores) can still bunch a few arrivals: auto-retry absorbs those
    // 429s, and the bench (bench/reminders.bench.ts) shows none on a quiet machine.
    expect(elapsed).toBeGreaterThanOrEqual(((dueContacts.length - 30) / 30) * 1000);
    expect(fake.tooManyRequests).toBeLessThanOrEqual(Math.ceil(dueContacts.length * 0.05));

    // The office digest: confirmed x of y, the units still missing, the unreachable contacts.
    const digest = await fake.waitForMessage(chatOf(office), (t) => t.includes('TỔNG HỢP NHẮC BÁO CÁO'), 10_000);
    expect(digest).toContain('Đã xác nhận: 41/200 đơn vị.');
    expect(digest).toContain(`đã gửi ${dueContacts.length} tin`);
    expect(digest).toContain('Đơn vị chưa xác nhận (159):');
    for (const c of blocked) expect(digest).toContain(`${c.displayName} — `);

    // A second tick sends nothing more.
    const before = fake.callsOf('sendMessage').length;
    const again = await scheduler.tick();
    expect(again.every((r) => r.planned === 0)).toBe(true);
    expect(fake.callsOf('sendMessage').length).toBe(before);
  }, 60_000);
});

describe('scheduled rounds over time', () => {
  test('after downtime only the latest missed slot goes out, and each later slot once', async () => {
    fake = await startFakeTelegram();
    const p = populateProvince(deps.db, { units: 4, confirmed: (i) => i === 0, periodId: H1, now });
    const scheduler = schedulerFor(fake);
    const due = p.contacts.filter((c) => !p.confirmedUnitIds.has(c.unitId!));
    const slots = reminderSlots(periodInfo(H1, deps.config.calendar), deps.config.reminders.plan);
    const at = (id: string, minutes = 30) => new Date(slots.find((s) => s.id === id)!.at.getTime() + minutes * 60_000);

    // The bot was down from before before-7 until the morning after the deadline: one reminder, after-1 wording.
    now = at('after-1');
    await scheduler.tick();
    await scheduler.tick();
    for (const c of due) {
      const texts = fake.messagesTo(chatOf(c));
      expect(texts).toHaveLength(1);
      expect(texts[0]).toContain('đã quá hạn nộp (hạn ngày 05 tháng 5 năm 2026)');
    }
    // Later the same day, at night and on the next slot.
    now = at('after-1', 8 * 60);
    await scheduler.tick();
    now = at('after-2', -60); // 06:30, before working hours
    await scheduler.tick();
    for (const c of due) expect(fake.messagesTo(chatOf(c))).toHaveLength(1);
    now = at('after-2');
    await scheduler.tick();
    for (const c of due) expect(fake.messagesTo(chatOf(c))).toHaveLength(2);
    const slotsSent = deps.db.select().from(reminderSends).all().map((r) => r.slotId);
    expect(new Set(slotsSent)).toEqual(new Set(['after-1', 'after-2']));
    for (const c of p.contacts.filter((x) => p.confirmedUnitIds.has(x.unitId!))) expect(fake.messagesTo(chatOf(c))).toEqual([]);
  });

  test('a failed send is retried on a later tick; a blocked contact is skipped until it unblocks', async () => {
    fake = await startFakeTelegram();
    const p = populateProvince(deps.db, { units: 2, periodId: H1, now });
    const [a, b] = p.contacts as [(typeof p.contacts)[0], (typeof p.contacts)[0]];
    const scheduler = schedulerFor(fake);
    fake.failNext('sendMessage', { error_code: 400, description: 'Bad Request: something odd' });
    fake.setBlocked(chatOf(b), true);
    const [first] = await scheduler.tick();
    expect(first).toMatchObject({ sent: 0, failed: 1, unreachable: 1 });
    const [second] = await scheduler.tick();
    expect(second).toMatchObject({ planned: 1, sent: 1 });
    expect(fake.messagesTo(chatOf(a))).toHaveLength(1);
    expect(fake.messagesTo(chatOf(b))).toHaveLength(0);
    // The user unblocks: Telegram sends my_chat_member 'member'; the router marks them reachable.
    fake.setBlocked(chatOf(b), false);
    deps.db.update(contacts).set({ reachable: true }).where(eq(contacts.id, b.id)).run();
    const [third] = await scheduler.tick();
    expect(third).toMatchObject({ planned: 1, sent: 1 });
    expect(fake.messagesTo(chatOf(b))).toHaveLength(1);
  });
});

describe('two schedulers on one database', () => {
  test('ticking at the same time (two connections, as two processes would), each reminder goes out once', async () => {
    fake = await startFakeTelegram({ rateLimit: { global: 30, perChat: 1 } });
    const p = populateProvince(deps.db, { units: 40, confirmed: (i) => i % 4 === 0, periodId: H1, now });
    const due = p.contacts.filter((c) => !p.confirmedUnitIds.has(c.unitId!));
    // A second connection to the same SQLite file: what a second bot process would hold.
    const other = makeDeps(`${tmp.dir}/bot.db`, () => now, { PERIOD_KINDS: 'half,year' });
    try {
      const botA = createTelegramBot({ token: fake.token, apiRoot: fake.apiRoot, deps });
      const botB = createTelegramBot({ token: fake.token, apiRoot: fake.apiRoot, deps: other });
      const a = createReminderScheduler(deps, { telegram: telegramReminderSender(botA) }, { concurrency: 4 });
      const b = createReminderScheduler(other, { telegram: telegramReminderSender(botB) }, { concurrency: 4 });
      const [[ra], [rb]] = await Promise.all([a.tick(), b.tick()]);
      // Each planned from what it saw (the other's claims under way are left out); between them every due
      // reminder was sent once, and whatever both planned, one of them skipped.
      expect(ra!.planned).toBe(due.length);
      expect(rb!.planned).toBeGreaterThan(0);
      expect(ra!.sent + rb!.sent).toBe(due.length);
      expect(rb!.sent).toBeGreaterThan(0);
      expect(ra!.skipped + rb!.skipped).toBe(ra!.planned + rb!.planned - due.length);
      const perChat = new Map<number, number>();
      for (const c of fake.callsOf('sendMessage').filter((x) => String(x.body.text).startsWith('🔔'))) {
        perChat.set(Number(c.chat_id), (perChat.get(Number(c.chat_id)) ?? 0) + 1);
      }
      expect(new Set(perChat.keys())).toEqual(new Set(due.map(chatOf)));
      expect([...perChat.values()].every((n) => n === 1)).toBe(true);
    } finally {
      closeDeps(other);
    }
  }, 30_000);
});
