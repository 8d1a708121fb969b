import { perDb, type Db } from '../db';
import type { AggregateInput, AggregateSubmission } from '../../domain/aggregate';
import type { PeriodInfo } from '../../domain/periods';
import type { UnitRef } from '../../domain/units';
import { formVersion } from './forms';
import { currentAnswersOfPeriod } from './submissions';
import { activeUnitRefs, unitRefOfColumns, type UnitColumns } from './units';

// Plain arrays and no drizzle row mapping: the report reads every unit and every confirmed submission of
// a province, and mapping each column of thousands of rows cost tens of milliseconds of the office's wait.
const statements = perDb((db) => ({
  confirmed: db.$client
    .prepare(
      `select s.id, s.form_version_id, coalesce(s.confirmed_at, s.updated_at, s.created_at), u.id, u.code, u.name, u.type, u.district
       from submissions s join units u on u.id = s.unit_id where s.period_id = ? and s.status = 'confirmed'`,
    )
    .raw(true),
}));

/**
 * Everything the aggregation needs for one period: the expected units (`units` when the caller has
 * them already) and the confirmed submissions.
 */
export function loadAggregateInput(db: Db, period: PeriodInfo, units?: readonly UnitRef[]): AggregateInput {
  const rows = statements(db).confirmed.all(period.id) as [number, number, number, ...UnitColumns][];
  const current = rows.length > 0 ? currentAnswersOfPeriod(db, period.id, 'confirmed') : new Map<number, never>();
  const submissions: AggregateSubmission[] = rows.map(([id, formVersionId, confirmedAt, ...unit]) => {
    const { answers = {}, meta = {} } = current.get(id) ?? {};
    // Skipped questions (null) carry no figure and no text.
    const present: Record<string, number | string> = {};
    for (const key in answers) {
      const value = answers[key];
      if (value !== null && value !== undefined) present[key] = value;
    }
    return { unit: unitRefOfColumns(unit), form: formVersion(db, formVersionId).form, formVersion: formVersionId, answers: present, meta, confirmedAt: new Date(confirmedAt) };
  });
  return { period, units: units ?? activeUnitRefs(db), submissions };
}
