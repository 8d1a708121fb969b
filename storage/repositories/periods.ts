import { eq, ne } from 'drizzle-orm';
import type { Db } from '../db';
import { periods, type PeriodRow } from '../schema';
import { latestFormVersion } from './forms';
import { openPeriodsWithOverrides, type PeriodOverride } from '../../domain/period-status';
import type { CalendarConfig, PeriodInfo } from '../../domain/periods';

export function findPeriod(db: Db, id: string): PeriodRow | undefined {
  return db.select().from(periods).where(eq(periods.id, id)).get();
}

/** The stored period; created on first use with the form version current at that moment. */
export function ensurePeriod(db: Db, id: string): PeriodRow {
  const existing = findPeriod(db, id);
  if (existing) return existing;
  const form = latestFormVersion(db);
  db.insert(periods).values({ id, formVersionId: form.id }).onConflictDoNothing().run();
  return findPeriod(db, id)!;
}

export function setPeriodOverride(db: Db, id: string, status: PeriodOverride, by: number | null, now: Date): PeriodRow {
  ensurePeriod(db, id);
  return db.update(periods).set({ status, changedAt: now, changedBy: by }).where(eq(periods.id, id)).returning().get();
}

export function periodOverrides(db: Db): Map<string, PeriodOverride> {
  const rows = db.select({ id: periods.id, status: periods.status }).from(periods).where(ne(periods.status, 'calendar')).all();
  return new Map(rows.map((r) => [r.id, r.status]));
}

export function openPeriods(db: Db, now: Date, cfg: CalendarConfig): PeriodInfo[] {
  return openPeriodsWithOverrides(now, cfg, periodOverrides(db));
}
