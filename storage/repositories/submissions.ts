import { and, asc, eq, gte, ne, sql } from 'drizzle-orm';
import { onRollback, perDb, type Db } from '../db';
import { rowStatement } from '../rows';
import { plainRead, plainWrite } from '../plain-statements';
import { deepFreeze } from '../deep-freeze';
import { answers, submissions, units, type SubmissionRow, type UnitRow } from '../schema';
import type { AnswerFlag, AnswerMeta, AnswerValue } from '../../domain/form';
import type { CurrentAnswers } from '../../domain/conversation';
import { pickComparable, type PeriodId } from '../../domain/periods';

const find = rowStatement<typeof submissions, [unitId: number, periodId: string]>(submissions, 'select $columns from submissions where unit_id = ? and period_id = ?');

const statements = perDb((db) => ({
  answers: db
    .select({ key: answers.questionKey, value: answers.value })
    .from(answers)
    .where(eq(answers.submissionId, sql.placeholder('submissionId')))
    .orderBy(asc(answers.id))
    .prepare(),
  // Plain arrays, not drizzle rows: read at every message, and mapping each row to an object was most of
  // what this query allocated.
  answersWithMeta: db.$client
    .prepare('select question_key, value, note, flag, "none" from answers where submission_id = ? order by id')
    .raw(true),
  answersVersion: db.$client.prepare('select count(*), max(id) from answers where submission_id = ?').raw(true),
  // Plain arrays: read at every message, for last period's figures.
  past: plainRead<{ unitId: number; periodId: string; since: string }, [periodId: string, key: string, value: string]>(
    db,
    db
      .select({ periodId: submissions.periodId, key: answers.questionKey, value: answers.value })
      .from(answers)
      .innerJoin(submissions, eq(submissions.id, answers.submissionId))
      .where(
        and(
          eq(submissions.unitId, sql.placeholder('unitId')),
          eq(submissions.status, 'confirmed'),
          ne(submissions.periodId, sql.placeholder('periodId')),
          gte(submissions.periodId, sql.placeholder('since')),
        ),
      )
      .orderBy(asc(answers.id)),
  ),
  append: plainWrite<{ submissionId: number; key: string; value: string; raw: string | null; note: string | null; none: boolean; flag: string | null; revision: number; contactId: number | null; now: Date }>(
    db,
    db.insert(answers).values({
      submissionId: sql.placeholder('submissionId'),
      questionKey: sql.placeholder('key'),
      value: sql.placeholder('value'),
      rawText: sql.placeholder('raw'),
      note: sql.placeholder('note'),
      none: sql.placeholder('none'),
      flag: sql.placeholder('flag'),
      revision: sql.placeholder('revision'),
      contactId: sql.placeholder('contactId'),
      createdAt: sql.placeholder('now'),
    }),
  ),
  // Update sets take no typed placeholders: the time goes in as epoch ms, as the column stores it.
  touch: plainWrite<{ id: number; nowMs: number }>(db, db.update(submissions).set({ updatedAt: sql`${sql.placeholder('nowMs')}` }).where(eq(submissions.id, sql.placeholder('id')))),
  create: plainWrite<{ unitId: number; periodId: string; formVersionId: number; now: Date; source: string }>(
    db,
    db
      .insert(submissions)
      .values({ unitId: sql.placeholder('unitId'), periodId: sql.placeholder('periodId'), formVersionId: sql.placeholder('formVersionId'), createdAt: sql.placeholder('now'), updatedAt: sql.placeholder('now'), source: sql.placeholder('source') })
      .onConflictDoNothing(),
  ),
}));

export function findSubmission(db: Db, unitId: number, periodId: string): SubmissionRow | undefined {
  return find(db).get(unitId, periodId);
}

export function createSubmission(db: Db, unitId: number, periodId: string, formVersionId: number, now: Date, source = 'chat'): SubmissionRow {
  statements(db).create({ unitId, periodId, formVersionId, now, source });
  return findSubmission(db, unitId, periodId)!;
}

/** The newest answer per question; null marks a question skipped on purpose. */
export function currentAnswers(db: Db, submissionId: number): Record<string, AnswerValue | null> {
  const rows = statements(db).answers.all({ submissionId });
  const out: Record<string, AnswerValue | null> = {};
  for (const r of rows) out[r.key] = JSON.parse(r.value) as AnswerValue | null;
  return out;
}

/** A submission's current answers as this connection last read or wrote them (see currentAnswersWithMeta). */
interface CachedAnswers {
  /** How many answer rows the submission had, and the newest row's id, when this was read or last written. */
  rows: number;
  newestId: number;
  current: CurrentAnswersWithMeta;
}

type CurrentAnswersWithMeta = { answers: Readonly<Record<string, AnswerValue | null>>; meta: Readonly<Record<string, AnswerMeta>> };

/** Submissions whose answers are kept, at most (the least recently read go first): about 1 KB each. */
const CACHED_SUBMISSIONS = 2000;

const answerCaches = perDb((db) => {
  const cache = new Map<number, CachedAnswers>();
  onRollback(db, () => cache.clear());
  return cache;
});

/**
 * The newest answer per question with its notes, "không có" and flags (keys without any are left out of
 * `meta`): the engine needs both for every message. Kept per submission instead of read and parsed from
 * the whole answer history at every message (a fifth of the handling of an answer in the answers bench's
 * profile): each read checks the rows' count and newest id (one index lookup), so an answer another
 * process wrote is seen at once; appendAnswer keeps the entry up to date; a rollback of this connection
 * drops every entry. The objects are frozen: they are shared by every message of the submission.
 */
export function currentAnswersWithMeta(db: Db, submissionId: number): CurrentAnswersWithMeta {
  const s = statements(db);
  const cache = answerCaches(db);
  const [rows, newestId] = s.answersVersion.get(submissionId) as [number, number | null];
  const hit = cache.get(submissionId);
  if (hit && hit.rows === rows && hit.newestId === (newestId ?? 0)) {
    cache.delete(submissionId);
    cache.set(submissionId, hit);
    return hit.current;
  }
  const out: Record<string, AnswerValue | null> = {};
  const meta: Record<string, AnswerMeta> = {};
  for (const [key, value, note, flag, none] of s.answersWithMeta.all(submissionId) as [string, string, string | null, string | null, number][]) {
    out[key] = JSON.parse(value) as AnswerValue | null;
    const m = metaOfRow({ note, flag, none: none === 1 });
    if (m) meta[key] = m;
    else delete meta[key];
  }
  const entry: CachedAnswers = { rows, newestId: newestId ?? 0, current: deepFreeze({ answers: out, meta }) };
  cache.delete(submissionId);
  cache.set(submissionId, entry);
  if (cache.size > CACHED_SUBMISSIONS) cache.delete(cache.keys().next().value as number);
  return entry.current;
}

/** The cached entry after this connection appended row `id`: the same as reading it again, without the read. */
function appendedToCache(db: Db, submissionId: number, id: number, key: string, value: AnswerValue | null, meta: AnswerMeta | null): void {
  const cache = answerCaches(db);
  const entry = cache.get(submissionId);
  if (!entry) return;
  const metaOf = { ...entry.current.meta };
  if (meta) metaOf[key] = deepFreeze(meta);
  else delete metaOf[key];
  // Only the new objects are frozen: the rest is the previous entry's, frozen already.
  const current = Object.freeze({ answers: Object.freeze({ ...entry.current.answers, [key]: value }), meta: Object.freeze(metaOf) });
  cache.set(submissionId, { rows: entry.rows + 1, newestId: id, current });
}

export function metaOfRow(r: { note: string | null; flag: string | null; none: boolean }): AnswerMeta | null {
  if (r.note === null && r.flag === null && !r.none) return null;
  const meta: AnswerMeta = {};
  if (r.note !== null) meta.note = r.note;
  if (r.none) meta.none = true;
  if (r.flag !== null) meta.flag = JSON.parse(r.flag) as AnswerFlag;
  return meta;
}

export interface PastAnswers {
  periodId: PeriodId;
  answers: Record<string, AnswerValue | null>;
}

/**
 * The unit's latest confirmed reports before `periodId` (see domain/periods.ts pickComparable): the
 * comparable one and the newest one. One query over this year's and last year's confirmed submissions.
 */
export function pastReports(db: Db, unitId: number, periodId: PeriodId): { sameKind: PastAnswers | null; latest: PastAnswers | null } {
  const year = Number(periodId.slice(0, 4));
  const rows = statements(db).past({ unitId, periodId, since: `${year - 1}-` });
  const byPeriod = new Map<string, Record<string, AnswerValue | null>>();
  for (const [rowPeriod, key, value] of rows) {
    let a = byPeriod.get(rowPeriod);
    if (!a) byPeriod.set(rowPeriod, (a = {}));
    a[key] = JSON.parse(value) as AnswerValue | null;
  }
  const pick = pickComparable(periodId, [...byPeriod.keys()]);
  const of = (id: string | null): PastAnswers | null => (id === null ? null : { periodId: id, answers: byPeriod.get(id) ?? {} });
  return { sameKind: of(pick.sameKind), latest: of(pick.latest) };
}

export function appendAnswer(
  db: Db,
  a: {
    submissionId: number;
    key: string;
    value: AnswerValue | null;
    raw: string | null;
    revision: number;
    contactId: number | null;
    now: Date;
    note?: string | null;
    none?: boolean;
    flag?: AnswerFlag | null;
  },
): void {
  const s = statements(db);
  const note = a.note ?? null;
  const none = a.none ?? false;
  const flag = a.flag ? JSON.stringify(a.flag) : null;
  const { lastInsertRowid } = s.append({
    submissionId: a.submissionId,
    key: a.key,
    value: JSON.stringify(a.value),
    raw: a.raw,
    note,
    none,
    flag,
    revision: a.revision,
    contactId: a.contactId,
    now: a.now,
  });
  s.touch({ id: a.submissionId, nowMs: a.now.getTime() });
  // The meta as it will be read back from the row.
  appendedToCache(db, a.submissionId, Number(lastInsertRowid), a.key, a.value, metaOfRow({ note, flag, none }));
}

/**
 * The first confirmation makes revision 1; confirming again a report the office returned makes the next
 * revision. Either way it waits for the office's review again.
 */
export function confirmSubmission(db: Db, id: number, contactId: number | null, now: Date): SubmissionRow {
  const before = db.select({ status: submissions.status, revision: submissions.revision }).from(submissions).where(eq(submissions.id, id)).get();
  const revision = before?.status === 'returned' ? before.revision + 1 : 1;
  return db
    .update(submissions)
    .set({ status: 'confirmed', revision, confirmedAt: now, confirmedBy: contactId, updatedAt: now, acceptedAt: null, acceptedBy: null, returnKeys: null })
    .where(eq(submissions.id, id))
    .returning()
    .get();
}

/** A correction after confirmation: the submission moves to its next revision. */
export function nextRevision(db: Db, id: number, now: Date): number {
  const row = db.select({ revision: submissions.revision }).from(submissions).where(eq(submissions.id, id)).get();
  const revision = (row?.revision ?? 0) + 1;
  // Changed figures are no longer the ones the office accepted.
  db.update(submissions).set({ revision, updatedAt: now, acceptedAt: null, acceptedBy: null }).where(eq(submissions.id, id)).run();
  return revision;
}

export interface SubmissionWithUnit {
  submission: SubmissionRow;
  unit: UnitRow;
  answers: CurrentAnswers;
  /** Notes, "không có" and flags of the current answers. */
  meta: Record<string, AnswerMeta>;
}

const periodAnswers = perDb((db) =>
  db.$client
    .prepare(
      // Per submission, in one pass over its rows:
      // - its rows, then one JSON object of them: a few thousand strings to parse instead of tens of
      //   thousands of rows to materialise. In no particular order: a submission with a key answered twice
      //   is read again row by row (below), and sorting each group by id cost a temporary b-tree (half the
      //   query's time on the office's first report). Written by concatenation: json_group_object(json(value))
      //   took twice as long, and values are JSON already (appendAnswer writes each with JSON.stringify);
      // - the rare rows with a note, a flag or "không có", as JSON arrays [key, note, flag, none].
      `select s.id, count(*), '{' || group_concat(json_quote(a.question_key) || ':' || a.value, ',') || '}',
         group_concat(json_array(a.question_key, a.note, a.flag, a.none), ',') filter (where a.note is not null or a.flag is not null or a.none = 1)
       from submissions s join answers a on a.submission_id = s.id
       where s.period_id = @periodId and (@status is null or s.status = @status) group by s.id`,
    )
    .raw(true),
);

/**
 * Every submission of a period (of one status, if given) with its unit and current answers, in two
 * queries whatever the number of units, plus one per submission with a corrected answer: the office
 * waits for this before every report and export.
 */
export function submissionsOfPeriod(db: Db, periodId: string, status?: SubmissionRow['status']): SubmissionWithUnit[] {
  const where = status ? and(eq(submissions.periodId, periodId), eq(submissions.status, status)) : eq(submissions.periodId, periodId);
  const rows = db.select().from(submissions).innerJoin(units, eq(units.id, submissions.unitId)).where(where).all();
  if (rows.length === 0) return [];
  const current = currentAnswersOfPeriod(db, periodId, status);
  return rows.map((r) => ({ submission: r.submissions, unit: r.units, ...(current.get(r.submissions.id) ?? { answers: {}, meta: {} }) }));
}

/**
 * The current answers of every submission of a period (of one status, if given) that has any, by
 * submission id, with the notes, flags and "không có" of those answers.
 */
export function currentAnswersOfPeriod(
  db: Db,
  periodId: string,
  status?: SubmissionRow['status'],
): Map<number, { answers: CurrentAnswers; meta: Record<string, AnswerMeta> }> {
  const out = new Map<number, { answers: CurrentAnswers; meta: Record<string, AnswerMeta> }>();
  const rows = periodAnswers(db).all({ periodId, status: status ?? null }) as [number, number, string, string | null][];
  for (const [submissionId, count, json, marked] of rows) {
    const answers = JSON.parse(json) as CurrentAnswers;
    let keys = 0;
    for (const _ in answers) keys += 1;
    if (keys !== count) {
      // A key answered more than once (a correction): which value, note or flag is the newest needs the
      // rows in order, as for one submission in the conversation (a copy: the cached one is frozen).
      const current = currentAnswersWithMeta(db, submissionId);
      out.set(submissionId, { answers: { ...current.answers }, meta: current.meta });
      continue;
    }
    // One row per key: every marked row is its key's newest.
    const meta: Record<string, AnswerMeta> = {};
    if (marked !== null) {
      for (const [key, note, flag, none] of JSON.parse(`[${marked}]`) as [string, string | null, string | null, number][]) {
        const m = metaOfRow({ note, flag, none: none === 1 });
        if (m) meta[key] = m;
      }
    }
    out.set(submissionId, { answers, meta });
  }
  return out;
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

