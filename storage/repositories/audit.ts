import { and, asc, eq, gte } from 'drizzle-orm';
import type { Db } from '../db';
import { auditLog } from '../schema';

export function audit(db: Db, entry: { at: Date; actorContactId: number | null; action: string; subject?: string; details?: unknown }): void {
  db.insert(auditLog)
    .values({
      at: entry.at,
      actorContactId: entry.actorContactId,
      action: entry.action,
      subject: entry.subject ?? null,
      details: entry.details === undefined ? null : JSON.stringify(entry.details),
    })
    .run();
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
