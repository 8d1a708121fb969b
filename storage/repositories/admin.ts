import { and, asc, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { auditLog, contacts, inviteCodes, periods, submissions, units, type ContactRow, type InviteCodeRow, type SubmissionRow, type UnitRow } from '../schema';
import type { AnswerMeta, AnswerValue } from '../../domain/form';
import { audit } from './audit';
import { appendAnswer, createSubmission, currentAnswers, findSubmission, submissionsOfPeriod } from './submissions';

/** Queries and writes of the office's administration: unit overview, exports, imports of figures. */

export interface UnitActivity {
  unit: UnitRow;
  contacts: number;
  /** When one of its linked contacts last wrote to the bot. */
  lastSeenAt: Date | null;
}

export function unitsWithActivity(db: Db): UnitActivity[] {
  const rows = db
    .select({
      unit: units,
      contacts: sql<number>`count(${contacts.id})`,
      lastSeen: sql<number | null>`max(${contacts.lastSeenAt})`,
    })
    .from(units)
    .leftJoin(contacts, and(eq(contacts.unitId, units.id), eq(contacts.active, true)))
    .where(eq(units.active, true))
    .groupBy(units.id)
    .orderBy(asc(units.type), asc(units.name))
    .all();
  return rows.map((r) => ({ unit: r.unit, contacts: r.contacts, lastSeenAt: r.lastSeen === null ? null : new Date(r.lastSeen) }));
}

/** Every unit's id by its code in upper case (codes are compared without regard to case). */
export function unitIdsByCode(db: Db): Map<string, number> {
  return new Map(db.select({ id: units.id, code: units.code }).from(units).all().map((u) => [u.code.toUpperCase(), u.id]));
}

/** The linked chat accounts of every unit, by unit id (one query for the whole province). */
export function activeContactsByUnit(db: Db): Map<number, ContactRow[]> {
  const out = new Map<number, ContactRow[]>();
  const rows = db.select().from(contacts).where(and(eq(contacts.active, true), eq(contacts.role, 'contact'))).orderBy(asc(contacts.id)).all();
  for (const c of rows) {
    if (c.unitId === null) continue;
    const list = out.get(c.unitId);
    if (list) list.push(c);
    else out.set(c.unitId, [c]);
  }
  return out;
}

/** The unit's newest code that still links an account (not revoked, not expired, uses left); read-only. */
export function usableUnitInvite(db: Db, unitId: number, now: Date): InviteCodeRow | undefined {
  return db
    .select()
    .from(inviteCodes)
    .where(
      and(
        eq(inviteCodes.unitId, unitId),
        isNull(inviteCodes.revokedAt),
        or(isNull(inviteCodes.expiresAt), gt(inviteCodes.expiresAt, now)),
        sql`${inviteCodes.uses} < ${inviteCodes.maxUses}`,
      ),
    )
    .orderBy(desc(inviteCodes.id))
    .limit(1)
    .get();
}

/** Revokes every code of a unit that is not revoked yet (a leaked code, a person who left); returns how many. */
export function revokeUnitInvites(db: Db, unitId: number, now: Date): number {
  return db
    .update(inviteCodes)
    .set({ revokedAt: now })
    .where(and(eq(inviteCodes.unitId, unitId), isNull(inviteCodes.revokedAt)))
    .run().changes;
}

export function activeOfficeAccounts(db: Db): ContactRow[] {
  return db.select().from(contacts).where(and(eq(contacts.role, 'office'), eq(contacts.active, true))).orderBy(asc(contacts.id)).all();
}

export interface PeriodSubmission {
  submission: SubmissionRow;
  unit: UnitRow;
  answers: Record<string, AnswerValue | null>;
  /** Notes, "không có" and flags of the current answers. */
  meta: Record<string, AnswerMeta>;
}

/** Every submission of a period with its current answers (two queries, see submissionsOfPeriod). */
export function periodSubmissions(db: Db, periodId: string): PeriodSubmission[] {
  return submissionsOfPeriod(db, periodId);
}

/** Units the export lists: the active ones, and any inactive one that did submit for the period. */
export function unitsForPeriod(db: Db, periodId: string): UnitRow[] {
  const withSubmission = db.select({ id: submissions.unitId }).from(submissions).where(eq(submissions.periodId, periodId));
  return db
    .select()
    .from(units)
    .where(or(eq(units.active, true), inArray(units.id, withSubmission)))
    .orderBy(asc(units.type), asc(units.name))
    .all();
}

export interface PeriodAuditEvent {
  at: Date;
  action: string;
  details: unknown;
  unit: UnitRow;
  actor: ContactRow | null;
}

/** Audit rows about the period's submissions with the given actions, oldest first. */
export function periodAuditEvents(db: Db, periodId: string, actions: string[]): PeriodAuditEvent[] {
  const rows = db
    .select({ audit: auditLog, unit: units, actor: contacts })
    .from(auditLog)
    .innerJoin(submissions, sql`${auditLog.subject} = 'submission:' || ${submissions.id}`)
    .innerJoin(units, eq(units.id, submissions.unitId))
    .leftJoin(contacts, eq(contacts.id, auditLog.actorContactId))
    .where(and(eq(submissions.periodId, periodId), inArray(auditLog.action, actions)))
    .orderBy(asc(auditLog.at), asc(auditLog.id))
    .all();
  return rows.map((r) => ({
    at: r.audit.at,
    action: r.audit.action,
    details: r.audit.details === null ? null : (JSON.parse(r.audit.details) as unknown),
    unit: r.unit,
    actor: r.actor,
  }));
}

/** Which form version each started period uses (a new form version never changes these). */
export function periodFormVersions(db: Db): { periodId: string; formVersionId: number }[] {
  return db.select({ periodId: periods.id, formVersionId: periods.formVersionId }).from(periods).orderBy(asc(periods.id)).all();
}

/** The period /xuat shows when none is named and none is open: the newest one with any submission. */
export function latestPeriodWithSubmissions(db: Db): string | null {
  const row = db.select({ id: submissions.periodId }).from(submissions).orderBy(desc(submissions.updatedAt), desc(submissions.id)).limit(1).get();
  return row?.id ?? null;
}

export interface OfficeImportInput {
  unitId: number;
  periodId: string;
  formVersionId: number;
  changes: Record<string, AnswerValue | null>;
  /** The office account responsible; null when entered from the command line. */
  contactId: number | null;
  file: string;
  now: Date;
}

/**
 * Records figures the office typed in from paper or email: changed answers appended with the office as
 * author, the submission confirmed with source 'office-import' (a further revision if it was already
 * confirmed), and one 'office_import' audit row. Call inside a transaction.
 */
export function applyOfficeImport(db: Db, input: OfficeImportInput): SubmissionRow {
  const existing = findSubmission(db, input.unitId, input.periodId);
  const submission = existing ?? createSubmission(db, input.unitId, input.periodId, input.formVersionId, input.now, 'office-import');
  const before = existing ? currentAnswers(db, submission.id) : {};
  const revision = submission.status === 'draft' ? 1 : submission.revision + 1;
  for (const [key, value] of Object.entries(input.changes)) {
    appendAnswer(db, { submissionId: submission.id, key, value, raw: null, revision, contactId: input.contactId, now: input.now });
  }
  // The unit's own confirmation stays what it was (who, when, through chat); the office's changes are a
  // new revision beside it, old → new in the history.
  const keepsUnitConfirmation = submission.status !== 'draft' && submission.confirmedAt !== null && submission.source !== 'office-import';
  const updated = db
    .update(submissions)
    .set({
      status: 'confirmed',
      revision,
      source: keepsUnitConfirmation ? 'chat+office-import' : 'office-import',
      confirmedAt: keepsUnitConfirmation ? submission.confirmedAt : input.now,
      confirmedBy: keepsUnitConfirmation ? submission.confirmedBy : input.contactId,
      updatedAt: input.now,
      acceptedAt: null,
      acceptedBy: null,
      returnKeys: null,
    })
    .where(eq(submissions.id, submission.id))
    .returning()
    .get();
  audit(db, {
    at: input.now,
    actorContactId: input.contactId,
    action: 'office_import',
    subject: `submission:${submission.id}`,
    details: {
      periodId: input.periodId,
      file: input.file,
      keys: Object.keys(input.changes),
      changes: Object.entries(input.changes).map(([key, to]) => ({ key, from: before[key], to })),
      revision,
      created: existing === undefined,
    },
  });
  return updated;
}
