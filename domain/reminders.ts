import { z } from 'zod';
import type { Dayjs } from 'dayjs';
import { DEFAULT_TIME_ZONE, fromWall, isValidTimeZone, toWall, type PeriodId, type PeriodInfo } from './periods.js';

/**
 * Reminder planning (pure: the clock is the `now` argument; no I/O, no machine time zone).
 *
 * A period has a fixed list of reminder slots: `before-N` (N days before the deadline day, for each N in
 * `beforeDays`), `deadline` (morning of the deadline day) and `after-1`..`after-K` (every
 * `afterEveryDays` days after the deadline day, at most `afterMaxTimes`). Each slot's `at` is its day at
 * `workStart` local time, moved to the Monday when the day is a Sunday and `skipSundays` is on. So a
 * deadline falling on a Sunday gets its `deadline` slot on the Monday after it: callers word the message
 * from `period.deadline` (already passed or not), not from the slot id alone.
 *
 * Slots are dropped when: a before-slot falls before `period.opensAt` (units could not answer yet);
 * any slot falls at or after `period.closesAt`; two slots land on the same day after the Sunday move
 * (the later, more urgent one is kept: `before-1` moved onto a Monday deadline gives way to `deadline`).
 *
 * Sending (`dueReminders`): at most one message per contact per call, only during working hours, never
 * on Sundays (when `skipSundays`), never to unreachable contacts or to contacts of units that confirmed.
 * The slot sent is the latest one already due, and only if neither it nor any later slot was sent: after
 * downtime the bot catches up with the most recent reminder instead of replaying the missed ones, and it
 * never sends an older reminder once a newer one went out.
 */

export type SlotId = string;

export interface ReminderConfig {
  /** Days before the deadline day; default [7, 3, 1]. */
  beforeDays: number[];
  /** Remind on the morning of the deadline day; default true. */
  onDeadlineDay: boolean;
  /** Days between reminders after the deadline; default 2. */
  afterEveryDays: number;
  /** Reminders after the deadline, at most; default 3. */
  afterMaxTimes: number;
  /** 'HH:mm' local; default '07:30'. */
  workStart: string;
  /** 'HH:mm' local, exclusive; default '20:00'. */
  workEnd: string;
  /** No reminder on Sundays; default true. */
  skipSundays: boolean;
  timeZone: string;
}

const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(hhmm: string): number {
  const m = HHMM_RE.exec(hhmm);
  if (!m) throw new Error(`Giờ không hợp lệ (dạng HH:mm, ví dụ 07:30): "${hhmm}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

const HhmmSchema = z.string().regex(HHMM_RE, 'Giờ phải có dạng HH:mm (ví dụ 07:30)');

export const ReminderConfigSchema = z
  .object({
    beforeDays: z
      .array(
        z
          .number()
          .int('Số ngày nhắc trước hạn phải là số nguyên')
          .min(1, 'Số ngày nhắc trước hạn phải từ 1 trở lên')
          .max(90, 'Số ngày nhắc trước hạn không quá 90'),
      )
      .max(20, 'Nhiều nhất 20 lần nhắc trước hạn')
      .transform((ds) => [...new Set(ds)].sort((a, b) => b - a))
      .default([7, 3, 1]),
    onDeadlineDay: z.boolean().default(true),
    afterEveryDays: z
      .number()
      .int('Khoảng cách nhắc sau hạn phải là số ngày nguyên')
      .min(1, 'Khoảng cách nhắc sau hạn phải từ 1 ngày trở lên')
      .max(60, 'Khoảng cách nhắc sau hạn không quá 60 ngày')
      .default(2),
    afterMaxTimes: z
      .number()
      .int('Số lần nhắc sau hạn phải là số nguyên')
      .min(0, 'Số lần nhắc sau hạn không được âm')
      .max(20, 'Nhiều nhất 20 lần nhắc sau hạn')
      .default(3),
    workStart: HhmmSchema.default('07:30'),
    workEnd: HhmmSchema.default('20:00'),
    skipSundays: z.boolean().default(true),
    timeZone: z
      .string()
      .refine(isValidTimeZone, 'Múi giờ không hợp lệ (ví dụ: Asia/Ho_Chi_Minh)')
      .default(DEFAULT_TIME_ZONE),
  })
  // zod runs this even when a field failed; malformed times are already reported by their field.
  .refine((c) => !HHMM_RE.test(c.workStart) || !HHMM_RE.test(c.workEnd) || minutesOf(c.workStart) < minutesOf(c.workEnd), {
    message: 'Giờ kết thúc làm việc phải sau giờ bắt đầu',
    path: ['workEnd'],
  });

// Compile-time check that the schema's output is a ReminderConfig.
const _reminderSchemaMatches: (c: z.output<typeof ReminderConfigSchema>) => ReminderConfig = (c) => c;
void _reminderSchemaMatches;

export const DEFAULT_REMINDERS: ReminderConfig = (() => {
  const c = ReminderConfigSchema.parse({});
  Object.freeze(c.beforeDays);
  return Object.freeze(c);
})();

export interface Slot {
  id: SlotId;
  /** Earliest moment the slot may be sent: the slot's day at workStart local (Sundays moved to Monday). */
  at: Date;
}

export function reminderKey(contactId: number, periodId: PeriodId, slotId: SlotId): string {
  return `${contactId}|${periodId}|${slotId}`;
}

function slotAt(day: Dayjs, startMinutes: number, cfg: ReminderConfig): Date {
  let d = day.startOf('day');
  if (cfg.skipSundays && d.day() === 0) d = d.add(1, 'day');
  return fromWall(d.add(startMinutes, 'minute'), cfg.timeZone);
}

/** The period's reminder slots, chronological, with unique ids and unique days. */
export function reminderSlots(period: PeriodInfo, cfg: ReminderConfig = DEFAULT_REMINDERS): Slot[] {
  const start = minutesOf(cfg.workStart);
  const deadlineDay = toWall(period.deadline, cfg.timeZone).startOf('day');
  const opens = period.opensAt.getTime();
  const closes = period.closesAt.getTime();

  // Built in the order the slots are meant to go out; their days never decrease (moving a Sunday forward
  // keeps the order), so equal days are neighbours.
  const planned: Slot[] = [];
  for (const n of [...new Set(cfg.beforeDays)].sort((a, b) => b - a)) {
    const at = slotAt(deadlineDay.subtract(n, 'day'), start, cfg);
    if (at.getTime() < opens) continue;
    planned.push({ id: `before-${n}`, at });
  }
  if (cfg.onDeadlineDay) planned.push({ id: 'deadline', at: slotAt(deadlineDay, start, cfg) });
  for (let k = 1; k <= cfg.afterMaxTimes; k++) {
    planned.push({ id: `after-${k}`, at: slotAt(deadlineDay.add(k * cfg.afterEveryDays, 'day'), start, cfg) });
  }

  const slots: Slot[] = [];
  for (const s of planned) {
    if (s.at.getTime() >= closes) continue;
    const last = slots.at(-1);
    if (last && last.at.getTime() >= s.at.getTime()) slots[slots.length - 1] = s; // same day: keep the later
    else slots.push(s);
  }
  return slots;
}

/** True from workStart (inclusive) to workEnd (exclusive) local time, and not on a Sunday when skipSundays. */
export function withinWorkingHours(now: Date, cfg: ReminderConfig = DEFAULT_REMINDERS): boolean {
  const w = toWall(now, cfg.timeZone);
  if (cfg.skipSundays && w.day() === 0) return false;
  const minutes = w.hour() * 60 + w.minute();
  return minutesOf(cfg.workStart) <= minutes && minutes < minutesOf(cfg.workEnd);
}

export interface ReminderTarget {
  contactId: number;
  unitId: number;
  periodId: PeriodId;
  reachable: boolean;
}

export interface DueReminder {
  contactId: number;
  unitId: number;
  periodId: PeriodId;
  slotId: SlotId;
}

/**
 * Reminders to send at `now` for `period`, at most one per contact, sorted by contact id. Targets of
 * other periods are ignored. A contact serving several unconfirmed units gets one reminder, reported
 * with the lowest such unit id (the sent key has no unit, so a second message could not be told apart);
 * the caller may list all of the contact's pending units in that one message.
 */
export function dueReminders(input: {
  now: Date;
  period: PeriodInfo;
  targets: ReminderTarget[];
  confirmedUnitIds: ReadonlySet<number>;
  sent: ReadonlySet<string>;
  cfg?: ReminderConfig;
}): DueReminder[] {
  const { now, period, targets, confirmedUnitIds, sent } = input;
  const cfg = input.cfg ?? DEFAULT_REMINDERS;
  const t = now.getTime();
  if (t < period.opensAt.getTime() || t >= period.closesAt.getTime()) return [];
  if (!withinWorkingHours(now, cfg)) return [];

  const slots = reminderSlots(period, cfg);
  let latest = -1;
  for (let i = 0; i < slots.length; i++) if (slots[i]!.at.getTime() <= t) latest = i;
  if (latest < 0) return [];
  const slot = slots[latest]!;
  const laterOrSame = slots.slice(latest);

  const eligible = targets
    .filter((x) => x.periodId === period.id && x.reachable && !confirmedUnitIds.has(x.unitId))
    .sort((a, b) => a.contactId - b.contactId || a.unitId - b.unitId);

  const out: DueReminder[] = [];
  const seen = new Set<number>();
  for (const x of eligible) {
    if (seen.has(x.contactId)) continue;
    seen.add(x.contactId);
    if (laterOrSame.some((s) => sent.has(reminderKey(x.contactId, period.id, s.id)))) continue;
    out.push({ contactId: x.contactId, unitId: x.unitId, periodId: period.id, slotId: slot.id });
  }
  return out;
}
