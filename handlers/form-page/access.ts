import { createHash, randomBytes } from 'node:crypto';
import { defaultPeriod } from '../../domain/period-status';
import { PeriodIdSchema, periodInfo } from '../../domain/periods';
import type { Config } from '../../config';
import type { Db } from '../../storage/db';
import { findContact, findContactById } from '../../storage/repositories/contacts';
import { createFormLink, deleteExpiredFormLinks, findFormLink, revokeFormLinks, touchFormLink } from '../../storage/repositories/form-links';
import { openPeriods } from '../../storage/repositories/periods';
import { findSubmission } from '../../storage/repositories/submissions';
import { findUnitById } from '../../storage/repositories/units';
import type { ContactRow } from '../../storage/schema';
import type { PageScope } from './engine';

/**
 * Who may open which form page. Telegram users are identified by the Mini App's signed initData (checked
 * by the HTTP adapter); Zalo and console users by a personal link. Either way the person must be a linked
 * contact of an active unit, and the page only ever reaches that unit's report for one period.
 */

export type Refusal =
  | 'not_linked'
  | 'no_open_period'
  | 'period_not_open'
  | 'link_unknown'
  | 'link_expired'
  | 'link_revoked';

export type Access = { ok: true; scope: PageScope } | { ok: false; refusal: Refusal };

/** Where the HTTP server serves the page: the Telegram Mini App, personal links, the JSON API. */
export const FORM_PATHS = { telegram: '/form/tg', link: '/form/l/', api: '/form/api/' } as const;

/** 32 random bytes, base64url: 43 characters. */
export const FORM_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** Expired links still answer "expired" (rather than "unknown") for a week, then their rows are dropped. */
const EXPIRED_GRACE_MS = 7 * 86_400_000;

const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

function scopeFor(db: Db, config: Config, contact: ContactRow | undefined, periodId: string | undefined, now: Date): Access {
  if (!contact?.active || contact.unitId === null) return { ok: false, refusal: 'not_linked' };
  const unit = findUnitById(db, contact.unitId);
  if (!unit?.active) return { ok: false, refusal: 'not_linked' };
  const open = openPeriods(db, now, config.calendar);
  if (periodId === undefined) {
    const period = defaultPeriod(open, now);
    return period ? { ok: true, scope: { contact, unit, period, open: true } } : { ok: false, refusal: 'no_open_period' };
  }
  if (!PeriodIdSchema.safeParse(periodId).success) return { ok: false, refusal: 'period_not_open' };
  const period = open.find((p) => p.id === periodId);
  if (period) return { ok: true, scope: { contact, unit, period, open: true } };
  // A closed period is shown read-only, but only to a unit that reported in it.
  if (!findSubmission(db, unit.id, periodId)) return { ok: false, refusal: 'period_not_open' };
  return { ok: true, scope: { contact, unit, period: periodInfo(periodId, config.calendar), open: false } };
}

/** A Telegram user whose initData was verified. */
export function accessForTelegramUser(db: Db, config: Config, userId: string, periodId: string | undefined, now: Date): Access {
  return scopeFor(db, config, findContact(db, 'telegram', userId), periodId, now);
}

/** A personal link: the token names the contact and the period; nothing else in the request is trusted. */
export function accessForLink(db: Db, config: Config, token: string, now: Date): Access {
  const link = FORM_TOKEN_SHAPE.test(token) ? findFormLink(db, hashToken(token)) : undefined;
  if (!link) return { ok: false, refusal: 'link_unknown' };
  if (link.revokedAt !== null) return { ok: false, refusal: 'link_revoked' };
  if (link.expiresAt.getTime() <= now.getTime()) return { ok: false, refusal: 'link_expired' };
  const access = scopeFor(db, config, findContactById(db, link.contactId), link.periodId, now);
  if (access.ok) touchFormLink(db, link.id, now);
  return access;
}

/**
 * A new personal link for the contact and period. Earlier links of the contact stop working, so only the
 * latest message carries a usable one.
 */
export function issueFormLink(db: Db, contactId: number, periodId: string, now: Date, ttlHours: number): { token: string; expiresAt: Date } {
  deleteExpiredFormLinks(db, new Date(now.getTime() - EXPIRED_GRACE_MS));
  revokeFormLinks(db, contactId, now);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000);
  createFormLink(db, { tokenHash: hashToken(token), contactId, periodId, now, expiresAt });
  return { token, expiresAt };
}
