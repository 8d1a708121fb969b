import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { readSpreadsheet, SpreadsheetError } from '../templates/spreadsheet/read';

/**
 * The row limit of an .xlsx is checked on the archive's worksheets as they are inflated, before the
 * workbook is loaded: exact at the limit whatever the file's size (its pieces cut tags anywhere), blind to
 * rows that hold no value, and the same for both ways exceljs writes a file.
 */

const dir = mkdtempSync(join(tmpdir(), 'baocao-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 30_000;
const row = (i: number) => [`X${i}`, `Trường THPT số ${i} huyện Đông Hải`, i % 7 === 0 ? 'thpt' : 'thcs', i];

/** Written as a stream (entries with data descriptors, shared strings), as a large export would be. */
async function streamedWorkbook(rows: number): Promise<Buffer> {
  const filename = join(dir, `streamed-${rows}.xlsx`);
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename, useSharedStrings: true });
  const sheet = writer.addWorksheet('Đơn vị');
  sheet.addRow(['code', 'name', 'type', 'n']).commit();
  for (let i = 0; i < rows; i++) sheet.addRow(row(i)).commit();
  sheet.commit();
  await writer.commit();
  return readFileSync(filename);
}

async function refusal(p: Promise<unknown>): Promise<SpreadsheetError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpreadsheetError);
  return err as SpreadsheetError;
}

describe('the row limit of an .xlsx', () => {
  it('is exact at the limit in a large streamed file, and reports progress by the thousand, then the total', async () => {
    const bytes = await streamedWorkbook(ROWS);
    expect(bytes.length).toBeGreaterThan(64 * 1024); // several pieces, so tags are cut between them
    const over = await refusal(readSpreadsheet(bytes, 'lon.xlsx', { maxDataRows: ROWS - 1 }));
    expect(over.problem).toBe('too_many_rows');
    expect(over.message).toBe('Tệp “lon.xlsx” có hơn 29.999 dòng dữ liệu, quá giới hạn cho phép; không có gì được thay đổi.');
    const seen: number[] = [];
    const sheets = await readSpreadsheet(bytes, 'lon.xlsx', { maxDataRows: ROWS, onRows: (n) => seen.push(n) });
    expect(sheets[0]!.rows).toHaveLength(ROWS + 1);
    expect(sheets[0]!.rows.at(-1)).toEqual({ row: ROWS + 1, cells: row(ROWS - 1) });
    // Every thousand as the rows are counted, then the exact total once the workbook is loaded.
    expect(seen).toEqual([...Array.from({ length: 30 }, (_, i) => (i + 1) * 1000), ROWS + 1]);
  });

  it('is exact at the limit when the archive is stored uncompressed (every piece then cuts the XML somewhere)', async () => {
    const stored = new JSZip();
    const source = await JSZip.loadAsync(await streamedWorkbook(ROWS));
    for (const [path, entry] of Object.entries(source.files)) if (!entry.dir) stored.file(path, await entry.async('uint8array'));
    const bytes = await stored.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
    expect(bytes.length).toBeGreaterThan(40 * 64 * 1024);
    expect((await refusal(readSpreadsheet(bytes, 'luu.xlsx', { maxDataRows: ROWS - 1 }))).problem).toBe('too_many_rows');
    expect((await readSpreadsheet(bytes, 'luu.xlsx', { maxDataRows: ROWS }))[0]!.rows).toHaveLength(ROWS + 1);
  });

  it('counts the rows of a workbook written whole the same way, and not the rows that only carry a format', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Đơn vị');
    ws.addRow(['code', 'name', 'type', 'n']);
    for (let i = 0; i < 10; i++) ws.addRow(row(i));
    // Fifty formatted rows with nothing in them, as a template filled halfway leaves them.
    for (let r = 12; r < 62; r++) ws.getRow(r).getCell(1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFF00' } };
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    expect((await readSpreadsheet(bytes, 'mau.xlsx', { maxDataRows: 10 }))[0]!.rows).toHaveLength(11);
    expect((await refusal(readSpreadsheet(bytes, 'mau.xlsx', { maxDataRows: 9 }))).problem).toBe('too_many_rows');
  });

  it('applies to each sheet on its own', async () => {
    const wb = new ExcelJS.Workbook();
    for (const name of ['Một', 'Hai']) {
      const ws = wb.addWorksheet(name);
      ws.addRow(['code', 'name']);
      for (let i = 0; i < 5; i++) ws.addRow([`${name}${i}`, 'x']);
    }
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    expect((await readSpreadsheet(bytes, 'hai-trang.xlsx', { maxDataRows: 5 })).map((s) => s.rows.length)).toEqual([6, 6]);
    expect((await refusal(readSpreadsheet(bytes, 'hai-trang.xlsx', { maxDataRows: 4 }))).problem).toBe('too_many_rows');
  });

  it('reads the same file many times at once, every time (the streaming reader used before failed now and then)', async () => {
    const bytes = await streamedWorkbook(2_000);
    const results = await Promise.all(Array.from({ length: 24 }, () => readSpreadsheet(bytes, 'dong-thoi.xlsx', { maxDataRows: 2_000 })));
    for (const sheets of results) expect(sheets[0]!.rows).toHaveLength(2_001);
  });
});
