import { eq } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { rowStatement } from '../rows';
import { periods, type PeriodRow } from '../schema';
import { latestFormVersion } from './forms';
import { openPeriodsWithOverrides, type PeriodOverride } from '../../domain/period-status';
import type { CalendarConfig, PeriodInfo } from '../../domain/periods';

// Read at every message.
const find = rowStatement<typeof periods, [id: string]>(periods, 'select $columns from periods where id = ?');
const overrides = perDb((db) => db.$client.prepare(`select id, status from periods where status <> 'calendar'`).raw(true));

export function findPeriod(db: Db, id: string): PeriodRow | undefined {
  return find(db).get(id);
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
  return new Map(overrides(db).all() as [string, PeriodOverride][]);
}

/**
 * Periods open at `now` after the office's decisions. The calendar itself is computed once per year (see
 * domain/periods.ts); the office's decisions are read at every call, so a period closed or reopened by any
 * process takes effect with the next message.
 */
export function openPeriods(db: Db, now: Date, cfg: CalendarConfig): PeriodInfo[] {
  return openPeriodsWithOverrides(now, cfg, periodOverrides(db));
}
