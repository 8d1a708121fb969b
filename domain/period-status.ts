import { isPeriodOpen, openPeriodsAt, periodInfo, type CalendarConfig, type PeriodInfo } from './periods';

/** How the office has steered a period: by the calendar (default), or opened/closed by hand. */
export type PeriodOverride = 'calendar' | 'open' | 'closed';

export function isEffectivelyOpen(info: PeriodInfo, override: PeriodOverride | undefined, now: Date): boolean {
  if (override === 'open') return true;
  if (override === 'closed') return false;
  return isPeriodOpen(info, now);
}

/** Open periods at `now`, after the office's decisions, sorted by deadline (nearest first). */
export function openPeriodsWithOverrides(now: Date, cfg: CalendarConfig, overrides: ReadonlyMap<string, PeriodOverride>): PeriodInfo[] {
  // Usually the office has decided nothing: the calendar's answer as it is.
  if (overrides.size === 0) return openPeriodsAt(now, cfg);
  const byId = new Map(openPeriodsAt(now, cfg).map((p) => [p.id, p]));
  for (const [id, override] of overrides) {
    if (override === 'closed') byId.delete(id);
    if (override === 'open' && !byId.has(id)) byId.set(id, periodInfo(id, cfg));
  }
  return [...byId.values()].sort((a, b) => a.deadline.getTime() - b.deadline.getTime());
}

/** The period /nhap works on when none is named: the nearest deadline not yet passed, else the latest passed. */
export function defaultPeriod(open: PeriodInfo[], now: Date): PeriodInfo | null {
  return open.find((p) => now.getTime() <= p.deadline.getTime()) ?? open.at(-1) ?? null;
}
