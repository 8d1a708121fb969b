import { and, asc, eq, inArray, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { contacts, reminderSends, submissions, units, type ContactRow, type ReminderSendRow, type UnitRow } from '../schema';
import { reminderKey } from '../../domain/reminders';

/**
 * Reminder bookkeeping. A row is written with status 'sending' before the message leaves and set to
 * 'sent' or 'failed' after; the unique (contact, period, slot) key makes a second tick or a second process
 * skip a reminder that is already claimed.
 */

export interface ReminderRecipient {
  contact: ContactRow;
  unit: UnitRow;
}

/** Bound contact accounts (not office accounts) of active units, reachable or not, ordered by contact id. */
export function reminderRecipients(db: Db): ReminderRecipient[] {
  return db
    .select({ contact: contacts, unit: units })
    .from(contacts)
    .innerJoin(units, eq(units.id, contacts.unitId))
    .where(and(eq(contacts.active, true), eq(contacts.role, 'contact'), eq(units.active, true)))
    .orderBy(asc(contacts.id))
    .all();
}

export function confirmedUnitIds(db: Db, periodId: string): Set<number> {
  const rows = db
    .select({ unitId: submissions.unitId })
    .from(submissions)
    .where(and(eq(submissions.periodId, periodId), eq(submissions.status, 'confirmed')))
    .all();
  return new Set(rows.map((r) => r.unitId));
}

export function isUnitConfirmed(db: Db, unitId: number, periodId: string): boolean {
  const row = db
    .select({ id: submissions.id })
    .from(submissions)
    .where(and(eq(submissions.unitId, unitId), eq(submissions.periodId, periodId), eq(submissions.status, 'confirmed')))
    .get();
  return row !== undefined;
}

export function reminderRows(db: Db, periodId: string): ReminderSendRow[] {
  return db.select().from(reminderSends).where(eq(reminderSends.periodId, periodId)).all();
}

/**
 * Keys (reminderKey) of the reminders of a period that must not be sent again: delivered ones, and those
 * claimed less than `leaseMs` ago (in flight here or in another process). Failed ones and claims older
 * than the lease (left by a process that died mid-send) are not in the set, so they are sent again.
 */
export function settledReminderKeys(db: Db, periodId: string, now: Date, leaseMs: number): Set<string> {
  const staleBefore = now.getTime() - leaseMs;
  const keys = new Set<string>();
  for (const r of reminderRows(db, periodId)) {
    if (r.status === 'sent' || (r.status === 'sending' && r.createdAt.getTime() >= staleBefore)) {
      keys.add(reminderKey(r.contactId, r.periodId, r.slotId));
    }
  }
  return keys;
}

/**
 * Claims one reminder for sending: inserts the row as 'sending', or takes over a 'failed' row or a
 * 'sending' row older than the lease. False when someone else holds it or it was delivered. Call inside
 * a transaction together with the checks that the reminder is still wanted.
 */
export function claimReminder(db: Db, r: { contactId: number; periodId: string; slotId: string; now: Date; leaseMs: number }): boolean {
  const inserted = db
    .insert(reminderSends)
    .values({ contactId: r.contactId, periodId: r.periodId, slotId: r.slotId, status: 'sending', createdAt: r.now })
    .onConflictDoNothing()
    .run();
  if (inserted.changes === 1) return true;
  const staleBefore = new Date(r.now.getTime() - r.leaseMs);
  // created_at is the time of the current claim: a takeover restarts the lease.
  const taken = db
    .update(reminderSends)
    .set({ status: 'sending', createdAt: r.now, sentAt: null, error: null })
    .where(
      and(
        eq(reminderSends.contactId, r.contactId),
        eq(reminderSends.periodId, r.periodId),
        eq(reminderSends.slotId, r.slotId),
        or(eq(reminderSends.status, 'failed'), and(eq(reminderSends.status, 'sending'), lt(reminderSends.createdAt, staleBefore))),
      ),
    )
    .run();
  return taken.changes === 1;
}

function keyWhere(contactId: number, periodId: string, slotId: string) {
  return and(eq(reminderSends.contactId, contactId), eq(reminderSends.periodId, periodId), eq(reminderSends.slotId, slotId));
}

export function markReminderSent(db: Db, contactId: number, periodId: string, slotId: string, now: Date): void {
  db.update(reminderSends).set({ status: 'sent', sentAt: now, error: null }).where(keyWhere(contactId, periodId, slotId)).run();
}

export function markReminderFailed(db: Db, contactId: number, periodId: string, slotId: string, error: string): void {
  db.update(reminderSends).set({ status: 'failed', error: error.slice(0, 500) }).where(keyWhere(contactId, periodId, slotId)).run();
}

/** Counts by status of the rows of one slot (a manual round's slot, in tests and logs). */
export function slotStatusCounts(db: Db, periodId: string, slotId: string): Record<ReminderSendRow['status'], number> {
  const rows = db
    .select({ status: reminderSends.status, n: sql<number>`count(*)` })
    .from(reminderSends)
    .where(and(eq(reminderSends.periodId, periodId), eq(reminderSends.slotId, slotId)))
    .groupBy(reminderSends.status)
    .all();
  const out = { sending: 0, sent: 0, failed: 0 };
  for (const r of rows) out[r.status] = r.n;
  return out;
}

/** Contacts of the given units that the bot cannot reach (they blocked it), for the office digest. */
export function unreachableContacts(db: Db, unitIds: number[]): ReminderRecipient[] {
  if (unitIds.length === 0) return [];
  return db
    .select({ contact: contacts, unit: units })
    .from(contacts)
    .innerJoin(units, eq(units.id, contacts.unitId))
    .where(and(eq(contacts.active, true), eq(contacts.reachable, false), isNotNull(contacts.unitId), inArray(contacts.unitId, unitIds)))
    .orderBy(asc(units.name), asc(contacts.id))
    .all();
}
