import { displayInviteCode, looksLikeInviteCode, normalizeInviteCode, INVITE_LOCKOUT, lockedUntil } from '../domain/invite-code';
import { IDLE } from '../domain/conversation';
import { reply, type Reply } from '../domain/replies';
import { audit, recentActionTimes } from '../storage/repositories/audit';
import { bindContact } from '../storage/repositories/contacts';
import { saveConversation } from '../storage/repositories/conversations';
import { redeemInvite, type RedeemResult } from '../storage/repositories/invites';
import { findUnitById } from '../storage/repositories/units';
import { inTransaction } from '../storage/db';
import type { InviteCodeRow } from '../storage/schema';
import * as t from '../templates/onboarding';
import { openPeriodLine } from './flow';
import type { CommandContext } from './types';

const NHAP = { label: 'Nhập báo cáo', command: '/nhap' };

/** /start [CODE]: a welcome, or linking this chat account to a unit (or to the office) with a code. */
export function start(c: CommandContext, arg: string): Reply[] {
  const code = arg.trim();
  if (code === '') {
    if (!c.contact.active) return [reply(t.welcomeUnbound(c.contact.displayName))];
    if (c.contact.role === 'office') return [reply(t.welcomeBackOffice())];
    const unit = c.contact.unitId !== null ? findUnitById(c.deps.db, c.contact.unitId) : undefined;
    return [reply(t.welcomeBack(unit?.name ?? null, openPeriodLine(c)), { actions: [NHAP] })];
  }
  return redeem(c, code);
}

/** "/start CODE chuyen" (or "chuyển"): the contact confirmed moving an already linked account. */
const SWITCH = new RegExp(`^(.*\\S)\\s+(?:${t.SWITCH_WORD}|chuyển)$`, 'iu');

/** Thrown inside the savepoint to undo the use a redemption counted. */
class Undo {
  constructor(readonly replies: Reply[]) {}
}

export function redeem(c: CommandContext, text: string): Reply[] {
  const { db } = c.deps;
  const { contact, now } = c;
  const m = SWITCH.exec(text.trim());
  const code = m ? m[1]! : text.trim();
  const switchConfirmed = m !== null;
  const since = new Date(now.getTime() - INVITE_LOCKOUT.windowMs - INVITE_LOCKOUT.lockoutMs);
  const until = lockedUntil(recentActionTimes(db, contact.id, 'invite_failed', since), now);
  if (until) return [reply(t.tooManyAttempts(Math.ceil((until.getTime() - now.getTime()) / 60_000)))];
  let result: RedeemResult;
  try {
    // A savepoint inside the update's transaction: when the code changes nothing (the account is already
    // linked there) or the contact must first confirm a move, the use the redemption counted is undone,
    // so tapping an invite link twice never uses up a code the unit's other people still need.
    result = inTransaction(db, (tx) => {
      const r: RedeemResult = looksLikeInviteCode(code) ? redeemInvite(tx, code, now) : { ok: false, reason: 'not_found' };
      if (r.ok && contact.active) {
        const held = heldElsewhere(c, r.invite, switchConfirmed);
        if (held) throw new Undo(held);
      }
      return r;
    });
  } catch (err) {
    if (err instanceof Undo) return err.replies;
    throw err;
  }
  if (!result.ok) {
    const reason = looksLikeInviteCode(code) ? result.reason : 'malformed';
    audit(db, { at: now, actorContactId: contact.id, action: 'invite_failed', details: { reason, code: normalizeInviteCode(code).slice(0, 16) } });
    return [reply(t.inviteRefused(reason, code))];
  }
  const { invite } = result;
  const from = contact.active ? { unitId: contact.unitId, role: contact.role } : null;
  const bound = bindContact(db, contact.id, invite.unitId, invite.role);
  saveConversation(db, contact.id, IDLE, now);
  audit(db, {
    at: now,
    actorContactId: contact.id,
    action: 'contact_bound',
    subject: invite.unitId ? `unit:${invite.unitId}` : 'office',
    details: { role: invite.role, inviteId: invite.id, ...(from ? { previous: from } : {}) },
  });
  if (invite.role === 'office') return [reply(t.boundAsOffice())];
  const unit = findUnitById(db, bound.unitId!)!;
  const line = openPeriodLine({ ...c, contact: bound });
  if (from) return [reply(t.switchedToUnit(unitNameOf(c, from.unitId), unit.name, line), { actions: [NHAP] })];
  return [reply(t.boundToUnit(unit.name, line), { actions: [NHAP] })];
}

/**
 * For an account already linked: the replies that stop a redemption (the same link again, or a move to
 * another unit or role not yet confirmed), or null to go ahead and move it.
 */
function heldElsewhere(c: CommandContext, invite: InviteCodeRow, switchConfirmed: boolean): Reply[] | null {
  const { contact } = c;
  if (contact.role === invite.role && contact.unitId === invite.unitId) {
    if (invite.role === 'office') return [reply(t.alreadyOffice())];
    return [reply(t.alreadyBoundToUnit(unitNameOf(c, invite.unitId) ?? '', openPeriodLine(c)), { actions: [NHAP] })];
  }
  if (switchConfirmed) return null;
  const command = `/start ${displayInviteCode(invite.code)} ${t.SWITCH_WORD}`;
  return [
    reply(t.confirmSwitch(contact.role === 'office' ? null : unitNameOf(c, contact.unitId), invite.role === 'office' ? null : unitNameOf(c, invite.unitId), invite.code), {
      actions: [{ label: t.LABEL_SWITCH, command }],
    }),
  ];
}

function unitNameOf(c: CommandContext, unitId: number | null): string | null {
  return unitId === null ? null : (findUnitById(c.deps.db, unitId)?.name ?? null);
}

