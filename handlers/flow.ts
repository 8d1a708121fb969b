import { step, type Effect, type FlowInput } from '../domain/conversation';
import { formatShortDate, periodInfo, PeriodIdSchema, type PeriodInfo } from '../domain/periods';
import { defaultPeriod } from '../domain/period-status';
import type { Reply } from '../domain/replies';
import { reply } from '../domain/replies';
import { audit } from '../storage/repositories/audit';
import { loadConversation, saveConversation } from '../storage/repositories/conversations';
import { formVersion } from '../storage/repositories/forms';
import { ensurePeriod, openPeriods } from '../storage/repositories/periods';
import { appendAnswer, confirmSubmission, createSubmission, currentAnswers, findSubmission, nextRevision } from '../storage/repositories/submissions';
import { findUnitById } from '../storage/repositories/units';
import type { ContactRow, SubmissionRow } from '../storage/schema';
import type { Db } from '../storage/db';
import * as t from '../templates/onboarding';
import type { CommandContext } from './types';

/**
 * Runs one step of the form conversation for a bound contact: loads the context, calls the pure engine,
 * applies its effects and stores the new state. The caller holds the transaction, so the update's
 * de-duplication mark, the answers and the state are committed together or not at all.
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

  const periodRow = ensurePeriod(db, period.id);
  let submission = findSubmission(db, unit.id, period.id);
  const form = formVersion(db, submission?.formVersionId ?? periodRow.formVersionId).form;
  const result = step(state, input, {
    form,
    timeZone: config.timeZone,
    period: { id: period.id, title: period.title, deadline: period.deadline, open: isOpen },
    unitName: unit.name,
    submission: submission
      ? { status: submission.status, revision: submission.revision, confirmedAt: submission.confirmedAt }
      : { status: 'none', revision: 0, confirmedAt: null },
    answers: submission ? currentAnswers(db, submission.id) : {},
    now,
  });

  for (const effect of result.effects) {
    submission ??= createSubmission(db, unit.id, period.id, periodRow.formVersionId, now);
    submission = applyEffect(db, submission, effect, contact, now);
  }
  saveConversation(db, contact.id, result.state, now);
  return result.replies;
}

export function applyEffect(db: Db, submission: SubmissionRow, effect: Effect, contact: ContactRow, now: Date): SubmissionRow {
  const subject = `submission:${submission.id}`;
  if (effect.type === 'answer_set') {
    const revision = submission.status === 'confirmed' ? nextRevision(db, submission.id, now) : 0;
    appendAnswer(db, { submissionId: submission.id, key: effect.key, value: effect.value, raw: effect.raw, revision, contactId: contact.id, now });
    audit(db, {
      at: now,
      actorContactId: contact.id,
      action: submission.status === 'confirmed' ? 'answer_corrected' : effect.value === null ? 'answer_skipped' : 'answer_set',
      subject,
      details: { key: effect.key, value: effect.value, revision },
    });
    return { ...submission, revision };
  }
  const confirmed = confirmSubmission(db, submission.id, contact.id, now);
  audit(db, { at: now, actorContactId: contact.id, action: 'submission_confirmed', subject, details: { periodId: submission.periodId } });
  return confirmed;
}

/** "Kỳ báo cáo đang mở: …" for welcome messages. */
export function openPeriodLine(c: CommandContext): string {
  const open = openPeriods(c.deps.db, c.now, c.deps.config.calendar);
  const p = defaultPeriod(open, c.now);
  return t.periodLine(p?.title ?? null, p ? formatShortDate(p.deadline, c.deps.config.timeZone) : null, p !== null && c.now.getTime() > p.deadline.getTime());
}
