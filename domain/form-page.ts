import type { CurrentAnswers } from './conversation';
import type { AnswerMeta, AnswerValue, FlatQuestion } from './form';
import { formatNumber } from './format';

/**
 * What the form page shows, computed from the form and the stored answers: one field per question,
 * grouped by section, with the value to put back in the field and last period's figure beside it.
 */

export interface FieldView {
  key: string;
  number: number;
  label: string;
  unit: string | undefined;
  type: FlatQuestion['type'];
  required: boolean;
  help: string | undefined;
  /** Longest text accepted (texts only). */
  maxLength: number | undefined;
  /** The value as it goes back into the field, in the form the parser reads ("1.593"). */
  input: string;
  /** 'nothing': answered "không có"; 'skipped': left out on purpose (an optional question). */
  state: 'empty' | 'answered' | 'nothing' | 'skipped';
  /** Words kept with a figure ("2 đoàn (Hàn Quốc)" → "(Hàn Quốc)"). */
  note: string | undefined;
  /** The unit confirmed an unusual figure when asked back. */
  flagged: boolean;
  /** Id of the newest stored answer, sent back with a change so a newer answer is never overwritten. */
  seen: number | null;
  /** Last period's figure, formatted ("1.593 cơ sở"). */
  previous: string | undefined;
}

export interface SectionView {
  title: string;
  fields: FieldView[];
}

export interface FormPageView {
  formTitle: string;
  unitName: string;
  periodId: string;
  periodTitle: string;
  deadline: Date;
  open: boolean;
  submission: { status: 'none' | 'draft' | 'confirmed' | 'returned'; revision: number; confirmedAt: Date | null };
  sections: SectionView[];
  answered: number;
  total: number;
  /** Numbers of the required questions still without an answer. */
  missingRequired: number[];
}

export interface FormPageInput {
  formTitle: string;
  unitName: string;
  period: { id: string; title: string; deadline: Date; open: boolean };
  submission: FormPageView['submission'];
  questions: readonly FlatQuestion[];
  answers: CurrentAnswers;
  meta: Readonly<Record<string, AnswerMeta>>;
  answerIds: Readonly<Record<string, number>>;
  previous: Readonly<Record<string, AnswerValue>>;
}

/** What the person typed to say there is nothing, shown back in the field as such. */
export const NOTHING_INPUT = 'không có';

export function fieldView(q: FlatQuestion, input: Pick<FormPageInput, 'answers' | 'meta' | 'answerIds' | 'previous'>): FieldView {
  const v = input.answers[q.key];
  const meta = input.meta[q.key] ?? {};
  const prev = input.previous[q.key];
  const state: FieldView['state'] = v === undefined ? 'empty' : meta.none ? 'nothing' : v === null ? 'skipped' : 'answered';
  return {
    key: q.key,
    number: q.number,
    label: q.label,
    unit: q.unit,
    type: q.type,
    required: q.required,
    help: q.help,
    maxLength: q.type === 'text' ? q.max : undefined,
    input: state === 'nothing' ? NOTHING_INPUT : v === undefined || v === null ? '' : typeof v === 'number' ? formatNumber(v) : v,
    state,
    note: meta.note ?? undefined,
    flagged: meta.flag !== undefined && meta.flag !== null,
    seen: input.answerIds[q.key] ?? null,
    previous: typeof prev === 'number' ? `${formatNumber(prev)}${q.unit ? ` ${q.unit}` : ''}` : undefined,
  };
}

export function buildFormPage(input: FormPageInput): FormPageView {
  const sections: SectionView[] = [];
  for (const q of input.questions) {
    const last = sections.at(-1);
    const field = fieldView(q, input);
    if (last && last.title === q.sectionTitle) last.fields.push(field);
    else sections.push({ title: q.sectionTitle, fields: [field] });
  }
  const fields = sections.flatMap((s) => s.fields);
  return {
    formTitle: input.formTitle,
    unitName: input.unitName,
    periodId: input.period.id,
    periodTitle: input.period.title,
    deadline: input.period.deadline,
    open: input.period.open,
    submission: input.submission,
    sections,
    answered: fields.filter((f) => f.state !== 'empty').length,
    total: fields.length,
    // As the engine counts them: "không có" answers a required question, a skip does not.
    missingRequired: fields.filter((f) => f.required && (f.state === 'empty' || f.state === 'skipped')).map((f) => f.number),
  };
}
