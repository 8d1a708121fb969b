import { and, eq, gte, sql } from 'drizzle-orm';
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

/** How many times an actor did something since a moment: the invite brute-force guard counts failures. */
export function countRecentActions(db: Db, actorContactId: number, action: string, since: Date): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(auditLog)
    .where(and(eq(auditLog.actorContactId, actorContactId), eq(auditLog.action, action), gte(auditLog.at, since)))
    .get();
  return row?.n ?? 0;
}
