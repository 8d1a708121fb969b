import type { FlowInput } from '../domain/conversation';
import { step, type Effect, type FlowContext } from './conversation';
import type { PastReport } from '../domain/answer';
import { validateAnswer, type AnswerCheck } from './answer';
import { returnKeysOf } from '../storage/repositories/review';
import { dataWindowSentence } from './office/data-window';
import { applicableQuestions, type AnswerFlag, type AnswerValue } from '../domain/form';
import { estimateMinutes } from '../domain/estimate';
import { formatShortDate, periodInfo, PeriodIdSchema, type PeriodInfo } from '../domain/periods';
import { defaultPeriod } from '../domain/period-status';
import type { Reply } from '../domain/replies';
import { reply } from '../domain/replies';
import { audit } from '../storage/repositories/audit';
import { loadConversation, saveConversation } from '../storage/repositories/conversations';
import { formVersion } from '../storage/repositories/forms';
import { ensurePeriod, openPeriods } from '../storage/repositories/periods';
import {
  appendAnswer,
  confirmSubmission,
  createSubmission,
  currentAnswersWithMeta,
  findSubmission,
  nextRevision,
  pastReports,
  type PastAnswers,
} from '../storage/repositories/submissions';
import { findUnitById } from '../storage/repositories/units';
import type { ContactRow, SubmissionRow, UnitRow } from '../storage/schema';
import type { Db } from '../storage/db';
import * as t from '../templates/onboarding';
import type { CommandContext } from './types';

/**
 * Runs one step of the form conversation for a bound contact: loads the context, calls the pure engine,
 * applies its effects and stores the new state. The caller holds the transaction, so the update's
 * de-duplication mark, the answers and the state are committed together or not at all.
 *
 * Other ways to answer (the web form) use applyAnswer below: the same context, the same check
 * (handlers/answer.ts validateAnswer) and the same rows, revisions and audit as an answer in the chat.
 */
export function runFlow(c: CommandContext, input: FlowInput): Reply[] {
  const { db, config } = c.deps;
  const { contact, now } = c;
  if (contact.role === 'office' && contact.unitId === null) return [reply(t.officeHasNoForm())];
  if (contact.unitId === null) return [reply(t.notBound())];
  const unit = findUnitById(db, contact.unitId);
  if (!unit?.active) return [reply(t.unitInactive(unit?.name ?? null))];

  const open = openPeriods(db, now, config.calendar);
  const state = loadConversation(db, contact.id);
  let period: PeriodInfo | null;
  if (input.kind === 'command' && input.name === 'nhap' && input.arg !== '') {
    const wanted = input.arg.trim().toUpperCase();
    period = open.find((p) => p.id === wanted) ?? null;
    if (!period) {
      const valid = PeriodIdSchema.safeParse(wanted).success;
      return [reply(valid ? t.unknownPeriod(wanted, open.map((p) => p.id)) : t.unknownPeriod(input.arg, open.map((p) => p.id)))];
    }
  } else {
    period = open.find((p) => p.id === state.periodId) ?? null;
  }
  // The period the contact was in has been closed. While they are answering or editing it (or when no
  // other period is open), the engine answers from it, read-only: an answer is told "đã khóa" instead of
  // being taken for another period, and /xem still shows what was sent. /nhap moves on to an open period.
  let isOpen = true;
  const wasIn = state.periodId !== undefined && PeriodIdSchema.safeParse(state.periodId).success ? periodInfo(state.periodId, config.calendar) : null;
  const movingOn = input.kind === 'command' && input.name === 'nhap';
  if (!period && wasIn && !movingOn && (open.length === 0 || state.mode === 'question' || state.mode === 'pick_edit')) {
    period = wasIn;
    isOpen = false;
  }
  period ??= defaultPeriod(open, now);
  if (!period) return [reply(t.noOpenPeriod(wasIn?.title))];

  const loaded = loadFlowContext(c, unit, period, isOpen);
  const result = step(state, input, loaded.ctx);
  applyEffects(db, loaded, result.effects, contact, now);
  saveConversation(db, contact.id, result.state, now);
  return result.replies;
}

export interface LoadedContext {
  ctx: FlowContext;
  unit: UnitRow;
  periodId: string;
  formVersionId: number;
  submission: SubmissionRow | undefined;
}

/** Everything the engine needs about one unit and one period, read in a fixed handful of queries. */
export function loadFlowContext(c: CommandContext, unit: UnitRow, period: PeriodInfo, open: boolean): LoadedContext {
  const { db, config } = c.deps;
  const periodRow = ensurePeriod(db, period.id);
  const submission = findSubmission(db, unit.id, period.id);
  const form = formVersion(db, submission?.formVersionId ?? periodRow.formVersionId).form;
  const past = pastReports(db, unit.id, period.id);
  const titled = (p: PastAnswers | null): PastReport | null => (p ? { periodId: p.periodId, title: periodInfo(p.periodId, config.calendar).shortTitle, answers: p.answers } : null);
  const ctx: FlowContext = {
    form,
    unitType: unit.type,
    timeZone: config.timeZone,
    period: withDataWindowOnDemand({ id: period.id, title: period.title, deadline: period.deadline, open }, () => dataWindowSentence(db, config, period)),
    unitName: unit.name,
    submission: submission ? engineSubmission(submission) : { status: 'none', revision: 0, confirmedAt: null },
    ...(submission ? currentAnswersWithMeta(db, submission.id) : { answers: {}, meta: {} }),
    previous: { sameKind: titled(past.sameKind), latest: titled(past.latest) },
    now: c.now,
  };
  return { ctx, unit, periodId: period.id, formVersionId: periodRow.formVersionId, submission };
}

/**
 * The data window is said only before a period's first question, and reading it (the office's particulars)
 * at every other message was wasted: it is read when the engine asks for it, within the same transaction.
 */
function withDataWindowOnDemand(period: Omit<FlowContext['period'], 'dataWindow'>, read: () => string): FlowContext['period'] {
  let sentence: string | undefined;
  return Object.defineProperty(period, 'dataWindow', { enumerable: true, get: () => (sentence ??= read()) });
}

export function applyEffects(db: Db, loaded: LoadedContext, effects: readonly Effect[], contact: ContactRow, now: Date): SubmissionRow | undefined {
  let submission = loaded.submission;
  for (const effect of effects) {
    submission ??= createSubmission(db, loaded.unit.id, loaded.periodId, loaded.formVersionId, now);
    submission = applyEffect(db, submission, effect, contact, now);
  }
  return submission;
}

export type ApplyAnswerResult =
  | { ok: true; key: string; value: AnswerValue | null; note: string | null; none: boolean; flag: AnswerFlag | null; changed: boolean; revision: number }
  | { ok: false; key: string; reason: Extract<AnswerCheck, { ok: false }>['reason'] | 'not_bound' | 'period_closed'; message: string; candidates?: number[] };

/**
 * Applies one answer typed outside the conversation (the web form) for a bound contact, in the open
 * period `periodId`: checked by validateAnswer exactly as in the chat, stored with the same rows,
 * revisions and audit. Call inside the caller's transaction. `confirmUnlikely`: the contact has already
 * answered "Đúng" to the question back on an unlikely figure. The conversation state is not touched.
 */
export function applyAnswer(c: CommandContext, input: { periodId: string; key: string; text: string; confirmUnlikely?: boolean }): ApplyAnswerResult {
  const { db, config } = c.deps;
  const { contact, now } = c;
  const unit = contact.unitId === null ? undefined : findUnitById(db, contact.unitId);
  if (!unit?.active) return { ok: false, key: input.key, reason: 'not_bound', message: contact.unitId === null ? t.notBound() : t.unitInactive(unit?.name ?? null) };
  const period = openPeriods(db, now, config.calendar).find((p) => p.id === input.periodId);
  if (!period) {
    const title = PeriodIdSchema.safeParse(input.periodId).success ? periodInfo(input.periodId, config.calendar).title : input.periodId;
    return { ok: false, key: input.key, reason: 'period_closed', message: t.periodNotOpen(title) };
  }
  const loaded = loadFlowContext(c, unit, period, true);
  const check = validateAnswer(input.key, input.text, loaded.ctx, { confirmUnlikely: input.confirmUnlikely ?? false });
  if (!check.ok) return { ok: false, key: check.key, reason: check.reason, message: check.message, ...(check.candidates ? { candidates: check.candidates } : {}) };
  const meta = loaded.ctx.meta?.[check.key] ?? {};
  const changed =
    loaded.ctx.answers[check.key] !== check.value ||
    (meta.note ?? null) !== check.note ||
    (meta.none ?? false) !== check.none ||
    JSON.stringify(meta.flag ?? null) !== JSON.stringify(check.flag);
  const effect: Effect = { type: 'answer_set', key: check.key, value: check.value, raw: check.raw, note: check.note, none: check.none, flag: check.flag };
  const submission = changed ? applyEffects(db, loaded, [effect], contact, now) : loaded.submission;
  return { ok: true, key: check.key, value: check.value, note: check.note, none: check.none, flag: check.flag, changed, revision: submission?.revision ?? 0 };
}

export function applyEffect(db: Db, submission: SubmissionRow, effect: Effect, contact: ContactRow, now: Date): SubmissionRow {
  const subject = `submission:${submission.id}`;
  if (effect.type === 'answer_set') {
    // A returned report was confirmed before: its corrections belong to the revision it will be confirmed as.
    const revision = submission.status === 'confirmed' ? nextRevision(db, submission.id, now) : submission.status === 'returned' ? submission.revision + 1 : 0;
    appendAnswer(db, {
      submissionId: submission.id,
      key: effect.key,
      value: effect.value,
      raw: effect.raw,
      revision,
      contactId: contact.id,
      now,
      note: effect.note ?? null,
      none: effect.none ?? false,
      flag: effect.flag ?? null,
    });
    // A draft answer's row already says who gave which value when, with its note and flag (answers are
    // append-only); an audit row as well would double the writes of every answer. Corrections after
    // confirmation are audited: the office's history lists them.
    if (submission.status !== 'draft') {
      audit(db, {
        at: now,
        actorContactId: contact.id,
        action: 'answer_corrected',
        subject,
        details: { key: effect.key, value: effect.value, revision, ...(effect.note ? { note: effect.note } : {}), ...(effect.none ? { none: true } : {}), ...(effect.flag ? { flag: effect.flag } : {}) },
      });
    }
    return submission.status === 'returned' ? submission : { ...submission, revision, acceptedAt: null };
  }
  const confirmed = confirmSubmission(db, submission.id, contact.id, now);
  audit(db, { at: now, actorContactId: contact.id, action: 'submission_confirmed', subject, details: { periodId: submission.periodId } });
  return confirmed;
}

/** What the engine needs of a stored submission (a returned one with the questions the office named). */
function engineSubmission(s: SubmissionRow): FlowContext['submission'] {
  const base = { status: s.status, revision: s.revision, confirmedAt: s.confirmedAt };
  if (s.status !== 'returned') return base;
  return { ...base, revisit: returnKeysOf(s), returnReason: s.returnReason ?? '' };
}

/**
 * "Kỳ báo cáo đang mở: …" for welcome messages; for a unit's contact also how many questions of the
 * period's form apply to the unit and about how long they take, so the principal knows before starting.
 */
export function openPeriodLine(c: CommandContext): string {
  const open = openPeriods(c.deps.db, c.now, c.deps.config.calendar);
  const p = defaultPeriod(open, c.now);
  const unit = p && c.contact.unitId !== null ? findUnitById(c.deps.db, c.contact.unitId) : undefined;
  let workload: t.Workload | null = null;
  if (p && unit?.active) {
    const { ctx } = loadFlowContext(c, unit, p, true);
    const questions = applicableQuestions(ctx.form, ctx.unitType);
    const answered = questions.filter((q) => q.key in ctx.answers).length;
    workload = {
      total: questions.length,
      answered,
      confirmed: ctx.submission.status === 'confirmed',
      minutes: estimateMinutes(questions, ctx.previous, ctx.answers),
    };
  }
  return t.periodLine(p?.title ?? null, p ? formatShortDate(p.deadline, c.deps.config.timeZone) : null, p !== null && c.now.getTime() > p.deadline.getTime(), workload);
}
