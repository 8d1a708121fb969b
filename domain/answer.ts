import { appliesTo, flattenForm, type AnswerFlag, type AnswerValue, type FlatQuestion, type FormDefinition } from './form';
import { foldText } from './export-layout';
import { parseVietnameseNumber, spelledToDigits } from './numbers';

/**
 * One answer to one question, checked the same way wherever it is typed (the chat engine, the web form).
 *
 * This file decides; it does not word. A refusal is data (`problem`); handlers/answer.ts puts it into
 * words and is what callers use. Stable API there (other channels build on it; keep the signatures):
 *
 *   validateAnswer(key, text, ctx, opts?) → AnswerCheck
 *     key   the question key; text what the contact typed ("1.593", "mười hai", "2 đoàn (Hàn Quốc)",
 *           "=", "không có"); ctx an AnswerContext (the form, the unit's type, its current answers and the
 *           figures of its latest comparable confirmed report); opts.confirmUnlikely: the contact has
 *           already said "Đúng" to a question back, so an unlikely figure is accepted with its flag.
 *     ok:   { value, note, none, flag, raw } — store exactly these (handlers/flow.ts applyAnswer does).
 *     not:  { reason, problem, message (Vietnamese, ready to show), candidates? (readings to pick from), flag? }
 *           reason 'unlikely' means: ask "Đúng không?" and call again with confirmUnlikely.
 *
 * Pure: no I/O, no clock.
 */

/** A figure of an earlier confirmed report, for "Kỳ trước: 1.593" and the plausibility check. */
export interface PastReport {
  periodId: string;
  /** "quý I/2026". */
  title: string;
  answers: Readonly<Record<string, AnswerValue | null>>;
}

/**
 * The unit's latest confirmed reports before this one: `sameKind` is the comparable one (a quarter: the
 * latest earlier quarter; the half-year: the latest earlier half-year, i.e. the same period last year;
 * the year: last year), `latest` the newest of any kind, used for the slowly changing unit profile only.
 */
export interface PastReports {
  sameKind: PastReport | null;
  latest: PastReport | null;
}

export interface AnswerContext {
  form: FormDefinition;
  /** The unit's type; undefined/null = every question applies. */
  unitType?: string | null;
  answers: Readonly<Record<string, AnswerValue | null>>;
  previous?: PastReports | null;
}

/** Why an answer was refused, with what the wording needs; handlers/answer.ts says it in Vietnamese. */
export type AnswerProblem =
  | { kind: 'unknown_question' }
  | { kind: 'not_applicable' }
  | { kind: 'empty' }
  | { kind: 'no_previous' }
  /** A text with neither letters nor digits (emoji only). */
  | { kind: 'no_words' }
  | { kind: 'too_long'; length: number; max: number }
  | { kind: 'too_short'; min: number }
  /** The number parser's own explanation (domain/numbers.ts words it, since it knows what it read). */
  | { kind: 'number'; explanation: string }
  /** "2,500" in a money question: 2.500 đồng or 2,5 triệu? */
  | { kind: 'money_comma'; raw: string }
  | { kind: 'unlikely'; value: number; flag: AnswerFlag };

export type AnswerVerdict =
  | { ok: true; key: string; value: AnswerValue | null; note: string | null; none: boolean; flag: AnswerFlag | null; raw: string }
  | {
      ok: false;
      key: string;
      reason: 'unknown_question' | 'not_applicable' | 'empty' | 'invalid' | 'ambiguous' | 'unlikely' | 'no_previous';
      problem: AnswerProblem;
      /** For 'ambiguous': the readings to choose from. For 'unlikely': the figure read. */
      candidates?: number[];
      note?: string | null;
      flag?: AnswerFlag;
    };

export interface ValidateOptions {
  confirmUnlikely?: boolean;
}

/** What a question's previous figure is: the profile from the newest report, everything else from the comparable one. */
export function previousValue(q: Pick<FlatQuestion, 'key' | 'stable'>, previous: PastReports | null | undefined): { value: AnswerValue; report: PastReport } | null {
  if (!previous) return null;
  const order = q.stable ? [previous.latest, previous.sameKind] : [previous.sameKind];
  for (const report of order) {
    const v = report?.answers[q.key];
    if (report && v !== undefined && v !== null) return { value: v, report };
  }
  return null;
}

/** One answer to the question `key`, judged: stored as is, or refused with the reason as data. */
export function judgeAnswer(key: string, text: string, ctx: AnswerContext, opts: ValidateOptions = {}): AnswerVerdict {
  const q = flattenForm(ctx.form).find((x) => x.key === key);
  if (!q) return { ok: false, key, reason: 'unknown_question', problem: { kind: 'unknown_question' } };
  if (!appliesTo(q, ctx.unitType)) return { ok: false, key, reason: 'not_applicable', problem: { kind: 'not_applicable' } };
  return judge(q, text, ctx, opts);
}

/** judgeAnswer for a question already looked up (the engine's path). */
export function judge(q: FlatQuestion, text: string, ctx: AnswerContext, opts: ValidateOptions = {}): AnswerVerdict {
  const raw = text;
  const clean = stripControls(text).trim();
  const base = { key: q.key };
  if (clean === '') return { ...base, ok: false, reason: 'empty', problem: { kind: 'empty' } };
  if (clean === '=') {
    const prev = previousValue(q, ctx.previous);
    if (!prev || q.type === 'text') return { ...base, ok: false, reason: 'no_previous', problem: { kind: 'no_previous' } };
    return accept(q, prev.value, null, false, raw, ctx, opts);
  }
  if (q.type === 'text') {
    // "không có" is an answer of its own, except where the form asks for a real text of some length.
    if (saysNothing(clean) && !(q.required && q.min)) return { ...base, ok: true, value: null, note: null, none: true, flag: null, raw };
    if (!/[\p{L}\p{N}]/u.test(clean)) return { ...base, ok: false, reason: 'invalid', problem: { kind: 'no_words' } };
    const max = q.max ?? 2000;
    if (clean.length > max) return { ...base, ok: false, reason: 'invalid', problem: { kind: 'too_long', length: clean.length, max } };
    if (q.min !== undefined && clean.length < q.min) return { ...base, ok: false, reason: 'invalid', problem: { kind: 'too_short', min: q.min } };
    return { ...base, ok: true, value: clean, note: null, none: false, flag: null, raw };
  }

  const none = saysNothing(clean);
  const split = none ? { head: clean, note: null } : splitNote(clean, q);
  const bounds = { min: q.min, max: q.max };
  let parsed = parseVietnameseNumber(split.head, q.type, bounds);
  let note = split.note;
  if (!parsed.ok && split.note !== null) {
    // The split guessed wrong: the whole answer explains itself better ("2 hoặc 3" → which one?).
    parsed = parseVietnameseNumber(clean, q.type, bounds);
    note = null;
  }
  if (!parsed.ok) {
    if (parsed.reason === 'ambiguous' && parsed.candidates) {
      const candidates = parsed.candidates.filter((c) => (q.min === undefined || c >= q.min) && (q.max === undefined || c <= q.max)).slice(0, 9);
      // Even one reading left in bounds is asked back: "500 hoặc 5000" may be a typo of either.
      if (candidates.length > 0) return { ...base, ok: false, reason: 'ambiguous', problem: { kind: 'number', explanation: parsed.message }, candidates, note };
    }
    return { ...base, ok: false, reason: 'invalid', problem: { kind: 'number', explanation: parsed.message } };
  }
  // "2,500" for money: 2.500 đồng, or 2,5 triệu written without its unit? Asking costs one tap; a 1000× error in money costs more.
  if (q.type === 'money' && /^\d{1,3},\d{3}(?:\s*(?:đ|đồng|d|dong|vnd))?$/iu.test(split.head.trim()) && !opts.confirmUnlikely) {
    const alt = parsed.value * 1000;
    if (q.max === undefined || alt <= q.max) {
      return { ...base, ok: false, reason: 'ambiguous', problem: { kind: 'money_comma', raw: split.head.trim() }, candidates: [parsed.value, alt], note };
    }
  }
  return accept(q, parsed.value, note, none, raw, ctx, opts);
}

function accept(q: FlatQuestion, value: AnswerValue, note: string | null, none: boolean, raw: string, ctx: AnswerContext, opts: ValidateOptions): AnswerVerdict {
  if (typeof value === 'number') {
    const flag = unlikely(q, value, ctx);
    if (flag && !opts.confirmUnlikely) {
      return { ok: false, key: q.key, reason: 'unlikely', problem: { kind: 'unlikely', value, flag }, candidates: [value], note, flag };
    }
    return { ok: true, key: q.key, value, note, none, flag, raw };
  }
  return { ok: true, key: q.key, value, note, none, flag: null, raw };
}

/**
 * Why a figure deserves a question back, if it does: at least `factor` times or at most 1/`factor` of
 * last comparable period's figure and off by at least the minimum difference, or a rule of the form
 * broken by this figure together with the unit's other answers. Forms without `plausibility` (written
 * before the check existed) ask nothing back about changes.
 */
export function unlikely(q: FlatQuestion, value: number, ctx: AnswerContext): AnswerFlag | null {
  const { form } = ctx;
  if (form.plausibility) {
    const prev = previousValue(q, ctx.previous);
    if (prev && typeof prev.value === 'number') {
      const before = prev.value;
      const minDiff = q.minDifference ?? form.plausibility.minDifference;
      const factor = form.plausibility.factor;
      const far = value >= before * factor || value * factor <= before;
      if (far && Math.abs(value - before) >= Math.max(minDiff, 1)) return { kind: 'change', previous: before, periodId: prev.report.periodId };
    }
  }
  // The unit's answers with this figure in place of the question's current one (read, not copied: the
  // engine judges every figure typed against every rule).
  const num = (k: string) => (k === q.key ? value : ctx.answers[k]);
  for (const rule of form.rules ?? []) {
    if (rule.key !== q.key && !rule.needs.includes(q.key)) continue;
    const main = num(rule.key);
    const needs = rule.needs.map(num);
    if (typeof main === 'number' && main > 0 && needs.every((v) => v === 0)) return { kind: 'rule', message: rule.message };
  }
  return null;
}

const stripControls = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');

/** What people write when there is nothing to report: "không có", "chưa có ạ", "0", "-". */
export function saysNothing(text: string): boolean {
  const s = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\s.!…]+$/u, '')
    .replace(/\s+ạ$/u, '')
    .trim();
  return /^(?:(?:không|khong|ko|k|hông)(?: (?:có|co))?(?: (?:gì|gi))?|(?:chưa|chua) (?:có|co)(?: (?:gì|gi))?|-+|x)$/u.test(s);
}

/** Words that change a figure's meaning when they follow it: they are never taken for a note. */
const MEANING_WORDS = new Set(['hoac', 'hay', 'den', 'toi', 'tro', 'hon', 'le', 'nhieu', 'may', 'xi', 'ruoi', 'trieu', 'nghin', 'ngan', 'ty', 'ti', 'tram', 'chuc', 'k', 'tr']);
const CURRENCY = new Set(['d', 'dong', 'vnd']);

/** A question's unit as folded words ("lượt người" → lượt, nguoi), worked out once per unit text. */
const unitWordSets = new Map<string, ReadonlySet<string>>();
function unitWordsOf(unit: string | undefined): ReadonlySet<string> {
  const key = unit ?? '';
  let words = unitWordSets.get(key);
  if (!words) unitWordSets.set(key, (words = new Set(foldText(key).split(/[^a-z0-9]+/).filter(Boolean))));
  return words;
}

/**
 * "2 đoàn (Hàn Quốc và Nhật Bản)" → head "2 đoàn", note "Hàn Quốc và Nhật Bản". The head is the number
 * with its multipliers and the question's unit words; the note is what follows, when it is more than
 * the unit. Letters glued to the digits ("3BAUNFPB") are never split off: that is a code, not a figure.
 */
export function splitNote(text: string, q: Pick<FlatQuestion, 'unit'>): { head: string; note: string | null } {
  const spelled = spelledToDigits(text);
  const m = /^\s*-?\s*\d[\d.,]*(?:\s+\d{3}(?![\d]))*(?:\s*(?:k|tr|triệu|trieu|nghìn|nghin|ngàn|ngan|tỷ|tỉ|ty|ti|trăm|tram|chục|chuc)(?![\p{L}])\s*\d{0,3}(?![\d.,]))*/iu.exec(spelled);
  if (!m) return { head: text, note: null };
  const head = m[0];
  let rest = spelled.slice(head.length);
  if (/^[\p{L}]/u.test(rest) && /\d$/.test(head)) return { head: text, note: null };
  // Drop the unit words and currency that merely repeat what the question asked.
  let kept = '';
  for (;;) {
    const w = /^[\s,.:;]*([\p{L}]+)/u.exec(rest);
    if (!w) break;
    const folded = foldText(w[1]!);
    if (MEANING_WORDS.has(folded)) return { head: text, note: null };
    if (!unitWordsOf(q.unit).has(folded) && !CURRENCY.has(folded)) break;
    kept += w[0];
    rest = rest.slice(w[0].length);
  }
  const note = rest.replace(/^[\s,.:;–—-]+/u, '').replace(/^\((.*)\)[\s.]*$/su, '$1').trim();
  if (!/[\p{L}\p{N}]/u.test(note)) return { head: text, note: null };
  return { head: (head + kept).trim(), note: note.slice(0, 300) };
}
