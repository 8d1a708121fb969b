import { flattenForm, type FormDefinition } from './form';

/**
 * The office's review of what units sent: each unit of a period is in one of five states, shown the same
 * way in /tiendo, the report's appendix and the export workbook.
 */
export const UNIT_STATES = ['not_started', 'in_progress', 'submitted', 'returned', 'accepted'] as const;
export type UnitState = (typeof UNIT_STATES)[number];

export const UNIT_STATE_LABELS: Record<UnitState, string> = {
  not_started: 'Chưa gửi',
  in_progress: 'Đang nhập',
  submitted: 'Đã gửi',
  returned: 'Bị trả lại',
  accepted: 'Đã duyệt',
};

export interface ReviewFacts {
  status: 'draft' | 'confirmed' | 'returned';
  acceptedAt: Date | null;
  /** Whether any answer is stored (a draft without answers is not started). */
  hasAnswers: boolean;
}

export function unitStateOf(s: ReviewFacts | undefined): UnitState {
  if (!s) return 'not_started';
  if (s.status === 'returned') return 'returned';
  if (s.status === 'confirmed') return s.acceptedAt ? 'accepted' : 'submitted';
  return s.hasAnswers ? 'in_progress' : 'not_started';
}

/** The states whose figures count in the report: the unit confirmed them and they were not sent back. */
export const isCounted = (state: UnitState): boolean => state === 'submitted' || state === 'accepted';

export type ReturnRequest =
  | { ok: true; keys: string[]; numbers: number[]; reason: string }
  | { ok: false; problem: 'no_questions' | 'bad_number' | 'no_reason'; detail?: string };

const NUMBERS = String.raw`(?:\d{1,3}(?:\s*-\s*\d{1,3})?)(?:\s*[,;]\s*\d{1,3}(?:\s*-\s*\d{1,3})?)*`;

/** "3, 5-7" → 3, 5, 6, 7 (numbered as the unit sees them in /xem), each checked against the form. */
function questionList(form: FormDefinition, list: string): { ok: true; numbers: number[]; keys: string[] } | { ok: false; detail: string } {
  const questions = flattenForm(form);
  const numbers = new Set<number>();
  for (const part of list.split(/[,;]/)) {
    const [a, b] = part.split('-').map((x) => Number(x.trim())) as [number, number | undefined];
    const to = b ?? a;
    if (!(a >= 1) || !(to >= a) || to > questions.length) return { ok: false, detail: part.trim() };
    for (let n = a; n <= to; n++) numbers.add(n);
  }
  const sorted = [...numbers].sort((x, y) => x - y);
  return { ok: true, numbers: sorted, keys: sorted.map((n) => questions[n - 1]!.key) };
}

const reasonOf = (text: string): string | null => {
  const reason = text.trim();
  return reason.length < 3 ? null : reason.slice(0, 500);
};

/**
 * "3, 5-7 Số lượt xem quá lớn, đề nghị kiểm tra lại" → questions 3, 5, 6, 7 (numbered as the unit sees
 * them in /xem) and the reason. The numbers come first; everything after them is the reason.
 */
export function parseReturnRequest(form: FormDefinition, text: string): ReturnRequest {
  const m = new RegExp(String.raw`^\s*(${NUMBERS})\s*[:.\-–]?\s*([\s\S]*)$`, 'u').exec(text);
  if (!m) return { ok: false, problem: 'no_questions' };
  const list = questionList(form, m[1] ?? '');
  if (!list.ok) return { ok: false, problem: 'bad_number', detail: list.detail };
  const reason = reasonOf(m[2] ?? '');
  if (reason === null) return { ok: false, problem: 'no_reason' };
  return { ok: true, numbers: list.numbers, keys: list.keys, reason };
}

/**
 * The same request given in two parts (the command line's --questions and --reason). Without questions
 * the whole report goes back: the unit is shown its review and corrects what the reason points at.
 */
export function returnRequestOf(form: FormDefinition, questions: string | undefined, reasonText: string): ReturnRequest {
  let list: { numbers: number[]; keys: string[] } = { numbers: [], keys: [] };
  if (questions !== undefined) {
    if (!new RegExp(String.raw`^\s*${NUMBERS}\s*$`, 'u').test(questions)) return { ok: false, problem: 'bad_number', detail: questions.trim() };
    const parsed = questionList(form, questions);
    if (!parsed.ok) return { ok: false, problem: 'bad_number', detail: parsed.detail };
    list = parsed;
  }
  const reason = reasonOf(reasonText);
  if (reason === null) return { ok: false, problem: 'no_reason' };
  return { ok: true, ...list, reason };
}

/** Question numbers (1-based, in form order) of stored keys; keys the form no longer has are left out. */
export function questionNumbers(form: FormDefinition, keys: readonly string[]): number[] {
  const questions = flattenForm(form);
  return keys.map((k) => questions.findIndex((q) => q.key === k) + 1).filter((n) => n > 0);
}
