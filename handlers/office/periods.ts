import { compareByDeadline, PeriodIdSchema, periodInfo, periodsOfYear, toWall, type PeriodInfo } from '../../domain/periods';
import { isEffectivelyOpen, type PeriodOverride } from '../../domain/period-status';
import { reply, type Reply } from '../../domain/replies';
import { audit } from '../../storage/repositories/audit';
import { findPeriod, periodOverrides, setPeriodOverride } from '../../storage/repositories/periods';
import { confirmedUnitIds } from '../../storage/repositories/reminders';
import { activeUnits } from '../../storage/repositories/units';
import * as t from '../../templates/reminders';
import type { CommandSpec } from '../commands';
import type { CommandContext } from '../types';

/**
 * /ky: the periods with their state and how many units confirmed; /ky dong|mo|lich MÃ-KỲ: the office
 * closes a period, opens it (even outside the calendar), or gives it back to the calendar.
 */

const YEAR_MS = 365 * 86_400_000;

/** Periods worth showing: those running or ended within a year, the next one to open, and any the office steered. */
function listedPeriods(c: CommandContext, overrides: ReadonlyMap<string, PeriodOverride>): PeriodInfo[] {
  const { calendar } = c.deps.config;
  const now = c.now.getTime();
  const year = toWall(c.now, calendar.timeZone).year();
  const all = [year - 1, year, year + 1].flatMap((y) => periodsOfYear(y, calendar));
  const nextToOpen = all.filter((p) => p.opensAt.getTime() > now).sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime())[0];
  const byId = new Map<string, PeriodInfo>();
  for (const p of all) {
    if ((p.opensAt.getTime() <= now && p.closesAt.getTime() > now - YEAR_MS) || p === nextToOpen) byId.set(p.id, p);
  }
  for (const id of overrides.keys()) if (!byId.has(id)) byId.set(id, periodInfo(id, calendar));
  return [...byId.values()].sort(compareByDeadline);
}

function list(c: CommandContext): Reply[] {
  const { db } = c.deps;
  const overrides = periodOverrides(db);
  const units = activeUnits(db);
  const lines: t.PeriodLine[] = listedPeriods(c, overrides).map((p) => {
    const override = overrides.get(p.id) ?? 'calendar';
    const open = isEffectivelyOpen(p, override, c.now);
    const confirmed = confirmedUnitIds(db, p.id);
    return {
      id: p.id,
      title: p.title,
      deadline: p.deadline,
      state: open ? 'open' : override !== 'closed' && c.now < p.opensAt ? 'not_yet' : 'closed',
      override,
      confirmed: units.filter((u) => confirmed.has(u.id)).length,
      expected: units.length,
    };
  });
  return [reply(t.periodListText(lines, c.deps.config.timeZone))];
}

const ACTIONS: Record<string, PeriodOverride> = { dong: 'closed', mo: 'open', lich: 'calendar', theolich: 'calendar' };

/** "đóng" → "dong": office staff type with or without diacritics. */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

function change(c: CommandContext, verb: string, rawId: string): Reply[] {
  const status = ACTIONS[fold(verb)];
  if (!status || rawId === '') return [reply(t.periodUsage())];
  const id = rawId.toUpperCase();
  if (!PeriodIdSchema.safeParse(id).success) return [reply(t.badPeriodId(rawId))];
  const { db, config } = c.deps;
  const info = periodInfo(id, config.calendar);
  const previous = findPeriod(db, id)?.status ?? 'calendar';
  setPeriodOverride(db, id, status, c.contact.id, c.now);
  const action = status === 'closed' ? 'period_closed' : status === 'open' ? 'period_opened' : 'period_calendar';
  audit(db, { at: c.now, actorContactId: c.contact.id, action, subject: `period:${id}`, details: { previous, status } });
  if (status === 'closed') return [reply(t.periodClosed(info.title))];
  if (status === 'open') return [reply(t.periodOpened(info.title))];
  return [reply(t.periodCalendar(info.title, isEffectivelyOpen(info, 'calendar', c.now)))];
}

export const periodsCommand: CommandSpec = {
  name: 'ky',
  usage: '/ky',
  description: 'Xem các kỳ báo cáo; đóng, mở lại một kỳ hoặc để kỳ đóng, mở theo lịch, ví dụ /ky dong 2026-H1, /ky mo 2026-H1, /ky lich 2026-H1',
  audience: 'office',
  run: (c, arg) => {
    const parts = arg.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) return list(c);
    if (parts.length !== 2) return [reply(t.periodUsage())];
    return change(c, parts[0]!, parts[1]!);
  },
};
