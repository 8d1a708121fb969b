import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CalendarConfigSchema,
  DEFAULT_CALENDAR,
  PeriodIdSchema,
  currentPeriodAt,
  formatDateTime,
  formatOfficialDate,
  formatShortDate,
  fromWall,
  openPeriodsAt,
  parsePeriodId,
  periodInfo,
  periodsOfYear,
  toWall,
  wallOf,
  type CalendarConfig,
  type PeriodInfo,
} from '../domain/periods.js';

// Every instant below is built from a UTC ISO string, so nothing depends on the machine zone.
// Asia/Ho_Chi_Minh is UTC+7 all year: 00:00 local = 17:00Z the previous day, 23:59:59.999 local = 16:59:59.999Z.
const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();
const ids = (ps: PeriodInfo[]) => ps.map((p) => p.id);

function times(p: PeriodInfo) {
  return {
    start: iso(p.start),
    end: iso(p.end),
    deadline: iso(p.deadline),
    opensAt: iso(p.opensAt),
    closesAt: iso(p.closesAt),
  };
}

describe('CalendarConfigSchema / DEFAULT_CALENDAR', () => {
  it('has the plan defaults', () => {
    expect(DEFAULT_CALENDAR).toEqual({
      timeZone: 'Asia/Ho_Chi_Minh',
      halfYearDeadline: { month: 5, day: 5 },
      yearDeadline: { month: 11, day: 5 },
      quarterDeadlineDay: 5,
      openDaysBeforeEnd: 15,
      closeDaysAfterDeadline: 30,
      kinds: ['quarter', 'half', 'year'],
    });
    expect(CalendarConfigSchema.parse({})).toEqual(DEFAULT_CALENDAR);
  });

  it('fills in missing fields and normalises kinds', () => {
    const cfg = CalendarConfigSchema.parse({ quarterDeadlineDay: 10, kinds: ['year', 'half', 'year'] });
    expect(cfg.quarterDeadlineDay).toBe(10);
    expect(cfg.kinds).toEqual(['half', 'year']);
    expect(cfg.timeZone).toBe('Asia/Ho_Chi_Minh');
  });

  it.each([
    [{ timeZone: 'Asia/Hanoi_Nowhere' }],
    [{ timeZone: '' }],
    [{ halfYearDeadline: { month: 2, day: 29 } }],
    [{ yearDeadline: { month: 13, day: 1 } }],
    [{ yearDeadline: { month: 4, day: 31 } }],
    [{ quarterDeadlineDay: 0 }],
    [{ quarterDeadlineDay: 31 }],
    [{ quarterDeadlineDay: 5.5 }],
    [{ openDaysBeforeEnd: -1 }],
    [{ closeDaysAfterDeadline: -3 }],
    [{ kinds: [] }],
    [{ kinds: ['month'] }],
  ])('rejects %j', (input) => {
    expect(CalendarConfigSchema.safeParse(input).success).toBe(false);
  });

  it('explains errors in Vietnamese', () => {
    const r = CalendarConfigSchema.safeParse({ timeZone: 'Mars/Olympus' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/Múi giờ không hợp lệ/);
  });
});

describe('period ids', () => {
  it('parses valid ids', () => {
    expect(parsePeriodId('2026-Q1')).toEqual({ year: 2026, kind: 'quarter', index: 1 });
    expect(parsePeriodId('2026-Q4')).toEqual({ year: 2026, kind: 'quarter', index: 4 });
    expect(parsePeriodId('2026-H1')).toEqual({ year: 2026, kind: 'half', index: 1 });
    expect(parsePeriodId('2026-Y')).toEqual({ year: 2026, kind: 'year', index: 1 });
    for (const id of ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4', '2026-H1', '2026-Y']) {
      expect(PeriodIdSchema.safeParse(id).success).toBe(true);
    }
  });

  const invalid = [
    '',
    '2026',
    '2026-Q0',
    '2026-Q5',
    '2026-H2',
    '2026-h1',
    '2026-q1',
    '2026-y',
    '2026Q1',
    '26-Q1',
    '02026-Q1',
    ' 2026-Q1',
    '2026-Q1 ',
    '2026-Q1\n',
    '2026-YY',
    '1969-Y',
    'quý I/2026',
  ];
  it.each(invalid)('rejects %j', (id) => {
    expect(parsePeriodId(id)).toBeNull();
    expect(() => periodInfo(id)).toThrow(/Mã kỳ báo cáo không hợp lệ/);
    const r = PeriodIdSchema.safeParse(id);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/Mã kỳ báo cáo không hợp lệ/);
  });

  it('rejects non-strings', () => {
    expect(parsePeriodId(2026 as unknown as string)).toBeNull();
    expect(PeriodIdSchema.safeParse(2026).success).toBe(false);
  });
});

describe('periodInfo with the default calendar (Asia/Ho_Chi_Minh)', () => {
  it('Q1: Jan-Mar, due 05/4, opens 16/3, closes 05/5', () => {
    const p = periodInfo('2026-Q1');
    expect(p).toMatchObject({ id: '2026-Q1', kind: 'quarter', year: 2026, title: 'Quý I năm 2026', shortTitle: 'quý I/2026' });
    expect(times(p)).toEqual({
      start: '2025-12-31T17:00:00.000Z', // 00:00 01/01/2026 local
      end: '2026-03-31T16:59:59.999Z', // 23:59:59.999 31/3/2026 local
      deadline: '2026-04-05T16:59:59.999Z',
      opensAt: '2026-03-15T17:00:00.000Z', // 00:00 16/3 = 31/3 - 15 days
      closesAt: '2026-05-05T16:59:59.999Z', // deadline + 30 days
    });
  });

  it('Q2 and Q3', () => {
    const q2 = periodInfo('2026-Q2');
    expect([q2.title, q2.shortTitle]).toEqual(['Quý II năm 2026', 'quý II/2026']);
    expect(times(q2)).toEqual({
      start: '2026-03-31T17:00:00.000Z',
      end: '2026-06-30T16:59:59.999Z',
      deadline: '2026-07-05T16:59:59.999Z',
      opensAt: '2026-06-14T17:00:00.000Z', // 00:00 15/6
      closesAt: '2026-08-04T16:59:59.999Z',
    });
    const q3 = periodInfo('2026-Q3');
    expect([q3.title, q3.shortTitle]).toEqual(['Quý III năm 2026', 'quý III/2026']);
    expect(times(q3)).toEqual({
      start: '2026-06-30T17:00:00.000Z',
      end: '2026-09-30T16:59:59.999Z',
      deadline: '2026-10-05T16:59:59.999Z',
      opensAt: '2026-09-14T17:00:00.000Z',
      closesAt: '2026-11-04T16:59:59.999Z',
    });
  });

  it('Q4: deadline rolls over to 05/01 of the next year', () => {
    const p = periodInfo('2026-Q4');
    expect([p.title, p.shortTitle, p.year]).toEqual(['Quý IV năm 2026', 'quý IV/2026', 2026]);
    expect(times(p)).toEqual({
      start: '2026-09-30T17:00:00.000Z',
      end: '2026-12-31T16:59:59.999Z',
      deadline: '2027-01-05T16:59:59.999Z',
      opensAt: '2026-12-15T17:00:00.000Z', // 00:00 16/12
      closesAt: '2027-02-04T16:59:59.999Z', // 23:59:59.999 04/02/2027
    });
    expect(formatDateTime(p.deadline)).toBe('23:59 ngày 05/01/2027');
  });

  it('H1: nominal range Jan-Jun, deadline 05/5 before the range ends, opens 15 days before the deadline', () => {
    const p = periodInfo('2026-H1');
    expect([p.kind, p.title, p.shortTitle]).toEqual(['half', '6 tháng đầu năm 2026', '6 tháng đầu năm 2026']);
    expect(times(p)).toEqual({
      start: '2025-12-31T17:00:00.000Z',
      end: '2026-06-30T16:59:59.999Z',
      deadline: '2026-05-05T16:59:59.999Z',
      opensAt: '2026-04-19T17:00:00.000Z', // 00:00 20/4 = 05/5 - 15 days
      closesAt: '2026-06-04T16:59:59.999Z',
    });
    expect(p.deadline.getTime()).toBeLessThan(p.end.getTime());
  });

  it('Y: range Jan-Dec, deadline 05/11, opens 21/10', () => {
    const p = periodInfo('2026-Y');
    expect([p.kind, p.title, p.shortTitle]).toEqual(['year', 'năm 2026', 'năm 2026']);
    expect(times(p)).toEqual({
      start: '2025-12-31T17:00:00.000Z',
      end: '2026-12-31T16:59:59.999Z',
      deadline: '2026-11-05T16:59:59.999Z',
      opensAt: '2026-10-20T17:00:00.000Z',
      closesAt: '2026-12-05T16:59:59.999Z',
    });
  });

  it('handles leap years (Q1 2028 ends 31/3, H1 start/end unaffected)', () => {
    expect(iso(periodInfo('2028-Q1').end)).toBe('2028-03-31T16:59:59.999Z');
    const q1 = periodInfo('2028-Q1', { ...DEFAULT_CALENDAR, openDaysBeforeEnd: 31 });
    expect(iso(q1.opensAt)).toBe('2028-02-28T17:00:00.000Z'); // 00:00 29/02/2028 = 31/3 - 31 days
    expect(formatShortDate(q1.opensAt)).toBe('29/02/2028');
  });

  it('periodsOfYear sorts by deadline', () => {
    const ps = periodsOfYear(2026);
    expect(ids(ps)).toEqual(['2026-Q1', '2026-H1', '2026-Q2', '2026-Q3', '2026-Y', '2026-Q4']);
    for (let i = 1; i < ps.length; i++) {
      expect(ps[i]!.deadline.getTime()).toBeGreaterThan(ps[i - 1]!.deadline.getTime());
    }
  });
});

describe('custom calendars', () => {
  it('quarter deadline day, open/close windows and kinds', () => {
    const cfg = CalendarConfigSchema.parse({
      quarterDeadlineDay: 10,
      openDaysBeforeEnd: 5,
      closeDaysAfterDeadline: 0,
      kinds: ['quarter'],
    });
    const q4 = periodInfo('2026-Q4', cfg);
    expect(iso(q4.deadline)).toBe('2027-01-10T16:59:59.999Z');
    expect(iso(q4.opensAt)).toBe('2026-12-25T17:00:00.000Z'); // 00:00 26/12
    expect(iso(q4.closesAt)).toBe(iso(q4.deadline));
    expect(ids(periodsOfYear(2026, cfg))).toEqual(['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']);
  });

  it('a half-year deadline after the range end opens relative to the range end', () => {
    const cfg = CalendarConfigSchema.parse({ halfYearDeadline: { month: 7, day: 15 }, kinds: ['half', 'year'] });
    const h1 = periodInfo('2026-H1', cfg);
    expect(iso(h1.deadline)).toBe('2026-07-15T16:59:59.999Z');
    expect(iso(h1.opensAt)).toBe('2026-06-14T17:00:00.000Z'); // 30/6 - 15 days
    expect(iso(h1.closesAt)).toBe('2026-08-14T16:59:59.999Z');
    expect(ids(periodsOfYear(2026, cfg))).toEqual(['2026-H1', '2026-Y']);
  });

  it('year deadline moved to 20/12', () => {
    const cfg = CalendarConfigSchema.parse({ yearDeadline: { month: 12, day: 20 } });
    const y = periodInfo('2026-Y', cfg);
    expect(iso(y.deadline)).toBe('2026-12-20T16:59:59.999Z');
    expect(iso(y.opensAt)).toBe('2026-12-04T17:00:00.000Z'); // 00:00 05/12
    expect(iso(y.closesAt)).toBe('2027-01-19T16:59:59.999Z');
  });

  it('another time zone, across a DST change (America/New_York)', () => {
    const cfg: CalendarConfig = { ...DEFAULT_CALENDAR, timeZone: 'America/New_York' };
    const q1 = periodInfo('2026-Q1', cfg);
    expect(times(q1)).toEqual({
      start: '2026-01-01T05:00:00.000Z', // EST
      end: '2026-04-01T03:59:59.999Z', // EDT
      deadline: '2026-04-06T03:59:59.999Z',
      opensAt: '2026-03-16T04:00:00.000Z',
      closesAt: '2026-05-06T03:59:59.999Z',
    });
    // Q3 closes 30 local days after its deadline, across the fall-back change on 01/11
    const q3 = periodInfo('2026-Q3', cfg);
    expect(iso(q3.deadline)).toBe('2026-10-06T03:59:59.999Z'); // 05/10 23:59:59.999 EDT
    expect(iso(q3.closesAt)).toBe('2026-11-05T04:59:59.999Z'); // 04/11 23:59:59.999 EST
    expect(iso(periodInfo('2026-Q4', cfg).start)).toBe('2026-10-01T04:00:00.000Z');
  });

  it('UTC', () => {
    const y = periodInfo('2026-Y', { ...DEFAULT_CALENDAR, timeZone: 'UTC' });
    expect(iso(y.deadline)).toBe('2026-11-05T23:59:59.999Z');
    expect(iso(y.opensAt)).toBe('2026-10-21T00:00:00.000Z');
  });
});

describe('openPeriodsAt / currentPeriodAt', () => {
  it('nothing is open between closing Q2 and opening Q3', () => {
    const now = at('2026-08-10T03:00:00Z');
    expect(openPeriodsAt(now)).toEqual([]);
    expect(currentPeriodAt(now)).toBeNull();
  });

  it('Q1 opens at 00:00 16/3 local (17:00Z on 15/3)', () => {
    expect(ids(openPeriodsAt(at('2026-03-15T16:59:59.999Z')))).toEqual([]);
    expect(ids(openPeriodsAt(at('2026-03-15T17:00:00.000Z')))).toEqual(['2026-Q1']);
    expect(currentPeriodAt(at('2026-03-15T17:00:00.000Z'))?.id).toBe('2026-Q1');
  });

  it('Q1 stays current after its deadline passes until H1 opens', () => {
    // 23:59 on 05/4 local: deadline not passed
    expect(currentPeriodAt(at('2026-04-05T16:59:00Z'))?.id).toBe('2026-Q1');
    // 00:00 on 06/4 local: passed, but still open (late answers accepted)
    const after = at('2026-04-05T17:00:00Z');
    expect(ids(openPeriodsAt(after))).toEqual(['2026-Q1']);
    expect(currentPeriodAt(after)?.id).toBe('2026-Q1');
  });

  it('H1 becomes current when it opens at 00:00 20/4 local', () => {
    expect(currentPeriodAt(at('2026-04-19T16:59:59.999Z'))?.id).toBe('2026-Q1');
    const now = at('2026-04-19T17:00:00Z');
    expect(ids(openPeriodsAt(now))).toEqual(['2026-Q1', '2026-H1']);
    expect(currentPeriodAt(now)?.id).toBe('2026-H1');
  });

  it('around the H1 deadline (05/5): 23:59 local vs 00:00 local', () => {
    const before = at('2026-05-05T16:59:00Z'); // 23:59 05/5 local
    expect(ids(openPeriodsAt(before))).toEqual(['2026-Q1', '2026-H1']);
    expect(currentPeriodAt(before)?.id).toBe('2026-H1');
    const lastMs = at('2026-05-05T16:59:59.999Z'); // the deadline itself still counts as on time
    expect(currentPeriodAt(lastMs)?.id).toBe('2026-H1');
    expect(ids(openPeriodsAt(lastMs))).toEqual(['2026-H1']); // Q1 closes at that instant
    const after = at('2026-05-05T17:00:00Z'); // 00:00 06/5 local
    expect(ids(openPeriodsAt(after))).toEqual(['2026-H1']);
    expect(currentPeriodAt(after)?.id).toBe('2026-H1');
  });

  it('H1 closes at the end of 04/6 local', () => {
    expect(ids(openPeriodsAt(at('2026-06-04T16:59:59.998Z')))).toEqual(['2026-H1']);
    expect(ids(openPeriodsAt(at('2026-06-04T17:00:00Z')))).toEqual([]);
  });

  it('Q3 late answers overlap with Y', () => {
    const now = at('2026-10-25T02:00:00Z');
    expect(ids(openPeriodsAt(now))).toEqual(['2026-Q3', '2026-Y']);
    expect(currentPeriodAt(now)?.id).toBe('2026-Y');
  });

  it('across the new year: 2026-Q4 is found from a 2027 date', () => {
    const newYearEve = at('2026-12-31T16:59:00Z'); // 23:59 31/12/2026 local
    expect(ids(openPeriodsAt(newYearEve))).toEqual(['2026-Q4']);
    const newYear = at('2026-12-31T17:00:00Z'); // 00:00 01/01/2027 local (still 2026 in UTC)
    expect(currentPeriodAt(newYear)?.id).toBe('2026-Q4');
    expect(currentPeriodAt(at('2027-01-05T16:59:00Z'))?.id).toBe('2026-Q4');
    const late = at('2027-01-20T03:00:00Z');
    expect(ids(openPeriodsAt(late))).toEqual(['2026-Q4']);
    expect(currentPeriodAt(late)?.id).toBe('2026-Q4');
    expect(ids(openPeriodsAt(at('2027-02-04T17:00:00Z')))).toEqual([]);
  });

  it('only configured kinds are open', () => {
    const cfg = CalendarConfigSchema.parse({ kinds: ['half', 'year'] });
    expect(ids(openPeriodsAt(at('2026-03-20T03:00:00Z'), cfg))).toEqual([]);
    expect(ids(openPeriodsAt(at('2026-04-25T03:00:00Z'), cfg))).toEqual(['2026-H1']);
  });

  it('matches a brute-force scan, and the current period is one of the open ones', () => {
    const lo = Date.parse('2001-01-01T00:00:00Z');
    const hi = Date.parse('2098-12-31T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: lo, max: hi }), (ms) => {
        const now = new Date(ms);
        const y = now.getUTCFullYear();
        const expected: PeriodInfo[] = [];
        for (let yy = y - 2; yy <= y + 2; yy++) {
          for (const p of periodsOfYear(yy)) {
            if (p.opensAt.getTime() <= ms && ms < p.closesAt.getTime()) expected.push(p);
          }
        }
        const open = openPeriodsAt(now);
        expect(ids(open).sort()).toEqual(ids(expected).sort());
        for (let i = 1; i < open.length; i++) {
          expect(open[i]!.deadline.getTime()).toBeGreaterThanOrEqual(open[i - 1]!.deadline.getTime());
        }
        const cur = currentPeriodAt(now);
        if (open.length === 0) expect(cur).toBeNull();
        else {
          expect(ids(open)).toContain(cur!.id);
          const upcoming = open.filter((p) => ms <= p.deadline.getTime());
          if (upcoming.length > 0) expect(cur!.id).toBe(upcoming[0]!.id);
          else expect(cur!.id).toBe(open.at(-1)!.id);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('invariants of every period for random configurations', () => {
    const cfgArb = fc.record({
      quarterDeadlineDay: fc.integer({ min: 1, max: 30 }),
      openDaysBeforeEnd: fc.integer({ min: 0, max: 60 }),
      closeDaysAfterDeadline: fc.integer({ min: 0, max: 60 }),
      halfYearDeadline: fc.record({ month: fc.integer({ min: 4, max: 8 }), day: fc.integer({ min: 1, max: 28 }) }),
      yearDeadline: fc.record({ month: fc.integer({ min: 10, max: 12 }), day: fc.integer({ min: 1, max: 28 }) }),
      timeZone: fc.constantFrom('Asia/Ho_Chi_Minh', 'UTC', 'America/New_York', 'Australia/Lord_Howe'),
    });
    fc.assert(
      fc.property(cfgArb, fc.integer({ min: 2000, max: 2099 }), (raw, year) => {
        const cfg = CalendarConfigSchema.parse(raw);
        for (const p of periodsOfYear(year, cfg)) {
          expect(p.start.getTime()).toBeLessThan(p.end.getTime());
          expect(p.opensAt.getTime()).toBeLessThan(p.deadline.getTime());
          expect(p.deadline.getTime()).toBeLessThanOrEqual(p.closesAt.getTime());
          // local boundaries: start at 00:00:00.000, end and deadline at 23:59:59.999
          expect(toWall(p.start, cfg.timeZone).format('HH:mm:ss.SSS')).toBe('00:00:00.000');
          expect(toWall(p.opensAt, cfg.timeZone).format('HH:mm:ss.SSS')).toBe('00:00:00.000');
          expect(toWall(p.end, cfg.timeZone).format('HH:mm:ss.SSS')).toBe('23:59:59.999');
          expect(toWall(p.deadline, cfg.timeZone).format('HH:mm:ss.SSS')).toBe('23:59:59.999');
          expect(toWall(p.closesAt, cfg.timeZone).format('HH:mm:ss.SSS')).toBe('23:59:59.999');
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('wall-clock conversion', () => {
  it('round-trips in Asia/Ho_Chi_Minh', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('1980-01-01'), max: Date.parse('2100-01-01') }), (ms) => {
        const d = new Date(ms);
        expect(fromWall(toWall(d, 'Asia/Ho_Chi_Minh'), 'Asia/Ho_Chi_Minh').getTime()).toBe(ms);
        expect(toWall(d, 'Asia/Ho_Chi_Minh').valueOf() - ms).toBe(7 * 3600_000);
      }),
    );
  });

  it('maps a wall time in a DST gap forward, and an ambiguous one to the earlier instant', () => {
    // 02:30 on 08/3/2026 does not exist in New York: clocks jump from 02:00 EST to 03:00 EDT
    expect(iso(fromWall(wallOf(2026, 3, 8, 2, 30), 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
    // 01:30 on 01/11/2026 happens twice
    expect(iso(fromWall(wallOf(2026, 11, 1, 1, 30), 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('official date formats', () => {
  it('formatOfficialDate pads days below 10 and months 1-2 only', () => {
    expect(formatOfficialDate(at('2026-05-08T03:00:00Z'))).toBe('ngày 08 tháng 5 năm 2026');
    expect(formatOfficialDate(at('2020-01-05T03:00:00Z'))).toBe('ngày 05 tháng 01 năm 2020');
    expect(formatOfficialDate(at('2019-06-29T03:00:00Z'))).toBe('ngày 29 tháng 6 năm 2019');
    expect(formatOfficialDate(at('2026-02-10T03:00:00Z'))).toBe('ngày 10 tháng 02 năm 2026');
    expect(formatOfficialDate(at('2025-12-31T03:00:00Z'))).toBe('ngày 31 tháng 12 năm 2025');
    expect(formatOfficialDate(at('2026-10-01T03:00:00Z'))).toBe('ngày 01 tháng 10 năm 2026');
  });

  it('uses the local date, not the UTC date', () => {
    const d = at('2026-05-07T17:30:00Z'); // 00:30 08/5 in Hà Nội, still 07/5 in UTC
    expect(formatOfficialDate(d)).toBe('ngày 08 tháng 5 năm 2026');
    expect(formatOfficialDate(d, 'UTC')).toBe('ngày 07 tháng 5 năm 2026');
    expect(formatShortDate(at('2025-12-31T17:00:00Z'))).toBe('01/01/2026');
  });

  it('formatShortDate', () => {
    expect(formatShortDate(at('2026-05-05T03:00:00Z'))).toBe('05/5/2026');
    expect(formatShortDate(at('2026-05-08T03:00:00Z'))).toBe('08/5/2026');
    expect(formatShortDate(at('2026-02-10T03:00:00Z'))).toBe('10/02/2026');
    expect(formatShortDate(at('2026-01-01T03:00:00Z'))).toBe('01/01/2026');
    expect(formatShortDate(at('2026-11-05T03:00:00Z'))).toBe('05/11/2026');
  });

  it('formatDateTime', () => {
    expect(formatDateTime(at('2026-05-08T07:05:00Z'))).toBe('14:05 ngày 08/5/2026');
    expect(formatDateTime(at('2026-05-07T17:00:00Z'))).toBe('00:00 ngày 08/5/2026');
    expect(formatDateTime(at('2026-05-08T07:05:00Z'), 'UTC')).toBe('07:05 ngày 08/5/2026');
  });
});

describe('independence from the machine time zone', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  function snapshot() {
    const out: unknown[] = [];
    for (const y of [2025, 2026, 2027]) out.push(periodsOfYear(y).map((p) => ({ id: p.id, ...times(p) })));
    const probes = [
      '2026-03-08T07:30:00Z',
      '2026-03-07T19:30:00Z', // 02:30 08/3 in Hà Nội: inside New York's DST gap
      '2026-04-05T16:59:59.999Z',
      '2026-04-05T17:00:00Z',
      '2026-05-05T17:00:00Z',
      '2026-11-01T06:30:00Z',
      '2026-12-31T17:00:00Z',
    ];
    for (const p of probes) {
      const d = at(p);
      out.push(p, ids(openPeriodsAt(d)), currentPeriodAt(d)?.id ?? null);
      out.push(formatOfficialDate(d), formatShortDate(d), formatDateTime(d));
    }
    return out;
  }

  it('gives identical results under TZ=UTC, America/New_York, Asia/Kolkata and Pacific/Chatham', () => {
    process.env.TZ = 'UTC';
    const offsetUtc = new Date('2026-07-01T00:00:00Z').getTimezoneOffset();
    const reference = snapshot();
    for (const tz of ['America/New_York', 'Asia/Kolkata', 'Pacific/Chatham']) {
      process.env.TZ = tz;
      // make sure the switch took effect, so the comparison means something
      expect(new Date('2026-07-01T00:00:00Z').getTimezoneOffset()).not.toBe(offsetUtc);
      expect(snapshot()).toEqual(reference);
    }
  });
});
