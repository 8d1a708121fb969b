import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { Unzip, UnzipInflate } from 'fflate';
import { cellText, type Cell, type SheetData, type SheetRow } from '../../domain/export-layout';
import { formatNumber } from '../../domain/format';
import { unneutralizeFormula } from '../../domain/safe-text';

/**
 * Reads an .xlsx workbook or a .csv file into rows of plain cells with their row numbers. The .xlsx's
 * rows are counted first, as it is inflated, so a file far over the row limit is refused after reading
 * just past the limit instead of being loaded whole. Strings come back in Unicode NFC (files saved on a
 * Mac may use NFD diacritics).
 */

export type SpreadsheetProblem = 'missing' | 'empty' | 'not_spreadsheet' | 'old_xls' | 'not_utf8' | 'too_many_rows';

export class SpreadsheetError extends Error {
  constructor(
    readonly problem: SpreadsheetProblem,
    message: string,
    /** What the reader threw, kept for the log and for tests: the message itself is for people. */
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SpreadsheetError';
  }
}

export interface ReadOptions {
  /** Data rows allowed per sheet (the first non-blank row is the header and is not counted). */
  maxDataRows?: number;
  /** Called as rows are read, with the running count (for progress on the terminal). */
  onRows?: (count: number) => void;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (b: Uint8Array, magic: number[]) => magic.every((m, i) => b[i] === m);
/** PDF, PNG, JPEG, GIF, RAR, 7z: files people attach by mistake, whatever their name says. */
const OTHER_MAGIC = [[0x25, 0x50, 0x44, 0x46], [0x89, 0x50, 0x4e, 0x47], [0xff, 0xd8, 0xff], [0x47, 0x49, 0x46, 0x38], [0x52, 0x61, 0x72, 0x21], [0x37, 0x7a, 0xbc, 0xaf]];

const notSpreadsheet = (name: string, cause?: unknown) =>
  new SpreadsheetError(
    'not_spreadsheet',
    `Tệp “${name}” không phải bảng tính .xlsx hoặc .csv (hoặc tệp đã hỏng). Vui lòng mở bằng Excel và lưu lại dạng .xlsx.`,
    cause === undefined ? undefined : { cause },
  );

const tooMany = (name: string, max: number) =>
  new SpreadsheetError('too_many_rows', `Tệp “${name}” có hơn ${formatNumber(max)} dòng dữ liệu, quá giới hạn cho phép; không có gì được thay đổi.`);

/** A workbook's sheets and the document properties it carries (an .xlsx only; a CSV has none). */
export interface WorkbookData {
  sheets: SheetData[];
  properties: { title?: string; subject?: string; keywords?: string };
}

export async function readSpreadsheetFile(path: string, opts: ReadOptions = {}): Promise<SheetData[]> {
  return (await readWorkbookFile(path, opts)).sheets;
}

export async function readWorkbookFile(path: string, opts: ReadOptions = {}): Promise<WorkbookData> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SpreadsheetError('missing', code === 'ENOENT' ? `Không tìm thấy tệp “${path}”.` : `Không đọc được tệp “${path}” (${code ?? String(err)}).`);
  }
  return readWorkbook(bytes, basename(path), opts);
}

/** Reads every sheet. `name` is the file name: its extension decides CSV when the bytes are not a zip. */
export async function readSpreadsheet(bytes: Uint8Array, name: string, opts: ReadOptions = {}): Promise<SheetData[]> {
  return (await readWorkbook(bytes, name, opts)).sheets;
}

export async function readWorkbook(bytes: Uint8Array, name: string, opts: ReadOptions = {}): Promise<WorkbookData> {
  if (bytes.length === 0) throw new SpreadsheetError('empty', `Tệp “${name}” rỗng (0 byte).`);
  if (startsWith(bytes, OLE_MAGIC)) {
    throw new SpreadsheetError('old_xls', `Tệp “${name}” là dạng Excel 97-2003 (.xls), chưa được hỗ trợ. Vui lòng mở bằng Excel và lưu lại dạng .xlsx.`);
  }
  if (startsWith(bytes, ZIP_MAGIC)) return readXlsx(bytes, name, opts);
  if (OTHER_MAGIC.some((m) => startsWith(bytes, m))) throw notSpreadsheet(name);
  const ext = extname(name).toLowerCase();
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv' || ext === '') return { sheets: [await readCsv(bytes, name, opts)], properties: {} };
  throw notSpreadsheet(name);
}

function normalizeCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.normalize('NFC');
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text?: string }[]).map((p) => p.text ?? '').join('').normalize('NFC');
    if ('result' in o) return normalizeCell(o.result);
    if ('formula' in o || 'sharedFormula' in o) return null;
    if (typeof o.text === 'string') return o.text.normalize('NFC');
    if (typeof o.error === 'string') return o.error;
  }
  return String(v);
}

function toRow(number: number, values: unknown): SheetRow | null {
  // exceljs row values are 1-based: index 0 is always empty.
  const raw = Array.isArray(values) ? values.slice(1) : [];
  const cells = Array.from(raw, normalizeCell);
  while (cells.length > 0 && cellText(cells[cells.length - 1]) === '') cells.pop();
  return cells.length === 0 ? null : { row: number, cells };
}

/** Compressed bytes given to the inflater at a time: what is inflated at once stays small. */
const SCAN_PIECE = 64 * 1024;
/** A tag this scan looks for, with an optional namespace prefix: <row, </row, <v, <is. */
const ROW_TAG = /<(\/?)(?:[A-Za-z_][\w.-]*:)?(row|v|is)(?=[\s>/])/g;
/** Longest tag ROW_TAG can match, and its next character: what is kept from one piece for the next. */
const TAG_CARRY = 64;

/**
 * Counts, per worksheet of an .xlsx, the rows holding at least one value (a `<v>` or an inline string),
 * inflating the archive a piece at a time; `onRow` gets the sheet's count and the running total after
 * each such row, and may throw to stop. The XML is read as latin1: the tags are ASCII, whatever the text.
 */
function countWorksheetRows(zip: Uint8Array, onRow: (sheetRows: number, total: number) => void): void {
  let total = 0;
  let failure: { err: unknown } | null = null;
  const unzip = new Unzip((file) => {
    if (!/^xl\/worksheets\/[^/]+\.xml$/.test(file.name)) return;
    let carry = '';
    let inRow = false;
    let hasValue = false;
    let rows = 0;
    file.ondata = (err, data, final) => {
      if (failure) return;
      if (err) {
        failure = { err };
        return;
      }
      const text = carry + Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
      // A tag starting in the last TAG_CARRY characters may be cut: it is looked at with the next piece.
      const limit = final ? text.length : text.length - TAG_CARRY;
      let end = 0;
      ROW_TAG.lastIndex = 0;
      for (let m = ROW_TAG.exec(text); m && m.index < limit; m = ROW_TAG.exec(text)) {
        end = ROW_TAG.lastIndex;
        if (m[2] !== 'row') {
          if (inRow) hasValue = true;
        } else if (m[1] === '') {
          inRow = true;
          hasValue = false;
        } else {
          if (inRow && hasValue) {
            try {
              onRow(++rows, ++total);
            } catch (e) {
              failure = { err: e };
              return;
            }
          }
          inRow = false;
        }
      }
      carry = text.slice(Math.max(end, limit));
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  for (let at = 0; at < zip.length && !failure; at += SCAN_PIECE) unzip.push(zip.subarray(at, at + SCAN_PIECE), at + SCAN_PIECE >= zip.length);
  if (failure) throw (failure as { err: unknown }).err;
}

/**
 * Two passes. The first counts each worksheet's rows in its XML as the archive is inflated piece by piece
 * and stops just past the limit, so a 100,000-row file is refused without being loaded; the cells
 * themselves come from loading the (now known to be small enough) workbook whole. exceljs's streaming
 * reader did the counting before: it failed now and then on a good file when the machine was busy (its
 * worksheets parsed before the workbook part had been read: "not a spreadsheet" for our own export), and
 * it garbled a Vietnamese letter straddling two chunks.
 */
async function readXlsx(bytes: Uint8Array, name: string, opts: ReadOptions): Promise<WorkbookData> {
  // A zip has at least its end-of-central-directory record.
  if (bytes.length < 22) throw notSpreadsheet(name);
  const buffer = Buffer.from(bytes);
  const max = opts.maxDataRows ?? Infinity;
  try {
    countWorksheetRows(bytes, (sheetRows, total) => {
      if (sheetRows > max + 1) throw tooMany(name, max);
      if (total % 1000 === 0) opts.onRows?.(total);
    });
  } catch (err) {
    if (err instanceof SpreadsheetError) throw err;
    throw notSpreadsheet(name, err);
  }
  // Loaded on first use, like the writer: exceljs is tens of MB that a bot answering units never needs.
  const { default: ExcelJS } = await import('exceljs');

  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch (err) {
    throw notSpreadsheet(name, err);
  }
  if (wb.worksheets.length === 0) throw notSpreadsheet(name);
  let total = 0;
  const sheets = wb.worksheets.map((ws) => {
    const sheet: SheetData = { name: ws.name, rows: [] };
    ws.eachRow({ includeEmpty: false }, (r, number) => {
      const row = toRow(number, r.values);
      if (row) sheet.rows.push(row);
    });
    total += sheet.rows.length;
    return sheet;
  });
  opts.onRows?.(total);
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.normalize('NFC') : undefined);
  return { sheets, properties: { title: text(wb.title), subject: text(wb.subject), keywords: text(wb.keywords) } };
}

function decodeText(bytes: Uint8Array, name: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Either binary data or an 8-bit Vietnamese code page (TCVN3, Windows-1258): both would garble names.
    if (bytes.subarray(0, 4096).includes(0)) throw notSpreadsheet(name);
    throw new SpreadsheetError('not_utf8', `Tệp “${name}” không ở bảng mã UTF-8 nên chữ tiếng Việt sẽ bị lỗi. Trong Excel chọn Lưu thành “CSV UTF-8 (Comma delimited)”, hoặc lưu dạng .xlsx.`);
  }
  if (text.includes('\u0000')) throw notSpreadsheet(name);
  return text;
}

/** Excel in a Vietnamese locale writes ';' between fields (',' is the decimal sign); some tools use tabs. */
function sniffDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const counts = [',', ';', '\t'].map((d) => ({ d, n: firstLine.split(d).length - 1 }));
  counts.sort((a, b) => b.n - a.n);
  return counts[0]!.n > 0 ? counts[0]!.d : ',';
}

async function readCsv(bytes: Uint8Array, name: string, opts: ReadOptions): Promise<SheetData> {
  const text = decodeText(bytes, name);
  const max = opts.maxDataRows ?? Infinity;
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  let ws: ExcelJS.Worksheet;
  try {
    // Keep every field as text: the default mapping turns "2026-05-01" into a date and "007" into 7.
    ws = await wb.csv.read(Readable.from([text]), { map: (v: unknown) => v, parserOptions: { delimiter: sniffDelimiter(text) } });
  } catch (err) {
    throw new SpreadsheetError('not_spreadsheet', `Tệp “${name}” không đọc được như CSV: ${err instanceof Error ? err.message : String(err)}.`);
  }
  const sheet: SheetData = { name: basename(name, extname(name)), rows: [] };
  ws.eachRow({ includeEmpty: false }, (r, number) => {
    const row = toRow(number, r.values);
    // Our CSV writer marks text that looks like a formula with a leading apostrophe; the value is without it.
    if (row) sheet.rows.push({ ...row, cells: row.cells.map((c) => (typeof c === 'string' ? unneutralizeFormula(c) : c)) });
  });
  opts.onRows?.(sheet.rows.length);
  if (sheet.rows.length > max + 1) throw tooMany(name, max);
  return sheet;
}
