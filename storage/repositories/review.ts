import { eq } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { submissions, type SubmissionRow } from '../schema';
import type { ReviewFacts } from '../../domain/review';

/** The office's review of confirmed submissions: accept, or return with a reason and the questions to redo. */

export function returnKeysOf(s: Pick<SubmissionRow, 'returnKeys'>): string[] {
  if (!s.returnKeys) return [];
  try {
    const v: unknown = JSON.parse(s.returnKeys);
    return Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

export function acceptSubmission(db: Db, id: number, by: number | null, now: Date): void {
  db.update(submissions).set({ acceptedAt: now, acceptedBy: by }).where(eq(submissions.id, id)).run();
}

/** Back to the unit: answered like a draft from the named questions on, its answers kept. */
export function returnSubmission(db: Db, id: number, input: { by: number | null; now: Date; reason: string; keys: readonly string[] }): void {
  db.update(submissions)
    .set({
      status: 'returned',
      acceptedAt: null,
      acceptedBy: null,
      returnedAt: input.now,
      returnedBy: input.by,
      returnReason: input.reason,
      returnKeys: JSON.stringify(input.keys),
      updatedAt: input.now,
    })
    .where(eq(submissions.id, id))
    .run();
}

// Plain arrays, prepared once: the report, /tiendo and /duyet read this for every unit of a province.
const factsOfPeriod = perDb((db) =>
  db.$client
    .prepare(
      `select s.id, s.unit_id, s.status, s.accepted_at, s.confirmed_at, exists (select 1 from answers a where a.submission_id = s.id)
       from submissions s where s.period_id = ?`,
    )
    .raw(true),
);

/**
 * Review facts of every submission of a period, by unit id, in one query (no answers loaded): what /tiendo,
 * the appendix and /duyet need to tell the five states apart.
 */
export function reviewFactsOfPeriod(db: Db, periodId: string): Map<number, ReviewFacts & { id: number; confirmedAt: Date | null }> {
  const rows = factsOfPeriod(db).all(periodId) as [number, number, SubmissionRow['status'], number | null, number | null, number][];
  const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
  return new Map(
    rows.map(([id, unitId, status, acceptedAt, confirmedAt, hasAnswers]) => [
      unitId,
      { id, status, acceptedAt: date(acceptedAt), confirmedAt: date(confirmedAt), hasAnswers: hasAnswers === 1 },
    ]),
  );
}
