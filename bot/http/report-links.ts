import { randomBytes } from 'node:crypto';
import type { Db } from '../../storage/db';
import { countReportDownload, createReportLink, deleteExpiredReportLinks, findReportLink } from '../../storage/repositories/report-links';
import { respond } from './io';
import type { RouteHandler } from './server';
import { linkExpiredPage, linkNotFoundPage } from './texts';

/**
 * Reports handed over as links (Zalo cannot send files): each link holds one document under an
 * unguessable token (24 random bytes, base64url) and stops working after its time to live.
 */

export const REPORT_LINK_PATH = '/r/';
export const REPORT_ROUTE = /^\/r\/([^/]*)$/;
/** 24 bytes in base64url: exactly 32 characters of [A-Za-z0-9_-]. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;
/** Expired links still answer "expired" (rather than "not found") for this long, then their bytes are dropped. */
const EXPIRED_GRACE_MS = 7 * 86_400_000;

export function newReportToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The period a report belongs to, read from its file name ("…2026-H1…"); the table wants one. */
export function periodIdOf(filename: string): string {
  return /(?:^|[^0-9])(\d{4}-(?:Q[1-4]|H1|Y))(?![A-Za-z0-9])/.exec(filename)?.[1] ?? 'unknown';
}

export interface IssuedLink {
  url: string;
  token: string;
  expiresAt: Date;
}

export function issueReportLink(
  db: Db,
  opts: {
    publicUrl: string;
    document: { filename: string; bytes: Uint8Array };
    createdBy: number | null;
    now: Date;
    ttlHours: number;
  },
): IssuedLink {
  const { now } = opts;
  deleteExpiredReportLinks(db, new Date(now.getTime() - EXPIRED_GRACE_MS));
  const token = newReportToken();
  const expiresAt = new Date(now.getTime() + opts.ttlHours * 3_600_000);
  createReportLink(db, {
    token,
    periodId: periodIdOf(opts.document.filename),
    filename: opts.document.filename,
    bytes: opts.document.bytes,
    createdBy: opts.createdBy,
    now,
    expiresAt,
  });
  return { url: `${opts.publicUrl}${REPORT_LINK_PATH}${token}`, token, expiresAt };
}

const CONTENT_TYPES: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  png: 'image/png',
  csv: 'text/csv; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

export function contentTypeOf(filename: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** RFC 6266: an ASCII fallback for old clients, the exact UTF-8 name (Vietnamese diacritics) for the rest. */
export function contentDisposition(filename: string): string {
  const ascii = filename
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** GET/HEAD /r/<token>: the file, 404 for an unknown token, 410 once expired. */
export function reportLinkRoute(opts: { db: Db; clock: () => Date }): RouteHandler {
  return (req, res, [token]) => {
    const html = 'text/html; charset=utf-8';
    const link = token && TOKEN_SHAPE.test(token) ? findReportLink(opts.db, token) : undefined;
    if (!link) return respond(req, res, 404, linkNotFoundPage(), html);
    if (link.expiresAt.getTime() <= opts.clock().getTime()) return respond(req, res, 410, linkExpiredPage(), html);
    res.writeHead(200, {
      'content-type': contentTypeOf(link.filename),
      'content-length': link.bytes.length,
      'content-disposition': contentDisposition(link.filename),
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      // The token is the credential: never pass it on in a Referer.
      'referrer-policy': 'no-referrer',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    countReportDownload(opts.db, link.token);
    res.end(link.bytes);
  };
}
