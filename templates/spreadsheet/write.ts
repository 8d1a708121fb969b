import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type ExcelJS from 'exceljs';
import type { Cell, TableSpec } from '../../domain/export-layout';
import { neutralizeFormula, safeText } from '../../domain/safe-text';

/**
 * Writes tables as an .xlsx workbook (one worksheet per table) or as CSV (the first table). Headers
 * are bold and frozen with a filter; number columns keep real numbers with a thousands format, so the
 * office can sum and sort them; text columns are stored as text even when they look like numbers.
 *
 * Every text is made valid for the format (safeText: characters XML 1.0 forbids would make Excel call the
 * workbook damaged, and our own importer refuse it). Text that a spreadsheet would take for a formula
 * (= + - @ tab CR at the start) is neutralised: in an .xlsx every text cell has the Text number format
 * ("@"), under which Excel keeps even an edited "=…" as text, so the value stays exactly what was
 * answered; in a CSV, which has no formats, such a field gets a leading apostrophe (read back without it
 * by templates/spreadsheet/read.ts). Numbers are never touched (a negative number stays a number).
 */

export interface WriteOptions {
  /** Called after each written row with the running count (for progress on the terminal). */
  onRow?: (count: number) => void;
  /** Document properties (File > Info in Excel); they survive editing and saving in Excel. */
  properties?: { title?: string; subject?: string; keywords?: string };
}

/** Excel refuses sheet names over 31 characters or with any of []:*?/\ . */
const sheetName = (name: string) => safeText(name).replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Sheet';

export async function writeXlsx(tables: readonly TableSpec[], opts: WriteOptions = {}): Promise<Buffer> {
  // Loaded on first use: exceljs is ~20 MB of memory that a bot answering units never needs.
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'baocao-bot';
  if (opts.properties?.title) wb.title = safeText(opts.properties.title);
  if (opts.properties?.subject) wb.subject = safeText(opts.properties.subject);
  if (opts.properties?.keywords) wb.keywords = safeText(opts.properties.keywords);
  let count = 0;
  for (const t of tables) {
    const ws = wb.addWorksheet(sheetName(t.name), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = t.columns.map((c) => ({ header: safeText(c.header), width: c.width ?? 14, style: c.kind === 'number' ? { numFmt: '#,##0' } : { numFmt: '@' } }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).alignment = { vertical: 'top', wrapText: true };
    for (const row of t.rows) {
      ws.addRow(row.map(cellForExcel));
      opts.onRow?.(++count);
    }
    if (t.columns.length > 0) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: t.columns.length } };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function cellForExcel(c: Cell): ExcelJS.CellValue {
  if (typeof c !== 'string') return c;
  // XML reads a bare CR as a line feed anyway; write what will be read.
  const s = safeText(c).replace(/\r\n?/g, '\n');
  // Excel cells hold at most 32 767 characters.
  return s.length > 32_767 ? s.slice(0, 32_767) : s;
}

/** CSV of one table with a UTF-8 byte order mark, so Excel opens Vietnamese text correctly. */
export function writeCsv(table: TableSpec): Buffer {
  const field = (c: Cell): string => {
    const s = c === null ? '' : c instanceof Date ? c.toISOString() : typeof c === 'string' ? neutralizeFormula(safeText(c)) : String(c);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [table.columns.map((c) => field(c.header)).join(','), ...table.rows.map((r) => r.map(field).join(','))];
  return Buffer.from('\uFEFF' + lines.join('\r\n') + '\r\n', 'utf8');
}

/** Writes by the file's extension: .csv gets the first table, anything else an .xlsx workbook. */
export async function writeSpreadsheetFile(path: string, tables: readonly TableSpec[], opts: WriteOptions = {}): Promise<Buffer> {
  const bytes = extname(path).toLowerCase() === '.csv' ? writeCsv(tables[0]!) : await writeXlsx(tables, opts);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return bytes;
}
