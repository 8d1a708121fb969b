import { randomInt } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { inviteCodes, units, type InviteCodeRow, type Role } from '../schema';
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

/** The newest usable code of a unit, or a new one: the demo and exports hand out one code per unit. */
export function currentInviteForUnit(db: Db, unitId: number, now: Date): InviteCodeRow {
  const rows = db.select().from(inviteCodes).where(eq(inviteCodes.unitId, unitId)).all();
  const usable = rows
    .filter((r) => !r.revokedAt && r.uses < r.maxUses && (!r.expiresAt || r.expiresAt > now))
    .sort((a, b) => b.id - a.id)[0];
  return usable ?? createInvite(db, { unitId, role: 'contact', now });
}
