import { z } from 'zod';
import { cellText, foldText, rowRef, type SheetRow } from './export-layout';
import { UNIT_TYPES, UNIT_TYPE_LABELS } from './units';

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
  district: ['district', 'huyen', 'quan huyen', 'quan/huyen', 'dia ban', 'dia phuong', 'xa phuong', 'xa/phuong'],
};
const REQUIRED: Field[] = ['code', 'name', 'type'];

const fieldOf = (header: string): Field | undefined => {
  const h = foldText(header);
  return (Object.keys(HEADER_ALIASES) as Field[]).find((f) => HEADER_ALIASES[f].includes(h));
};

/** "THPT", "Phong GDDT", "phong_gddt" and the group names of UNIT_TYPE_LABELS all name a type. */
export function normalizeUnitType(raw: string): string {
  const folded = foldText(raw);
  for (const t of UNIT_TYPES) if (foldText(UNIT_TYPE_LABELS[t]) === folded) return t;
  return folded.replace(/\s+/g, '-');
}

const typeList = UNIT_TYPES.join(', ');

export const UnitRowSchema = z.object({
  code: z
    .string()
    .trim()
    .min(1, { message: 'thiếu mã đơn vị', abort: true })
    .max(40, 'mã đơn vị quá dài (tối đa 40 ký tự)')
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'mã đơn vị chỉ gồm chữ cái không dấu, chữ số và các dấu . _ - (không có khoảng trắng)')
    // Codes are compared without regard to case: "pgd-dalat" in next year's file is the same unit.
    .transform((s) => s.toUpperCase()),
  name: z.string().trim().min(1, { message: 'thiếu tên đơn vị', abort: true }).max(200, 'tên đơn vị quá dài (tối đa 200 ký tự)'),
  type: z
    .string()
    .trim()
    .min(1, { message: `thiếu loại đơn vị (một trong: ${typeList})`, abort: true })
    .transform(normalizeUnitType)
    .pipe(z.enum(UNIT_TYPES, { error: (i) => `loại đơn vị “${String(i.input)}” không hợp lệ; dùng một trong: ${typeList}` })),
  district: z
    .string()
    .trim()
    .max(100, 'tên quận/huyện quá dài (tối đa 100 ký tự)')
    .transform((s) => (s === '' ? null : s)),
});

export type ValidUnitRow = z.infer<typeof UnitRowSchema> & { row: number };
export interface RejectedRow {
  row: number;
  reason: string;
}

export type UnitImportValidation =
  | { ok: true; units: ValidUnitRow[]; rejected: RejectedRow[]; ignoredColumns: string[] }
  | { ok: false; error: string };

/** `rows` are the non-blank rows of the sheet; the first one is the header. */
export function validateUnitRows(rows: readonly SheetRow[], maxRows = UNIT_IMPORT_MAX_ROWS): UnitImportValidation {
  const [head, ...data] = rows;
  if (!head) return { ok: false, error: 'Tệp không có dữ liệu (không có dòng nào).' };
  if (data.length > maxRows) {
    return { ok: false, error: `Tệp có ${data.length} dòng, quá giới hạn ${maxRows} dòng; có lẽ đây không phải danh sách đơn vị.` };
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
  if (data.length === 0) return { ok: false, error: 'Tệp chỉ có dòng tiêu đề, không có đơn vị nào.' };

  const at = (r: SheetRow, f: Field): string => {
    const i = columns.get(f);
    return i === undefined ? '' : cellText(r.cells[i]).normalize('NFC');
  };
  const units: ValidUnitRow[] = [];
  const rejected: RejectedRow[] = [];
  const firstRowOf = new Map<string, number>();
  for (const r of data) {
    const parsed = UnitRowSchema.safeParse({ code: at(r, 'code'), name: at(r, 'name'), type: at(r, 'type'), district: at(r, 'district') });
    if (!parsed.success) {
      rejected.push({ row: r.row, reason: parsed.error.issues.map((i) => i.message).join('; ') });
      continue;
    }
    const first = firstRowOf.get(parsed.data.code);
    if (first !== undefined) {
      rejected.push({ row: r.row, reason: `mã đơn vị ${parsed.data.code} trùng với dòng ${first}` });
      continue;
    }
    firstRowOf.set(parsed.data.code, r.row);
    units.push({ ...parsed.data, row: r.row });
  }
  return { ok: true, units, rejected, ignoredColumns };
}
