import { and, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { contacts, type Channel, type ContactRow, type Role } from '../schema';

export function findContact(db: Db, channel: Channel, externalId: string): ContactRow | undefined {
  return db.select().from(contacts).where(and(eq(contacts.channel, channel), eq(contacts.externalId, externalId))).get();
}

export function findContactById(db: Db, id: number): ContactRow | undefined {
  return db.select().from(contacts).where(eq(contacts.id, id)).get();
}

/** The chat account as we know it; created unbound on first contact so its state can be kept. */
export function touchContact(db: Db, channel: Channel, externalId: string, displayName: string | null, now: Date): ContactRow {
  const existing = findContact(db, channel, externalId);
  if (existing) {
    return db
      .update(contacts)
      // Writing again proves the user did not block us (or unblocked us).
      .set({ lastSeenAt: now, reachable: true, displayName: displayName ?? existing.displayName })
      .where(eq(contacts.id, existing.id))
      .returning()
      .get();
  }
  return db
    .insert(contacts)
    .values({ channel, externalId, displayName, active: false, lastSeenAt: now })
    .returning()
    .get();
}

export function bindContact(db: Db, contactId: number, unitId: number | null, role: Role): ContactRow {
  return db.update(contacts).set({ unitId, role, active: true }).where(eq(contacts.id, contactId)).returning().get();
}

export function unbindContact(db: Db, contactId: number): void {
  db.update(contacts).set({ active: false, unitId: null, role: 'contact' }).where(eq(contacts.id, contactId)).run();
}

export function setReachable(db: Db, contactId: number, reachable: boolean): void {
  db.update(contacts).set({ reachable }).where(eq(contacts.id, contactId)).run();
}

export function activeContactsOfUnit(db: Db, unitId: number): ContactRow[] {
  return db.select().from(contacts).where(and(eq(contacts.unitId, unitId), eq(contacts.active, true))).all();
}

export function activeContacts(db: Db): ContactRow[] {
  return db.select().from(contacts).where(eq(contacts.active, true)).all();
}

export function officeContacts(db: Db): ContactRow[] {
  return db.select().from(contacts).where(and(eq(contacts.role, 'office'), eq(contacts.active, true))).all();
}
