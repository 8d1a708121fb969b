import { appliesTo, flattenForm, type AnswerFlag, type AnswerMeta, type AnswerValue, type FlatQuestion, type FormDefinition } from './form';
import { formatNumber } from './format';
import { parseVietnameseNumber } from './numbers';
import { formatDateTime, parsePeriodId, periodInfo } from './periods';
import { UNIT_TYPE_LABELS, type UnitType } from './units';
import { UNIT_STATE_LABELS, unitStateOf } from './review';

/**
 * The spreadsheet layout of one period's figures, used both ways: the export the office downloads and
 * the import of figures a unit sent on paper or by email. Pure: rows of cells in, rows of cells out.
 *
 * Sheet 1 holds one row per unit and one column per number question (headers are the question labels,
 * cells are real numbers so Excel can sum them); sheet 2 the same for text questions; sheet 3 who
 * confirmed, corrected or imported what and when. The import reads any sheet that has question columns,
 * so the export can be edited and read back as it is.
 */

// ---------------------------------------------------------------------------------------------------
// Cells and tables shared by every spreadsheet the office exchanges with us

export type Cell = string | number | boolean | Date | null;

/** A non-blank row of a sheet, with its row number as Excel shows it (1-based). */
export interface SheetRow {
  row: number;
  cells: readonly Cell[];
}

export interface SheetData {
  name: string;
  rows: SheetRow[];
}

export interface TableColumn {
  header: string;
  /** 'number' cells get a thousands format; 'text' cells stay text even when they look like numbers. */
  kind: 'text' | 'number';
  width?: number;
}

/** What a writer turns into one worksheet (or one CSV file). */
export interface TableSpec {
  name: string;
  columns: TableColumn[];
  rows: Cell[][];
}

/** Lower case, no diacritics, single spaces: headers typed by hand ("Mã đơn vị", "ma don vi ") compare equal. */
export function foldText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[\s_]+/g, ' ')
    .trim();
}

/** A cell as trimmed text; '' for an empty cell. Whole numbers print without a decimal point. */
export function cellText(c: Cell | undefined): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'string') return c.trim();
  if (typeof c === 'number') return Number.isFinite(c) ? String(c) : '';
  if (typeof c === 'boolean') return c ? 'TRUE' : 'FALSE';
  return c.toISOString().slice(0, 10);
}

export const isBlank = (c: Cell | undefined): boolean => cellText(c) === '';

/** Vietnamese row reference used in every import message. */
export const rowRef = (sheet: string | null, row: number): string => (sheet ? `Trang “${sheet}”, dòng ${row}` : `Dòng ${row}`);

// ---------------------------------------------------------------------------------------------------
// The figures layout

/**
 * The period an export belongs to, kept in the workbook's keywords (Excel keeps document properties when
 * the file is edited and saved), so figures cannot be imported into another period by a slip of --period.
 */
export const periodKeywords = (periodId: string): string => `baocao-bot;ky=${periodId}`;
export function periodFromKeywords(keywords: string | undefined): string | null {
  return /(?:^|;)\s*ky=([0-9]{4}-[A-Z0-9]{1,3})\s*(?:;|$)/i.exec(keywords ?? '')?.[1]?.toUpperCase() ?? null;
}

export const SHEET_FIGURES = 'Số liệu';
export const SHEET_TEXTS = 'Nội dung';
export const SHEET_HISTORY = 'Lịch sử';

/** A question skipped on purpose (stored as null) is written as this, so the import can tell it from "not given". */
export const SKIPPED_MARK = '(bỏ qua)';
/** A question that does not apply to the unit's type: neither missing nor zero. */
export const NOT_APPLICABLE_MARK = 'Không áp dụng';
/** An explicit "nothing to report" to a text question, distinct from a skipped one. */
export const NONE_MARK = 'Không có';

export const COL_CODE = 'Mã đơn vị';
export const COL_NAME = 'Tên đơn vị';
export const COL_TYPE = 'Loại đơn vị';
export const COL_DISTRICT = 'Quận/huyện';
export const COL_STATUS = 'Trạng thái';
export const COL_CONFIRMED_AT = 'Xác nhận lúc';
export const COL_SOURCE = 'Nguồn';
/** Notes typed after figures and figures the unit confirmed when asked back: what the office should read. */
export const COL_NOTES = 'Ghi chú và số liệu cần lưu ý';

/** Descriptive columns of the export; the import ignores them (only the unit code identifies a row). */
const DESCRIPTIVE = [COL_NAME, COL_TYPE, COL_DISTRICT, COL_STATUS, COL_CONFIRMED_AT, COL_SOURCE, COL_NOTES].map(foldText);

export const isNumberQuestion = (q: Pick<FlatQuestion, 'type'>): boolean => q.type === 'count' || q.type === 'money';

/** Column header of each question: its label; a label used twice gets its key added so headers stay unique. */
export function questionHeaders(form: FormDefinition): Map<string, string> {
  const seen = new Set<string>();
  const out = new Map<string, string>();
  for (const q of flattenForm(form)) {
    const folded = foldText(q.label);
    const header = seen.has(folded) ? `${q.label} [${q.key}]` : q.label;
    seen.add(folded);
    out.set(q.key, header);
  }
  return out;
}

export interface ExportUnit {
  code: string;
  name: string;
  type: string;
  district: string | null;
}

export interface ExportSubmission {
  unitCode: string;
  status: 'draft' | 'confirmed' | 'returned';
  source: string;
  confirmedAt: Date | null;
  /** Set when the office accepted it (review). */
  acceptedAt?: Date | null;
  answers: Readonly<Record<string, AnswerValue | null>>;
  meta?: Readonly<Record<string, AnswerMeta>>;
}

export interface HistoryEvent {
  at: Date;
  unitCode: string;
  unitName: string;
  action: string;
  /** Who did it, as the office knows them ("Nguyễn Văn A (Telegram, #12)"); null when the office imported. */
  actor: string | null;
  details: unknown;
}

export interface ExportInput {
  form: FormDefinition;
  units: readonly ExportUnit[];
  submissions: readonly ExportSubmission[];
  history: readonly HistoryEvent[];
  timeZone: string;
}

/** The review states (domain/review.ts), the same words as /tiendo and the report's appendix. */
const statusLabel = (s: ExportSubmission | undefined): string =>
  UNIT_STATE_LABELS[unitStateOf(s && { status: s.status, acceptedAt: s.acceptedAt ?? null, hasAnswers: Object.keys(s.answers).length > 0 })];
const SOURCE_LABELS: Record<string, string> = {
  'office-import': 'Văn phòng nhập từ tệp',
  'chat+office-import': 'Chat; Văn phòng sửa từ tệp',
};
const sourceLabel = (s: ExportSubmission | undefined): string => (!s ? '' : (SOURCE_LABELS[s.source] ?? 'Chat'));
const typeLabel = (t: string): string => UNIT_TYPE_LABELS[t as UnitType] ?? t;

function answerCell(v: AnswerValue | null | undefined, meta?: AnswerMeta): Cell {
  if (v === undefined) return null;
  if (v === null) return meta?.none ? NONE_MARK : SKIPPED_MARK;
  return v;
}

/** A question that does not apply to the unit says so, unless a figure was given anyway. */
function cellFor(q: FlatQuestion, u: ExportUnit, s: ExportSubmission | undefined): Cell {
  const v = s?.answers[q.key];
  if (v === undefined && !appliesTo(q, u.type)) return NOT_APPLICABLE_MARK;
  return answerCell(v, s?.meta?.[q.key]);
}

/** One line per annotated answer of the unit: "Số đoàn nước ngoài đến làm việc: 2 — ghi chú: Hàn Quốc". */
function notesOf(questions: readonly FlatQuestion[], headers: Map<string, string>, s: ExportSubmission | undefined): Cell {
  if (!s?.meta) return null;
  const lines: string[] = [];
  for (const q of questions) {
    const meta = s.meta[q.key];
    if (!meta || !(meta.note || meta.flag)) continue;
    const v = s.answers[q.key];
    const shown = typeof v === 'number' ? formatNumber(v) : v === null || v === undefined ? NONE_MARK : v;
    const parts = [`${headers.get(q.key)}: ${shown}`];
    if (meta.note) parts.push(`ghi chú: ${meta.note}`);
    if (meta.flag) parts.push(flagDescription(meta.flag));
    lines.push(parts.join(' — '));
  }
  return lines.length ? lines.join('\n') : null;
}

/** What the office reads about a flagged figure. */
export function flagDescription(flag: AnswerFlag): string {
  if (flag.kind === 'rule') return `Đơn vị xác nhận đúng: ${flag.message}`;
  const title = parsePeriodId(flag.periodId) ? periodInfo(flag.periodId).shortTitle : flag.periodId;
  return `Đơn vị xác nhận đúng; kỳ trước (${title}) báo ${formatNumber(flag.previous)}`;
}

const ACTION_LABELS: Record<string, string> = {
  submission_confirmed: 'Xác nhận báo cáo',
  answer_corrected: 'Sửa sau khi xác nhận',
  office_import: 'Văn phòng nhập số liệu từ tệp',
  submission_returned: 'Văn phòng trả lại để sửa',
  submission_accepted: 'Văn phòng duyệt',
};

/** The actions sheet 3 lists: the moments a report became (or changed as) what the office counts. */
export const HISTORY_ACTIONS = Object.keys(ACTION_LABELS);

function historyWhat(e: HistoryEvent, labels: Map<string, string>): string {
  const d = (e.details ?? {}) as Record<string, unknown>;
  if (e.action === 'answer_corrected' && typeof d.key === 'string') {
    const v = d.value as AnswerValue | null | undefined;
    return `${labels.get(d.key) ?? d.key}: ${v === null || v === undefined ? SKIPPED_MARK : String(v)}`;
  }
  if (e.action === 'submission_returned' && typeof d.reason === 'string') {
    return `${Array.isArray(d.numbers) ? `Câu ${d.numbers.join(', ')}: ` : ''}${d.reason}`;
  }
  if (e.action === 'office_import' && Array.isArray(d.changes)) {
    const file = typeof d.file === 'string' ? ` (tệp ${d.file})` : '';
    const shown = (v: unknown) => (v === null || v === undefined ? SKIPPED_MARK : String(v));
    const changes = (d.changes as Array<{ key?: unknown; from?: unknown; to?: unknown }>).map(
      (c) => `${labels.get(String(c.key)) ?? String(c.key)}: ${c.from === undefined ? '(chưa có)' : shown(c.from)} → ${shown(c.to)}`,
    );
    return `${changes.join('; ')}${file}`;
  }
  if (e.action === 'office_import' && Array.isArray(d.keys)) {
    const file = typeof d.file === 'string' ? ` từ tệp ${d.file}` : '';
    return `${d.keys.length} câu trả lời${file}`;
  }
  return '';
}

/** The three sheets of the export. Units are listed in the order given; history oldest first. */
export function buildExportTables(input: ExportInput): TableSpec[] {
  const questions = flattenForm(input.form);
  const headers = questionHeaders(input.form);
  const numbers = questions.filter(isNumberQuestion);
  const texts = questions.filter((q) => !isNumberQuestion(q));
  const byUnit = new Map(input.submissions.map((s) => [s.unitCode, s]));

  const figures: TableSpec = {
    name: SHEET_FIGURES,
    columns: [
      { header: COL_CODE, kind: 'text', width: 18 },
      { header: COL_NAME, kind: 'text', width: 45 },
      { header: COL_TYPE, kind: 'text', width: 28 },
      { header: COL_DISTRICT, kind: 'text', width: 16 },
      { header: COL_STATUS, kind: 'text', width: 14 },
      { header: COL_CONFIRMED_AT, kind: 'text', width: 20 },
      { header: COL_SOURCE, kind: 'text', width: 20 },
      ...numbers.map((q) => ({ header: headers.get(q.key)!, kind: 'number' as const, width: 16 })),
    ],
    rows: input.units.map((u) => {
      const s = byUnit.get(u.code);
      return [
        u.code,
        u.name,
        typeLabel(u.type),
        u.district,
        statusLabel(s),
        s?.confirmedAt ? formatDateTime(s.confirmedAt, input.timeZone) : null,
        sourceLabel(s) || null,
        ...numbers.map((q) => cellFor(q, u, s)),
      ];
    }),
  };

  const textSheet: TableSpec = {
    name: SHEET_TEXTS,
    columns: [
      { header: COL_CODE, kind: 'text', width: 18 },
      { header: COL_NAME, kind: 'text', width: 45 },
      ...texts.map((q) => ({ header: headers.get(q.key)!, kind: 'text' as const, width: 60 })),
      { header: COL_NOTES, kind: 'text', width: 70 },
    ],
    rows: input.units.map((u) => {
      const s = byUnit.get(u.code);
      return [u.code, u.name, ...texts.map((q) => cellFor(q, u, s)), notesOf(questions, headers, s)];
    }),
  };

  const history: TableSpec = {
    name: SHEET_HISTORY,
    columns: [
      { header: 'Thời điểm', kind: 'text', width: 20 },
      { header: COL_CODE, kind: 'text', width: 18 },
      { header: COL_NAME, kind: 'text', width: 45 },
      { header: 'Việc', kind: 'text', width: 30 },
      { header: 'Người thực hiện', kind: 'text', width: 32 },
      { header: 'Nội dung', kind: 'text', width: 60 },
    ],
    rows: [...input.history]
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((e) => [
        formatDateTime(e.at, input.timeZone),
        e.unitCode,
        e.unitName,
        ACTION_LABELS[e.action] ?? e.action,
        e.actor ?? 'Văn phòng Sở',
        historyWhat(e, headers) || null,
      ]),
  };

  return [figures, textSheet, history];
}

// ---------------------------------------------------------------------------------------------------
// Reading figures back

export type ImportValues = Record<string, AnswerValue | null>;

export interface ImportProblem {
  /** "Trang “Số liệu”, dòng 7" */
  where: string;
  unitCode: string | null;
  reason: string;
  /** Sheet and row of the (first) place, to list problems in the file's order. */
  order: number;
}

/** Position of a row in a workbook, as one sortable number. */
const positionOf = (sheetIndex: number, row: number) => sheetIndex * 10_000_000 + row;

export interface ParsedFigures {
  /** Values per unit code, merged over the sheets; only units with at least one value. */
  units: Map<string, { values: ImportValues; rows: string[]; order: number }>;
  /** Units (by code) with a bad cell anywhere: none of their values may be applied. */
  rejected: ImportProblem[];
  /** Units listed without any figure (they have not sent any): skipped, not an error. */
  emptyUnits: string[];
}

export type ParseFiguresResult = { ok: true; parsed: ParsedFigures } | { ok: false; error: string };

function cellValue(q: FlatQuestion, c: Cell | undefined): { ok: true; value: AnswerValue | null | undefined } | { ok: false; reason: string } {
  if (isBlank(c)) return { ok: true, value: undefined };
  const text = cellText(c);
  if (foldText(text) === foldText(NOT_APPLICABLE_MARK)) return { ok: true, value: undefined };
  if (!isNumberQuestion(q) && !q.required && foldText(text) === foldText(NONE_MARK)) return { ok: true, value: null };
  if (foldText(text) === foldText(SKIPPED_MARK)) {
    return q.required ? { ok: false, reason: 'câu bắt buộc, không thể bỏ qua' } : { ok: true, value: null };
  }
  if (isNumberQuestion(q)) {
    let value: number;
    if (typeof c === 'number') {
      if (!Number.isInteger(c)) return { ok: false, reason: `${String(c).replace('.', ',')} không phải số nguyên` };
      value = c;
    } else {
      const parsed = parseVietnameseNumber(text, q.type === 'money' ? 'money' : 'count');
      if (!parsed.ok) return { ok: false, reason: `“${text.slice(0, 40)}” — ${parsed.message}` };
      value = parsed.value;
    }
    if (value < 0) return { ok: false, reason: 'số không được âm' };
    if (q.min !== undefined && value < q.min) return { ok: false, reason: `${formatNumber(value)} nhỏ hơn mức tối thiểu ${formatNumber(q.min)}` };
    if (q.max !== undefined && value > q.max) return { ok: false, reason: `${formatNumber(value)} vượt mức tối đa ${formatNumber(q.max)}` };
    return { ok: true, value };
  }
  if (q.min !== undefined && text.length < q.min) return { ok: false, reason: `nội dung quá ngắn (ít nhất ${q.min} ký tự)` };
  if (q.max !== undefined && text.length > q.max) return { ok: false, reason: `nội dung quá dài (${formatNumber(text.length)} ký tự, tối đa ${formatNumber(q.max)})` };
  return { ok: true, value: text };
}

/**
 * Reads the sheets of a figures file against the period's form. A sheet takes part when its header row
 * names at least one question; there every column must be the unit code, a descriptive column of the
 * export, or a question (by its header, its label or its key), so a misspelt header cannot drop figures.
 */
export function parseFigureSheets(form: FormDefinition, sheets: readonly SheetData[], knownUnitCodes: ReadonlySet<string>): ParseFiguresResult {
  const questions = flattenForm(form);
  const headers = questionHeaders(form);
  const byHeader = new Map<string, FlatQuestion>();
  for (const q of questions) {
    byHeader.set(foldText(q.key), q);
    byHeader.set(foldText(q.label), byHeader.get(foldText(q.label)) ?? q);
    byHeader.set(foldText(headers.get(q.key)!), q);
  }
  const codeHeader = foldText(COL_CODE);
  const units = new Map<string, { values: ImportValues; rows: string[]; order: number }>();
  const rejected: ImportProblem[] = [];
  const rejectedCodes = new Set<string>();
  const listed = new Set<string>();
  let used = 0;
  const multi = sheets.length > 1;

  for (const [sheetIndex, sheet] of sheets.entries()) {
    const [head, ...data] = sheet.rows;
    if (!head) continue;
    const cols = head.cells.map((c) => foldText(cellText(c)));
    const qCols = cols.map((h) => byHeader.get(h));
    if (!qCols.some(Boolean)) continue;
    const where = (row: number) => rowRef(multi ? sheet.name : null, row);
    const codeCol = cols.indexOf(codeHeader);
    if (codeCol < 0) return { ok: false, error: `${where(head.row)}: thiếu cột “${COL_CODE}”.` };
    const unknown = head.cells
      .map((c, i) => ({ text: cellText(c), i }))
      .filter(({ text, i }) => text !== '' && i !== codeCol && !qCols[i] && !DESCRIPTIVE.includes(cols[i]!));
    if (unknown.length > 0) {
      return {
        ok: false,
        error: `${where(head.row)}: cột ${unknown.map((u) => `“${u.text}”`).join(', ')} không khớp câu hỏi nào của mẫu báo cáo kỳ này.`,
      };
    }
    const dup = qCols.findIndex((q, i) => q && qCols.indexOf(q) !== i);
    if (dup >= 0) return { ok: false, error: `${where(head.row)}: câu hỏi “${qCols[dup]!.label}” có hai cột.` };
    used++;

    const seenInSheet = new Map<string, number>();
    for (const r of data) {
      const code = cellText(r.cells[codeCol]).toUpperCase();
      const hasValue = qCols.some((q, i) => q && !isBlank(r.cells[i]));
      if (code === '') {
        if (hasValue) rejected.push({ where: where(r.row), unitCode: null, reason: `thiếu ${COL_CODE.toLowerCase()}`, order: positionOf(sheetIndex, r.row) });
        continue;
      }
      const problems: string[] = [];
      if (!knownUnitCodes.has(code)) problems.push(`không có đơn vị mã “${code}” trong danh sách đơn vị`);
      const first = seenInSheet.get(code);
      if (first !== undefined) problems.push(`đơn vị ${code} đã có ở dòng ${first}`);
      else seenInSheet.set(code, r.row);
      const values: ImportValues = {};
      qCols.forEach((q, i) => {
        if (!q) return;
        const v = cellValue(q, r.cells[i]);
        if (!v.ok) problems.push(`cột “${headers.get(q.key)}”: ${v.reason}`);
        else if (v.value !== undefined) values[q.key] = v.value;
      });
      if (problems.length > 0) {
        rejected.push({ where: where(r.row), unitCode: code, reason: problems.join('; '), order: positionOf(sheetIndex, r.row) });
        rejectedCodes.add(code);
        continue;
      }
      listed.add(code);
      if (Object.keys(values).length === 0) continue;
      const entry = units.get(code) ?? { values: {}, rows: [], order: positionOf(sheetIndex, r.row) };
      Object.assign(entry.values, values);
      entry.rows.push(where(r.row));
      units.set(code, entry);
    }
  }
  if (used === 0) {
    return { ok: false, error: `Không có trang nào có cột “${COL_CODE}” và các cột câu hỏi của mẫu báo cáo (tiêu đề cột là nội dung câu hỏi, như tệp xuất ra).` };
  }
  for (const code of rejectedCodes) units.delete(code);
  const emptyUnits = [...listed].filter((c) => !units.has(c) && !rejectedCodes.has(c));
  return { ok: true, parsed: { units, rejected, emptyUnits } };
}

export type UnitImportPlan =
  | { kind: 'unchanged' }
  | { kind: 'rejected'; reason: string }
  | { kind: 'apply'; isNew: boolean; changes: ImportValues };

/**
 * What importing one unit's values does to its submission: only changed answers are written, a
 * submission with the same values is left alone (a confirmed one, or a draft the unit is still filling
 * in), and the result must answer every required question (it is recorded as confirmed).
 */
export function planUnitImport(
  form: FormDefinition,
  values: ImportValues,
  existing: { status: 'draft' | 'confirmed' | 'returned'; answers: Readonly<Record<string, AnswerValue | null>> } | null,
): UnitImportPlan {
  const current = existing?.answers ?? {};
  const changes: ImportValues = {};
  for (const [key, v] of Object.entries(values)) if (current[key] !== v) changes[key] = v;
  const merged = { ...current, ...changes };
  const missing = flattenForm(form).filter((q) => q.required && (merged[q.key] === undefined || merged[q.key] === null));
  const unchanged = Object.keys(changes).length === 0 && existing !== null;
  // A draft read back as it stands (an export re-imported as it is) is the unit's business, not an error.
  if (unchanged && (existing.status === 'confirmed' || missing.length > 0)) return { kind: 'unchanged' };
  if (missing.length > 0) {
    const list = missing.slice(0, 5).map((q) => `“${q.label}”`).join(', ');
    return { kind: 'rejected', reason: `thiếu ${missing.length} câu bắt buộc: ${list}${missing.length > 5 ? ', …' : ''}` };
  }
  return { kind: 'apply', isNew: existing === null, changes };
}
