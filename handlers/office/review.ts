import { compareUnits } from '../../domain/aggregate';
import { parseReturnRequest, UNIT_STATES, unitStateOf, type UnitState } from '../../domain/review';
import { reply, type Reply } from '../../domain/replies';
import { inTransaction } from '../../storage/db';
import { audit } from '../../storage/repositories/audit';
import { activeContactsOfUnit } from '../../storage/repositories/contacts';
import { formVersion } from '../../storage/repositories/forms';
import { acceptSubmission, returnSubmission, reviewFactsOfPeriod } from '../../storage/repositories/review';
import { findSubmission } from '../../storage/repositories/submissions';
import { activeUnits, findUnitByCode, toUnitRef } from '../../storage/repositories/units';
import * as t from '../../templates/review';
import type { CommandSpec } from '../commands';
import { queueForContacts } from '../notify';
import type { CommandContext } from '../types';
import { resolveOfficePeriod, splitPeriodArg } from './period-arg';

/**
 * The office's review (as in DHIS2 and Kobo): /duyet lists the confirmed reports waiting for review,
 * /duyet MÃ accepts one, /tralai MÃ CÂU lý do returns one to the unit, which is told, reopens it at the
 * questions named and confirms it again. Audited; office accounts only (the command table's audience).
 */

/** "PGD-DALAT 2026-H1 rest" or "PGD-DALAT rest": the unit code, an optional period, the rest. */
function unitAndPeriod(arg: string): { code: string; period: string; rest: string } {
  const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(arg);
  if (!m) return { code: '', period: '', rest: '' };
  const { period, rest } = splitPeriodArg(m[2] ?? '');
  return { code: m[1]!, period, rest };
}

function list(c: CommandContext, periodArg: string): Reply[] {
  const resolved = resolveOfficePeriod(c, periodArg);
  if (!resolved.ok) return [reply(resolved.message)];
  const { period } = resolved;
  const facts = reviewFactsOfPeriod(c.deps.db, period.id);
  const units = activeUnits(c.deps.db).map(toUnitRef).sort(compareUnits);
  const counts = Object.fromEntries(UNIT_STATES.map((s) => [s, 0])) as Record<UnitState, number>;
  const awaiting: t.AwaitingLine[] = [];
  for (const u of units) {
    const f = facts.get(u.id);
    const state = unitStateOf(f);
    counts[state] += 1;
    if (state === 'submitted') awaiting.push({ code: u.code, name: u.name, confirmedAt: f?.confirmedAt ?? null });
  }
  return [reply(t.awaitingList(period.title, awaiting, counts, c.deps.config.timeZone))];
}

type Target = { ok: true; unit: { id: number; name: string; code: string }; period: { id: string; title: string }; submissionId: number } | { ok: false; replies: Reply[] };

function target(c: CommandContext, code: string, periodArg: string): Target {
  const unit = findUnitByCode(c.deps.db, code.toUpperCase()) ?? findUnitByCode(c.deps.db, code);
  if (!unit) return { ok: false, replies: [reply(t.noSuchUnit(code))] };
  const resolved = resolveOfficePeriod(c, periodArg);
  if (!resolved.ok) return { ok: false, replies: [reply(resolved.message)] };
  const { period } = resolved;
  const facts = reviewFactsOfPeriod(c.deps.db, period.id).get(unit.id);
  const state = unitStateOf(facts);
  if (!facts || (state !== 'submitted' && state !== 'accepted')) return { ok: false, replies: [reply(t.notSubmitted(unit.name, state))] };
  return { ok: true, unit, period, submissionId: facts.id };
}

function accept(c: CommandContext, arg: string): Reply[] {
  const { code, period: periodArg } = unitAndPeriod(arg);
  const { db } = c.deps;
  const outcome = inTransaction(db, () => {
    const found = target(c, code, periodArg);
    if (!found.ok) return found;
    const sub = findSubmission(db, found.unit.id, found.period.id)!;
    if (sub.acceptedAt) return { ok: false as const, replies: [reply(t.alreadyAccepted(found.unit.name))] };
    acceptSubmission(db, sub.id, c.contact.id, c.now);
    audit(db, { at: c.now, actorContactId: c.contact.id, action: 'submission_accepted', subject: `submission:${sub.id}`, details: { periodId: found.period.id, revision: sub.revision } });
    const told = queueForContacts(db, activeContactsOfUnit(db, found.unit.id), [reply(t.acceptedNotice(found.period.title))], c.now);
    return { ...found, told };
  });
  if (!outcome.ok) return outcome.replies;
  return [reply(t.accepted(outcome.unit.name, outcome.period.title, outcome.told))];
}

function giveBack(c: CommandContext, arg: string): Reply[] {
  const { code, period: periodArg, rest } = unitAndPeriod(arg);
  if (code === '') return [reply(t.reviewUsage())];
  const { db } = c.deps;
  const outcome = inTransaction(db, () => {
    const found = target(c, code, periodArg);
    if (!found.ok) return found;
    const sub = findSubmission(db, found.unit.id, found.period.id)!;
    const form = formVersion(db, sub.formVersionId).form;
    const request = parseReturnRequest(form, rest);
    if (!request.ok) return { ok: false as const, replies: [reply(t.returnProblem(request.problem, form.sections.reduce((n, s) => n + s.questions.length, 0), request.detail))] };
    returnSubmission(db, sub.id, { by: c.contact.id, now: c.now, reason: request.reason, keys: request.keys });
    audit(db, {
      at: c.now,
      actorContactId: c.contact.id,
      action: 'submission_returned',
      subject: `submission:${sub.id}`,
      details: { periodId: found.period.id, reason: request.reason, keys: request.keys, numbers: request.numbers, revision: sub.revision },
    });
    const contacts = activeContactsOfUnit(db, found.unit.id);
    const notice = reply(t.returnedNotice(found.period.title, request.reason, request.numbers), { actions: [{ label: 'Sửa báo cáo', command: '/nhap' }] });
    const told = queueForContacts(db, contacts, [notice], c.now);
    return { ...found, request, told, contactCount: contacts.length };
  });
  if (!outcome.ok) return outcome.replies;
  return [reply(t.returned(outcome.unit.name, outcome.period.title, outcome.request.numbers, outcome.told, outcome.contactCount))];
}

export const REVIEW_COMMANDS: CommandSpec[] = [
  {
    name: 'duyet',
    usage: '/duyet [mã đơn vị] [kỳ]',
    description: 'Danh sách báo cáo đã gửi chờ duyệt; kèm mã đơn vị: duyệt báo cáo của đơn vị đó',
    audience: 'office',
    run: (c, arg) => {
      const trimmed = arg.trim();
      if (trimmed === '' || splitPeriodArg(trimmed).rest === '') return list(c, trimmed);
      return accept(c, trimmed);
    },
  },
  {
    name: 'tralai',
    usage: '/tralai MÃ-ĐƠN-VỊ [kỳ] CÂU Lý do',
    description: 'Trả lại báo cáo để đơn vị sửa các câu đã nêu, kèm lý do (ví dụ /tralai PGD-DALAT 12,13 Số lượt xem chưa khớp)',
    audience: 'office',
    run: giveBack,
  },
];
