import { knownIdsForMessage, knownPeriods } from '../../domain/known-periods';
import { PeriodIdSchema, toWall, type CalendarConfig, type PeriodInfo } from '../../domain/periods';
import { defaultPeriod } from '../../domain/period-status';
import type { Db } from '../../storage/db';
import { openPeriods } from '../../storage/repositories/periods';
import { storedPeriodIds } from '../../storage/repositories/report-particulars';
import type { CommandContext } from '../types';

export type PeriodArg = { ok: true; period: PeriodInfo } | { ok: false; message: string };

/** "“2099-Q1” không phải kỳ báo cáo đã có. Các kỳ hiện có: …" (also for the CLI). */
export function unknownPeriodMessage(arg: string, known: readonly PeriodInfo[]): string {
  const ids = knownIdsForMessage(known);
  const list = ids.length > 0 ? ` Các kỳ hiện có: ${ids.join(', ')}.` : '';
  return PeriodIdSchema.safeParse(arg.trim().toUpperCase()).success
    ? `Kỳ ${arg.trim().toUpperCase()} chưa có (chưa đến hoặc nằm ngoài các kỳ báo cáo đã có), nên không tạo tệp nào.${list}`
    : `“${arg.trim().slice(0, 20)}” không phải mã kỳ báo cáo.${list}`;
}

/** A period named by the office, refused unless it is known (see domain/known-periods.ts). */
export function knownPeriod(db: Db, now: Date, calendar: CalendarConfig, arg: string): PeriodArg {
  const wanted = arg.trim().toUpperCase();
  const known = knownPeriods(now, calendar, storedPeriodIds(db));
  const found = PeriodIdSchema.safeParse(wanted).success ? known.find((p) => p.id === wanted) : undefined;
  return found ? { ok: true, period: found } : { ok: false, message: unknownPeriodMessage(arg, known) };
}

/**
 * The period an office command works on: the one named ("2026-H1", if known), else the open period with
 * the nearest deadline, else the period whose deadline passed most recently (a report is often compiled
 * after the window closed).
 */
export function resolveOfficePeriod(c: CommandContext, arg: string): PeriodArg {
  const { calendar } = c.deps.config;
  if (arg.trim() !== '') return knownPeriod(c.deps.db, c.now, calendar, arg);
  const open = defaultPeriod(openPeriods(c.deps.db, c.now, calendar), c.now);
  if (open) return { ok: true, period: open };
  const year = toWall(c.now, calendar.timeZone).year();
  const passed = knownPeriods(c.now, calendar, []).filter((p) => p.deadline <= c.now && p.year >= year - 1);
  const latest = passed.at(-1);
  return latest ? { ok: true, period: latest } : { ok: false, message: 'Chưa có kỳ báo cáo nào. Ghi rõ kỳ, ví dụ: 2026-H1.' };
}

/** "[kỳ] rest": a leading period id split off the argument. */
export function splitPeriodArg(arg: string): { period: string; rest: string } {
  const m = /^\s*(\d{4}-(?:q[1-4]|h1|y))(?:\s+|$)([\s\S]*)$/i.exec(arg);
  return m ? { period: m[1]!.toUpperCase(), rest: (m[2] ?? '').trim() } : { period: '', rest: arg.trim() };
}
