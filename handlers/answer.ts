import { judge, judgeAnswer, type AnswerContext, type AnswerProblem, type AnswerVerdict, type ValidateOptions } from '../domain/answer';
import { flattenForm, type FlatQuestion } from '../domain/form';
import * as t from '../templates/messages';

/**
 * One answer checked and, when refused, told why in Vietnamese: domain/answer.ts judges (pure, as
 * data), this file words the verdict. The chat engine (handlers/conversation.ts) and the web form
 * (handlers/flow.ts applyAnswer) both come through here, so a refusal reads the same everywhere.
 */

export type AnswerCheck =
  | Extract<AnswerVerdict, { ok: true }>
  | (Extract<AnswerVerdict, { ok: false }> & { message: string });

export function validateAnswer(key: string, text: string, ctx: AnswerContext, opts: ValidateOptions = {}): AnswerCheck {
  return worded(judgeAnswer(key, text, ctx, opts), ctx, flattenForm(ctx.form).find((x) => x.key === key));
}

/** validateAnswer for a question already looked up (the engine's path). */
export function checkAnswer(q: FlatQuestion, text: string, ctx: AnswerContext, opts: ValidateOptions = {}): AnswerCheck {
  return worded(judge(q, text, ctx, opts), ctx, q);
}

function worded(v: AnswerVerdict, ctx: AnswerContext, q?: FlatQuestion): AnswerCheck {
  if (v.ok) return v;
  return { ...v, message: problemText(v.problem, q ?? { type: 'count' }, ctx) };
}

export function problemText(p: AnswerProblem, q: Pick<FlatQuestion, 'type' | 'unit'>, ctx: AnswerContext): string {
  switch (p.kind) {
    case 'unknown_question':
      return t.unknownQuestion();
    case 'not_applicable':
      return t.notApplicable();
    case 'empty':
      return t.emptyAnswer();
    case 'no_previous':
      return t.noPreviousFigure();
    case 'no_words':
      return t.noWords();
    case 'too_long':
      return t.textTooLong(p.length, p.max);
    case 'too_short':
      return t.textTooShort(p.min);
    case 'number':
      return p.explanation;
    case 'money_comma':
      return t.moneyComma(p.raw);
    case 'unlikely':
      return t.unlikelyFigure(q, p.value, p.flag, ctx.previous ?? null);
  }
}
