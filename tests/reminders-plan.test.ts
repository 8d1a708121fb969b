import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { closeDeps, makeDeps, tempDir } from './helpers/harness';
import { populateProvince } from './fixtures/scheduler-child';
import { createReminderScheduler } from '../handlers/reminders/scheduler';
import type { SendFn } from '../handlers/reminders/send';
import type { AppDeps } from '../handlers/types';
import { bindContact, touchContact } from '../storage/repositories/contacts';
import { ensurePeriod } from '../storage/repositories/periods';
import { confirmSubmission, createSubmission } from '../storage/repositories/submissions';
import { periodInfo, toWall } from '../domain/periods';
import { reminderSlots, withinWorkingHours } from '../domain/reminders';
import type { Reply } from '../domain/replies';

/**
 * The scheduler's planning over a whole period with a fixed, stepped clock: the real scheduler and a real
 * SQLite file, ticking every 30 minutes from before 2026-H1 opens to after it closes; the channel is a
 * function recording what it is given. Covers which slot fires when, quiet hours, Sundays, catch-up
 * after downtime and a unit confirming mid-way.
 */

const H1 = '2026-H1';
const local = (iso: string) => new Date(`${iso}+07:00`);

let tmp: ReturnType<typeof tempDir>;
let deps: AppDeps;
let now: Date;

beforeEach(() => {
  tmp = tempDir();
  now = new Date(0);
  deps = makeDeps(`${tmp.dir}/bot.db`, () => now, { PERIOD_KINDS: 'half,year' });
});

afterEach(() => {
  closeDeps(deps);
  tmp.cleanup();
});

interface Received {
  contactId: number;
  at: Date;
  text: string;
}

describe('scheduled reminders across 2026-H1', () => {
  test('each slot fires once at its time; downtime catches up with the latest slot; a confirmation stops them', async () => {
    const p = populateProvince(deps.db, { units: 3, contactsOf: (i) => (i === 0 ? 2 : 1), periodId: H1, now: local('2026-04-01T08:00:00') });
    const [a1, a2, b, c] = p.contacts as [typeof p.contacts[0], typeof p.contacts[0], typeof p.contacts[0], typeof p.contacts[0]];
    const office = bindContact(deps.db, touchContact(deps.db, 'telegram', '1', 'Văn phòng', now).id, null, 'office');

    const received: Received[] = [];
    const digests: Date[] = [];
    const send: SendFn = async (contact, replies: Reply[]) => {
      if (contact.id === office.id) digests.push(now);
      else for (const r of replies) received.push({ contactId: contact.id, at: now, text: r.text });
    };
    const scheduler = createReminderScheduler(deps, { telegram: send });
    const period = periodInfo(H1, deps.config.calendar);
    const slots = reminderSlots(period, deps.config.reminders.plan);
    expect(slots.map((s) => s.id)).toEqual(['before-7', 'before-3', 'before-1', 'deadline', 'after-1', 'after-2', 'after-3']);

    // Down from 29/4 until Sunday 03/5 06:00: before-3 (Saturday 02/5) is missed, Sunday sends nothing,
    // Monday 04/5 07:30 sends before-1 only. Unit B confirms on 04/5 at 15:00.
    const down = { from: local('2026-04-29T00:00:00').getTime(), to: local('2026-05-03T06:00:00').getTime() };
    const confirmB = local('2026-05-04T15:00:00').getTime();
    let confirmed = false;
    for (let t = period.opensAt.getTime() - 86_400_000; t < period.closesAt.getTime() + 86_400_000; t += 30 * 60_000) {
      if (down.from <= t && t < down.to) continue;
      now = new Date(t);
      if (!confirmed && t >= confirmB) {
        const sub = createSubmission(deps.db, b.unitId!, H1, ensurePeriod(deps.db, H1).formVersionId, now);
        confirmSubmission(deps.db, sub.id, b.id, now);
        confirmed = true;
      }
      await scheduler.tick();
    }

    const at = (id: string) => slots.find((s) => s.id === id)!.at.toISOString();
    const timeline = (contactId: number) => received.filter((r) => r.contactId === contactId).map((r) => r.at.toISOString());
    const full = [at('before-7'), local('2026-05-04T07:30:00').toISOString(), at('deadline'), at('after-1'), at('after-2'), at('after-3')];
    expect(at('before-1')).toBe(local('2026-05-04T07:30:00').toISOString());
    for (const contact of [a1, a2, c]) expect(timeline(contact.id)).toEqual(full);
    expect(timeline(b.id)).toEqual(full.slice(0, 2));

    // Never at night, never on a Sunday.
    for (const r of received) {
      expect(withinWorkingHours(r.at, deps.config.reminders.plan)).toBe(true);
      expect(toWall(r.at, deps.config.timeZone).day()).not.toBe(0);
    }
    // Worded by the deadline: days left, tomorrow, today, then overdue.
    const texts = received.filter((r) => r.contactId === a1.id).map((r) => r.text);
    expect(texts[0]).toContain('có hạn nộp 05/5/2026 (còn 7 ngày)');
    expect(texts[1]).toContain('có hạn nộp ngày mai, 05/5/2026');
    expect(texts[2]).toContain('có hạn nộp hôm nay, 05/5/2026');
    for (const t of texts.slice(3)) expect(t).toContain('đã quá hạn nộp (hạn ngày 05 tháng 5 năm 2026)');
    for (const t of texts) expect(t).toMatch(/Vui lòng gõ \/nhap để (bắt đầu|tiếp tục) nhập/);
    // One digest per round that sent something: six rounds.
    expect(digests.map((d) => d.toISOString())).toEqual(full);
  }, 60_000);
});

describe('REMINDER_* settings', () => {
  test('defaults, overrides, and a wrong value named by its variable', () => {
    expect(loadConfig({}).reminders).toEqual({
      enabled: true,
      plan: { beforeDays: [7, 3, 1], onDeadlineDay: true, afterEveryDays: 2, afterMaxTimes: 3, workStart: '07:30', workEnd: '20:00', skipSundays: true, timeZone: 'Asia/Ho_Chi_Minh' },
      tickSeconds: 60,
      concurrency: 10,
      sendingLeaseSeconds: 600,
      maxAttempts: 5,
    });
    const c = loadConfig({ REMINDER_BEFORE_DAYS: '1, 5', REMINDER_SKIP_SUNDAYS: 'false', REMINDER_WORK_END: '17:00', ZALO_MAX_PER_SECOND: '2.5' });
    expect(c.reminders.plan).toMatchObject({ beforeDays: [5, 1], skipSundays: false, workEnd: '17:00' });
    expect(c.zaloRateLimit).toEqual({ perSecond: 2.5, perChatPerSecond: 1 });
    expect(() => loadConfig({ REMINDER_WORK_START: '21:00' })).toThrow(/REMINDER_WORK_END: Giờ kết thúc làm việc phải sau giờ bắt đầu/);
    expect(() => loadConfig({ REMINDER_SKIP_SUNDAYS: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ REMINDER_CONCURRENCY: '0' })).toThrow(/REMINDER_CONCURRENCY/);
  });
});
