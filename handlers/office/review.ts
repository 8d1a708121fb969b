import { compareUnits } from '../../domain/aggregate';
import type { FormDefinition } from '../../domain/form';
import type { PeriodInfo } from '../../domain/periods';
import { parseReturnRequest, UNIT_STATES, unitStateOf, type ReturnRequest, type UnitState } from '../../domain/review';
import { reply, type Reply } from '../../domain/replies';
import { inTransaction, type Db } from '../../storage/db';
import { audit } from '../../storage/repositories/audit';
import { activeContactsOfUnit } from '../../storage/repositories/contacts';
import { formVersion } from '../../storage/repositories/forms';
import { acceptSubmission, returnSubmission, reviewFactsOfPeriod } from '../../storage/repositories/review';
import { findSubmission } from '../../storage/repositories/submissions';
import { activeUnitRefs, findUnitByCode } from '../../storage/repositories/units';
import * as t from '../../templates/review';
import type { CommandSpec } from '../commands';
import { queueForContacts } from '../notify';
import type { CommandContext } from '../types';
import { resolveOfficePeriod, splitPeriodArg, type PeriodArg } from './period-arg';

/**
 * The office's review (as in DHIS2 and Kobo): /duyet lists the confirmed reports waiting for review,
 * /duyet MÃ accepts one, /tralai MÃ CÂU lý do returns one to the unit, which is told, reopens it at the
 * questions named and confirms it again. Audited; office accounts only (the command table's audience).
 * The work itself (below) is shared with the command line (`cli review`), which has no chat account.
 */

/** Who reviews: an office chat account, or the command line (no account; its audit rows say so). */
export interface Reviewer {
  db: Db;
  now: Date;
  actorContactId: number | null;
  via?: 'cli';
}

/** Why a review step did nothing; `text` is what the office is told. */
export type ReviewRefusal = { ok: false; why: 'no_unit' | 'period' | 'not_submitted' | 'already_accepted' | 'request'; text: string; request?: ReturnRequest & { ok: false }; questionCount?: number };

interface Done {
  ok: true;
  unit: { name: string; code: string };
  period: { id: string; title: string };
  /** Contacts of the unit the notice reached, out of `contacts`. */
  told: number;
  contacts: number;
  text: string;
}
export type AcceptOutcome = Done | ReviewRefusal;
export type ReturnOutcome = (Done & { numbers: number[]; reason: string }) | ReviewRefusal;

export interface AwaitingReview {
  period: PeriodInfo;
  awaiting: t.AwaitingLine[];
  counts: Record<UnitState, number>;
}

/** The confirmed reports of a period not accepted yet, and how many units are in each state. */
export function awaitingReview(db: Db, period: PeriodInfo): AwaitingReview {
  const facts = reviewFactsOfPeriod(db, period.id);
  const units = activeUnitRefs(db).sort(compareUnits);
  const counts = Object.fromEntries(UNIT_STATES.map((s) => [s, 0])) as Record<UnitState, number>;
  const awaiting: t.AwaitingLine[] = [];
  for (const u of units) {
    const f = facts.get(u.id);
    const state = unitStateOf(f);
    counts[state] += 1;
    if (state === 'submitted') awaiting.push({ code: u.code, name: u.name, confirmedAt: f?.confirmedAt ?? null });
  }
  return { period, awaiting, counts };
}

type Target = { ok: true; unit: { id: number; name: string; code: string }; period: PeriodInfo; submissionId: number } | ReviewRefusal;

/** The unit first, then the period (resolved only once the unit is known), then its state. */
function target(db: Db, code: string, period: () => PeriodArg): Target {
  const unit = findUnitByCode(db, code.toUpperCase()) ?? findUnitByCode(db, code);
  if (!unit) return { ok: false, why: 'no_unit', text: t.noSuchUnit(code) };
  const resolved = period();
  if (!resolved.ok) return { ok: false, why: 'period', text: resolved.message };
  const facts = reviewFactsOfPeriod(db, resolved.period.id).get(unit.id);
  const state = unitStateOf(facts);
  if (!facts || (state !== 'submitted' && state !== 'accepted')) return { ok: false, why: 'not_submitted', text: t.notSubmitted(unit.name, state) };
  return { ok: true, unit, period: resolved.period, submissionId: facts.id };
}

const via = (r: Reviewer) => (r.via ? { via: r.via } : {});

/**
 * Accepts a unit's confirmed report; the notice to its contacts is queued in the same transaction (the
 * running bot sends it, whichever process accepted).
 */
export function acceptReport(r: Reviewer, code: string, period: () => PeriodArg): AcceptOutcome {
  const { db } = r;
  return inTransaction(db, (): AcceptOutcome => {
    const found = target(db, code, period);
    if (!found.ok) return found;
    const sub = findSubmission(db, found.unit.id, found.period.id)!;
    if (sub.acceptedAt) return { ok: false, why: 'already_accepted', text: t.alreadyAccepted(found.unit.name) };
    acceptSubmission(db, sub.id, r.actorContactId, r.now);
    audit(db, { at: r.now, actorContactId: r.actorContactId, action: 'submission_accepted', subject: `submission:${sub.id}`, details: { periodId: found.period.id, revision: sub.revision, ...via(r) } });
    const contacts = activeContactsOfUnit(db, found.unit.id);
    const told = queueForContacts(db, contacts, [reply(t.acceptedNotice(found.period.title))], r.now);
    return { ok: true, unit: found.unit, period: found.period, told, contacts: contacts.length, text: t.accepted(found.unit.name, found.period.title, told) };
  });
}

/**
 * Returns a unit's confirmed report with the reason and the questions to redo (`request` reads them
 * from the submission's own form version); the reason is queued for the unit's contacts in the same
 * transaction.
 */
export function returnReport(r: Reviewer, code: string, period: () => PeriodArg, request: (form: FormDefinition) => ReturnRequest): ReturnOutcome {
  const { db } = r;
  return inTransaction(db, (): ReturnOutcome => {
    const found = target(db, code, period);
    if (!found.ok) return found;
    const sub = findSubmission(db, found.unit.id, found.period.id)!;
    const form = formVersion(db, sub.formVersionId).form;
    const asked = request(form);
    if (!asked.ok) {
      const questionCount = form.sections.reduce((n, s) => n + s.questions.length, 0);
      return { ok: false, why: 'request', text: t.returnProblem(asked.problem, questionCount, asked.detail), request: asked, questionCount };
    }
    returnSubmission(db, sub.id, { by: r.actorContactId, now: r.now, reason: asked.reason, keys: asked.keys });
    audit(db, {
      at: r.now,
      actorContactId: r.actorContactId,
      action: 'submission_returned',
      subject: `submission:${sub.id}`,
      details: { periodId: found.period.id, reason: asked.reason, keys: asked.keys, numbers: asked.numbers, revision: sub.revision, ...via(r) },
    });
    const { numbers, reason } = asked;
    const contacts = activeContactsOfUnit(db, found.unit.id);
    const told = queueForContacts(db, contacts, [reply(t.returnedNotice(found.period.title, reason, numbers), { actions: [{ label: 'Sửa báo cáo', command: '/nhap' }] })], r.now);
    return {
      ok: true,
      unit: found.unit,
      period: found.period,
      told,
      contacts: contacts.length,
      numbers,
      reason,
      text: t.returned(found.unit.name, found.period.title, numbers, told, contacts.length),
    };
  });
}

// ------------------------------------------------------------------------------------------------ chat

/** "PGD-DALAT 2026-H1 rest" or "PGD-DALAT rest": the unit code, an optional period, the rest. */
function unitAndPeriod(arg: string): { code: string; period: string; rest: string } {
  const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(arg);
  if (!m) return { code: '', period: '', rest: '' };
  const { period, rest } = splitPeriodArg(m[2] ?? '');
  return { code: m[1]!, period, rest };
}

const reviewer = (c: CommandContext): Reviewer => ({ db: c.deps.db, now: c.now, actorContactId: c.contact.id });

function list(c: CommandContext, periodArg: string): Reply[] {
  const resolved = resolveOfficePeriod(c, periodArg);
  if (!resolved.ok) return [reply(resolved.message)];
  const { period, awaiting, counts } = awaitingReview(c.deps.db, resolved.period);
  return [reply(t.awaitingList(period.title, awaiting, counts, c.deps.config.timeZone))];
}

function accept(c: CommandContext, arg: string): Reply[] {
  const { code, period } = unitAndPeriod(arg);
  const outcome = acceptReport(reviewer(c), code, () => resolveOfficePeriod(c, period));
  return [reply(outcome.text)];
}

function giveBack(c: CommandContext, arg: string): Reply[] {
  const { code, period, rest } = unitAndPeriod(arg);
  if (code === '') return [reply(t.reviewUsage())];
  const outcome = returnReport(reviewer(c), code, () => resolveOfficePeriod(c, period), (form) => parseReturnRequest(form, rest));
  return [reply(outcome.text)];
}

export const REVIEW_COMMANDS: CommandSpec[] = [
  {
    name: 'duyet',
    usage: '/duyet',
    description: 'Danh sách báo cáo đã gửi chờ duyệt; thêm mã đơn vị để duyệt báo cáo của đơn vị đó, ví dụ /duyet PGD-DALAT (có thể thêm kỳ báo cáo, ví dụ 2026-H1)',
    audience: 'office',
    run: (c, arg) => {
      const trimmed = arg.trim();
      if (trimmed === '' || splitPeriodArg(trimmed).rest === '') return list(c, trimmed);
      return accept(c, trimmed);
    },
  },
  {
    name: 'tralai',
    usage: '/tralai PGD-DALAT 12,13 Số lượt xem chưa khớp',
    description: 'Trả lại báo cáo để đơn vị sửa: gõ mã đơn vị, số thứ tự các câu cần sửa rồi lý do (có thể thêm kỳ báo cáo sau mã đơn vị, ví dụ 2026-H1)',
    audience: 'office',
    run: giveBack,
  },
];
