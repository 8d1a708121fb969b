import { z } from 'zod';
import { flattenForm, type AnswerValue, type FlatQuestion, type FormDefinition } from './form';
import { formatNumber } from './format';
import { parseVietnameseNumber } from './numbers';
import { reply, type Action, type Reply } from './replies';
import * as t from '../templates/messages';

/**
 * The form conversation as a pure function: (state, incoming, context) → (state, replies, effects).
 * It never reads or writes storage and never talks to a channel; the caller loads the context,
 * applies the effects in one transaction together with the new state, and only then sends the replies.
 */

export const ConversationStateSchema = z.object({
  mode: z.enum(['idle', 'question', 'review', 'pick_edit']),
  periodId: z.string().optional(),
  /** In 'question' the question asked; elsewhere the question to resume at. */
  key: z.string().optional(),
  /** Set by /sua N: after the answer, show the review again instead of the next question (in pick_edit: /huy goes back to it). */
  returnToReview: z.boolean().optional(),
  /** An ambiguous number waiting for the contact to pick one reading. */
  pending: z.object({ raw: z.string(), candidates: z.array(z.number()) }).optional(),
  /** When a text answer was refused as too long (ms): Telegram splits a long paste into several messages. */
  tooLongAt: z.number().optional(),
});
export type ConversationState = z.infer<typeof ConversationStateSchema>;

export const IDLE: ConversationState = { mode: 'idle' };

/** Parts of one long paste arrive within a few seconds of each other. */
const SPLIT_PASTE_MS = 15_000;

/** Reads a stored state; anything unreadable (an old shape, a corrupt row) becomes idle, never a crash. */
export function readState(json: string | null | undefined): ConversationState {
  if (!json) return IDLE;
  try {
    const parsed = ConversationStateSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : IDLE;
  } catch {
    return IDLE;
  }
}

export const FLOW_COMMANDS = ['nhap', 'xem', 'sua', 'boqua', 'quaylai', 'xacnhan', 'huy'] as const;
export type FlowCommand = (typeof FLOW_COMMANDS)[number];

export type FlowInput =
  | { kind: 'text'; text: string }
  | { kind: 'command'; name: FlowCommand; arg: string };

/** null = the question was skipped on purpose; a missing key = not answered yet. */
export type CurrentAnswers = Readonly<Record<string, AnswerValue | null>>;

export interface FlowContext {
  form: FormDefinition;
  timeZone: string;
  period: { id: string; title: string; deadline: Date; open: boolean };
  unitName: string;
  submission: { status: 'none' | 'draft' | 'confirmed'; revision: number; confirmedAt: Date | null };
  answers: CurrentAnswers;
  /** The time of the message, to tell a contact the deadline has passed; no clock is read here. */
  now?: Date;
}

export type Effect =
  | { type: 'answer_set'; key: string; value: AnswerValue | null; raw: string | null }
  | { type: 'submission_confirmed' };

export interface StepResult {
  state: ConversationState;
  replies: Reply[];
  effects: Effect[];
}

interface Flow {
  questions: FlatQuestion[];
  byKey: Map<string, FlatQuestion>;
  ctx: FlowContext;
}

const unchanged = (state: ConversationState, ...replies: Reply[]): StepResult => ({ state, replies, effects: [] });
/** Out of a closed period's question, but still in that period, so /xem shows what was sent. */
const closedIdle = (ctx: FlowContext): ConversationState => ({ mode: 'idle', periodId: ctx.period.id });

export function step(state: ConversationState, input: FlowInput, ctx: FlowContext): StepResult {
  const questions = flattenForm(ctx.form);
  const flow: Flow = { questions, byKey: new Map(questions.map((q) => [q.key, q])), ctx };
  // A state left over from another period (closed, or a new one opened) must not steer this one.
  if (state.periodId !== undefined && state.periodId !== ctx.period.id) state = IDLE;
  if (state.key !== undefined && !flow.byKey.has(state.key)) state = { ...state, key: undefined, mode: 'idle' };
  // A stored state may be valid JSON yet name no question (hand-edited, an old shape): never crash on it.
  if (state.mode === 'question' && state.key === undefined) state = { ...state, mode: 'idle', pending: undefined };

  if (input.kind === 'command') return onCommand(flow, state, input.name, input.arg.trim());

  const text = input.text.trim();
  // Text channels answer numbered choices with the digit.
  const choice = choiceFor(flow, state, text);
  if (choice) return choice;
  switch (state.mode) {
    case 'question':
      return answerQuestion(flow, state, text);
    case 'pick_edit':
      return onCommand(flow, state, 'sua', text);
    case 'review':
      return unchanged(state, reply(reviewHint(flow, state)));
    case 'idle':
      if (!ctx.period.open) return unchanged(state, reply(t.periodClosed(ctx.period.title)));
      return unchanged(state, reply(ctx.submission.status === 'confirmed' ? t.idleHintConfirmed(ctx.period.title) : t.idleHint(ctx.period.title)));
  }
}

/** The review is the message right above: a short line on what to do, not the whole review again. */
function reviewHint(flow: Flow, state: ConversationState): string {
  const { ctx } = flow;
  if (!ctx.period.open) return t.periodClosed(ctx.period.title);
  const missing = missingRequired(flow, ctx.answers);
  if (missing.length > 0) {
    const at = (state.key ? flow.byKey.get(state.key) : undefined) ?? firstUnanswered(flow);
    return t.reviewExpectsContinue(missing.length, at?.number ?? null);
  }
  return ctx.submission.status === 'confirmed' ? t.reviewExpectsEdit() : t.reviewExpectsChoice();
}

/**
 * Readings offered by number ("Trả lời 1 để chọn …") only when no reading could itself be mistaken for a
 * choice number: for "2 hoặc 3", "2" must mean 2, not option 2 (= 3).
 */
const pickByValue = (candidates: readonly number[]) => candidates.some((c) => Number.isInteger(c) && c >= 1 && c <= candidates.length);

function choiceFor(flow: Flow, state: ConversationState, text: string): StepResult | null {
  if (!/^\d{1,2}$/.test(text)) return null;
  const n = Number(text);
  if (state.mode === 'question' && state.pending) {
    if (pickByValue(state.pending.candidates)) return null;
    const value = state.pending.candidates[n - 1];
    if (value === undefined) return null;
    const q = flow.byKey.get(state.key!);
    if (!q) return null;
    if (!flow.ctx.period.open) return unchanged(closedIdle(flow.ctx), reply(t.periodClosed(flow.ctx.period.title)));
    return acceptAnswer(flow, { ...state, pending: undefined }, q, value, state.pending.raw);
  }
  if (state.mode === 'review') {
    if (n === 1) return onCommand(flow, state, 'xacnhan', '');
    if (n === 2) return startPickEdit(flow, state);
  }
  return null;
}

function onCommand(flow: Flow, state: ConversationState, name: FlowCommand, arg: string): StepResult {
  const { ctx } = flow;
  switch (name) {
    case 'nhap':
      return resume(flow, state);
    case 'xem':
      return showReview(flow, state);
    case 'huy':
      return cancel(flow, state);
    case 'sua': {
      if (!ctx.period.open) return unchanged(state, reply(t.periodClosed(ctx.period.title)));
      if (arg === '') return startPickEdit(flow, state);
      // Digits only: Number() would also read "0x2", "1e1" or "2.0" as a question number.
      const q = /^\d{1,4}$/.test(arg) ? flow.questions[Number(arg) - 1] : undefined;
      if (!q) return unchanged(state, reply(t.badQuestionNumber(arg, flow.questions.length)));
      const next: ConversationState = { mode: 'question', periodId: ctx.period.id, key: q.key, returnToReview: true };
      return { state: next, replies: [askQuestion(flow, q, true)], effects: [] };
    }
    case 'boqua':
      return skip(flow, state);
    case 'quaylai':
      return back(flow, state);
    case 'xacnhan':
      return confirm(flow, state);
  }
}

function resume(flow: Flow, state: ConversationState): StepResult {
  const { ctx } = flow;
  if (!ctx.period.open) return unchanged(closedIdle(ctx), reply(t.periodClosed(ctx.period.title)));
  if (ctx.submission.status === 'confirmed' && state.mode !== 'question') {
    return {
      state: { mode: 'review', periodId: ctx.period.id, key: state.key },
      replies: [reply(t.alreadyConfirmed(ctx.period.title, ctx.submission.confirmedAt, ctx.timeZone)), reviewReply(flow)],
      effects: [],
    };
  }
  // Exactly where they stopped: the question they were asked, or the one they were about to be asked.
  const remembered = state.key ? flow.byKey.get(state.key) : undefined;
  const target = remembered ?? firstUnanswered(flow);
  if (!target) return showReview(flow, state);
  const overdue = ctx.now !== undefined && ctx.now.getTime() > ctx.period.deadline.getTime();
  const intro = state.mode === 'idle' && !remembered ? [reply(t.flowIntro(ctx.unitName, ctx.period.title, ctx.period.deadline, flow.questions.length, ctx.timeZone, overdue))] : [];
  return {
    state: { mode: 'question', periodId: ctx.period.id, key: target.key, returnToReview: state.returnToReview },
    replies: [...intro, askQuestion(flow, target, state.returnToReview ?? false)],
    effects: [],
  };
}

function showReview(flow: Flow, state: ConversationState): StepResult {
  return {
    state: { mode: 'review', periodId: flow.ctx.period.id, key: state.mode === 'question' ? state.key : state.key },
    replies: [reviewReply(flow)],
    effects: [],
  };
}

function cancel(flow: Flow, state: ConversationState): StepResult {
  if (state.mode === 'idle') return unchanged(state, reply(t.nothingToCancel()));
  // "/sua" typed while answering question N, then "/huy": back to question N, not to a long review.
  const resumeAt = state.mode === 'pick_edit' && !state.returnToReview && state.key ? flow.byKey.get(state.key) : undefined;
  if (resumeAt) {
    return {
      state: { mode: 'question', periodId: flow.ctx.period.id, key: resumeAt.key },
      replies: [reply(t.editCancelled()), askQuestion(flow, resumeAt, false)],
      effects: [],
    };
  }
  if (state.returnToReview || state.mode === 'pick_edit') {
    return { state: { mode: 'review', periodId: flow.ctx.period.id }, replies: [reply(t.editCancelled()), reviewReply(flow)], effects: [] };
  }
  // Keep where they were, so /nhap resumes there.
  return { state: { mode: 'idle', periodId: flow.ctx.period.id, key: state.key }, replies: [reply(t.paused())], effects: [] };
}

function startPickEdit(flow: Flow, state: ConversationState): StepResult {
  if (!flow.ctx.period.open) return unchanged(state, reply(t.periodClosed(flow.ctx.period.title)));
  const fromReview = state.mode === 'review' || state.returnToReview === true;
  return {
    state: { mode: 'pick_edit', periodId: flow.ctx.period.id, key: state.key, returnToReview: fromReview || undefined },
    replies: [reply(t.askWhichToEdit(flow.questions.length), { actions: [{ label: t.LABEL_CANCEL, command: '/huy' }] })],
    effects: [],
  };
}

function skip(flow: Flow, state: ConversationState): StepResult {
  if (state.mode !== 'question' || !state.key) return unchanged(state, reply(t.nothingToSkip()));
  if (!flow.ctx.period.open) return unchanged(state, reply(t.periodClosed(flow.ctx.period.title)));
  const q = flow.byKey.get(state.key)!;
  const current = flow.ctx.answers[q.key];
  // On a question already answered (required or not) this keeps the answer: the contact only wants to move on.
  const answered = current !== undefined && current !== null;
  if (q.required && !answered) return unchanged(state, reply(t.cannotSkipRequired(q.number, q.type)), askQuestion(flow, q, state.returnToReview ?? false));
  const effects: Effect[] = current === undefined ? [{ type: 'answer_set', key: q.key, value: null, raw: null }] : [];
  const answers = current === undefined ? { ...flow.ctx.answers, [q.key]: null } : flow.ctx.answers;
  return advance(flow, { ...state, pending: undefined }, q, answers, effects, [reply(answered ? t.kept(q.number) : t.skipped(q.number))]);
}

function back(flow: Flow, state: ConversationState): StepResult {
  const { ctx } = flow;
  if (!ctx.period.open) return unchanged(state, reply(t.periodClosed(ctx.period.title)));
  let target: FlatQuestion | undefined;
  if (state.mode === 'question' && state.key) {
    const q = flow.byKey.get(state.key)!;
    if (q.number === 1) return unchanged(state, reply(t.atFirstQuestion()), askQuestion(flow, q, state.returnToReview ?? false));
    target = flow.questions[q.number - 2];
  } else if (state.key) {
    // Paused or reviewing at question N: "back" means N-1, not the end of the form.
    const q = flow.byKey.get(state.key)!;
    target = flow.questions[Math.max(q.number - 2, 0)];
  } else {
    target = flow.questions[flow.questions.length - 1];
  }
  if (!target) return unchanged(state, reply(t.nothingToGoBackTo()));
  return {
    state: { mode: 'question', periodId: ctx.period.id, key: target.key },
    replies: [askQuestion(flow, target, false)],
    effects: [],
  };
}

function confirm(flow: Flow, state: ConversationState): StepResult {
  const { ctx } = flow;
  if (!ctx.period.open) return unchanged(state, reply(t.periodClosed(ctx.period.title)));
  if (ctx.submission.status === 'confirmed') {
    return unchanged(state, reply(t.alreadyConfirmed(ctx.period.title, ctx.submission.confirmedAt, ctx.timeZone)));
  }
  const missing = missingRequired(flow, ctx.answers);
  if (missing.length > 0) return unchanged(state, reply(t.missingRequired(missing.map((q) => q.number))));
  return {
    state: { mode: 'idle', periodId: ctx.period.id },
    replies: [reply(t.confirmed(ctx.unitName, ctx.period.title))],
    effects: [{ type: 'submission_confirmed' }],
  };
}

function answerQuestion(flow: Flow, state: ConversationState, text: string): StepResult {
  const { ctx } = flow;
  const q = flow.byKey.get(state.key!)!;
  if (!ctx.period.open) return unchanged(closedIdle(ctx), reply(t.periodClosed(ctx.period.title)));
  if (text === '') return unchanged(state, reply(t.emptyAnswer()), askQuestion(flow, q, state.returnToReview ?? false));
  const again = () => askQuestion(flow, q, state.returnToReview ?? false);
  if (q.type === 'text') {
    const clean = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').trim();
    if (clean === '') return unchanged(state, reply(t.emptyAnswer()), again());
    // "không có" to an optional text means there is nothing to report: recorded like a skip, not as a text
    // that would end up quoted in the office's report.
    if (!q.required && saysNothing(clean)) return acceptAnswer(flow, state, q, null, text);
    // An emoji or a "👍" is a reaction, not content for the compiled report.
    if (!/[\p{L}\p{N}]/u.test(clean)) return unchanged(state, reply(t.noWords()), again());
    const max = q.max ?? 2000;
    const at = ctx.now?.getTime();
    if (clean.length > max) return unchanged({ ...state, tooLongAt: at }, reply(t.textTooLong(clean.length, max)));
    // The rest of a paste Telegram split after the first part was refused: storing it would keep only the
    // tail of what the contact wrote, as if it were the whole answer.
    if (at !== undefined && state.tooLongAt !== undefined && at - state.tooLongAt >= 0 && at - state.tooLongAt < SPLIT_PASTE_MS) {
      return unchanged({ ...state, tooLongAt: at }, reply(t.restOfLongText(max)));
    }
    if (q.min !== undefined && clean.length < q.min) return unchanged(state, reply(t.textTooShort(q.min)));
    return acceptAnswer(flow, state, q, clean, text);
  }
  const parsed = parseVietnameseNumber(text, q.type, { min: q.min, max: q.max });
  if (parsed.ok) {
    // Picking one of the offered readings keeps what was first typed ("2 hoặc 3") as the raw text.
    const raw = state.pending?.candidates.includes(parsed.value) ? state.pending.raw : text;
    return acceptAnswer(flow, { ...state, pending: undefined }, q, parsed.value, raw);
  }
  // Readings outside the question's bounds are impossible, so they are not offered.
  const candidates = (parsed.candidates ?? []).filter((c) => (q.min === undefined || c >= q.min) && (q.max === undefined || c <= q.max)).slice(0, 9);
  if (parsed.reason === 'ambiguous' && candidates.length > 0) {
    const pending = { ...state, pending: { raw: text, candidates } };
    if (pickByValue(candidates)) {
      // The buttons send the number itself, exactly what a contact would type.
      return unchanged(
        pending,
        reply(t.pickReadingByValue(text, candidates.map((c) => formatNumber(c))), {
          actions: candidates.map((c) => ({ label: t.pickLabel(t.formatValue(q, c)), command: String(c) })),
        }),
      );
    }
    return unchanged(
      pending,
      reply(t.pickReading(text), {
        choice: true,
        actions: candidates.map((c, i) => ({ label: t.pickLabel(t.formatValue(q, c)), command: String(i + 1) })),
      }),
    );
  }
  return unchanged(state, reply(t.invalidNumber(parsed.message, q.number)));
}

/** What people write to an optional text question when there is nothing to report. */
function saysNothing(text: string): boolean {
  const s = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\s.!…]+$/u, '')
    .replace(/\s+ạ$/u, '')
    .trim();
  return /^(?:(?:không|khong|ko|k|hông)(?: (?:có|co))?(?: (?:gì|gi))?|(?:chưa|chua) (?:có|co)(?: (?:gì|gi))?|0|-+|x)$/u.test(s);
}

function acceptAnswer(flow: Flow, state: ConversationState, q: FlatQuestion, value: AnswerValue | null, raw: string): StepResult {
  const { submission, answers } = flow.ctx;
  // The same answer again (re-typed after /quaylai or /sua) changes nothing, and makes no empty revision.
  if (answers[q.key] === value) {
    const ack = value === null ? t.savedNothing(q.number) : t.unchangedAnswer(q.number, t.formatValue(q, value));
    return advance(flow, state, q, answers, [], [reply(ack)]);
  }
  const effects: Effect[] = [{ type: 'answer_set', key: q.key, value, raw }];
  const ack =
    value === null
      ? t.savedNothing(q.number)
      : submission.status === 'confirmed'
        ? t.savedCorrection(q.number, t.formatValue(q, value), submission.revision + 1)
        : t.saved(q.number, t.formatValue(q, value));
  return advance(flow, state, q, { ...answers, [q.key]: value }, effects, [reply(ack)]);
}

/** After an answer or a skip: the review when editing, else the next unanswered question, else the review. */
function advance(flow: Flow, state: ConversationState, from: FlatQuestion, answers: CurrentAnswers, effects: Effect[], replies: Reply[]): StepResult {
  const { submission } = flow.ctx;
  // A correction of a confirmed report is a new revision: the review below must already count it.
  const revision = submission.status === 'confirmed' && effects.length > 0 ? submission.revision + 1 : submission.revision;
  const updated: Flow = { ...flow, ctx: { ...flow.ctx, answers, submission: { ...submission, revision } } };
  if (state.returnToReview) {
    return { state: { mode: 'review', periodId: flow.ctx.period.id }, replies: [...replies, reviewReply(updated)], effects };
  }
  const next = nextUnanswered(updated, from);
  if (!next) {
    // "Mời kiểm tra lại trước khi xác nhận" only makes sense before the first confirmation.
    const lead = submission.status === 'confirmed' ? [] : [reply(t.allAnswered())];
    return { state: { mode: 'review', periodId: flow.ctx.period.id }, replies: [...replies, ...lead, reviewReply(updated)], effects };
  }
  return {
    state: { mode: 'question', periodId: flow.ctx.period.id, key: next.key },
    replies: [...replies, askQuestion(updated, next, false)],
    effects,
  };
}

function firstUnanswered(flow: Flow): FlatQuestion | undefined {
  return flow.questions.find((q) => !(q.key in flow.ctx.answers));
}

function nextUnanswered(flow: Flow, from: FlatQuestion): FlatQuestion | undefined {
  const after = flow.questions.slice(from.number).find((q) => !(q.key in flow.ctx.answers));
  return after ?? firstUnanswered(flow);
}

function missingRequired(flow: Flow, answers: CurrentAnswers): FlatQuestion[] {
  return flow.questions.filter((q) => q.required && (answers[q.key] === undefined || answers[q.key] === null));
}

function askQuestion(flow: Flow, q: FlatQuestion, editing: boolean): Reply {
  const actions: Action[] = [];
  const current = flow.ctx.answers[q.key];
  if (current !== undefined && current !== null) actions.push({ label: t.LABEL_KEEP, command: '/boqua' });
  else if (!q.required) actions.push({ label: t.LABEL_SKIP, command: '/boqua' });
  if (editing) actions.push({ label: t.LABEL_CANCEL, command: '/huy' });
  else if (q.number > 1) actions.push({ label: t.LABEL_BACK, command: '/quaylai' });
  actions.push({ label: t.LABEL_REVIEW, command: '/xem' });
  return reply(t.question(q, flow.questions.length, current === undefined ? undefined : current === null ? null : t.formatValue(q, current)), { actions });
}

function reviewReply(flow: Flow): Reply {
  const { ctx } = flow;
  const missing = missingRequired(flow, ctx.answers);
  const lines = flow.questions.map((q) => {
    const v = ctx.answers[q.key];
    return { q, shown: v === undefined ? undefined : v === null ? null : t.formatValue(q, v, 160) };
  });
  const text = t.review(ctx.unitName, ctx.period.title, ctx.submission, lines, missing.map((q) => q.number), ctx.period.open, ctx.timeZone);
  if (!ctx.period.open) return reply(text);
  if (missing.length > 0) return reply(text, { actions: [{ label: t.LABEL_CONTINUE, command: '/nhap' }] });
  if (ctx.submission.status === 'confirmed') return reply(text, { actions: [{ label: t.LABEL_EDIT, command: '/sua' }] });
  return reply(text, {
    choice: true,
    actions: [
      { label: t.LABEL_CONFIRM, command: '/xacnhan' },
      { label: t.LABEL_EDIT, command: '/sua' },
    ],
  });
}

/** Questions with no answer yet (a skipped question counts as answered): reminders quote this figure. */
export function countRemaining(form: FormDefinition, answers: CurrentAnswers): number {
  return flattenForm(form).filter((q) => !(q.key in answers)).length;
}
