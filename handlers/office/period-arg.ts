import { PeriodIdSchema, periodInfo, periodsOfYear, toWall, type PeriodInfo } from '../../domain/periods';
import { defaultPeriod } from '../../domain/period-status';
import { openPeriods } from '../../storage/repositories/periods';
import type { CommandContext } from '../types';

export type PeriodArg = { ok: true; period: PeriodInfo } | { ok: false; message: string };

/**
 * The period an office command works on: the one named ("2026-H1"), else the open period with the
 * nearest deadline, else the period whose deadline passed most recently (a report is often compiled
 * after the window closed).
 */
export function resolveOfficePeriod(c: CommandContext, arg: string): PeriodArg {
  const { calendar } = c.deps.config;
  const wanted = arg.trim().toUpperCase();
  if (wanted !== '') {
    if (!PeriodIdSchema.safeParse(wanted).success) {
      return { ok: false, message: `“${arg.trim().slice(0, 20)}” không phải mã kỳ báo cáo. Ví dụ: 2026-Q1, 2026-H1, 2026-Y.` };
    }
    return { ok: true, period: periodInfo(wanted, calendar) };
  }
  const open = defaultPeriod(openPeriods(c.deps.db, c.now, calendar), c.now);
  if (open) return { ok: true, period: open };
  const year = toWall(c.now, calendar.timeZone).year();
  const passed = [...periodsOfYear(year - 1, calendar), ...periodsOfYear(year, calendar)].filter((p) => p.deadline <= c.now);
  const latest = passed.at(-1);
  return latest ? { ok: true, period: latest } : { ok: false, message: 'Chưa có kỳ báo cáo nào. Ghi rõ kỳ, ví dụ: 2026-H1.' };
}
