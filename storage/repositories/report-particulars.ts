import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { periods, reportParticulars } from '../schema';
import { parsePeriodId } from '../../domain/periods';
import { readParticulars, type Particulars } from '../../domain/report-particulars';

export function findParticulars(db: Db, periodId: string): Particulars {
  const row = db.select({ settings: reportParticulars.settings }).from(reportParticulars).where(eq(reportParticulars.periodId, periodId)).get();
  return readParticulars(row?.settings);
}

export function saveParticulars(db: Db, periodId: string, p: Particulars, by: number | null, now: Date): void {
  const settings = JSON.stringify(p);
  db.insert(reportParticulars)
    .values({ periodId, settings, updatedAt: now, updatedBy: by })
    .onConflictDoUpdate({ target: reportParticulars.periodId, set: { settings, updatedAt: now, updatedBy: by } })
    .run();
}

/** Periods the office set particulars for (they count as known periods). */
export function periodsWithParticulars(db: Db): string[] {
  return db.select({ id: reportParticulars.periodId }).from(reportParticulars).all().map((r) => r.id);
}

/** Every period the database knows of: stored periods and periods with particulars. */
export function storedPeriodIds(db: Db): string[] {
  const ids = new Set(db.select({ id: periods.id }).from(periods).all().map((r) => r.id));
  for (const id of periodsWithParticulars(db)) ids.add(id);
  return [...ids].filter((id) => parsePeriodId(id) !== null);
}
