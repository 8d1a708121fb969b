import { randomInt } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { inviteCodes, units, type InviteCodeRow, type Role } from '../schema';
import { revokeUnitInvites } from './admin';
import { INVITE_ALPHABET, INVITE_LENGTH, normalizeInviteCode } from '../../domain/invite-code';

export function generateInviteCode(): string {
  let code = '';
  for (let i = 0; i < INVITE_LENGTH; i++) code += INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)];
  return code;
}

export interface InviteOptions {
  unitId: number | null;
  role: Role;
  now: Date;
  ttlDays?: number;
  maxUses?: number;
  createdBy?: number | null;
}

export function createInvite(db: Db, opts: InviteOptions): InviteCodeRow {
  const ttlDays = opts.ttlDays ?? (opts.role === 'office' ? 7 : 365);
  for (;;) {
    const code = generateInviteCode();
    const row = db
      .insert(inviteCodes)
      .values({
        code,
        unitId: opts.unitId,
        role: opts.role,
        expiresAt: new Date(opts.now.getTime() + ttlDays * 86_400_000),
        maxUses: opts.maxUses ?? (opts.role === 'office' ? 1 : 10),
        createdBy: opts.createdBy ?? null,
        createdAt: opts.now,
      })
      .onConflictDoNothing()
      .returning()
      .get();
    if (row) return row;
  }
}

export type RedeemResult =
  | { ok: true; invite: InviteCodeRow }
  | { ok: false; reason: 'not_found' | 'expired' | 'used_up' | 'revoked' | 'unit_inactive' };

/** Checks a code and counts one use; call inside the transaction that binds the contact. */
export function redeemInvite(db: Db, rawCode: string, now: Date): RedeemResult {
  const code = normalizeInviteCode(rawCode);
  const invite = db.select().from(inviteCodes).where(eq(inviteCodes.code, code)).get();
  if (!invite) return { ok: false, reason: 'not_found' };
  if (invite.revokedAt) return { ok: false, reason: 'revoked' };
  if (invite.expiresAt && invite.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  if (invite.uses >= invite.maxUses) return { ok: false, reason: 'used_up' };
  if (invite.unitId !== null) {
    const unit = db.select({ active: units.active }).from(units).where(eq(units.id, invite.unitId)).get();
    if (!unit?.active) return { ok: false, reason: 'unit_inactive' };
  }
  db.update(inviteCodes).set({ uses: sql`${inviteCodes.uses} + 1` }).where(eq(inviteCodes.id, invite.id)).run();
  return { ok: true, invite };
}

/** A code whose validity ends within this many days is not handed out for a mail merge: it would expire in the post. */
export const HANDOUT_MIN_DAYS_LEFT = 30;

/**
 * The code to hand out for a unit (demo, invites export, console): of its usable codes made for more
 * than one person, the one valid longest; a new standard code when none will last. A short-lived
 * single-person code (`invite --uses 1 --days 1`) is never handed out as the unit's code.
 */
export function currentInviteForUnit(db: Db, unitId: number, now: Date): InviteCodeRow {
  const until = (r: InviteCodeRow) => r.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const lasting = now.getTime() + HANDOUT_MIN_DAYS_LEFT * 86_400_000;
  const rows = db.select().from(inviteCodes).where(eq(inviteCodes.unitId, unitId)).all();
  const best = rows
    .filter((r) => !r.revokedAt && r.maxUses > 1 && r.uses < r.maxUses && until(r) > lasting)
    .sort((a, b) => until(b) - until(a) || b.id - a.id)[0];
  return best ?? createInvite(db, { unitId, role: 'contact', now });
}

/** Usable codes of a unit (not revoked, not expired, uses left). */
export function usableUnitInviteCount(db: Db, unitId: number, now: Date): number {
  return db
    .select()
    .from(inviteCodes)
    .where(eq(inviteCodes.unitId, unitId))
    .all()
    .filter((r) => !r.revokedAt && r.uses < r.maxUses && (!r.expiresAt || r.expiresAt > now)).length;
}

/**
 * A new code for a unit. By default its earlier codes are revoked (a leaked code, a person who left;
 * accounts already linked stay linked): what /moi UNIT and `cli invite --unit` both do.
 */
export function renewUnitInvite(
  db: Db,
  opts: { unitId: number; now: Date; createdBy?: number | null; ttlDays?: number; maxUses?: number; keepOld?: boolean },
): { invite: InviteCodeRow; revoked: number; stillValid: number } {
  const revoked = opts.keepOld ? 0 : revokeUnitInvites(db, opts.unitId, opts.now);
  const stillValid = opts.keepOld ? usableUnitInviteCount(db, opts.unitId, opts.now) : 0;
  const invite = createInvite(db, { unitId: opts.unitId, role: 'contact', now: opts.now, createdBy: opts.createdBy ?? null, ttlDays: opts.ttlDays, maxUses: opts.maxUses });
  return { invite, revoked, stillValid };
}
