import { eq, sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { periods, reportParticulars } from '../schema';
import { parsePeriodId } from '../../domain/periods';
import { readParticulars, type Particulars } from '../../domain/report-particulars';

const statements = perDb((db) => ({
  find: db.select({ settings: reportParticulars.settings }).from(reportParticulars).where(eq(reportParticulars.periodId, sql.placeholder('periodId'))).prepare(),
}));

/**
 * The principal's every message reads the period's data window from here: the stored text is read each
 * time (another process may have changed it), its parsing and checking done once per distinct text.
 */
const parsed = new Map<string, Particulars>();

export function findParticulars(db: Db, periodId: string): Particulars {
  const settings = statements(db).find.get({ periodId })?.settings;
  if (settings === undefined) return readParticulars(undefined);
  let p = parsed.get(settings);
  if (!p) {
    if (parsed.size >= 64) parsed.clear();
    parsed.set(settings, (p = readParticulars(settings)));
  }
  return p;
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
