import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { answers, submissions, units, type SubmissionRow, type UnitRow } from '../schema';
import type { AnswerValue } from '../../domain/form';
import type { CurrentAnswers } from '../../domain/conversation';

export function findSubmission(db: Db, unitId: number, periodId: string): SubmissionRow | undefined {
  return db.select().from(submissions).where(and(eq(submissions.unitId, unitId), eq(submissions.periodId, periodId))).get();
}

export function createSubmission(db: Db, unitId: number, periodId: string, formVersionId: number, now: Date, source = 'chat'): SubmissionRow {
  db.insert(submissions).values({ unitId, periodId, formVersionId, createdAt: now, updatedAt: now, source }).onConflictDoNothing().run();
  return findSubmission(db, unitId, periodId)!;
}

/** The newest answer per question; null marks a question skipped on purpose. */
export function currentAnswers(db: Db, submissionId: number): Record<string, AnswerValue | null> {
  const rows = db
    .select({ key: answers.questionKey, value: answers.value })
    .from(answers)
    .where(eq(answers.submissionId, submissionId))
    .orderBy(asc(answers.id))
    .all();
  const out: Record<string, AnswerValue | null> = {};
  for (const r of rows) out[r.key] = JSON.parse(r.value) as AnswerValue | null;
  return out;
}

export function appendAnswer(
  db: Db,
  a: { submissionId: number; key: string; value: AnswerValue | null; raw: string | null; revision: number; contactId: number | null; now: Date },
): void {
  db.insert(answers)
    .values({
      submissionId: a.submissionId,
      questionKey: a.key,
      value: JSON.stringify(a.value),
      rawText: a.raw,
      revision: a.revision,
      contactId: a.contactId,
      createdAt: a.now,
    })
    .run();
  db.update(submissions).set({ updatedAt: a.now }).where(eq(submissions.id, a.submissionId)).run();
}

export function confirmSubmission(db: Db, id: number, contactId: number | null, now: Date): SubmissionRow {
  return db
    .update(submissions)
    .set({ status: 'confirmed', revision: 1, confirmedAt: now, confirmedBy: contactId, updatedAt: now })
    .where(eq(submissions.id, id))
    .returning()
    .get();
}

/** A correction after confirmation: the submission moves to its next revision. */
export function nextRevision(db: Db, id: number, now: Date): number {
  const row = db.select({ revision: submissions.revision }).from(submissions).where(eq(submissions.id, id)).get();
  const revision = (row?.revision ?? 0) + 1;
  db.update(submissions).set({ revision, updatedAt: now }).where(eq(submissions.id, id)).run();
  return revision;
}

export interface SubmissionWithUnit {
  submission: SubmissionRow;
  unit: UnitRow;
  answers: CurrentAnswers;
}

export function submissionsOfPeriod(db: Db, periodId: string, status?: SubmissionRow['status']): SubmissionWithUnit[] {
  const where = status ? and(eq(submissions.periodId, periodId), eq(submissions.status, status)) : eq(submissions.periodId, periodId);
  const rows = db.select().from(submissions).innerJoin(units, eq(units.id, submissions.unitId)).where(where).all();
  return rows.map((r) => ({ submission: r.submissions, unit: r.units, answers: currentAnswers(db, r.submissions.id) }));
}

/** The id of the newest answer row per question: the form page sends it back to detect a newer answer. */
export function latestAnswerIds(db: Db, submissionId: number): Record<string, number> {
  const rows = db
    .select({ key: answers.questionKey, id: answers.id })
    .from(answers)
    .where(eq(answers.submissionId, submissionId))
    .orderBy(asc(answers.id))
    .all();
  const out: Record<string, number> = {};
  for (const r of rows) out[r.key] = r.id;
  return out;
}

/** Confirmed submissions of a unit, newest period first is up to the caller (period ids do not sort by time). */
export function confirmedSubmissionsOfUnit(db: Db, unitId: number): SubmissionRow[] {
  return db.select().from(submissions).where(and(eq(submissions.unitId, unitId), eq(submissions.status, 'confirmed'))).all();
}
