import { compareByDeadline, periodInfo, periodsOfYear, toWall, type CalendarConfig, type PeriodInfo } from './periods';

/**
 * The periods the office can name: those of the configured kinds that have opened since the start of the
 * year before last, the next one to open (particulars are often set before it opens), and any period the
 * database holds (submissions, the office's decisions). "2099-Q1" or "1999-Y" are none of these: a command
 * naming them is refused instead of writing an empty report.
 */
export function knownPeriods(now: Date, cfg: CalendarConfig, stored: readonly string[]): PeriodInfo[] {
  const year = toWall(now, cfg.timeZone).year();
  const all = [year - 2, year - 1, year, year + 1].filter((y) => y >= 1970).flatMap((y) => periodsOfYear(y, cfg));
  const t = now.getTime();
  const byId = new Map<string, PeriodInfo>();
  for (const p of all) if (p.opensAt.getTime() <= t) byId.set(p.id, p);
  const next = all.filter((p) => p.opensAt.getTime() > t).sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime())[0];
  if (next) byId.set(next.id, next);
  for (const id of stored) if (!byId.has(id)) byId.set(id, periodInfo(id, cfg));
  return [...byId.values()].sort(compareByDeadline);
}

/** The ids to show in a refusal: the most recent ones (a list of 15 periods helps nobody). */
export function knownIdsForMessage(known: readonly PeriodInfo[], max = 8): string[] {
  return known.slice(-max).map((p) => p.id);
}
