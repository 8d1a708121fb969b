import dayjs, { type Dayjs } from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import { z } from 'zod';

/**
 * Reporting periods (kỳ báo cáo) and the official date formats.
 *
 * Pure: no I/O, never reads the machine clock, process.env or the machine time zone. Every instant is
 * computed from wall-clock dates in `cfg.timeZone` (default Asia/Ho_Chi_Minh).
 *
 * Why not dayjs's timezone plugin: `dayjs(x).tz(zone)` re-parses a locale string in the *machine* zone,
 * so its answer changes with process TZ (an instant that is 02:30 on 08/3/2026 in Hà Nội comes out as
 * 03:30 under TZ=America/New_York, inside New York's DST gap), and `dayjs.tz(string, zone)` reads the
 * machine clock for its first offset guess. Instead, zone offsets come from Intl.DateTimeFormat (which
 * takes the zone as an argument), or, for the zone the bot runs in, from the source the edge hands over
 * (useOffsetsFor: Date's local-time offset once the process's TZ is that zone), and calendar arithmetic
 * runs on dayjs values in UTC mode that stand for local wall-clock time ("wall" values below). The result
 * depends only on the arguments.
 *
 * Period calendar (plan, section IV: "định kỳ hàng quý, 6 tháng (05/5), hàng năm (05/11)"):
 * - Quarters: Q1 Jan-Mar ... Q4 Oct-Dec. Deadline: day `quarterDeadlineDay` (default 5) of the month
 *   after the quarter, so Q4's deadline is 05/01 of the next year. The seeds give no quarter deadline;
 *   the 5th matches the rhythm of the two dates the plan does give.
 * - H1 ("6 tháng đầu năm"): nominal range 01/01-30/06 (the figures and the title name that period), but
 *   the plan's deadline is 05/5 of the same year, i.e. before the range ends: in practice the half-year
 *   report goes up in early May and units report what they have by then.
 * - Y ("năm"): nominal range 01/01-31/12, deadline 05/11 of the same year, again before the range ends
 *   (the yearly report is written in November).
 * - opensAt: a period accepts answers from (earlier of the range's last day and the deadline day) minus
 *   `openDaysBeforeEnd` days, at 00:00 local. Using only the range end would open H1 on 15/6 and Y on
 *   16/12, weeks after their deadlines; using the earlier of the two keeps the window before the deadline
 *   at least `openDaysBeforeEnd` days for every kind.
 * - closesAt: the deadline (23:59:59.999 local) plus `closeDaysAfterDeadline` days, counted in local
 *   calendar days. A period is open while opensAt <= now < closesAt.
 */

dayjs.extend(utc);

// ---------------------------------------------------------------------------------------------------
// Time-zone helpers (Intl-based, independent of the machine zone)

const dtfCache = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let dtf = dtfCache.get(timeZone);
  if (!dtf) {
    dtf = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    dtfCache.set(timeZone, dtf);
  }
  return dtf;
}

/**
 * IANA's current names of zones that ICU lists under an older one (Asia/Saigon for Asia/Ho_Chi_Minh), and
 * UTC: known valid without making a formatter (tests/time-zone-offsets.test.ts checks each against Intl).
 */
export const ZONES_LISTED_UNDER_ANOTHER_NAME: ReadonlySet<string> = new Set([
  'UTC',
  'Asia/Ho_Chi_Minh',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Yangon',
  'Europe/Kyiv',
  'America/Nuuk',
  'Atlantic/Faroe',
  'Pacific/Kanton',
  'Pacific/Chuuk',
  'Pacific/Pohnpei',
  'Africa/Asmara',
  'America/Atikokan',
  'America/Argentina/Buenos_Aires',
  'America/Argentina/Catamarca',
  'America/Argentina/Cordoba',
  'America/Argentina/Jujuy',
  'America/Argentina/Mendoza',
  'America/Indiana/Indianapolis',
  'America/Kentucky/Louisville',
]);
let icuZones: Set<string> | undefined;

/**
 * A zone name exactly as ICU lists it or as listed above: one the process's TZ can be set to (other
 * spellings Intl accepts, such as lower case, would leave the process in UTC without a word).
 */
export function isListedTimeZone(timeZone: string): boolean {
  icuZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  return icuZones.has(timeZone) || ZONES_LISTED_UNDER_ANOTHER_NAME.has(timeZone);
}

/**
 * True when `timeZone` is an IANA zone name the runtime knows ("Asia/Ho_Chi_Minh", "UTC"). The names ICU
 * lists are checked without a formatter: the first Intl.DateTimeFormat loads ICU's formatting data, about
 * 7 MB that stay resident, which the bot otherwise never needs (useOffsetsFor). Other names, aliases
 * among them, are asked of Intl.
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  if (isListedTimeZone(timeZone)) return true;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Zones whose offsets come from a source the edge handed over (useOffsetsFor) instead of Intl. */
const offsetSources = new Map<string, (ms: number) => number>();

/**
 * From now on `offsetMs(ms)` gives `timeZone`'s offset from UTC at instant `ms`, in milliseconds: the
 * edge hands over Date's local-time offset once it has made `timeZone` the process's TZ, so the bot never
 * makes an Intl formatter (see isValidTimeZone). Null goes back to Intl. Other zones always use Intl.
 */
export function useOffsetsFor(timeZone: string, offsetMs: ((ms: number) => number) | null): void {
  if (offsetMs) offsetSources.set(timeZone, offsetMs);
  else offsetSources.delete(timeZone);
  offsetCache.delete(timeZone);
}

/** Offset of `timeZone` at instant `ms`, from the zone's handed-over source or else from Intl. */
function sourceOffsetMs(ms: number, timeZone: string): number {
  const source = offsetSources.get(timeZone);
  return source ? source(ms) : intlOffsetMs(ms, timeZone);
}

/** Offset of `timeZone` from UTC at instant `ms`, in milliseconds, straight from Intl (slow: ~10 µs). */
function intlOffsetMs(ms: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const f: Record<string, number> = {};
  let bc = false;
  for (const p of parts) {
    if (p.type === 'era') bc = p.value.startsWith('B');
    else if (p.type !== 'literal') f[p.type] = Number.parseInt(p.value, 10);
  }
  const year = bc ? 1 - (f.year ?? 0) : (f.year ?? 0);
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(year, (f.month ?? 1) - 1, f.day ?? 1);
  asUtc.setUTCHours((f.hour ?? 0) % 24, f.minute ?? 0, f.second ?? 0, 0);
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  return asUtc.getTime() - wholeSecond;
}

const HOUR_MS = 3_600_000;
/** Per zone: hour → the offset valid for that whole hour, or null when it changes within the hour. */
const offsetCache = new Map<string, Map<number, number | null>>();
const OFFSET_CACHE_HOURS = 50_000;

/**
 * Offset of `timeZone` from UTC at instant `ms`, in milliseconds (Asia/Ho_Chi_Minh: +7 h). Every message
 * formats dates, and Intl.formatToParts costs more than the rest of the arithmetic, so the offset is
 * remembered per hour: an hour whose first and last second have the same offset has it throughout (zones
 * change offset at most a few times a year, never twice within an hour); an hour with a change is
 * always asked of the source.
 */
function zoneOffsetMs(ms: number, timeZone: string): number {
  let perZone = offsetCache.get(timeZone);
  if (!perZone) offsetCache.set(timeZone, (perZone = new Map()));
  const hour = Math.floor(ms / HOUR_MS);
  let known = perZone.get(hour);
  if (known === undefined) {
    const first = sourceOffsetMs(hour * HOUR_MS, timeZone);
    const last = sourceOffsetMs(hour * HOUR_MS + HOUR_MS - 1000, timeZone);
    known = first === last ? first : null;
    if (perZone.size >= OFFSET_CACHE_HOURS) perZone.clear();
    perZone.set(hour, known);
  }
  return known ?? sourceOffsetMs(ms, timeZone);
}

/** The local wall-clock time of `d` in `timeZone`, as a dayjs value in UTC mode. */
export function toWall(d: Date, timeZone: string): Dayjs {
  const ms = d.getTime();
  return dayjs.utc(ms + zoneOffsetMs(ms, timeZone));
}

/**
 * The instant at which the clocks in `timeZone` show `wall` (a dayjs value in UTC mode). A wall time
 * that does not exist (spring-forward gap) maps to the instant just after the gap, as the clocks show it
 * shifted forward; an ambiguous one (fall-back) maps to the earlier instant.
 */
export function fromWall(wall: Dayjs, timeZone: string): Date {
  const local = wall.valueOf();
  const o1 = zoneOffsetMs(local, timeZone);
  const guess = local - o1;
  const o2 = zoneOffsetMs(guess, timeZone);
  if (o1 === o2) return new Date(guess);
  const guess2 = local - o2;
  const o3 = zoneOffsetMs(guess2, timeZone);
  if (o2 === o3) return new Date(guess2);
  return new Date(local - Math.min(o2, o3));
}

/** A wall-clock value (UTC-mode dayjs) for the given local date and time. `month` is 1-12. */
export function wallOf(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): Dayjs {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return dayjs.utc(d.getTime());
}

// ---------------------------------------------------------------------------------------------------
// Schemas and configuration

export const PERIOD_KINDS = ['quarter', 'half', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

const PERIOD_ID_RE = /^(\d{4})-(Q[1-4]|H1|Y)$/;
const PERIOD_ID_MESSAGE = 'Mã kỳ báo cáo không hợp lệ (ví dụ: 2026-Q1, 2026-H1, 2026-Y)';

/** Period ids: `2026-Q1`..`2026-Q4`, `2026-H1`, `2026-Y`. Years 1970-9999. */
export const PeriodIdSchema = z
  .string()
  .regex(/^\d{4}-(Q[1-4]|H1|Y)$/, PERIOD_ID_MESSAGE)
  .refine((s) => parsePeriodId(s) !== null, PERIOD_ID_MESSAGE);
export type PeriodId = string;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** A day of the year (same every year, so 29/02 is refused). */
export const MonthDaySchema = z
  .object({
    month: z.number().int().min(1, 'Tháng phải từ 1 đến 12').max(12, 'Tháng phải từ 1 đến 12'),
    day: z.number().int().min(1, 'Ngày phải từ 1 trở lên').max(31, 'Ngày không quá 31'),
  })
  .refine((md) => md.day <= (DAYS_IN_MONTH[md.month - 1] ?? 0), {
    message: 'Ngày không có trong tháng đó (hạn nộp phải là ngày có ở mọi năm)',
    path: ['day'],
  });

export interface CalendarConfig {
  timeZone: string;
  halfYearDeadline: { month: number; day: number };
  yearDeadline: { month: number; day: number };
  /** Day of the month after the quarter. */
  quarterDeadlineDay: number;
  /** A period opens for answers this many days before its range ends (or its deadline, if earlier). */
  openDaysBeforeEnd: number;
  /** Closes automatically this many days after the deadline. */
  closeDaysAfterDeadline: number;
  /** Which kinds run. */
  kinds: PeriodKind[];
}

export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

export const CalendarConfigSchema = z.object({
  timeZone: z
    .string()
    .refine(isValidTimeZone, 'Múi giờ không hợp lệ (ví dụ: Asia/Ho_Chi_Minh)')
    .default(DEFAULT_TIME_ZONE),
  halfYearDeadline: MonthDaySchema.default({ month: 5, day: 5 }),
  yearDeadline: MonthDaySchema.default({ month: 11, day: 5 }),
  // Every month after a quarter (Apr, Jul, Oct, Jan) has at least 30 days.
  quarterDeadlineDay: z
    .number()
    .int()
    .min(1, 'Hạn nộp báo cáo quý phải từ ngày 1 đến ngày 30')
    .max(30, 'Hạn nộp báo cáo quý phải từ ngày 1 đến ngày 30')
    .default(5),
  openDaysBeforeEnd: z
    .number()
    .int()
    .min(0, 'Số ngày mở kỳ trước hạn không được âm')
    .max(366, 'Số ngày mở kỳ trước hạn không quá 366')
    .default(15),
  closeDaysAfterDeadline: z
    .number()
    .int()
    .min(0, 'Số ngày đóng kỳ sau hạn không được âm')
    .max(366, 'Số ngày đóng kỳ sau hạn không quá 366')
    .default(30),
  kinds: z
    .array(z.enum(PERIOD_KINDS))
    .min(1, 'Phải chọn ít nhất một loại kỳ báo cáo')
    .transform((ks) => PERIOD_KINDS.filter((k) => ks.includes(k)))
    .default(['quarter', 'half', 'year']),
});

// Compile-time check that the schema's output is a CalendarConfig.
const _calendarSchemaMatches: (c: z.output<typeof CalendarConfigSchema>) => CalendarConfig = (c) => c;
void _calendarSchemaMatches;

/** The plan's calendar. Frozen (nested values too): spread it to make a variant. */
export const DEFAULT_CALENDAR: CalendarConfig = (() => {
  const c = CalendarConfigSchema.parse({});
  Object.freeze(c.halfYearDeadline);
  Object.freeze(c.yearDeadline);
  Object.freeze(c.kinds);
  return Object.freeze(c);
})();

// ---------------------------------------------------------------------------------------------------
// Periods

export interface PeriodInfo {
  id: PeriodId;
  kind: PeriodKind;
  year: number;
  /** 00:00 local of the first day of the range. */
  start: Date;
  /** 23:59:59.999 local of the last day of the range (inclusive). */
  end: Date;
  /** 23:59:59.999 local of the deadline day. */
  deadline: Date;
  opensAt: Date;
  closesAt: Date;
  /** "Quý I năm 2026", "6 tháng đầu năm 2026", "năm 2026". */
  title: string;
  /** "quý I/2026", "6 tháng đầu năm 2026", "năm 2026". */
  shortTitle: string;
}

export function parsePeriodId(id: string): { year: number; kind: PeriodKind; index: number } | null {
  if (typeof id !== 'string') return null;
  const m = PERIOD_ID_RE.exec(id);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < 1970) return null;
  const tail = m[2] ?? '';
  if (tail === 'Y') return { year, kind: 'year', index: 1 };
  if (tail === 'H1') return { year, kind: 'half', index: 1 };
  return { year, kind: 'quarter', index: Number(tail.slice(1)) };
}

/**
 * Which earlier report a period's figures are compared with ("Kỳ trước: 1.593", questions back on
 * unlikely figures). `sameKind`: the latest earlier period of the same kind (a quarter: the previous
 * quarter, or the latest before it; the half-year: last year's; the year: last year's), because a
 * quarter's figures cover three months and a half-year's six. `latest`: the latest earlier period of
 * any kind that ends no later than this one, for the unit profile (pupils, classes, staff), which does
 * not depend on the period's length. Pure; candidates are the periods with a confirmed report.
 */
export function pickComparable(current: PeriodId, candidates: readonly PeriodId[]): { sameKind: PeriodId | null; latest: PeriodId | null } {
  const cur = parsePeriodId(current);
  if (!cur) return { sameKind: null, latest: null };
  const endOf = (p: { year: number; kind: PeriodKind; index: number }) => p.year * 12 + (p.kind === 'quarter' ? p.index * 3 : p.kind === 'half' ? 6 : 12);
  // Among periods ending the same month, the longer one is the fuller report (Y after Q4, H1 after Q2).
  const rank = (p: { year: number; kind: PeriodKind; index: number }) => endOf(p) * 10 + (p.kind === 'year' ? 2 : p.kind === 'half' ? 1 : 0);
  let sameKind: { id: PeriodId; r: number } | null = null;
  let latest: { id: PeriodId; r: number } | null = null;
  for (const id of candidates) {
    const p = parsePeriodId(id);
    if (!p || id === current) continue;
    const r = rank(p);
    if (endOf(p) > endOf(cur)) continue;
    if (p.kind === cur.kind && endOf(p) < endOf(cur) && (!sameKind || r > sameKind.r)) sameKind = { id, r };
    if (!latest || r > latest.r) latest = { id, r };
  }
  return { sameKind: sameKind?.id ?? null, latest: latest?.id ?? null };
}

const ROMAN = ['I', 'II', 'III', 'IV'] as const;

function endOfDayWall(w: Dayjs): Dayjs {
  return w.startOf('day').add(1, 'day').subtract(1, 'millisecond');
}

/** Periods in the order of their deadlines (then of their ids, as plain text: ids are ASCII). */
export function compareByDeadline(a: PeriodInfo, b: PeriodInfo): number {
  return a.deadline.getTime() - b.deadline.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Full information about a period (shared and frozen). Throws on an invalid id. */
export function periodInfo(id: PeriodId, cfg: CalendarConfig = DEFAULT_CALENDAR): PeriodInfo {
  const p = parsePeriodId(id);
  if (p && cfg.kinds.includes(p.kind)) {
    const known = calendarOfYear(p.year, cfg).find((x) => x.id === id);
    if (known) return known;
  }
  return Object.freeze(computePeriodInfo(id, cfg));
}

function computePeriodInfo(id: PeriodId, cfg: CalendarConfig): PeriodInfo {
  const p = parsePeriodId(id);
  if (!p) throw new Error(`${PERIOD_ID_MESSAGE}: "${String(id)}"`);
  const { year, kind, index } = p;
  const tz = cfg.timeZone;

  let startWall: Dayjs;
  let lastDayWall: Dayjs;
  let deadlineDayWall: Dayjs;
  let title: string;
  let shortTitle: string;
  if (kind === 'quarter') {
    const firstMonth = (index - 1) * 3 + 1;
    startWall = wallOf(year, firstMonth, 1);
    lastDayWall = startWall.add(3, 'month').subtract(1, 'day');
    deadlineDayWall = startWall.add(3, 'month').date(cfg.quarterDeadlineDay);
    const roman = ROMAN[index - 1] ?? String(index);
    title = `Quý ${roman} năm ${year}`;
    shortTitle = `quý ${roman}/${year}`;
  } else if (kind === 'half') {
    startWall = wallOf(year, 1, 1);
    lastDayWall = wallOf(year, 6, 30);
    deadlineDayWall = wallOf(year, cfg.halfYearDeadline.month, cfg.halfYearDeadline.day);
    title = `6 tháng đầu năm ${year}`;
    shortTitle = title;
  } else {
    startWall = wallOf(year, 1, 1);
    lastDayWall = wallOf(year, 12, 31);
    deadlineDayWall = wallOf(year, cfg.yearDeadline.month, cfg.yearDeadline.day);
    title = `năm ${year}`;
    shortTitle = title;
  }

  const deadlineWall = endOfDayWall(deadlineDayWall);
  const earlier = deadlineDayWall.isBefore(lastDayWall) ? deadlineDayWall : lastDayWall;
  const opensWall = earlier.startOf('day').subtract(cfg.openDaysBeforeEnd, 'day');
  const closesWall = deadlineWall.add(cfg.closeDaysAfterDeadline, 'day');

  return {
    id,
    kind,
    year,
    start: fromWall(startWall, tz),
    end: fromWall(endOfDayWall(lastDayWall), tz),
    deadline: fromWall(deadlineWall, tz),
    opensAt: fromWall(opensWall, tz),
    closesAt: fromWall(closesWall, tz),
    title,
    shortTitle,
  };
}

function idsOfYear(year: number, kinds: readonly PeriodKind[]): PeriodId[] {
  const ids: PeriodId[] = [];
  if (kinds.includes('quarter')) for (let q = 1; q <= 4; q++) ids.push(`${year}-Q${q}`);
  if (kinds.includes('half')) ids.push(`${year}-H1`);
  if (kinds.includes('year')) ids.push(`${year}-Y`);
  return ids;
}

function byDeadline(a: PeriodInfo, b: PeriodInfo): number {
  return (
    a.deadline.getTime() - b.deadline.getTime() ||
    a.end.getTime() - b.end.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** The periods named for `year` (only configured kinds), sorted by deadline (2026-Q4 comes last, due 05/01/2027). */
export function periodsOfYear(year: number, cfg: CalendarConfig = DEFAULT_CALENDAR): PeriodInfo[] {
  return [...calendarOfYear(year, cfg)];
}

/**
 * A year's calendar depends only on the year and the configuration, and every message asks which periods
 * are open: it is computed once per (configuration, year) and shared, frozen. Which of them are open is
 * still decided from `now` at every call, so a new day (or a new minute) takes effect at once.
 */
const calendarCache = new Map<string, Map<number, readonly PeriodInfo[]>>();

function calendarKey(cfg: CalendarConfig): string {
  return JSON.stringify([cfg.timeZone, cfg.halfYearDeadline, cfg.yearDeadline, cfg.quarterDeadlineDay, cfg.openDaysBeforeEnd, cfg.closeDaysAfterDeadline, cfg.kinds]);
}

const keyOfConfig = new WeakMap<CalendarConfig, string>();

function calendarOfYear(year: number, cfg: CalendarConfig): readonly PeriodInfo[] {
  let key = keyOfConfig.get(cfg);
  if (key === undefined) {
    key = calendarKey(cfg);
    // Only a frozen configuration can be remembered by identity: another may be changed in place.
    if (Object.isFrozen(cfg) && Object.isFrozen(cfg.kinds)) keyOfConfig.set(cfg, key);
  }
  let years = calendarCache.get(key);
  if (!years) {
    if (calendarCache.size > 100) calendarCache.clear();
    calendarCache.set(key, (years = new Map()));
  }
  let list = years.get(year);
  if (!list) {
    list = Object.freeze(
      idsOfYear(year, cfg.kinds)
        .map((id) => Object.freeze(computePeriodInfo(id, cfg)))
        .sort(byDeadline),
    );
    years.set(year, list);
  }
  return list;
}

/** True when the period accepts answers at `now`: opensAt <= now < closesAt. */
export function isPeriodOpen(p: PeriodInfo, now: Date): boolean {
  const t = now.getTime();
  return p.opensAt.getTime() <= t && t < p.closesAt.getTime();
}

/**
 * The last answer of openPeriodsAt per (frozen) configuration, with the span of instants it holds for:
 * from the latest opening, closing or New Year at or before that `now` to the earliest one after it.
 * Every message asks; the answer changes a few times a year.
 */
const openAnswers = new WeakMap<CalendarConfig, { from: number; until: number; open: readonly PeriodInfo[] }>();

/** Periods open at `now` (opensAt <= now < closesAt), sorted by deadline ascending. */
export function openPeriodsAt(now: Date, cfg: CalendarConfig = DEFAULT_CALENDAR): PeriodInfo[] {
  const t = now.getTime();
  const remembered = Object.isFrozen(cfg) && Object.isFrozen(cfg.kinds);
  const known = remembered ? openAnswers.get(cfg) : undefined;
  if (known && known.from <= t && t < known.until) return [...known.open];
  const year = toWall(now, cfg.timeZone).year();
  // The three calendars looked at change at local New Year.
  let from = fromWall(dayjs.utc(Date.UTC(year, 0, 1)), cfg.timeZone).getTime();
  let until = fromWall(dayjs.utc(Date.UTC(year + 1, 0, 1)), cfg.timeZone).getTime();
  const out: PeriodInfo[] = [];
  for (const y of [year - 1, year, year + 1]) {
    if (y < 1970) continue;
    for (const p of calendarOfYear(y, cfg)) {
      if (isPeriodOpen(p, now)) out.push(p);
      for (const edge of [p.opensAt.getTime(), p.closesAt.getTime()]) {
        if (edge <= t) from = Math.max(from, edge);
        else until = Math.min(until, edge);
      }
    }
  }
  out.sort(byDeadline);
  if (remembered) openAnswers.set(cfg, { from, until, open: Object.freeze([...out]) });
  return out;
}

/**
 * The period a contact is most likely answering at `now`: among open periods, the one with the nearest
 * deadline not yet passed (now <= deadline); if every open period is past its deadline, the one whose
 * deadline passed most recently. Null when nothing is open.
 */
export function currentPeriodAt(now: Date, cfg: CalendarConfig = DEFAULT_CALENDAR): PeriodInfo | null {
  const open = openPeriodsAt(now, cfg);
  const t = now.getTime();
  const upcoming = open.find((p) => t <= p.deadline.getTime());
  if (upcoming) return upcoming;
  return open.at(-1) ?? null;
}

// ---------------------------------------------------------------------------------------------------
// Official date formats (Nghị định 30/2020/NĐ-CP: days below 10 and months 1, 2 take a leading zero)

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function officialMonth(m: number): string {
  return m <= 2 ? pad2(m) : String(m);
}

/** "ngày 08 tháng 5 năm 2026", "ngày 05 tháng 01 năm 2020", "ngày 29 tháng 6 năm 2019". */
export function formatOfficialDate(d: Date, tz: string = DEFAULT_TIME_ZONE): string {
  const w = toWall(d, tz);
  return `ngày ${pad2(w.date())} tháng ${officialMonth(w.month() + 1)} năm ${w.year()}`;
}

/** "05/5/2026", "08/5/2026", "10/02/2026". */
export function formatShortDate(d: Date, tz: string = DEFAULT_TIME_ZONE): string {
  const w = toWall(d, tz);
  return `${pad2(w.date())}/${officialMonth(w.month() + 1)}/${w.year()}`;
}

/** "14:05 ngày 08/5/2026". */
export function formatDateTime(d: Date, tz: string = DEFAULT_TIME_ZONE): string {
  // One wall-clock value for both parts (the report's appendix formats one per unit).
  const w = toWall(d, tz);
  return `${pad2(w.hour())}:${pad2(w.minute())} ngày ${pad2(w.date())}/${officialMonth(w.month() + 1)}/${w.year()}`;
}
