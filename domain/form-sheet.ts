import type { z } from 'zod';
import { FormDefinitionSchema, QUESTION_TYPES, type FormDefinition } from './form';
import { cellText, foldText, rowRef, type Cell, type SheetData, type SheetRow, type TableSpec } from './export-layout';

/**
 * The form as a spreadsheet, in the spirit of XLSForm: a "survey" sheet with one row per section
 * (type = section) followed by its questions, and a "settings" sheet with the form title. Pure.
 * Reading validates with the same FormDefinitionSchema the bot uses, and every problem names its row.
 */

export const SURVEY_SHEET = 'survey';
export const SETTINGS_SHEET = 'settings';
export const SECTION_TYPE = 'section';
export const RULES_SHEET = 'rules';
/**
 * `relevant`: the unit types a section or question applies to, as codes separated by commas (empty =
 * every unit); `stable`: yes for the slowly changing unit profile; `min_difference`: the smallest change
 * from last period worth a question back.
 */
export const FORM_COLUMNS = ['section', 'key', 'label', 'type', 'unit', 'required', 'min', 'max', 'help', 'relevant', 'stable', 'min_difference'] as const;
type Column = (typeof FORM_COLUMNS)[number];
const TITLE_COLUMN = 'form_title';
/** Settings of the plausibility check; a form without them asks nothing back about changes. */
const FACTOR_COLUMN = 'plausibility_factor';
const MIN_DIFF_COLUMN = 'min_difference';
const RULE_COLUMNS = ['key', 'needs', 'message'] as const;

const WIDTHS: Record<Column, number> = { section: 14, key: 28, label: 60, type: 10, unit: 18, required: 10, min: 10, max: 16, help: 40, relevant: 24, stable: 8, min_difference: 14 };
const NUMBER_COLUMNS: readonly Column[] = ['min', 'max', 'min_difference'];

export function formToTables(form: FormDefinition): TableSpec[] {
  const rows: Cell[][] = [];
  for (const s of form.sections) {
    rows.push([s.key, null, s.title, SECTION_TYPE, null, null, null, null, null, s.relevant?.join(', ') ?? null, null, null]);
    for (const q of s.questions) {
      rows.push([
        s.key,
        q.key,
        q.label,
        q.type,
        q.unit ?? null,
        q.required ? 'yes' : 'no',
        q.min ?? null,
        q.max ?? null,
        q.help ?? null,
        q.relevant?.join(', ') ?? null,
        q.stable ? 'yes' : null,
        q.minDifference ?? null,
      ]);
    }
  }
  const settingsColumns: TableSpec['columns'] = [{ header: TITLE_COLUMN, kind: 'text', width: 60 }];
  const settingsRow: Cell[] = [form.title];
  if (form.plausibility) {
    settingsColumns.push({ header: FACTOR_COLUMN, kind: 'number' as const, width: 20 }, { header: MIN_DIFF_COLUMN, kind: 'number' as const, width: 16 });
    settingsRow.push(form.plausibility.factor, form.plausibility.minDifference);
  }
  const tables: TableSpec[] = [
    {
      name: SURVEY_SHEET,
      columns: FORM_COLUMNS.map((c) => ({ header: c, kind: NUMBER_COLUMNS.includes(c) ? ('number' as const) : ('text' as const), width: WIDTHS[c] })),
      rows,
    },
    { name: SETTINGS_SHEET, columns: settingsColumns, rows: [settingsRow] },
  ];
  if (form.rules && form.rules.length > 0) {
    tables.push({
      name: RULES_SHEET,
      columns: RULE_COLUMNS.map((c) => ({ header: c, kind: 'text' as const, width: c === 'message' ? 70 : 28 })),
      rows: form.rules.map((r) => [r.key, r.needs.join(', '), r.message]),
    });
  }
  return tables;
}

const list = (s: string): string[] =>
  s
    .split(/[,;\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

export type FormSheetResult = { ok: true; form: FormDefinition } | { ok: false; errors: string[] };

/** Types as people write them in Vietnamese; the file the bot writes uses the codes. */
const TYPE_ALIASES: Record<string, string> = { so: 'count', 'so luong': 'count', 'so nguyen': 'count', tien: 'money', 'so tien': 'money', chu: 'text', 'van ban': 'text', 'noi dung': 'text' };
const questionType = (raw: string): string => {
  const folded = foldText(raw);
  return TYPE_ALIASES[folded] ?? folded;
};

const YES = new Set(['yes', 'y', 'true', '1', 'co', 'x', 'bat buoc']);
const NO = new Set(['no', 'n', 'false', '0', 'khong', '']);

/** Where each part of the candidate form came from, to turn a schema path back into a row. */
interface Origins {
  /** The survey sheet's name as the messages show it; null when the file has one sheet (a CSV). */
  sheet: string | null;
  section: number[];
  question: number[][];
  titleRow: string;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'array') return 'phần này chưa có câu hỏi nào';
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'không được để trống' : `cần ít nhất ${issue.minimum} ký tự`;
      return issue.inclusive === false ? `phải lớn hơn ${issue.minimum}` : `phải lớn hơn hoặc bằng ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `quá dài (tối đa ${issue.maximum} ký tự)`;
      return issue.inclusive === false ? `phải nhỏ hơn ${issue.maximum}` : `phải nhỏ hơn hoặc bằng ${issue.maximum}`;
    case 'invalid_format':
      // Keys and section keys are the only patterns of the form schema.
      return 'chỉ gồm chữ thường không dấu, số và dấu gạch dưới, bắt đầu bằng chữ, tối đa 48 ký tự (ví dụ: portal_news)';
    case 'invalid_type':
      return issue.expected === 'int' || issue.expected === 'number' ? 'phải là số nguyên' : 'sai kiểu dữ liệu';
    case 'invalid_value':
      return 'giá trị không hợp lệ';
    default:
      return issue.message;
  }
}

function locate(path: readonly PropertyKey[], o: Origins): string {
  const [top, si, sub, qi, field] = path;
  if (top === 'title') return `${o.titleRow} (cột ${TITLE_COLUMN})`;
  if (top === 'rules') return `Trang ${RULES_SHEET}, quy tắc thứ ${typeof si === 'number' ? si + 1 : '?'}`;
  if (top === 'plausibility') return `Trang ${SETTINGS_SHEET}`;
  if (top !== 'sections' || typeof si !== 'number') return 'Tệp';
  if (sub === 'questions' && typeof qi === 'number') {
    const row = o.question[si]?.[qi];
    const col = typeof field === 'string' ? ` (cột ${field})` : '';
    return `${rowRef(o.sheet, row ?? 0)}${col}`;
  }
  const col = sub === 'title' ? ' (cột label)' : sub === 'key' ? ' (cột section)' : '';
  return `${rowRef(o.sheet, o.section[si] ?? 0)}${col}`;
}

/**
 * Reads a form from its sheets: the survey sheet (named "survey", else the first sheet) and, when
 * present, the settings sheet for the title; without one the title stays `fallbackTitle`.
 */
export function formFromSheets(sheets: readonly SheetData[], fallbackTitle: string): FormSheetResult {
  const survey = sheets.find((s) => foldText(s.name) === SURVEY_SHEET) ?? sheets[0];
  const settings = sheets.find((s) => foldText(s.name) === SETTINGS_SHEET);
  if (!survey || survey.rows.length === 0) return { ok: false, errors: [`Tệp không có dữ liệu (trang ${SURVEY_SHEET} trống).`] };
  const sheet = sheets.length > 1 ? survey.name : null;

  const [head, ...data] = survey.rows as [SheetRow, ...SheetRow[]];
  const col = new Map<Column, number>();
  head.cells.forEach((c, i) => {
    const h = foldText(cellText(c)).replace(/ /g, '_') as Column;
    if ((FORM_COLUMNS as readonly string[]).includes(h) && !col.has(h)) col.set(h, i);
  });
  const missing = (['section', 'key', 'label', 'type'] as const).filter((c) => !col.has(c));
  if (missing.length > 0) {
    return { ok: false, errors: [`${rowRef(sheet, head.row)}: thiếu cột ${missing.join(', ')} (các cột: ${FORM_COLUMNS.join(', ')}).`] };
  }
  if (data.length === 0) return { ok: false, errors: ['Tệp chỉ có dòng tiêu đề, chưa có phần và câu hỏi nào.'] };

  const errors: string[] = [];
  const text = (r: SheetRow, c: Column) => {
    const i = col.get(c);
    return i === undefined ? '' : cellText(r.cells[i]).normalize('NFC');
  };
  const whole = (r: SheetRow, c: Column): number | undefined | null => {
    const i = col.get(c);
    const cell = i === undefined ? null : r.cells[i];
    const t = cellText(cell);
    if (t === '') return undefined;
    const n = typeof cell === 'number' ? cell : /^\d+$/.test(t.replace(/[.\s]/g, '')) ? Number(t.replace(/[.\s]/g, '')) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) {
      errors.push(`${rowRef(sheet, r.row)} (cột ${c}): “${t}” không phải số nguyên không âm.`);
      return null;
    }
    return n;
  };

  const sections: { key: string; title: string; relevant?: string[]; questions: Record<string, unknown>[] }[] = [];
  const origins: Origins = { sheet, section: [], question: [], titleRow: rowRef(SETTINGS_SHEET, 2) };
  const keyRows = new Map<string, number>();
  for (const r of data) {
    const type = questionType(text(r, 'type'));
    const sectionKey = text(r, 'section');
    if (type === SECTION_TYPE) {
      const dup = sections.findIndex((s) => s.key === sectionKey);
      if (dup >= 0) {
        errors.push(`${rowRef(sheet, r.row)}: phần “${sectionKey}” đã khai báo ở dòng ${origins.section[dup]}.`);
        continue;
      }
      const relevant = list(text(r, 'relevant'));
      sections.push({ key: sectionKey, title: text(r, 'label'), questions: [], ...(relevant.length ? { relevant } : {}) });
      origins.section.push(r.row);
      origins.question.push([]);
      continue;
    }
    if (!(QUESTION_TYPES as readonly string[]).includes(type)) {
      errors.push(
        `${rowRef(sheet, r.row)} (cột type): loại “${text(r, 'type')}” không hợp lệ; dùng ${SECTION_TYPE} (mở một phần) hoặc ${QUESTION_TYPES.join(', ')}.`,
      );
      continue;
    }
    const si = sectionKey === '' ? sections.length - 1 : sections.findIndex((s) => s.key === sectionKey);
    if (si < 0) {
      errors.push(
        sectionKey === ''
          ? `${rowRef(sheet, r.row)}: câu hỏi nằm trước mọi phần; thêm phía trên một dòng có type = ${SECTION_TYPE}.`
          : `${rowRef(sheet, r.row)} (cột section): phần “${sectionKey}” chưa được khai báo (cần một dòng type = ${SECTION_TYPE} phía trên).`,
      );
      continue;
    }
    const key = text(r, 'key');
    const first = keyRows.get(key);
    if (key !== '' && first !== undefined) {
      errors.push(`${rowRef(sheet, r.row)} (cột key): mã câu hỏi “${key}” trùng với dòng ${first}.`);
      continue;
    }
    keyRows.set(key, r.row);
    const requiredText = foldText(text(r, 'required'));
    const required = YES.has(requiredText) ? true : NO.has(requiredText) ? false : null;
    if (required === null) errors.push(`${rowRef(sheet, r.row)} (cột required): “${text(r, 'required')}” không hợp lệ; ghi yes hoặc no.`);
    const q: Record<string, unknown> = { key, label: text(r, 'label'), type, required: required ?? false };
    const unit = text(r, 'unit');
    if (unit !== '') q.unit = unit;
    const min = whole(r, 'min');
    const max = whole(r, 'max');
    if (min !== undefined && min !== null) q.min = min;
    if (max !== undefined && max !== null) q.max = max;
    const help = text(r, 'help');
    if (help !== '') q.help = help;
    const relevant = list(text(r, 'relevant'));
    if (relevant.length > 0) q.relevant = relevant;
    const stableText = foldText(text(r, 'stable'));
    if (stableText !== '') {
      if (YES.has(stableText)) q.stable = true;
      else if (!NO.has(stableText)) errors.push(`${rowRef(sheet, r.row)} (cột stable): “${text(r, 'stable')}” không hợp lệ; ghi yes hoặc để trống.`);
    }
    const minDiff = whole(r, 'min_difference');
    if (minDiff !== undefined && minDiff !== null) q.minDifference = minDiff;
    sections[si]!.questions.push(q);
    origins.question[si]!.push(r.row);
  }

  let title = fallbackTitle;
  let plausibility: { factor: number; minDifference: number } | undefined;
  if (settings) {
    const [sHead, sValue] = settings.rows;
    const at = (name: string) => (sHead ? sHead.cells.findIndex((c) => foldText(cellText(c)) === name.replace(/_/g, ' ')) : -1);
    const ti = at(TITLE_COLUMN);
    if (ti >= 0 && sValue) {
      title = cellText(sValue.cells[ti]).normalize('NFC');
      origins.titleRow = rowRef(SETTINGS_SHEET, sValue.row);
    }
    const fi = at(FACTOR_COLUMN);
    const mi = at(MIN_DIFF_COLUMN);
    if (fi >= 0 && sValue && cellText(sValue.cells[fi]) !== '') {
      const factor = Number(cellText(sValue.cells[fi]).replace(',', '.'));
      const minDifference = mi >= 0 ? Number(cellText(sValue.cells[mi]).replace(/[.\s]/g, '') || '0') : 0;
      if (!Number.isFinite(factor) || !Number.isSafeInteger(minDifference)) errors.push(`${rowRef(SETTINGS_SHEET, sValue.row)}: ${FACTOR_COLUMN} và ${MIN_DIFF_COLUMN} phải là số.`);
      else plausibility = { factor, minDifference };
    }
  }
  const rulesSheet = sheets.find((s) => foldText(s.name) === RULES_SHEET);
  const rules: { key: string; needs: string[]; message: string }[] = [];
  if (rulesSheet && rulesSheet.rows.length > 1) {
    const [rHead, ...rRows] = rulesSheet.rows as [SheetRow, ...SheetRow[]];
    const idx = (name: string) => rHead.cells.findIndex((c) => foldText(cellText(c)) === name);
    const [ki, ni, mi] = RULE_COLUMNS.map(idx) as [number, number, number];
    if (ki < 0 || ni < 0 || mi < 0) errors.push(`${rowRef(RULES_SHEET, rHead.row)}: cần các cột ${RULE_COLUMNS.join(', ')}.`);
    else
      for (const r of rRows) {
        const key = cellText(r.cells[ki]).trim();
        if (key === '') continue;
        rules.push({ key, needs: list(cellText(r.cells[ni])), message: cellText(r.cells[mi]).normalize('NFC') });
      }
  }
  // The schema is checked even when rows were refused, so the office gets every mistake in one pass
  // instead of one batch per attempt.
  const parsed = FormDefinitionSchema.safeParse({ title, sections, ...(plausibility ? { plausibility } : {}), ...(rules.length ? { rules } : {}) });
  if (parsed.success && errors.length === 0) return { ok: true, form: parsed.data };
  const schemaErrors = parsed.success ? [] : parsed.error.issues.map((i) => `${locate(i.path, origins)}: ${describeIssue(i)}.`);
  return { ok: false, errors: [...errors, ...schemaErrors.filter((e) => !errors.includes(e))] };
}
