import { and, asc, eq } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { rowStatement } from '../rows';
import { units, type UnitRow } from '../schema';
import type { UnitRef, UnitType } from '../../domain/units';

export function toUnitRef(row: UnitRow): UnitRef {
  return { id: row.id, code: row.code, name: row.name, type: row.type as UnitType, district: row.district };
}

export function findUnitByCode(db: Db, code: string): UnitRow | undefined {
  return db.select().from(units).where(eq(units.code, code)).get();
}

const byId = rowStatement<typeof units, [id: number]>(units, 'select $columns from units where id = ?');

export function findUnitById(db: Db, id: number): UnitRow | undefined {
  return byId(db).get(id);
}

export function activeUnits(db: Db): UnitRow[] {
  return db.select().from(units).where(eq(units.active, true)).orderBy(asc(units.type), asc(units.name)).all();
}

/** A unit's columns as read by plain statements: id, code, name, type, district. */
export type UnitColumns = [id: number, code: string, name: string, type: string, district: string | null];
export const unitRefOfColumns = ([id, code, name, type, district]: UnitColumns): UnitRef => ({ id, code, name, type: type as UnitType, district });

// Plain arrays, prepared once: the report, /tiendo and /duyet list every unit of a province, and mapping
// each column of thousands of drizzle rows was a visible part of the office's wait.
const activeRefs = perDb((db) => db.$client.prepare(`select id, code, name, type, district from units where active = 1 order by type, name`).raw(true));

/** activeUnits() as the report and the office's lists refer to them, in the same order. */
export function activeUnitRefs(db: Db): UnitRef[] {
  return (activeRefs(db).all() as UnitColumns[]).map(unitRefOfColumns);
}

export interface UnitInput {
  code: string;
  name: string;
  type: UnitType;
  district?: string | null;
}

/** Insert or update by unit code; returns whether the row was added, changed or already so. */
export function upsertUnit(db: Db, input: UnitInput, now = new Date()): { unit: UnitRow; outcome: 'added' | 'updated' | 'unchanged' } {
  const existing = findUnitByCode(db, input.code);
  if (!existing) {
    const unit = db.insert(units).values({ ...input, district: input.district ?? null }).returning().get();
    return { unit, outcome: 'added' };
  }
  const same = existing.name === input.name && existing.type === input.type && (existing.district ?? null) === (input.district ?? null) && existing.active;
  if (same) return { unit: existing, outcome: 'unchanged' };
  const unit = db
    .update(units)
    .set({ name: input.name, type: input.type, district: input.district ?? null, active: true, updatedAt: now })
    .where(and(eq(units.id, existing.id)))
    .returning()
    .get();
  return { unit, outcome: 'updated' };
}

export function setUnitActive(db: Db, unitId: number, active: boolean, now = new Date()): void {
  db.update(units).set({ active, updatedAt: now }).where(eq(units.id, unitId)).run();
}
