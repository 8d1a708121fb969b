import { previousValue, type PastReports } from './answer';
import type { AnswerValue, FlatQuestion } from './form';

/**
 * How long the form takes, said before it starts ("khoảng 6 phút"). Simple and on the safe side: about
 * 10 seconds to read a question and type a figure or a short text on a phone, about 3 seconds for a figure
 * that only needs last period's value kept ("=" or the button). Rounded up to whole minutes, at least 1.
 */
export const SECONDS_PER_QUESTION = 10;
export const SECONDS_PER_KEPT_FIGURE = 3;

export function estimateMinutes(
  questions: readonly FlatQuestion[],
  previous: PastReports | null | undefined,
  answers: Readonly<Record<string, AnswerValue | null>> = {},
): number {
  let seconds = 0;
  for (const q of questions) {
    if (q.key in answers) continue;
    const kept = q.type !== 'text' && previousValue(q, previous) !== null;
    seconds += kept ? SECONDS_PER_KEPT_FIGURE : SECONDS_PER_QUESTION;
  }
  return Math.max(1, Math.ceil(seconds / 60));
}
