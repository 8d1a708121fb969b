import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db';
import { formLinks, type FormLinkRow } from '../schema';

/** Personal form-page links: rows are looked up by the token's hash, never by the token itself. */

export function createFormLink(db: Db, l: { tokenHash: string; contactId: number; periodId: string; now: Date; expiresAt: Date }): FormLinkRow {
  return db
    .insert(formLinks)
    .values({ tokenHash: l.tokenHash, contactId: l.contactId, periodId: l.periodId, createdAt: l.now, expiresAt: l.expiresAt })
    .returning()
    .get();
}

export function findFormLink(db: Db, tokenHash: string): FormLinkRow | undefined {
  return db.select().from(formLinks).where(eq(formLinks.tokenHash, tokenHash)).get();
}

/** Revokes every link of the contact still usable; returns how many. */
export function revokeFormLinks(db: Db, contactId: number, now: Date): number {
  return db
    .update(formLinks)
    .set({ revokedAt: now })
    .where(and(eq(formLinks.contactId, contactId), isNull(formLinks.revokedAt)))
    .run().changes;
}

export function touchFormLink(db: Db, id: number, now: Date): void {
  db.update(formLinks).set({ lastUsedAt: now }).where(eq(formLinks.id, id)).run();
}

/** Rows of links that expired before `before`: nothing can be done with them but say "expired". */
export function deleteExpiredFormLinks(db: Db, before: Date): number {
  return db.delete(formLinks).where(lt(formLinks.expiresAt, before)).run().changes;
}
