import { and, eq } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { rowStatement } from '../rows';
import { contacts, type Channel, type ContactRow, type Role } from '../schema';

// Every message reads its contact (and now and then marks it seen).
const find = rowStatement<typeof contacts, [channel: Channel, externalId: string]>(contacts, 'select $columns from contacts where channel = ? and external_id = ?');
const markSeen = rowStatement<typeof contacts, [nowMs: number, displayName: string | null, id: number]>(
  contacts,
  'update contacts set last_seen_at = ?, reachable = 1, display_name = ? where id = ? returning $columns',
);

/**
 * How exact "last seen" is kept. Rewriting the contact's row for every message would add a page to every
 * answer's commit only to move the time by seconds; the office reads it to the minute.
 */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

export function findContact(db: Db, channel: Channel, externalId: string): ContactRow | undefined {
  return find(db).get(channel, externalId);
}

export function findContactById(db: Db, id: number): ContactRow | undefined {
  return db.select().from(contacts).where(eq(contacts.id, id)).get();
}

/** The chat account as we know it; created unbound on first contact so its state can be kept. */
export function touchContact(db: Db, channel: Channel, externalId: string, displayName: string | null, now: Date): ContactRow {
  const existing = findContact(db, channel, externalId);
  if (existing) {
    const name = displayName ?? existing.displayName;
    const seen = existing.lastSeenAt?.getTime();
    const recent = seen !== undefined && seen <= now.getTime() && now.getTime() - seen < LAST_SEEN_RESOLUTION_MS;
    if (recent && existing.reachable && name === existing.displayName) return existing;
    // Writing again proves the user did not block us (or unblocked us).
    return markSeen(db).get(now.getTime(), name, existing.id) as ContactRow;
  }
  return db
    .insert(contacts)
    .values({ channel, externalId, displayName, active: false, lastSeenAt: now })
    .returning()
    .get();
}

/** Binding changes made through this connection (the only way a role changes): what a cache of roles checks. */
const bindings = perDb(() => ({ changes: 0 }));

export function contactBindingsVersion(db: Db): number {
  return bindings(db).changes;
}

export function bindContact(db: Db, contactId: number, unitId: number | null, role: Role): ContactRow {
  bindings(db).changes++;
  return db.update(contacts).set({ unitId, role, active: true }).where(eq(contacts.id, contactId)).returning().get();
}

export function unbindContact(db: Db, contactId: number): void {
  bindings(db).changes++;
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
