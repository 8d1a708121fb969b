import type { Db } from '../db';
import type { AggregateInput, AggregateSubmission } from '../../domain/aggregate';
import type { PeriodInfo } from '../../domain/periods';
import { formVersion } from './forms';
import { submissionsOfPeriod } from './submissions';
import { activeUnits, toUnitRef } from './units';

/** Everything the aggregation needs for one period: the expected units and the confirmed submissions. */
export function loadAggregateInput(db: Db, period: PeriodInfo): AggregateInput {
  const submissions: AggregateSubmission[] = submissionsOfPeriod(db, period.id, 'confirmed').map(({ submission, unit, answers, meta }) => ({
    unit: toUnitRef(unit),
    form: formVersion(db, submission.formVersionId).form,
    formVersion: submission.formVersionId,
    // Skipped questions (null) carry no figure and no text.
    answers: Object.fromEntries(Object.entries(answers).filter((e): e is [string, number | string] => e[1] !== null)),
    meta,
    confirmedAt: submission.confirmedAt ?? submission.updatedAt ?? submission.createdAt,
  }));
  return { period, units: activeUnits(db).map(toUnitRef), submissions };
}
