import { and, asc, eq, gte, sql } from 'drizzle-orm';
import { perDb, type Db } from '../db';
import { auditLog } from '../schema';

const insert = perDb((db) =>
  db
    .insert(auditLog)
    .values({
      at: sql.placeholder('at'),
      actorContactId: sql.placeholder('actorContactId'),
      action: sql.placeholder('action'),
      subject: sql.placeholder('subject'),
      details: sql.placeholder('details'),
    })
    .prepare(),
);

export function audit(db: Db, entry: { at: Date; actorContactId: number | null; action: string; subject?: string; details?: unknown }): void {
  insert(db).run({
    at: entry.at,
    actorContactId: entry.actorContactId,
    action: entry.action,
    subject: entry.subject ?? null,
    details: entry.details === undefined ? null : JSON.stringify(entry.details),
  });
}

/** When an actor did something since a moment, oldest first: the invite brute-force guard reads failures. */
export function recentActionTimes(db: Db, actorContactId: number, action: string, since: Date): Date[] {
  return db
    .select({ at: auditLog.at })
    .from(auditLog)
    .where(and(eq(auditLog.actorContactId, actorContactId), eq(auditLog.action, action), gte(auditLog.at, since)))
    .orderBy(asc(auditLog.at))
    .all()
    .map((r) => r.at);
}
