import type { Config } from '../../config';
import { confirmationsPerDay, computeProgress, type Progress } from '../../domain/progress';
import { toWall, type PeriodInfo } from '../../domain/periods';
import { unitStateOf } from '../../domain/review';
import type { Db } from '../../storage/db';
import { reviewFactsOfPeriod } from '../../storage/repositories/review';
import { activeUnitRefs } from '../../storage/repositories/units';
import { renderProgressChart } from '../../templates/progress-chart';
import type { Reply } from '../types';

const day = (d: Date, tz: string): string => toWall(d, tz).format('YYYY-MM-DD');

/** Every expected unit's state in a period, from one query (no answers loaded). */
export function loadProgress(db: Db, period: Pick<PeriodInfo, 'id'>): { progress: Progress; confirmedAt: Date[] } {
  const facts = reviewFactsOfPeriod(db, period.id);
  const units = activeUnitRefs(db);
  const ids = (pred: (s: ReturnType<typeof unitStateOf>) => boolean) =>
    new Set(units.filter((u) => pred(unitStateOf(facts.get(u.id)))).map((u) => u.id));
  const progress = computeProgress(
    units,
    ids((s) => s === 'submitted' || s === 'accepted'),
    ids((s) => s !== 'not_started'),
    { returned: ids((s) => s === 'returned'), accepted: ids((s) => s === 'accepted') },
  );
  const unitIds = new Set(units.map((u) => u.id));
  const confirmedAt = [...facts.entries()]
    .filter(([unitId, f]) => unitIds.has(unitId) && f.status === 'confirmed' && f.confirmedAt !== null)
    .map(([, f]) => f.confirmedAt!);
  return { progress, confirmedAt };
}

/** The /tiendo chart as a photo reply part; null (and a log line) when it cannot be drawn. */
export async function progressChart(
  deps: { config: Config; log: { warn: (m: string, f?: Record<string, unknown>) => void } },
  period: PeriodInfo,
  loaded: { progress: Progress; confirmedAt: Date[] },
): Promise<NonNullable<Reply['photo']> | null> {
  const tz = deps.config.timeZone;
  try {
    const bytes = await renderProgressChart({
      periodTitle: period.title,
      progress: loaded.progress,
      perDay: confirmationsPerDay(loaded.confirmedAt.map((d) => day(d, tz))),
      deadline: day(period.deadline, tz),
    });
    return { filename: `tien-do-${period.id}.png`, bytes, caption: `Biểu đồ tiến độ báo cáo ${period.title}` };
  } catch (err) {
    deps.log.warn('progress chart failed', { periodId: period.id, err: err instanceof Error ? err.message : String(err) });
    return null;
  }
}
