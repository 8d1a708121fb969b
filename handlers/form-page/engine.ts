import type { ConversationState, CurrentAnswers } from '../../domain/conversation';
import { step, type FlowContext } from '../conversation';
import { previousValue } from '../../domain/answer';
import { applicableQuestions, type AnswerMeta, type AnswerValue, type FlatQuestion, type FormDefinition } from '../../domain/form';
import type { PeriodInfo } from '../../domain/periods';
import type { Reply } from '../../domain/replies';
import { loadConversation, saveConversation } from '../../storage/repositories/conversations';
import { activeContactsOfUnit } from '../../storage/repositories/contacts';
import { latestAnswerIds } from '../../storage/repositories/submissions';
import type { Channel, ContactRow, UnitRow } from '../../storage/schema';
import * as t from '../../templates/messages';
import { applyAnswer, applyEffects, loadFlowContext, type LoadedContext } from '../flow';
import type { AppDeps, CommandContext } from '../types';

/**
 * The form page's only door into the chat's code: an answer typed on the page is checked and stored by
 * handlers/flow.ts applyAnswer (handlers/answer.ts validateAnswer, the same rows, revisions and audit as a
 * chat answer), the page is drawn from the engine's own context (questions that apply to the unit, last
 * period's figures), and "Xác nhận" is the engine's /xacnhan. Nothing here decides whether an answer is valid.
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
  meta: Readonly<Record<string, AnswerMeta>>;
  /** Newest answer row per question, to tell the page's copy from a newer one. */
  answerIds: Readonly<Record<string, number>>;
  submission: FlowContext['submission'];
  /** Last period's figure per question, where the unit has one (as the chat shows it). */
  previous: Readonly<Record<string, AnswerValue>>;
}

const contextOf = (deps: AppDeps, scope: PageScope, now: Date): CommandContext => ({
  deps,
  contact: scope.contact,
  now,
  channel: scope.contact.channel as Channel,
});

function load(deps: AppDeps, scope: PageScope, now: Date): LoadedContext {
  return loadFlowContext(contextOf(deps, scope, now), scope.unit, scope.period, scope.open);
}

export function loadPageData(deps: AppDeps, scope: PageScope, now: Date): PageData {
  const { ctx, submission } = load(deps, scope, now);
  const questions = applicableQuestions(ctx.form, ctx.unitType);
  const previous: Record<string, AnswerValue> = {};
  for (const q of questions) {
    const prev = q.type === 'text' ? null : previousValue(q, ctx.previous);
    if (prev) previous[q.key] = prev.value;
  }
  return {
    form: ctx.form,
    questions,
    answers: ctx.answers,
    meta: ctx.meta ?? {},
    answerIds: submission ? latestAnswerIds(deps.db, submission.id) : {},
    submission: ctx.submission,
    previous,
  };
}

export type FieldOutcome =
  | { kind: 'saved' | 'unchanged'; message: string }
  | { kind: 'ambiguous'; message: string; candidates: number[] }
  /** A figure far from last period's, or against a rule of the form: asked back, stored once confirmed. */
  | { kind: 'unlikely'; message: string }
  | { kind: 'invalid' | 'closed'; message: string };

/** One answer typed on the page, for one question, exactly as the chat would take it. */
export function applyPageAnswer(deps: AppDeps, scope: PageScope, q: FlatQuestion, text: string, confirmUnlikely: boolean, now: Date): FieldOutcome {
  if (!scope.open) return { kind: 'closed', message: t.periodClosed(scope.period.title) };
  const r = applyAnswer(contextOf(deps, scope, now), { periodId: scope.period.id, key: q.key, text, confirmUnlikely });
  if (!r.ok) {
    if (r.reason === 'period_closed') return { kind: 'closed', message: r.message };
    if (r.reason === 'ambiguous' && r.candidates?.length) return { kind: 'ambiguous', message: r.message, candidates: r.candidates };
    if (r.reason === 'unlikely') return { kind: 'unlikely', message: r.message };
    return { kind: 'invalid', message: r.message };
  }
  const shown = r.none || r.value === null ? 'Không có' : t.formatValue(q, r.value);
  const message = t.ack(shown, r.note, r.flag !== null) + (r.changed && r.revision > 1 ? ` ${t.correctionCounted(r.revision)}` : '');
  if (!r.changed) return { kind: 'unchanged', message };
  releaseChatQuestion(deps, scope, q.key, now);
  return { kind: 'saved', message };
}

/**
 * A chat waiting for an answer to the question just answered on the page must not take the next message
 * as that answer again: it pauses, and /nhap resumes at the first question still unanswered.
 */
function releaseChatQuestion(deps: AppDeps, scope: PageScope, key: string, now: Date): void {
  const { db } = deps;
  for (const contact of activeContactsOfUnit(db, scope.unit.id)) {
    const state = loadConversation(db, contact.id);
    if (state.periodId === scope.period.id && (state.mode === 'question' || state.mode === 'pick_edit') && state.key === key) {
      saveConversation(db, contact.id, { mode: 'idle', periodId: scope.period.id }, now);
    }
  }
}

export type ConfirmOutcome = { kind: 'confirmed'; replies: Reply[] } | { kind: 'refused'; message: string };

/** "Xác nhận gửi báo cáo" is the chat's /xacnhan given under the review; the chat moves on as after it. */
export function confirmFromPage(deps: AppDeps, scope: PageScope, now: Date): ConfirmOutcome {
  const loaded = load(deps, scope, now);
  const chat = loadConversation(deps.db, scope.contact.id);
  const inThisPeriod = chat.periodId === scope.period.id;
  // The page shows the whole report: it is the review the chat shows before /xacnhan confirms.
  const state: ConversationState = { mode: 'review', periodId: scope.period.id };
  const result = step(state, { kind: 'command', name: 'xacnhan', arg: '' }, loaded.ctx);
  if (!result.effects.some((e) => e.type === 'submission_confirmed')) return { kind: 'refused', message: result.replies[0]?.text ?? '' };
  applyEffects(deps.db, loaded, result.effects, scope.contact, now);
  if (inThisPeriod || chat.mode === 'idle') saveConversation(deps.db, scope.contact.id, result.state, now);
  return { kind: 'confirmed', replies: result.replies };
}
