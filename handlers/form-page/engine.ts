import { step, type ConversationState, type CurrentAnswers, type FlowContext } from '../../domain/conversation';
import { flattenForm, type AnswerValue, type FlatQuestion, type FormDefinition } from '../../domain/form';
import { periodInfo, type CalendarConfig, type PeriodInfo } from '../../domain/periods';
import type { Reply } from '../../domain/replies';
import type { Config } from '../../config';
import type { Db } from '../../storage/db';
import { loadConversation, saveConversation } from '../../storage/repositories/conversations';
import { activeContactsOfUnit } from '../../storage/repositories/contacts';
import { formVersion } from '../../storage/repositories/forms';
import { ensurePeriod } from '../../storage/repositories/periods';
import {
  confirmedSubmissionsOfUnit,
  createSubmission,
  currentAnswers,
  findSubmission,
  latestAnswerIds,
} from '../../storage/repositories/submissions';
import type { ContactRow, SubmissionRow, UnitRow } from '../../storage/schema';
import { applyEffect } from '../flow';

/**
 * The form page's only door into the chat's engine: every answer typed on the page is parsed, checked,
 * acknowledged and stored by the same `step()` and the same effect application as a chat message, and
 * /xacnhan on the page is the chat's /xacnhan. Nothing here decides whether an answer is valid.
 */

/** Who is filling which report: settled by the page's authentication before anything is read. */
export interface PageScope {
  contact: ContactRow;
  unit: UnitRow;
  period: PeriodInfo;
  /** False once the period is closed: the page is read-only. */
  open: boolean;
}

export interface PageData {
  form: FormDefinition;
  questions: FlatQuestion[];
  answers: CurrentAnswers;
  /** Newest answer row per question, to tell the page's copy from a newer one. */
  answerIds: Readonly<Record<string, number>>;
  submission: FlowContext['submission'];
  /** The unit's figures from its latest confirmed earlier report, where it has one. */
  previous: Readonly<Record<string, AnswerValue>>;
}

interface Loaded {
  ctx: FlowContext;
  submission: SubmissionRow | undefined;
  formVersionId: number;
}

function load(db: Db, config: Config, scope: PageScope, now: Date): Loaded {
  const periodRow = ensurePeriod(db, scope.period.id);
  const submission = findSubmission(db, scope.unit.id, scope.period.id);
  const form = formVersion(db, submission?.formVersionId ?? periodRow.formVersionId).form;
  const ctx: FlowContext = {
    form,
    timeZone: config.timeZone,
    period: { id: scope.period.id, title: scope.period.title, deadline: scope.period.deadline, open: scope.open },
    unitName: scope.unit.name,
    submission: submission
      ? { status: submission.status, revision: submission.revision, confirmedAt: submission.confirmedAt }
      : { status: 'none', revision: 0, confirmedAt: null },
    answers: submission ? currentAnswers(db, submission.id) : {},
    now,
  };
  return { ctx, submission, formVersionId: periodRow.formVersionId };
}

export function loadPageData(db: Db, config: Config, scope: PageScope, now: Date): PageData {
  const { ctx, submission } = load(db, config, scope, now);
  return {
    form: ctx.form,
    questions: flattenForm(ctx.form),
    answers: ctx.answers,
    answerIds: submission ? latestAnswerIds(db, submission.id) : {},
    submission: ctx.submission,
    previous: previousFigures(db, scope.unit.id, scope.period, config.calendar),
  };
}

/** The unit's answers in its confirmed report with the latest deadline before this period's. */
function previousFigures(db: Db, unitId: number, period: PeriodInfo, calendar: CalendarConfig): Record<string, AnswerValue> {
  let best: { sub: SubmissionRow; deadline: number } | null = null;
  for (const sub of confirmedSubmissionsOfUnit(db, unitId)) {
    if (sub.periodId === period.id) continue;
    let deadline: number;
    try {
      deadline = periodInfo(sub.periodId, calendar).deadline.getTime();
    } catch {
      continue;
    }
    if (deadline < period.deadline.getTime() && (!best || deadline > best.deadline)) best = { sub, deadline };
  }
  if (!best) return {};
  const out: Record<string, AnswerValue> = {};
  for (const [k, v] of Object.entries(currentAnswers(db, best.sub.id))) if (v !== null) out[k] = v;
  return out;
}

export type FieldOutcome =
  | { kind: 'saved' | 'unchanged'; message: string }
  | { kind: 'ambiguous'; message: string; candidates: number[] }
  | { kind: 'invalid' | 'closed'; message: string };

/**
 * One answer typed on the page, for one question: the engine is asked exactly as if the chat had just
 * asked that question ("/sua N"), so the same parser, bounds and messages apply.
 */
export function applyPageAnswer(db: Db, config: Config, scope: PageScope, key: string, text: string, now: Date): FieldOutcome {
  const { ctx, submission, formVersionId } = load(db, config, scope, now);
  const asked: ConversationState = { mode: 'question', periodId: scope.period.id, key, returnToReview: true };
  const result = step(asked, { kind: 'text', text }, ctx);
  const message = result.replies[0]?.text ?? '';
  if (!scope.open) return { kind: 'closed', message };
  const set = result.effects.find((e) => e.type === 'answer_set');
  if (set) {
    const sub = submission ?? createSubmission(db, scope.unit.id, scope.period.id, formVersionId, now);
    applyEffect(db, sub, set, scope.contact, now);
    releaseChatQuestion(db, scope, key, now);
    return { kind: 'saved', message };
  }
  if (result.state.mode === 'question' && result.state.pending) return { kind: 'ambiguous', message, candidates: result.state.pending.candidates };
  // The same value again: the engine moved on without an effect.
  if (result.state.mode !== 'question') return { kind: 'unchanged', message };
  return { kind: 'invalid', message };
}

/**
 * A chat waiting for an answer to the question just answered on the page must not take the next message
 * as that answer again: it pauses, and /nhap resumes at the first question still unanswered.
 */
function releaseChatQuestion(db: Db, scope: PageScope, key: string, now: Date): void {
  for (const contact of activeContactsOfUnit(db, scope.unit.id)) {
    const state = loadConversation(db, contact.id);
    if (state.periodId === scope.period.id && (state.mode === 'question' || state.mode === 'pick_edit') && state.key === key) {
      saveConversation(db, contact.id, { mode: 'idle', periodId: scope.period.id }, now);
    }
  }
}

export type ConfirmOutcome = { kind: 'confirmed'; replies: Reply[] } | { kind: 'refused'; message: string };

/** "Xác nhận gửi báo cáo" is the chat's /xacnhan, with the chat's own state where it is in this period. */
export function confirmFromPage(db: Db, config: Config, scope: PageScope, now: Date): ConfirmOutcome {
  const { ctx, submission, formVersionId } = load(db, config, scope, now);
  const chat = loadConversation(db, scope.contact.id);
  const inThisPeriod = chat.periodId === scope.period.id;
  const state: ConversationState = inThisPeriod ? chat : { mode: 'idle', periodId: scope.period.id };
  // The page itself is the review the chat shows before confirming: confirm from it directly.
  const result = step({ ...state, mode: 'review' }, { kind: 'command', name: 'xacnhan', arg: '' }, ctx);
  const confirm = result.effects.find((e) => e.type === 'submission_confirmed');
  if (!confirm) return { kind: 'refused', message: result.replies[0]?.text ?? '' };
  const sub = submission ?? createSubmission(db, scope.unit.id, scope.period.id, formVersionId, now);
  applyEffect(db, sub, confirm, scope.contact, now);
  if (inThisPeriod || chat.mode === 'idle') saveConversation(db, scope.contact.id, result.state, now);
  return { kind: 'confirmed', replies: result.replies };
}
