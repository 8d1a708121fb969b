import { looksLikeInviteCode, normalizeInviteCode } from '../domain/invite-code';
import { IDLE } from '../domain/conversation';
import { reply, type Reply } from '../domain/replies';
import { audit, countRecentActions } from '../storage/repositories/audit';
import { bindContact } from '../storage/repositories/contacts';
import { saveConversation } from '../storage/repositories/conversations';
import { redeemInvite } from '../storage/repositories/invites';
import { findUnitById } from '../storage/repositories/units';
import * as t from '../templates/onboarding';
import { openPeriodLine } from './flow';
import type { CommandContext } from './types';

/** Guessing codes: after this many wrong codes in the window, the account must wait. */
export const INVITE_MAX_FAILURES = 5;
export const INVITE_FAILURE_WINDOW_MS = 10 * 60_000;
export const INVITE_LOCKOUT_MINUTES = 15;

/** /start [CODE]: a welcome, or linking this chat account to a unit (or to the office) with a code. */
export function start(c: CommandContext, arg: string): Reply[] {
  const code = arg.trim();
  if (code === '') {
    if (!c.contact.active) return [reply(t.welcomeUnbound(c.contact.displayName))];
    const unit = c.contact.unitId !== null ? findUnitById(c.deps.db, c.contact.unitId) : undefined;
    return [reply(t.welcomeBack(unit?.name ?? null, openPeriodLine(c)), { actions: [{ label: 'Nhập báo cáo', command: '/nhap' }] })];
  }
  return redeem(c, code);
}

export function redeem(c: CommandContext, code: string): Reply[] {
  const { db } = c.deps;
  const { contact, now } = c;
  // Counting failures from the recent window (lockout lasts until older failures age out of it).
  const lockSince = new Date(now.getTime() - Math.max(INVITE_FAILURE_WINDOW_MS, INVITE_LOCKOUT_MINUTES * 60_000));
  if (countRecentActions(db, contact.id, 'invite_failed', lockSince) >= INVITE_MAX_FAILURES) {
    return [reply(t.tooManyAttempts(INVITE_LOCKOUT_MINUTES))];
  }
  const result = looksLikeInviteCode(code) ? redeemInvite(db, code, now) : ({ ok: false, reason: 'malformed' } as const);
  if (!result.ok) {
    audit(db, { at: now, actorContactId: contact.id, action: 'invite_failed', details: { reason: result.reason, code: normalizeInviteCode(code).slice(0, 16) } });
    return [reply(t.inviteRefused(result.reason, code))];
  }
  const { invite } = result;
  const bound = bindContact(db, contact.id, invite.unitId, invite.role);
  saveConversation(db, contact.id, IDLE, now);
  audit(db, { at: now, actorContactId: contact.id, action: 'contact_bound', subject: invite.unitId ? `unit:${invite.unitId}` : 'office', details: { role: invite.role, inviteId: invite.id } });
  if (invite.role === 'office') return [reply(t.boundAsOffice())];
  const unit = findUnitById(db, bound.unitId!);
  return [reply(t.boundToUnit(unit!.name, openPeriodLine({ ...c, contact: bound })), { actions: [{ label: 'Nhập báo cáo', command: '/nhap' }] })];
}
