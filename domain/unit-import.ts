import { z } from 'zod';
import { cellText, foldText, rowRef, type SheetRow } from './export-layout';
import { formatNumber } from './format';
import { UNIT_TYPES, UNIT_TYPE_LABELS, type UnitType } from './units';

/**
 * Validation of a unit list (.xlsx or .csv) before anything is written. Pure: rows in, the units to
 * upsert and the rejected rows (with their row numbers and a Vietnamese reason) out. A problem with
 * the file as a whole (no header, missing columns, no data) is an error and nothing is imported.
 */

/** A province has at most a couple of thousand units; a much longer file is a wrong file. */
export const UNIT_IMPORT_MAX_ROWS = 10_000;

type Field = 'code' | 'name' | 'type' | 'district';

/** Accepted headers per field, compared after foldText (case, diacritics and spaces do not matter). */
const HEADER_ALIASES: Record<Field, string[]> = {
  code: ['code', 'unit code', 'ma', 'ma don vi', 'ma dv'],
  name: ['name', 'unit name', 'ten', 'ten don vi', 'ten dv'],
  type: ['type', 'unit type', 'loai', 'loai don vi', 'loai dv'],
  district: [
    'district',
    'huyen',
    'quan huyen',
    'quan/huyen',
    'quan/huyen/thanh pho',
    'huyen/thanh pho',
    'huyen/thi xa/thanh pho',
    'dia ban',
    'dia phuong',
    'xa phuong',
    'xa/phuong',
    'phuong/xa',
  ],
};
const REQUIRED: Field[] = ['code', 'name', 'type'];

const fieldOf = (header: string): Field | undefined => {
  const h = foldText(header);
  return (Object.keys(HEADER_ALIASES) as Field[]).find((f) => HEADER_ALIASES[f].includes(h));
};

/** Letters and digits only, after foldText: "Phòng GD&ĐT", "phong_gddt" and "PHONG-GDDT" meet as "phonggddt". */
const compact = (s: string) => foldText(s).replace(/[^a-z0-9]/g, '');

/**
 * The ways unit lists name the types (the codes, the group names of UNIT_TYPE_LABELS and the usual
 * abbreviations of Vietnamese education offices), compared compacted. A school type the bot does not
 * report on (tiểu học, THCS) is deliberately absent: it must be rejected, not guessed.
 */
const TYPE_ALIASES: Record<UnitType, string[]> = {
  'phong-gddt': ['phong gddt', 'phong gd&dt', 'phong gd-dt', 'pgd', 'pgddt', 'pgd&dt', 'phong giao duc', 'phong giao duc va dao tao', 'phong giao duc dao tao'],
  thpt: ['truong thpt', 'trung hoc pho thong', 'truong trung hoc pho thong'],
  'gdnn-gdtx': ['gdtx', 'ttgdtx', 'tt gdnn-gdtx', 'trung tam gdnn-gdtx', 'trung tam gdtx', 'trung tam giao duc nghe nghiep - giao duc thuong xuyen'],
  'truc-thuoc': ['don vi truc thuoc', 'truc thuoc so', 'don vi truc thuoc so'],
  'phong-so': ['phong thuoc so', 'phong chuyen mon', 'phong chuyen mon thuoc so', 'phong ban thuoc so'],
};
const TYPE_BY_ALIAS = new Map<string, UnitType>();
for (const t of UNIT_TYPES) for (const a of [t, UNIT_TYPE_LABELS[t], ...TYPE_ALIASES[t]]) TYPE_BY_ALIAS.set(compact(a), t);

/** The type a unit list means ("THPT", "Phòng GD&ĐT", "Trung tâm GDNN-GDTX"…), or null when it names none. */
export function normalizeUnitType(raw: string): UnitType | null {
  return TYPE_BY_ALIAS.get(compact(raw)) ?? null;
}

const typeList = UNIT_TYPES.join(', ');
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

export const UnitRowSchema = z.object({
  code: z
    .string()
    .trim()
    .min(1, { message: 'thiếu mã đơn vị', abort: true })
    .max(40, 'mã đơn vị quá dài (tối đa 40 ký tự)')
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
      error: (i) => `mã đơn vị “${String(i.input).slice(0, 40)}” không hợp lệ: chỉ gồm chữ cái không dấu, chữ số và các dấu . _ - (không có khoảng trắng)`,
    })
    // Codes are compared without regard to case: "pgd-dalat" in next year's file is the same unit.
    .transform((s) => s.toUpperCase()),
  // A line break typed in a cell (Alt+Enter) or a double space is layout, not part of the name.
  name: z
    .string()
    .transform(oneLine)
    .pipe(z.string().min(1, { message: 'thiếu tên đơn vị', abort: true }).max(200, 'tên đơn vị quá dài (tối đa 200 ký tự)')),
  type: z
    .string()
    .trim()
    .min(1, { message: `thiếu loại đơn vị (một trong: ${typeList})`, abort: true })
    .transform((raw, ctx) => {
      const type = normalizeUnitType(raw);
      if (type) return type;
      ctx.addIssue({ code: 'custom', message: `loại đơn vị “${raw.slice(0, 40)}” không hợp lệ; dùng một trong: ${typeList}` });
      return z.NEVER;
    }),
  district: z
    .string()
    .transform(oneLine)
    .pipe(z.string().max(100, 'tên quận/huyện quá dài (tối đa 100 ký tự)'))
    .transform((s) => (s === '' ? null : s)),
});

export type ValidUnitRow = z.infer<typeof UnitRowSchema> & { row: number };
export interface RejectedRow {
  row: number;
  reason: string;
}

export type UnitImportValidation =
  | {
      ok: true;
      units: ValidUnitRow[];
      rejected: RejectedRow[];
      /** Header texts of the columns that were not read (a misspelt "district" header shows up here). */
      ignoredColumns: string[];
      /** Every unit code written in the file, valid or not, in upper case: units absent from it are "missing". */
      codesInFile: Set<string>;
    }
  | { ok: false; error: string };

/** Title lines above the table ("DANH SÁCH ĐƠN VỊ NĂM HỌC …") are looked past up to this many rows. */
const HEADER_SEARCH_ROWS = 10;

const hasRequiredColumns = (r: SheetRow) => {
  const fields = new Set(r.cells.map((c) => fieldOf(cellText(c))));
  return REQUIRED.every((f) => fields.has(f));
};

/**
 * `rows` are the non-blank rows of the sheet. The header is the first of the top rows that names the
 * code, name and type columns (offices put a title above their tables); without one, the first row.
 */
export function validateUnitRows(allRows: readonly SheetRow[], maxRows = UNIT_IMPORT_MAX_ROWS): UnitImportValidation {
  const headerAt = allRows.slice(0, HEADER_SEARCH_ROWS).findIndex(hasRequiredColumns);
  const [head, ...data] = allRows.slice(Math.max(headerAt, 0));
  if (!head) return { ok: false, error: 'Tệp không có dữ liệu (không có dòng nào).' };
  if (data.length > maxRows) {
    return { ok: false, error: `Tệp có ${formatNumber(data.length)} dòng, quá giới hạn ${formatNumber(maxRows)} dòng; có lẽ đây không phải danh sách đơn vị.` };
  }

  const columns = new Map<Field, number>();
  const ignoredColumns: string[] = [];
  head.cells.forEach((c, i) => {
    const text = cellText(c);
    if (text === '') return;
    const f = fieldOf(text);
    if (f && !columns.has(f)) columns.set(f, i);
    else ignoredColumns.push(text);
  });
  const missing = REQUIRED.filter((f) => !columns.has(f));
  if (missing.length > 0) {
    const found = head.cells.map(cellText).filter(Boolean);
    return {
      ok: false,
      error:
        `${rowRef(null, head.row)}: thiếu cột ${missing.join(', ')}. Tệp cần các cột code (mã đơn vị), name (tên), type (loại: ${typeList}) và có thể thêm district (quận/huyện)` +
        `${found.length ? `; các cột tìm thấy: ${found.map((f) => `“${f}”`).join(', ')}` : ''}.`,
    };
  }

  const at = (r: SheetRow, f: Field): string => {
    const i = columns.get(f);
    return i === undefined ? '' : cellText(r.cells[i]).normalize('NFC');
  };
  // A row with text only in columns we do not read (a note under the table) is not a unit.
  const unitRows = data.filter((r) => (['code', 'name', 'type', 'district'] as Field[]).some((f) => at(r, f) !== ''));
  if (unitRows.length === 0) return { ok: false, error: 'Tệp chỉ có dòng tiêu đề, không có đơn vị nào.' };

  const parsedRows = unitRows.map((r) => ({ r, parsed: UnitRowSchema.safeParse({ code: at(r, 'code'), name: at(r, 'name'), type: at(r, 'type'), district: at(r, 'district') }) }));
  // A code on two rows: which row is right cannot be known, so every row with that code is refused.
  const rowsOfCode = new Map<string, number[]>();
  for (const { r, parsed } of parsedRows) {
    if (parsed.success) rowsOfCode.set(parsed.data.code, [...(rowsOfCode.get(parsed.data.code) ?? []), r.row]);
  }
  const units: ValidUnitRow[] = [];
  const rejected: RejectedRow[] = [];
  for (const { r, parsed } of parsedRows) {
    if (!parsed.success) {
      rejected.push({ row: r.row, reason: parsed.error.issues.map((i) => i.message).join('; ') });
      continue;
    }
    const same = rowsOfCode.get(parsed.data.code)!;
    if (same.length > 1) {
      const others = same.filter((n) => n !== r.row);
      rejected.push({ row: r.row, reason: `mã đơn vị ${parsed.data.code} trùng với dòng ${others.join(', ')}; sửa để mỗi mã chỉ có ở một dòng` });
      continue;
    }
    units.push({ ...parsed.data, row: r.row });
  }
  const codesInFile = new Set(unitRows.map((r) => at(r, 'code').toUpperCase()).filter(Boolean));
  return { ok: true, units, rejected, ignoredColumns, codesInFile };
}
