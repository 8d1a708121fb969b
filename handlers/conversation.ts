import { previousValue, type AnswerContext } from '../domain/answer';
import { IDLE, type ConversationState, type CurrentAnswers, type FlowCommand, type FlowInput } from '../domain/conversation';
import { applicableQuestions, figureRunOf, questionsByKey, requiredQuestions, type AnswerFlag, type AnswerMeta, type AnswerValue, type FlatQuestion, type FormDefinition } from '../domain/form';
import { estimateMinutes } from '../domain/estimate';
import { formatNumber } from '../domain/format';
import { reply, type Action, type Reply } from '../domain/replies';
import * as t from '../templates/messages';
import { returnedIntro } from '../templates/review';
import { checkAnswer, type AnswerCheck } from './answer';

/**
 * The form conversation as a pure function: (state, incoming, context) → (state, replies, effects).
 * It never reads or writes storage and never talks to a channel; the caller loads the context,
 * applies the effects in one transaction together with the new state, and only then sends the replies.
 *
 * It lives in handlers/ because it words every reply (templates/); the state it reads and writes, and
 * the answer checks as data, are pure and stay in domain/ (conversation.ts, answer.ts).
 *
 * One answer is checked by handlers/answer.ts (validateAnswer, on domain/answer.ts), the same code the
 * web form uses. This file adds what a conversation needs around it: where we are, one bot message per answer, a section
 * sent in one message, the unit profile kept in one message, questions back on unlikely figures.
 */

/** Parts of one long paste arrive within a few seconds of each other. */
const SPLIT_PASTE_MS = 15_000;
/** Telegram splits only texts over 4,096 characters: a shorter refused text had no second part. */
const SPLIT_PASTE_MIN_LENGTH = 4_000;

export interface FlowContext extends AnswerContext {
  form: FormDefinition;
  timeZone: string;
  /** `dataWindow`: "Số liệu tính từ ngày … đến ngày …", said before the first question. */
  period: { id: string; title: string; deadline: Date; open: boolean; dataWindow?: string };
  unitName: string;
  /**
   * 'returned': the office sent the confirmed report back; it is answered like a draft, starting at the
   * questions the office named (`revisit`), with its reason (`returnReason`).
   */
  submission: {
    status: 'none' | 'draft' | 'confirmed' | 'returned';
    revision: number;
    confirmedAt: Date | null;
    revisit?: readonly string[];
    returnReason?: string;
  };
  answers: CurrentAnswers;
  /** Notes, "không có" and flags of the current answers. */
  meta?: Readonly<Record<string, AnswerMeta>>;
  /** The time of the message, to tell a contact the deadline has passed; no clock is read here. */
  now?: Date;
}

export type Effect =
  | { type: 'answer_set'; key: string; value: AnswerValue | null; raw: string | null; note?: string | null; none?: boolean; flag?: AnswerFlag | null }
  | { type: 'submission_confirmed' };

export interface StepResult {
  state: ConversationState;
  replies: Reply[];
  effects: Effect[];
}

interface Flow {
  questions: FlatQuestion[];
  byKey: ReadonlyMap<string, FlatQuestion>;
  ctx: FlowContext;
  /** The profile block was declined in this period (state.blockDeclined). */
  blockDeclined: boolean;
}

const unchanged = (state: ConversationState, ...replies: Reply[]): StepResult => ({ state, replies, effects: [] });
/** Out of a closed period's question, but still in that period, so /xem shows what was sent. */
const closedIdle = (ctx: FlowContext): ConversationState => ({ mode: 'idle', periodId: ctx.period.id });

/** Two texts said at once become one message; the actions are those of the last one. */
function joined(lead: string | null, r: Reply): Reply {
  return lead ? { ...r, text: `${lead}\n\n${r.text}` } : r;
}

function makeFlow(ctx: FlowContext, blockDeclined: boolean): Flow {
  const questions = applicableQuestions(ctx.form, ctx.unitType);
  return { questions, byKey: questionsByKey(questions), ctx, blockDeclined };
}

export function step(state: ConversationState, input: FlowInput, ctx: FlowContext): StepResult {
  // A state left over from another period (closed, or a new one opened) must not steer this one.
  if (state.periodId !== undefined && state.periodId !== ctx.period.id) state = IDLE;
  const result = stepIn(makeFlow(ctx, state.blockDeclined === true), state, input);
  // Every step builds its next state afresh; the decline is carried over here, once, for the whole period.
  const declined = state.blockDeclined === true || result.state.blockDeclined === true;
  const samePeriod = result.state.periodId === undefined || result.state.periodId === ctx.period.id;
  if (declined && samePeriod) return { ...result, state: { ...result.state, periodId: ctx.period.id, blockDeclined: true } };
  return result;
}

function stepIn(flow: Flow, state: ConversationState, input: FlowInput): StepResult {
  const { ctx } = flow;
  if (state.key !== undefined && !flow.byKey.has(state.key)) state = { ...state, key: undefined, mode: 'idle', pending: undefined, block: undefined };
  // A stored state may be valid JSON yet name no question (hand-edited, an old shape): never crash on it.
  if (state.mode === 'question' && state.key === undefined) state = { ...state, mode: 'idle', pending: undefined, block: undefined };

  if (input.kind === 'command') return onCommand(flow, state, input.name, input.arg.trim());

  const text = input.text.trim();
  // Text channels answer numbered choices with the digit.
  const choice = choiceFor(flow, state, text);
  if (choice) return choice;
  switch (state.mode) {
    case 'question':
      if (state.block === 'stable') return answerStableBlock(flow, state, text);
      return answerQuestion(flow, state, input.text);
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
    const q = flow.byKey.get(state.key!);
    if (!q) return null;
    if (!flow.ctx.period.open) return unchanged(closedIdle(flow.ctx), reply(t.periodClosed(flow.ctx.period.title)));
    const pending = state.pending;
    if (pending.kind === 'unlikely') {
      const value = pending.candidates[0]!;
      if (n === 1) {
        const check = checkAnswer(q, String(value), flow.ctx, { confirmUnlikely: true });
        const flag = check.ok ? check.flag : null;
        return store(flow, { ...state, pending: undefined }, q, { value, raw: pending.raw, note: pending.note ?? null, none: pending.none ?? false, flag });
      }
      if (n === 2) return unchanged({ ...state, pending: undefined }, askQuestion(flow, q, state.returnToReview ?? false, { lead: t.reenterAsked(q.label) }));
      return null;
    }
    if (pickByValue(pending.candidates)) return null;
    const value = pending.candidates[n - 1];
    if (value === undefined) return null;
    return acceptChecked(flow, { ...state, pending: undefined }, q, checkAnswer(q, String(value), flow.ctx), pending.raw, pending.note ?? null);
  }
  if (state.mode === 'review') {
    if (n === 1) return onCommand(flow, state, 'xacnhan', '');
    if (n === 2) return startPickEdit(flow, state);
    if (n === 3 && firstUnanswered(flow)) return resume(flow, { ...state, more: true });
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
      replies: reviewReplies(flow, t.alreadyConfirmed(ctx.period.title, ctx.submission.confirmedAt, ctx.timeZone)),
      effects: [],
    };
  }
  if (ctx.submission.status === 'returned' && state.mode !== 'question') {
    const first = revisitAfter(flow, null);
    if (first) {
      return {
        state: { mode: 'question', periodId: ctx.period.id, key: first.key },
        replies: [askQuestion(flow, first, false, { lead: returnedIntro(ctx.period.title, ctx.submission.returnReason ?? '', revisitNumbers(flow)), noBlock: true })],
        effects: [],
      };
    }
  }
  // Exactly where they stopped: the question they were asked, or the one they were about to be asked.
  const remembered = state.key ? flow.byKey.get(state.key) : undefined;
  const target = remembered ?? firstUnanswered(flow);
  if (!target) return showReview(flow, state);
  const overdue = ctx.now !== undefined && ctx.now.getTime() > ctx.period.deadline.getTime();
  const intro =
    state.mode === 'idle' && !remembered && Object.keys(ctx.answers).length === 0
      ? `${t.flowIntro(ctx.unitName, ctx.period.title, ctx.period.deadline, flow.questions.length, estimateMinutes(flow.questions, ctx.previous), ctx.timeZone, overdue)}${ctx.period.dataWindow ? `\n${ctx.period.dataWindow}` : ''}`
      : null;
  const more = state.more || allRequiredAnswered(flow, ctx.answers) || undefined;
  return ask(flow, { mode: 'question', periodId: ctx.period.id, key: target.key, returnToReview: state.returnToReview, more }, target, state.returnToReview ?? false, intro);
}

function showReview(flow: Flow, state: ConversationState): StepResult {
  return {
    state: { mode: 'review', periodId: flow.ctx.period.id, key: state.key },
    replies: reviewReplies(flow),
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
      replies: [askQuestion(flow, resumeAt, false, { lead: t.editCancelled() })],
      effects: [],
    };
  }
  if (state.returnToReview || state.mode === 'pick_edit') {
    return { state: { mode: 'review', periodId: flow.ctx.period.id }, replies: [reply(`${t.editCancelled()} Gõ /xem để xem lại cả báo cáo.`)], effects: [] };
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
  const clean = { ...state, pending: undefined, block: undefined };
  if (state.block === 'stable') {
    // Skipping the block question means answering the profile one figure at a time.
    return unchanged(clean, askQuestion(flow, q, false, { noBlock: true }));
  }
  const current = flow.ctx.answers[q.key];
  // On a question already answered (required or not) this keeps the answer: the contact only wants to move on.
  const answered = current !== undefined && current !== null;
  if (q.required && !answered) return unchanged(state, askQuestion(flow, q, state.returnToReview ?? false, { lead: t.cannotSkipRequired(q.number, q.type) }));
  const effects: Effect[] = current === undefined ? [{ type: 'answer_set', key: q.key, value: null, raw: null, note: null, none: false, flag: null }] : [];
  const answers = current === undefined ? { ...flow.ctx.answers, [q.key]: null } : flow.ctx.answers;
  return advance(flow, clean, q, answers, effects, answered ? t.kept(q.number) : t.skipped(q.number));
}

function back(flow: Flow, state: ConversationState): StepResult {
  const { ctx } = flow;
  if (!ctx.period.open) return unchanged(state, reply(t.periodClosed(ctx.period.title)));
  let target: FlatQuestion | undefined;
  if (state.mode === 'question' && state.key) {
    const q = flow.byKey.get(state.key)!;
    if (q.number === 1) return unchanged(state, askQuestion(flow, q, state.returnToReview ?? false, { lead: t.atFirstQuestion(), noBlock: true }));
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
    replies: [askQuestion(flow, target, false, { noBlock: true })],
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
  // The whole report is shown once before it is confirmed: from a question, /xacnhan shows it first.
  if (state.mode !== 'review') return showReview(flow, state);
  return {
    state: { mode: 'idle', periodId: ctx.period.id },
    replies: [reply(t.confirmed(ctx.unitName, ctx.period.title))],
    effects: [{ type: 'submission_confirmed' }],
  };
}

// ---------------------------------------------------------------------------------------------------
// Answers

function answerQuestion(flow: Flow, state: ConversationState, input: string): StepResult {
  const { ctx } = flow;
  const q = flow.byKey.get(state.key!)!;
  if (!ctx.period.open) return unchanged(closedIdle(ctx), reply(t.periodClosed(ctx.period.title)));
  const text = input.trim();
  const editing = state.returnToReview ?? false;
  if (text === '') return unchanged(state, askQuestion(flow, q, editing, { lead: t.emptyAnswer() }));
  if (q.type === 'text') {
    const at = ctx.now?.getTime();
    // The rest of a paste Telegram split after the first part was refused: storing it would keep only the
    // tail of what the contact wrote, as if it were the whole answer. Only a refused text long enough to
    // have been split opens that window, and refusing the rest does not extend it.
    if (at !== undefined && state.tooLongAt !== undefined && at - state.tooLongAt >= 0 && at - state.tooLongAt < SPLIT_PASTE_MS) {
      return unchanged(state, reply(t.restOfLongText(q.max ?? 2000)));
    }
    const check = checkAnswer(q, text, ctx);
    if (!check.ok) {
      const split = text.length >= SPLIT_PASTE_MIN_LENGTH && at !== undefined;
      const next = { ...state, tooLongAt: split ? at : undefined };
      // An emoji or an empty text: the question again, in the same message.
      if (check.problem.kind === 'empty' || check.problem.kind === 'no_words') return unchanged(next, askQuestion(flow, q, editing, { lead: check.message, noBlock: true }));
      return unchanged(next, reply(check.message));
    }
    return acceptChecked(flow, { ...state, tooLongAt: undefined }, q, check, text, null);
  }
  const run = pasteRun(flow, q);
  if (run.length > 1 && /[\n;\t]/.test(text)) return answerSection(flow, state, q, run, text);
  const check = checkAnswer(q, text, ctx);
  // Picking one of the offered readings keeps what was first typed ("2 hoặc 3") as the raw text.
  const raw = check.ok && state.pending?.candidates.includes(check.value as number) ? state.pending.raw : text;
  return acceptChecked(flow, { ...state, pending: undefined }, q, check, raw, null);
}

/** A checked answer: stored, or the question back it needs, or its error with the question again. */
function acceptChecked(flow: Flow, state: ConversationState, q: FlatQuestion, check: AnswerCheck, raw: string, noteOverride: string | null): StepResult {
  const editing = state.returnToReview ?? false;
  if (check.ok) return store(flow, state, q, { value: check.value, raw, note: noteOverride ?? check.note, none: check.none, flag: check.flag });
  const asked = askBack(state, q, check, raw);
  if (asked) return asked;
  return unchanged(state, reply(t.invalidNumber(check.message, q.number), { actions: questionActions(flow, q, editing) }));
}

/** An ambiguous or unlikely figure: the question back, waiting in `pending`. */
function askBack(state: ConversationState, q: FlatQuestion, check: Extract<AnswerCheck, { ok: false }>, raw: string, lead: string | null = null): StepResult | null {
  if (check.reason === 'unlikely' && check.candidates?.length) {
    const pending = { raw, candidates: check.candidates, kind: 'unlikely' as const, ...(check.note ? { note: check.note } : {}) };
    return unchanged(
      { ...state, mode: 'question', key: q.key, pending },
      joined(lead, reply(check.message, { choice: true, actions: [{ label: t.LABEL_RIGHT, command: '1' }, { label: t.LABEL_REENTER, command: '2' }] })),
    );
  }
  if (check.reason === 'ambiguous' && check.candidates && check.candidates.length > 0) {
    const candidates = check.candidates;
    const pending = { raw, candidates, ...(check.note ? { note: check.note } : {}) };
    const next = { ...state, mode: 'question' as const, key: q.key, pending };
    if (pickByValue(candidates)) {
      // The buttons send the number itself, exactly what a contact would type.
      return unchanged(
        next,
        joined(lead, reply(t.pickReadingByValue(raw, candidates.map((c) => formatNumber(c))), { actions: candidates.map((c) => ({ label: t.pickLabel(t.formatValue(q, c)), command: String(c) })) })),
      );
    }
    const text = check.problem.kind === 'money_comma' ? check.message : t.pickReading(raw);
    return unchanged(next, joined(lead, reply(text, { choice: true, actions: candidates.map((c, i) => ({ label: t.pickLabel(t.formatValue(q, c)), command: String(i + 1) })) })));
  }
  return null;
}

interface Stored {
  value: AnswerValue | null;
  raw: string | null;
  note: string | null;
  none: boolean;
  flag: AnswerFlag | null;
}

function effectFor(q: FlatQuestion, s: Stored): Effect {
  return { type: 'answer_set', key: q.key, value: s.value, raw: s.raw, note: s.note, none: s.none, flag: s.flag };
}

function sameAsStored(flow: Flow, q: FlatQuestion, s: Stored): boolean {
  const meta = flow.ctx.meta?.[q.key] ?? {};
  return (
    flow.ctx.answers[q.key] === s.value &&
    (meta.note ?? null) === s.note &&
    (meta.none ?? false) === s.none &&
    JSON.stringify(meta.flag ?? null) === JSON.stringify(s.flag)
  );
}

/** How much of a text answer the acknowledgement repeats: enough to recognise it, not a second copy of a long paste. */
const ECHO_TEXT_MAX = 160;

function shownOf(q: FlatQuestion, s: Pick<Stored, 'value' | 'none'>, maxText?: number): string {
  if (s.none) return 'Không có';
  return s.value === null ? 'bỏ qua' : t.formatValue(q, s.value, maxText);
}

function store(flow: Flow, state: ConversationState, q: FlatQuestion, s: Stored): StepResult {
  const { submission, answers } = flow.ctx;
  const same = sameAsStored(flow, q, s);
  const effects: Effect[] = same ? [] : [effectFor(q, s)];
  if (state.returnToReview) {
    const before = answers[q.key];
    const beforeShown = before === undefined ? null : shownOf(q, { value: before, none: flow.ctx.meta?.[q.key]?.none ?? false }, ECHO_TEXT_MAX);
    const revision = submission.status === 'confirmed' && !same ? submission.revision + 1 : null;
    const actions: Action[] = [{ label: t.LABEL_REVIEW, command: '/xem' }];
    const updatedAnswers = { ...answers, [q.key]: s.value };
    if (submission.status !== 'confirmed' && allRequiredAnswered(flow, updatedAnswers)) actions.unshift({ label: t.LABEL_CONFIRM, command: '/xacnhan' });
    return {
      state: { mode: 'review', periodId: flow.ctx.period.id },
      replies: [reply(t.editedLine(q, shownOf(q, s, ECHO_TEXT_MAX), beforeShown, s.note, revision, same), { actions })],
      effects,
    };
  }
  let lead = t.ack(shownOf(q, s, ECHO_TEXT_MAX), s.note, s.flag !== null);
  if (submission.status === 'confirmed' && !same) lead += `\n${t.correctionCounted(submission.revision + 1)}`;
  return advance(flow, state, q, { ...answers, [q.key]: s.value }, effects, lead, { [q.key]: metaOf(s) });
}

const metaOf = (s: Stored): AnswerMeta => ({ ...(s.note ? { note: s.note } : {}), ...(s.none ? { none: true } : {}), ...(s.flag ? { flag: s.flag } : {}) });

/** The applicable number questions of q's section, in order: what may be sent in one message. */
function pasteRun(flow: Flow, q: FlatQuestion): readonly FlatQuestion[] {
  return figureRunOf(flow.questions, q);
}

/** A whole section in one message: one value per line, or separated by ";" or tabs, in the order shown. */
function answerSection(flow: Flow, state: ConversationState, at: FlatQuestion, run: readonly FlatQuestion[], text: string): StepResult {
  const parts = text.split(/\r?\n|;|\t/).map((p) => p.trim());
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const from = run.indexOf(at);
  const targets = parts.length === run.length ? run : parts.length === run.length - from ? run.slice(from) : null;
  if (!targets) {
    return unchanged(state, reply(t.pasteWrongCount(run.length, parts.length, run.map((q) => q.label))));
  }
  let answers: Record<string, AnswerValue | null> = { ...flow.ctx.answers };
  const meta: Record<string, AnswerMeta> = {};
  const effects: Effect[] = [];
  const lines: Parameters<typeof t.pasteResult>[1] = [];
  let problem: { q: FlatQuestion; check: Extract<AnswerCheck, { ok: false }>; raw: string; n: number } | null = null;
  targets.forEach((q, i) => {
    const n = run.indexOf(q) + 1;
    const part = parts[i] ?? '';
    if (part === '') {
      lines.push({ n, label: q.label, shown: null, error: t.pasteEmptyValue() });
      problem ??= { q, check: { ok: false, key: q.key, reason: 'empty', problem: { kind: 'empty' }, message: t.pasteEmptyValue() }, raw: part, n };
      return;
    }
    const check = checkAnswer(q, part, { ...flow.ctx, answers });
    if (!check.ok) {
      const asksBack = check.reason === 'unlikely' || check.reason === 'ambiguous';
      lines.push({ n, label: q.label, shown: null, error: asksBack ? 'cần hỏi lại, xem bên dưới.' : check.message });
      problem ??= { q, check, raw: part, n };
      return;
    }
    const s: Stored = { value: check.value, raw: part, note: check.note, none: check.none, flag: check.flag };
    if (!sameAsStored(flow, q, s)) effects.push(effectFor(q, s));
    answers = { ...answers, [q.key]: check.value };
    meta[q.key] = metaOf(s);
    lines.push({ n, label: q.label, shown: shownOf(q, s), note: check.note });
  });
  const summary = t.pasteResult(at.sectionTitle, lines);
  const updated: Flow = { ...flow, ctx: { ...flow.ctx, answers, meta: { ...flow.ctx.meta, ...meta } } };
  if (problem) {
    const p = problem as { q: FlatQuestion; check: Extract<AnswerCheck, { ok: false }>; raw: string; n: number };
    const back = askBack({ ...state, pending: undefined }, p.q, p.check, p.raw, summary);
    if (back) return { ...back, effects };
    return {
      state: { ...state, mode: 'question', key: p.q.key, pending: undefined },
      replies: [reply(`${summary}\n\n${t.reenter(p.n, p.q.label)}`, { actions: questionActions(updated, p.q, false) })],
      effects,
    };
  }
  return advance(flow, state, targets[targets.length - 1]!, answers, effects, summary, meta);
}

/** The unit profile in one message: "1"/"=" keeps every figure of last period, or the new figures come. */
function answerStableBlock(flow: Flow, state: ConversationState, text: string): StepResult {
  const q = flow.byKey.get(state.key!)!;
  if (!flow.ctx.period.open) return unchanged(closedIdle(flow.ctx), reply(t.periodClosed(flow.ctx.period.title)));
  const block = stableBlockOf(flow, q);
  const folded = text.normalize('NFC').toLowerCase().replace(/[.!\s]+$/u, '');
  if (block && ['=', '1', 'có', 'co', 'giữ nguyên', 'giu nguyen', 'đúng', 'ok', 'giữ'].includes(folded)) {
    let answers: Record<string, AnswerValue | null> = { ...flow.ctx.answers };
    const effects: Effect[] = [];
    for (const { q: bq, value } of block) {
      effects.push({ type: 'answer_set', key: bq.key, value, raw: '=', note: null, none: false, flag: null });
      answers = { ...answers, [bq.key]: value };
    }
    return advance(flow, { ...state, block: undefined }, block[block.length - 1]!.q, answers, effects, t.keptAll(block.length));
  }
  const clean = { ...state, block: undefined };
  if (folded === '2' || folded === 'không' || folded === 'nhập lại') return unchanged({ ...clean, blockDeclined: true }, askQuestion(flow, q, false, { noBlock: true }));
  return answerQuestion(flow, clean, text);
}

function stableBlockOf(flow: Flow, q: FlatQuestion): { q: FlatQuestion; value: number; shown: string }[] | null {
  if (!q.stable || flow.blockDeclined) return null;
  const stable = flow.questions.filter((x) => x.stable && x.sectionKey === q.sectionKey && x.type !== 'text');
  if (stable.length < 2 || stable[0] !== q || stable.some((x) => x.key in flow.ctx.answers)) return null;
  const out: { q: FlatQuestion; value: number; shown: string }[] = [];
  for (const x of stable) {
    const prev = previousValue(x, flow.ctx.previous);
    if (!prev || typeof prev.value !== 'number') return null;
    out.push({ q: x, value: prev.value, shown: t.formatValue(x, prev.value) });
  }
  return out;
}

/** After an answer or a skip: the next unanswered question, or the review when nothing required is left. */
function advance(
  flow: Flow,
  state: ConversationState,
  from: FlatQuestion,
  answers: CurrentAnswers,
  effects: Effect[],
  lead: string,
  meta: Record<string, AnswerMeta> = {},
): StepResult {
  const { submission } = flow.ctx;
  // A correction of a confirmed report is a new revision: the review below must already count it.
  const revision = submission.status === 'confirmed' && effects.length > 0 ? submission.revision + 1 : submission.revision;
  const updated: Flow = { ...flow, ctx: { ...flow.ctx, answers, meta: { ...flow.ctx.meta, ...meta }, submission: { ...submission, revision } } };
  // A returned report walks through the questions the office named, then to the review to confirm again.
  if (submission.status === 'returned' && !state.returnToReview && submission.revisit?.includes(from.key)) {
    const again = revisitAfter(updated, from.key);
    if (again) return { ...ask(updated, { mode: 'question', periodId: flow.ctx.period.id, key: again.key }, again, false, lead), effects };
    return { state: { mode: 'review', periodId: flow.ctx.period.id }, replies: reviewReplies(updated, lead), effects };
  }
  const next = nextUnanswered(updated, from);
  // Nothing required left and only optional questions to go: offer to confirm (or to go on) with the review.
  if (!next || (!state.more && submission.status !== 'confirmed' && allRequiredAnswered(updated, answers))) {
    const allDone = !next && submission.status !== 'confirmed';
    return {
      state: { mode: 'review', periodId: flow.ctx.period.id, key: next?.key },
      replies: reviewReplies(updated, allDone ? `${lead}\n${t.allAnswered()}` : lead),
      effects,
    };
  }
  return { ...ask(updated, { mode: 'question', periodId: flow.ctx.period.id, key: next.key, more: state.more }, next, false, lead), effects };
}

/** The next question the office named after `key` (the first one when null). */
function revisitAfter(flow: Flow, key: string | null): FlatQuestion | undefined {
  const list = flow.ctx.submission.revisit ?? [];
  const from = key === null ? 0 : list.indexOf(key) + 1;
  return list.slice(from).map((k) => flow.byKey.get(k)).find((q) => q !== undefined);
}

function revisitNumbers(flow: Flow): number[] {
  return (flow.ctx.submission.revisit ?? []).map((k) => flow.byKey.get(k)?.number).filter((n): n is number => n !== undefined);
}

function firstUnanswered(flow: Flow): FlatQuestion | undefined {
  return flow.questions.find((q) => !(q.key in flow.ctx.answers));
}

function nextUnanswered(flow: Flow, from: FlatQuestion): FlatQuestion | undefined {
  const { questions } = flow;
  for (let i = from.number; i < questions.length; i++) if (!(questions[i]!.key in flow.ctx.answers)) return questions[i];
  return firstUnanswered(flow);
}

/** A required question is answered by a value or by an explicit "không có", not by a skip. */
function isMissing(flow: Flow, answers: CurrentAnswers, q: FlatQuestion): boolean {
  return answers[q.key] === undefined || (answers[q.key] === null && !flow.ctx.meta?.[q.key]?.none);
}

function missingRequired(flow: Flow, answers: CurrentAnswers): FlatQuestion[] {
  return requiredQuestions(flow.questions).filter((q) => isMissing(flow, answers, q));
}

/** Whether nothing required is left (asked at nearly every message, to offer "Xác nhận"): stops at the first gap. */
function allRequiredAnswered(flow: Flow, answers: CurrentAnswers): boolean {
  return !requiredQuestions(flow.questions).some((q) => isMissing(flow, answers, q));
}

/** Asks `q` (or the profile block starting at it) and puts the state there. */
function ask(flow: Flow, state: ConversationState, q: FlatQuestion, editing: boolean, lead: string | null): StepResult {
  const block = editing ? null : stableBlockOf(flow, q);
  if (block) {
    const report = previousValue(q, flow.ctx.previous)!.report;
    const text = t.stableBlock(q.sectionTitle, report.title, block.map((b) => ({ label: b.q.label, shown: b.shown })), lead, q.number, flow.questions.length);
    return unchanged(
      { ...state, block: 'stable', pending: undefined },
      reply(text, { choice: true, actions: [{ label: `${t.LABEL_KEEP_ALL.replace('các', String(block.length))}`, command: '=' }, { label: t.LABEL_ENTER_NEW, command: '2' }] }),
    );
  }
  return unchanged({ ...state, block: undefined, pending: undefined }, askQuestion(flow, q, editing, { lead, noBlock: true }));
}

function questionActions(flow: Flow, q: FlatQuestion, editing: boolean): Action[] {
  const actions: Action[] = [];
  const current = flow.ctx.answers[q.key];
  const prev = q.type !== 'text' ? previousValue(q, flow.ctx.previous) : null;
  if (prev && typeof prev.value === 'number' && current === undefined) actions.push({ label: t.keepPrevious(t.formatValue(q, prev.value)), command: '=' });
  if (current !== undefined && current !== null) actions.push({ label: t.LABEL_KEEP, command: '/boqua' });
  else if (!q.required) actions.push({ label: t.LABEL_SKIP, command: '/boqua' });
  if (editing) actions.push({ label: t.LABEL_CANCEL, command: '/huy' });
  else if (q.number > 1) actions.push({ label: t.LABEL_BACK, command: '/quaylai' });
  if (!editing && flow.ctx.submission.status !== 'confirmed' && allRequiredAnswered(flow, flow.ctx.answers)) {
    actions.push({ label: t.LABEL_CONFIRM, command: '/xacnhan' });
  }
  actions.push({ label: t.LABEL_REVIEW, command: '/xem' });
  return actions;
}

function askQuestion(flow: Flow, q: FlatQuestion, editing: boolean, opts: { lead?: string | null; noBlock?: boolean } = {}): Reply {
  if (!opts.noBlock && !editing) {
    const r = ask(flow, { mode: 'question', key: q.key }, q, editing, opts.lead ?? null);
    return r.replies[0]!;
  }
  const current = flow.ctx.answers[q.key];
  const meta = flow.ctx.meta?.[q.key];
  const prev = q.type !== 'text' ? previousValue(q, flow.ctx.previous) : null;
  const run = pasteRun(flow, q);
  const firstOfRun = !editing && run.length > 1 && run[0] === q && run.every((x) => !(x.key in flow.ctx.answers));
  const paste = firstOfRun
    ? run.map((x) => {
        const p = previousValue(x, flow.ctx.previous);
        return { label: x.label, previous: p && typeof p.value === 'number' ? formatNumber(p.value) : null };
      })
    : null;
  const text = t.question({
    q,
    total: flow.questions.length,
    current: current === undefined ? undefined : current === null ? (meta?.none ? 'Không có' : null) : t.formatValue(q, current),
    previous: prev && !paste ? { shown: t.formatValue(q, prev.value), title: prev.report.title } : null,
    paste,
    lead: opts.lead ?? null,
  });
  return reply(text, { actions: questionActions(flow, q, editing) });
}

/**
 * The longest review sent as one message: it then fits a Telegram message (4,096 characters) with room to
 * spare and reads as one screen or two on a phone. A longer one (long texts, many notes) goes one section
 * per message, so no section is cut in the middle by a channel's own split.
 */
export const REVIEW_ONE_MESSAGE_MAX = 3_500;

/** The review (with `lead` above it): one message when it fits, else one per section; the actions on the last. */
function reviewReplies(flow: Flow, lead: string | null = null): Reply[] {
  const extra = reviewExtras(flow);
  const { head, sections, foot } = reviewPartsOf(flow);
  const whole = [lead, head, ...sections, foot].filter((x): x is string => !!x).join('\n\n');
  if (whole.length <= REVIEW_ONE_MESSAGE_MAX || sections.length < 2) return [reply(whole, extra)];
  const texts = sections.map((s, i) => {
    const before = i === 0 ? [lead, head] : [];
    const after = i === sections.length - 1 ? [foot] : [];
    return [...before, s, ...after].filter((x): x is string => !!x).join('\n\n');
  });
  return texts.map((text, i) => (i === texts.length - 1 ? reply(text, extra) : reply(text)));
}

function reviewPartsOf(flow: Flow): t.ReviewParts {
  const { ctx } = flow;
  const missing = missingRequired(flow, ctx.answers);
  const lines = flow.questions.map((q) => {
    const v = ctx.answers[q.key];
    const meta = ctx.meta?.[q.key];
    return {
      q,
      shown: v === undefined ? undefined : v === null ? null : t.formatValue(q, v, 160),
      none: meta?.none ?? false,
      note: meta?.note ?? null,
      flagged: meta?.flag !== undefined,
    };
  });
  return t.reviewParts(ctx.unitName, ctx.period.title, ctx.submission, lines, missing.map((q) => q.number), ctx.period.open, ctx.timeZone);
}

/** What the review waits for: nothing once closed, /nhap while something required is missing, else confirm or edit. */
function reviewExtras(flow: Flow): Omit<Reply, 'text'> {
  const { ctx } = flow;
  if (!ctx.period.open) return {};
  if (!allRequiredAnswered(flow, ctx.answers)) return { actions: [{ label: t.LABEL_CONTINUE, command: '/nhap' }] };
  if (ctx.submission.status === 'confirmed') return { actions: [{ label: t.LABEL_EDIT, command: '/sua' }] };
  const actions: Action[] = [
    { label: t.LABEL_CONFIRM, command: '/xacnhan' },
    { label: t.LABEL_EDIT, command: '/sua' },
  ];
  if (firstUnanswered(flow)) actions.push({ label: t.LABEL_MORE, command: '3' });
  return { choice: true, actions };
}
