import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createReminderScheduler } from '../handlers/reminders/scheduler';
import { attachScheduler, detachScheduler } from '../handlers/reminders/registry';
import type { SendFn } from '../handlers/reminders/send';
import { handleIncoming } from '../handlers/router';
import type { AppDeps } from '../handlers/types';
import { withinWorkingHours } from '../domain/reminders';
import { bindContact, touchContact } from '../storage/repositories/contacts';
import { reminderSends } from '../storage/schema';
import { closeDeps, makeDeps, tempDir } from './helpers/harness';
import { populateProvince } from './fixtures/scheduler-child';

/**
 * Working hours hold for every reminder, not only for the moment a round starts: a round still running at
 * 20:00 stops there and the rest goes out the next working morning (Sunday skipped), and /nhacnho sends
 * nothing outside working hours. The real scheduler on a real SQLite file; the channel is a function that
 * records what it is given and lets the (fixed, stepped) clock run on by one second per message.
 */

const H1 = '2026-H1';
const local = (iso: string) => new Date(`${iso}+07:00`);

let tmp: ReturnType<typeof tempDir>;
let deps: AppDeps;
let now: Date;

beforeEach(() => {
  tmp = tempDir();
  now = local('2026-05-02T19:59:50'); // Saturday evening; before-3 of 2026-H1 (due Tuesday 05/5) is due
  deps = makeDeps(`${tmp.dir}/bot.db`, () => now, { PERIOD_KINDS: 'half,year' });
});

afterEach(() => {
  detachScheduler(deps.db);
  closeDeps(deps);
  tmp.cleanup();
});

interface Received {
  contactId: number;
  at: Date;
  text: string;
}

describe('working hours', () => {
  test('a round running into 20:00 stops there; the rest go out on Monday morning, once', async () => {
    const p = populateProvince(deps.db, { units: 30, periodId: H1, now });
    const office = bindContact(deps.db, touchContact(deps.db, 'telegram', '1', 'Văn phòng Sở', now).id, null, 'office');
    const received: Received[] = [];
    const digests: string[] = [];
    const send: SendFn = async (contact, replies) => {
      if (contact.id === office.id) digests.push(replies[0]!.text);
      else received.push({ contactId: contact.id, at: now, text: replies[0]!.text });
      now = new Date(now.getTime() + 1000);
    };
    const scheduler = createReminderScheduler(deps, { telegram: send }, { concurrency: 1 });

    const [saturday] = await scheduler.tick();
    // 19:59:50 … 19:59:59: ten reminders, then working hours are over.
    expect(saturday).toMatchObject({ periodId: H1, kind: 'scheduled', planned: 30, sent: 10, deferred: 20, failed: 0 });
    expect(received).toHaveLength(10);
    for (const r of received) expect(withinWorkingHours(r.at, deps.config.reminders.plan)).toBe(true);
    expect(deps.db.select().from(reminderSends).all()).toHaveLength(10);
    expect(digests).toHaveLength(1);
    expect(digests[0]).toContain('đã gửi 10 tin, 20 tin chưa gửi vì đã hết giờ làm việc.');

    // Later that evening, and all Sunday: nothing.
    for (const at of ['2026-05-02T20:30:00', '2026-05-03T07:30:00', '2026-05-03T12:00:00']) {
      now = local(at);
      expect(await scheduler.tick()).toEqual([]);
    }
    expect(received).toHaveLength(10);

    // Monday 07:30: before-1 is now the latest slot; everyone gets it once, the twenty who missed before-3 included.
    now = local('2026-05-04T07:30:00');
    const [monday] = await scheduler.tick();
    expect(monday).toMatchObject({ planned: 30, sent: 30, deferred: 0 });
    const mondayTexts = received.slice(10);
    expect(new Set(mondayTexts.map((r) => r.contactId))).toEqual(new Set(p.contacts.map((c) => c.id)));
    for (const r of mondayTexts) expect(r.text).toContain('có hạn nộp ngày mai, 05/5/2026');
    expect(await scheduler.tick()).toEqual([expect.objectContaining({ planned: 0 })]);
  });

  test('/nhacnho outside working hours is refused and sends nothing; inside them it goes out', async () => {
    populateProvince(deps.db, { units: 3, periodId: H1, now });
    bindContact(deps.db, touchContact(deps.db, 'telegram', '1', 'Văn phòng Sở', now).id, null, 'office');
    const received: number[] = [];
    const scheduler = createReminderScheduler(deps, { telegram: async (contact) => void received.push(contact.id) });
    attachScheduler(deps.db, scheduler);
    let update = 0;
    const officeSays = async (text: string) =>
      (await handleIncoming(deps, { channel: 'telegram', updateKey: `u${++update}`, userId: '1', displayName: 'Văn phòng Sở', event: { kind: 'text', text } }))
        .map((r) => r.text)
        .join('\n');

    for (const at of ['2026-05-02T21:00:00', '2026-05-03T10:00:00', '2026-05-04T07:29:00']) {
      now = local(at);
      expect(await officeSays('/nhacnho')).toContain('Bây giờ ngoài giờ gửi tin nhắc (07:30–20:00, trừ Chủ nhật)');
    }
    await scheduler.stop();
    expect(received).toEqual([]);
    expect(deps.db.select().from(reminderSends).all()).toEqual([]);

    const open = createReminderScheduler(deps, { telegram: async (contact) => void received.push(contact.id) });
    attachScheduler(deps.db, open);
    now = local('2026-05-04T07:30:00');
    expect(await officeSays('/nhacnho')).toContain('Đang gửi nhắc nhở báo cáo 6 tháng đầu năm 2026 tới 3 tài khoản của 3 đơn vị');
    await open.stop();
    expect(received).toHaveLength(3);
  });
});
