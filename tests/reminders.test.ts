import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CalendarConfigSchema, periodInfo, type PeriodInfo } from '../domain/periods.js';
import {
  DEFAULT_REMINDERS,
  ReminderConfigSchema,
  dueReminders,
  reminderKey,
  reminderSlots,
  withinWorkingHours,
  type ReminderConfig,
  type ReminderTarget,
} from '../domain/reminders.js';

// All instants come from UTC ISO strings. Asia/Ho_Chi_Minh = UTC+7: 07:30 local = 00:30Z, 20:00 local = 13:00Z.
const at = (iso: string) => new Date(iso);
const slotTable = (p: PeriodInfo, cfg?: ReminderConfig) =>
  reminderSlots(p, cfg).map((s) => [s.id, s.at.toISOString()] as const);

// 2026-H1: deadline Tuesday 05/5/2026, opens 20/4, closes 04/6.
const H1 = periodInfo('2026-H1');
// 2026-Q1: deadline Sunday 05/4/2026.
const Q1 = periodInfo('2026-Q1');
// 2026-Q3: deadline Monday 05/10/2026.
const Q3 = periodInfo('2026-Q3');

describe('ReminderConfigSchema', () => {
  it('has the defaults, frozen', () => {
    expect(Object.isFrozen(DEFAULT_REMINDERS) && Object.isFrozen(DEFAULT_REMINDERS.beforeDays)).toBe(true);
    expect(DEFAULT_REMINDERS).toEqual({
      beforeDays: [7, 3, 1],
      onDeadlineDay: true,
      afterEveryDays: 2,
      afterMaxTimes: 3,
      workStart: '07:30',
      workEnd: '20:00',
      skipSundays: true,
      timeZone: 'Asia/Ho_Chi_Minh',
    });
  });

  it('sorts and dedupes beforeDays', () => {
    expect(ReminderConfigSchema.parse({ beforeDays: [1, 7, 3, 7] }).beforeDays).toEqual([7, 3, 1]);
    expect(ReminderConfigSchema.parse({ beforeDays: [] }).beforeDays).toEqual([]);
  });

  it.each([
    [{ workStart: '7:30' }],
    [{ workStart: '24:00' }],
    [{ workEnd: '20:60' }],
    [{ workStart: '20:00', workEnd: '07:30' }],
    [{ workStart: '08:00', workEnd: '08:00' }],
    [{ beforeDays: [0] }],
    [{ beforeDays: [-1] }],
    [{ beforeDays: [1.5] }],
    [{ afterEveryDays: 0 }],
    [{ afterMaxTimes: -1 }],
    [{ timeZone: 'Nowhere/City' }],
  ])('rejects %j', (input) => {
    expect(ReminderConfigSchema.safeParse(input).success).toBe(false);
  });

  it('explains errors in Vietnamese', () => {
    const r = ReminderConfigSchema.safeParse({ workStart: '20:00', workEnd: '07:30' });
    expect(r.error?.issues[0]?.message).toBe('Giờ kết thúc làm việc phải sau giờ bắt đầu');
  });
});

describe('reminderKey', () => {
  it('is contact|period|slot', () => {
    expect(reminderKey(42, '2026-H1', 'before-3')).toBe('42|2026-H1|before-3');
  });
});

describe('reminderSlots', () => {
  it('default plan for a Tuesday deadline (2026-H1)', () => {
    expect(slotTable(H1)).toEqual([
      ['before-7', '2026-04-28T00:30:00.000Z'], // Tue 28/4 07:30
      ['before-3', '2026-05-02T00:30:00.000Z'], // Sat 02/5
      ['before-1', '2026-05-04T00:30:00.000Z'], // Mon 04/5
      ['deadline', '2026-05-05T00:30:00.000Z'], // Tue 05/5
      ['after-1', '2026-05-07T00:30:00.000Z'], // Thu
      ['after-2', '2026-05-09T00:30:00.000Z'], // Sat
      ['after-3', '2026-05-11T00:30:00.000Z'], // Mon
    ]);
  });

  it('moves Sunday slots to Monday (deadline on Sunday 05/4/2026)', () => {
    expect(slotTable(Q1)).toEqual([
      ['before-7', '2026-03-30T00:30:00.000Z'], // Sun 29/3 -> Mon 30/3
      ['before-3', '2026-04-02T00:30:00.000Z'],
      ['before-1', '2026-04-04T00:30:00.000Z'], // Sat
      ['deadline', '2026-04-06T00:30:00.000Z'], // Sun 05/4 -> Mon 06/4
      ['after-1', '2026-04-07T00:30:00.000Z'],
      ['after-2', '2026-04-09T00:30:00.000Z'],
      ['after-3', '2026-04-11T00:30:00.000Z'],
    ]);
  });

  it('keeps Sundays when skipSundays is off', () => {
    const cfg = ReminderConfigSchema.parse({ skipSundays: false });
    expect(slotTable(Q1, cfg)).toContainEqual(['deadline', '2026-04-05T00:30:00.000Z']);
    expect(slotTable(Q1, cfg)).toContainEqual(['before-7', '2026-03-29T00:30:00.000Z']);
  });

  it('a before-slot moved onto the deadline day gives way to the deadline slot (Monday deadline)', () => {
    expect(slotTable(Q3)).toEqual([
      ['before-7', '2026-09-28T00:30:00.000Z'],
      ['before-3', '2026-10-02T00:30:00.000Z'],
      // before-1 = Sun 04/10 -> Mon 05/10, the deadline day
      ['deadline', '2026-10-05T00:30:00.000Z'],
      ['after-1', '2026-10-07T00:30:00.000Z'],
      ['after-2', '2026-10-09T00:30:00.000Z'],
      ['after-3', '2026-10-12T00:30:00.000Z'], // Sun 11/10 -> Mon 12/10
    ]);
    const noDeadlineSlot = ReminderConfigSchema.parse({ onDeadlineDay: false });
    expect(slotTable(Q3, noDeadlineSlot).map(([id]) => id)).toEqual([
      'before-7',
      'before-3',
      'before-1',
      'after-1',
      'after-2',
      'after-3',
    ]);
  });

  it('drops before-slots before the period opens and slots at or after it closes', () => {
    const cfg = ReminderConfigSchema.parse({ beforeDays: [20, 15, 3], afterMaxTimes: 5, afterEveryDays: 10 });
    // H1 opens 00:00 20/4; before-20 would be 15/4, before-15 is Mon 20/4 07:30
    const ids = slotTable(H1, cfg).map(([id]) => id);
    expect(ids).toEqual(['before-15', 'before-3', 'deadline', 'after-1', 'after-2', 'after-3']);
    // after-4 = 14/6 is past closesAt (04/6)
    const shortClose = periodInfo('2026-H1', CalendarConfigSchema.parse({ closeDaysAfterDeadline: 3 }));
    expect(slotTable(shortClose).map(([id]) => id)).toEqual(['before-7', 'before-3', 'before-1', 'deadline', 'after-1']);
  });

  it('honours workStart and another time zone', () => {
    const cfg = ReminderConfigSchema.parse({ workStart: '08:15', timeZone: 'UTC' });
    expect(reminderSlots(H1, cfg)[0]).toEqual({ id: 'before-7', at: at('2026-04-28T08:15:00Z') });
  });

  it('slots are chronological with unique ids and days for random configurations', () => {
    const cfgArb = fc.record({
      beforeDays: fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 6 }),
      onDeadlineDay: fc.boolean(),
      afterEveryDays: fc.integer({ min: 1, max: 10 }),
      afterMaxTimes: fc.integer({ min: 0, max: 6 }),
      skipSundays: fc.boolean(),
    });
    const periodArb = fc.constantFrom('Q1', 'Q2', 'Q3', 'Q4', 'H1', 'Y').chain((k) =>
      fc.integer({ min: 2024, max: 2035 }).map((y) => periodInfo(`${y}-${k}`)),
    );
    fc.assert(
      fc.property(cfgArb, periodArb, (raw, p) => {
        const cfg = ReminderConfigSchema.parse(raw);
        const slots = reminderSlots(p, cfg);
        expect(new Set(slots.map((s) => s.id)).size).toBe(slots.length);
        for (let i = 1; i < slots.length; i++) {
          expect(slots[i]!.at.getTime() - slots[i - 1]!.at.getTime()).toBeGreaterThanOrEqual(24 * 3600_000);
        }
        for (const s of slots) {
          expect(s.at.getTime()).toBeLessThan(p.closesAt.getTime());
          if (s.id.startsWith('before-')) expect(s.at.getTime()).toBeGreaterThanOrEqual(p.opensAt.getTime());
          expect(withinWorkingHours(s.at, cfg)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('withinWorkingHours', () => {
  it('07:30 inclusive to 20:00 exclusive, local time', () => {
    expect(withinWorkingHours(at('2026-05-04T00:29:59Z'))).toBe(false); // Mon 07:29:59
    expect(withinWorkingHours(at('2026-05-04T00:30:00Z'))).toBe(true); // Mon 07:30
    expect(withinWorkingHours(at('2026-05-04T12:59:59Z'))).toBe(true); // 19:59:59
    expect(withinWorkingHours(at('2026-05-04T13:00:00Z'))).toBe(false); // 20:00
    expect(withinWorkingHours(at('2026-05-04T20:00:00Z'))).toBe(false); // 03:00 Tue
  });

  it('no Sundays unless skipSundays is off', () => {
    const sunday10 = at('2026-05-03T03:00:00Z'); // Sun 03/5 10:00 local
    expect(withinWorkingHours(sunday10)).toBe(false);
    expect(withinWorkingHours(sunday10, { ...DEFAULT_REMINDERS, skipSundays: false })).toBe(true);
    // the local day decides: Sat 02/5 19:00 and Mon 04/5 07:30 local are working time, Sun 03/5 19:59 is not
    expect(withinWorkingHours(at('2026-05-02T12:00:00Z'))).toBe(true);
    expect(withinWorkingHours(at('2026-05-03T12:59:00Z'))).toBe(false);
    expect(withinWorkingHours(at('2026-05-04T00:30:00Z'))).toBe(true);
    // 2026-05-03T00:30Z is still Saturday in UTC but Sunday 07:30 in Hà Nội
    expect(withinWorkingHours(at('2026-05-03T00:30:00Z'))).toBe(false);
  });

  it('uses the configured zone', () => {
    const cfg = { ...DEFAULT_REMINDERS, timeZone: 'UTC' };
    expect(withinWorkingHours(at('2026-05-04T00:30:00Z'), cfg)).toBe(false);
    expect(withinWorkingHours(at('2026-05-04T07:30:00Z'), cfg)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------
// A fixed clock stepping through a whole period, recording what would be sent.

interface Sent {
  time: string;
  contactId: number;
  slotId: string;
}

function simulate(opts: {
  period: PeriodInfo;
  targets: ReminderTarget[];
  confirmations?: { unitId: number; at: Date }[];
  down?: { from: Date; to: Date }[];
  sent?: Set<string>;
  stepMinutes?: number;
  cfg?: ReminderConfig;
}): Sent[] {
  const { period, targets } = opts;
  const sent = opts.sent ?? new Set<string>();
  const step = (opts.stepMinutes ?? 15) * 60_000;
  const log: Sent[] = [];
  // start a little before the period opens and run past its close
  for (let t = period.opensAt.getTime() - 86_400_000; t < period.closesAt.getTime() + 86_400_000; t += step) {
    const now = new Date(t);
    if (opts.down?.some((d) => d.from.getTime() <= t && t < d.to.getTime())) continue;
    const confirmed = new Set((opts.confirmations ?? []).filter((c) => c.at.getTime() <= t).map((c) => c.unitId));
    const due = dueReminders({ now, period, targets, confirmedUnitIds: confirmed, sent, cfg: opts.cfg });
    for (const r of due) {
      const key = reminderKey(r.contactId, r.periodId, r.slotId);
      expect(sent.has(key)).toBe(false);
      sent.add(key);
      log.push({ time: now.toISOString(), contactId: r.contactId, slotId: r.slotId });
    }
  }
  return log;
}

const target = (contactId: number, unitId: number, reachable = true, periodId = '2026-H1'): ReminderTarget => ({
  contactId,
  unitId,
  periodId,
  reachable,
});

describe('dueReminders over a whole period', () => {
  it('fires each slot once, at its time, for every pending reachable contact', () => {
    const log = simulate({ period: H1, targets: [target(1, 10), target(2, 20), target(3, 30, false)] });
    const forContact = (c: number) => log.filter((x) => x.contactId === c).map((x) => [x.slotId, x.time]);
    const expected = reminderSlots(H1).map((s) => [s.id, s.at.toISOString()]);
    expect(forContact(1)).toEqual(expected);
    expect(forContact(2)).toEqual(expected);
    expect(forContact(3)).toEqual([]); // unreachable
  });

  it('stops reminding a unit once it confirms mid-way', () => {
    const log = simulate({
      period: H1,
      targets: [target(1, 10), target(2, 20), target(4, 20)],
      // unit 20 confirms on 04/5 at 15:00 local, after before-1 went out that morning
      confirmations: [{ unitId: 20, at: at('2026-05-04T08:00:00Z') }],
    });
    expect(log.filter((x) => x.contactId === 1).map((x) => x.slotId)).toEqual([
      'before-7',
      'before-3',
      'before-1',
      'deadline',
      'after-1',
      'after-2',
      'after-3',
    ]);
    for (const c of [2, 4]) {
      expect(log.filter((x) => x.contactId === c).map((x) => x.slotId)).toEqual(['before-7', 'before-3', 'before-1']);
    }
  });

  it('sends at the first working moment when the slot falls outside working hours', () => {
    const cfg = ReminderConfigSchema.parse({ workStart: '07:30', workEnd: '11:00' });
    // check only every 6 hours, from 00:00 local: ticks at 00:00, 06:00, 12:00, 18:00 local are all outside
    // 07:30-11:00, so nothing is ever sent
    const log = simulate({ period: H1, targets: [target(1, 10)], stepMinutes: 360, cfg });
    expect(log).toEqual([]);
    // every 2 hours: 08:00 and 10:00 local are inside, so each slot goes out at 08:00 its day
    const log2 = simulate({ period: H1, targets: [target(1, 10)], stepMinutes: 120, cfg });
    expect(log2.map((x) => x.time)).toEqual(reminderSlots(H1, cfg).map((s) => new Date(s.at.getTime() + 30 * 60_000).toISOString()));
  });

  it('never sends on Sunday or at night', () => {
    const log = simulate({ period: Q1, targets: [target(1, 10, true, '2026-Q1')], stepMinutes: 5 });
    expect(log).toHaveLength(7);
    for (const x of log) {
      const d = new Date(x.time);
      expect(withinWorkingHours(d)).toBe(true);
    }
    // the deadline (Sunday 05/4) reminder waits for Monday 06/4 07:30
    expect(log.find((x) => x.slotId === 'deadline')?.time).toBe('2026-04-06T00:30:00.000Z');
  });
});

describe('dueReminders rules at a fixed clock', () => {
  const targets = [target(1, 10), target(2, 20)];
  const none = new Set<number>();
  const nothingSent = new Set<string>();

  it('nothing before the first slot', () => {
    expect(dueReminders({ now: at('2026-04-27T03:00:00Z'), period: H1, targets, confirmedUnitIds: none, sent: nothingSent })).toEqual([]);
  });

  it('quiet hours: a due slot waits until 07:30', () => {
    const args = { period: H1, targets, confirmedUnitIds: none, sent: nothingSent };
    expect(dueReminders({ ...args, now: at('2026-05-04T00:29:00Z') })).toHaveLength(0); // 07:29: before-3 is due, but too early
    expect(dueReminders({ ...args, now: at('2026-05-04T13:00:00Z') })).toHaveLength(0); // 20:00
    expect(dueReminders({ ...args, now: at('2026-05-04T12:59:00Z') })).toEqual([
      { contactId: 1, unitId: 10, periodId: '2026-H1', slotId: 'before-1' },
      { contactId: 2, unitId: 20, periodId: '2026-H1', slotId: 'before-1' },
    ]);
  });

  it('Sunday: nothing, even with a slot due', () => {
    // Sun 03/5 10:00 local; before-3 (Sat) not sent yet
    expect(dueReminders({ now: at('2026-05-03T03:00:00Z'), period: H1, targets, confirmedUnitIds: none, sent: nothingSent })).toEqual([]);
    const cfg = { ...DEFAULT_REMINDERS, skipSundays: false };
    expect(
      dueReminders({ now: at('2026-05-03T03:00:00Z'), period: H1, targets, confirmedUnitIds: none, sent: nothingSent, cfg }).map(
        (r) => r.slotId,
      ),
    ).toEqual(['before-3', 'before-3']);
  });

  it('catch-up after downtime: only the latest due slot, never the missed older ones', () => {
    const sent = new Set([reminderKey(1, '2026-H1', 'before-7'), reminderKey(2, '2026-H1', 'before-7')]);
    // the bot was down from 27/4 to Tue 05/5 10:00 local: before-3, before-1 and deadline are due
    const now = at('2026-05-05T03:00:00Z');
    const due = dueReminders({ now, period: H1, targets, confirmedUnitIds: none, sent });
    expect(due.map((r) => [r.contactId, r.slotId])).toEqual([
      [1, 'deadline'],
      [2, 'deadline'],
    ]);
    // simulated: down 27/4 00:00 local .. 05/5 10:00 local
    const log = simulate({
      period: H1,
      targets,
      down: [{ from: at('2026-04-26T17:00:00Z'), to: now }],
    });
    expect(log.filter((x) => x.contactId === 1).map((x) => [x.slotId, x.time])).toEqual([
      ['deadline', '2026-05-05T03:00:00.000Z'],
      ['after-1', '2026-05-07T00:30:00.000Z'],
      ['after-2', '2026-05-09T00:30:00.000Z'],
      ['after-3', '2026-05-11T00:30:00.000Z'],
    ]);
  });

  it('never sends an older slot once a newer one went out', () => {
    // before-1 went out (e.g. under an earlier configuration), before-3 never did
    const sent = new Set([reminderKey(1, '2026-H1', 'before-1')]);
    const sat = at('2026-05-02T03:00:00Z'); // before-3 is the latest due slot
    const due = dueReminders({ now: sat, period: H1, targets, confirmedUnitIds: none, sent });
    expect(due.map((r) => [r.contactId, r.slotId])).toEqual([[2, 'before-3']]);
    // once the latest due slot was sent, nothing until the next one
    const mon = at('2026-05-04T03:00:00Z');
    expect(dueReminders({ now: mon, period: H1, targets, confirmedUnitIds: none, sent }).map((r) => r.contactId)).toEqual([2]);
  });

  it('confirmed units and unreachable contacts are skipped', () => {
    const now = at('2026-05-05T03:00:00Z');
    const ts = [target(1, 10), target(2, 20, false), target(3, 30)];
    const due = dueReminders({ now, period: H1, targets: ts, confirmedUnitIds: new Set([30]), sent: nothingSent });
    expect(due).toEqual([{ contactId: 1, unitId: 10, periodId: '2026-H1', slotId: 'deadline' }]);
  });

  it('one reminder per contact serving several units; targets of other periods ignored', () => {
    const now = at('2026-05-05T03:00:00Z');
    const ts = [target(5, 52), target(5, 51), target(6, 60, true, '2026-Q1')];
    expect(dueReminders({ now, period: H1, targets: ts, confirmedUnitIds: none, sent: nothingSent })).toEqual([
      { contactId: 5, unitId: 51, periodId: '2026-H1', slotId: 'deadline' },
    ]);
    expect(dueReminders({ now, period: H1, targets: ts, confirmedUnitIds: new Set([51]), sent: nothingSent })).toEqual([
      { contactId: 5, unitId: 52, periodId: '2026-H1', slotId: 'deadline' },
    ]);
  });

  it('nothing once the period has closed, even in working hours', () => {
    // H1 closes at the end of 04/6 local
    const closed = at('2026-06-05T03:00:00Z');
    expect(dueReminders({ now: closed, period: H1, targets, confirmedUnitIds: none, sent: nothingSent })).toEqual([]);
    // the day before, after-3 (11/5) is still the latest due slot
    const open = at('2026-06-04T03:00:00Z');
    expect(dueReminders({ now: open, period: H1, targets, confirmedUnitIds: none, sent: nothingSent }).map((r) => r.slotId)).toEqual([
      'after-3',
      'after-3',
    ]);
  });
});

describe('independence from the machine time zone', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  it('plans and sends the same under TZ=UTC and TZ=America/New_York', () => {
    const run = () => ({
      slots: [Q1, H1, Q3].map((p) => slotTable(p)),
      log: simulate({ period: Q1, targets: [target(1, 10, true, '2026-Q1')], stepMinutes: 30 }),
    });
    process.env.TZ = 'UTC';
    const reference = run();
    process.env.TZ = 'America/New_York';
    expect(new Date('2026-07-01T00:00:00Z').getTimezoneOffset()).toBe(240);
    expect(run()).toEqual(reference);
  });
});
