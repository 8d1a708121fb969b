import { buildFormPage, fieldView, NOTHING_INPUT, type FieldView, type FormPageView } from '../../domain/form-page';
import type { Reply } from '../../domain/replies';
import { formatValue } from '../../templates/messages';
import { pageTexts, statusClass, statusLine } from '../../templates/form-page';
import type { AppDeps } from '../types';
import { applyPageAnswer, confirmFromPage, loadPageData, type PageData, type PageScope } from './engine';

/**
 * The form page's three operations (show, save one field, confirm) for an authorised scope. Each runs
 * inside the caller's transaction (`deps.db` is the transaction); what the browser sent is only ever the
 * text typed, never a value.
 */

export interface Summary {
  status: string;
  statusClass: string;
  confirmed: boolean;
  missingRequired: number[];
}

function view(scope: PageScope, data: PageData): FormPageView {
  return buildFormPage({
    formTitle: data.form.title,
    unitName: scope.unit.name,
    period: { id: scope.period.id, title: scope.period.title, deadline: scope.period.deadline, open: scope.open },
    submission: data.submission,
    questions: data.questions,
    answers: data.answers,
    meta: data.meta,
    answerIds: data.answerIds,
    previous: data.previous,
  });
}

const summaryOf = (v: FormPageView, tz: string): Summary => ({
  status: statusLine(v, tz),
  statusClass: statusClass(v),
  confirmed: v.submission.status === 'confirmed',
  missingRequired: v.missingRequired,
});

export function showPage(deps: AppDeps, scope: PageScope, now: Date): FormPageView {
  return view(scope, loadPageData(deps, scope, now));
}

export type SaveResult =
  | { outcome: 'saved' | 'unchanged' | 'conflict'; message: string; field: FieldView; summary: Summary }
  | { outcome: 'ambiguous'; message: string; candidates: number[]; field: FieldView }
  | { outcome: 'unlikely'; message: string; field: FieldView }
  | { outcome: 'invalid' | 'closed' | 'unknown'; message: string };

/**
 * `seen` is the newest answer the page showed for this question (null: none). When a newer one was given
 * meanwhile (in the chat, or on another open page), nothing is stored: the page is brought up to date and
 * the person decides again, so an answer is never overwritten by an older screen.
 */
export function saveField(deps: AppDeps, scope: PageScope, key: string, text: string, seen: number | null, confirmUnlikely: boolean, now: Date): SaveResult {
  const tz = deps.config.timeZone;
  const before = loadPageData(deps, scope, now);
  const q = before.questions.find((x) => x.key === key);
  if (!q) return { outcome: 'unknown', message: pageTexts.unknownQuestion() };
  const summary = (d: PageData) => summaryOf(view(scope, d), tz);
  if (scope.open) {
    const current = before.answerIds[key] ?? null;
    if (current !== seen) {
      const v = before.answers[key];
      const shown = v === undefined ? 'chưa có câu trả lời' : before.meta[key]?.none ? NOTHING_INPUT : v === null ? 'bỏ qua' : formatValue(q, v);
      return { outcome: 'conflict', message: pageTexts.conflict(q.number, shown), field: fieldView(q, before), summary: summary(before) };
    }
    if (text.trim() === '') {
      const message = before.answers[key] === undefined ? '' : pageTexts.emptyKept(q.number);
      return { outcome: 'unchanged', message, field: fieldView(q, before), summary: summary(before) };
    }
  }
  const outcome = applyPageAnswer(deps, scope, q, text, confirmUnlikely, now);
  switch (outcome.kind) {
    case 'invalid':
    case 'closed':
      return { outcome: outcome.kind, message: outcome.message };
    case 'ambiguous':
      return { outcome: 'ambiguous', message: outcome.message, candidates: outcome.candidates, field: fieldView(q, before) };
    case 'unlikely':
      return { outcome: 'unlikely', message: outcome.message, field: fieldView(q, before) };
    default: {
      const after = loadPageData(deps, scope, now);
      return { outcome: outcome.kind, message: outcome.message, field: fieldView(q, after), summary: summary(after) };
    }
  }
}

export type ConfirmResult =
  | { confirmed: true; message: string; replies: Reply[]; summary: Summary }
  | { confirmed: false; message: string; summary: Summary };

export function confirmPage(deps: AppDeps, scope: PageScope, now: Date): ConfirmResult {
  const outcome = confirmFromPage(deps, scope, now);
  const summary = summaryOf(showPage(deps, scope, now), deps.config.timeZone);
  if (outcome.kind === 'refused') return { confirmed: false, message: outcome.message, summary };
  return { confirmed: true, message: outcome.replies.map((r) => r.text).join('\n\n'), replies: outcome.replies, summary };
}
