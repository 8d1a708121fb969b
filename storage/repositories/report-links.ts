import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { reportLinks, type ReportLinkRow } from '../schema';

/** Download links for generated reports (Zalo cannot carry files): one document per token. */

export function createReportLink(
  db: Db,
  l: { token: string; periodId: string; filename: string; bytes: Uint8Array; createdBy: number | null; now: Date; expiresAt: Date },
): ReportLinkRow {
  return db
    .insert(reportLinks)
    .values({
      token: l.token,
      periodId: l.periodId,
      filename: l.filename,
      bytes: Buffer.from(l.bytes),
      createdBy: l.createdBy,
      createdAt: l.now,
      expiresAt: l.expiresAt,
    })
    .returning()
    .get();
}

export function findReportLink(db: Db, token: string): ReportLinkRow | undefined {
  return db.select().from(reportLinks).where(eq(reportLinks.token, token)).get();
}

export function countReportDownload(db: Db, token: string): void {
  db.update(reportLinks).set({ downloads: sql`${reportLinks.downloads} + 1` }).where(eq(reportLinks.token, token)).run();
}

/** Drops links that expired before `before` (the file bytes live in the row). */
export function deleteExpiredReportLinks(db: Db, before: Date): number {
  return db.delete(reportLinks).where(lt(reportLinks.expiresAt, before)).run().changes;
}
