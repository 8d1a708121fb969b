import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { answers, submissions, type SubmissionRow } from '../schema';
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

/**
 * Review facts of every submission of a period, by unit id, in one query (no answers loaded): what /tiendo,
 * the appendix and /duyet need to tell the five states apart.
 */
export function reviewFactsOfPeriod(db: Db, periodId: string): Map<number, ReviewFacts & { id: number; confirmedAt: Date | null }> {
  const rows = db
    .select({
      id: submissions.id,
      unitId: submissions.unitId,
      status: submissions.status,
      acceptedAt: submissions.acceptedAt,
      confirmedAt: submissions.confirmedAt,
      hasAnswers: sql<number>`exists (select 1 from ${answers} where ${answers.submissionId} = ${submissions.id})`,
    })
    .from(submissions)
    .where(and(eq(submissions.periodId, periodId)))
    .all();
  return new Map(
    rows.map((r) => [r.unitId, { id: r.id, status: r.status, acceptedAt: r.acceptedAt, confirmedAt: r.confirmedAt, hasAnswers: r.hasAnswers === 1 }]),
  );
}
