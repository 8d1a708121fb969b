import { formatNumber } from '../../domain/format';
import { UNIT_IMPORT_MAX_ROWS, validateUnitRows } from '../../domain/unit-import';
import { inTransaction } from '../../storage/db';
import { audit } from '../../storage/repositories/audit';
import { upsertUnit } from '../../storage/repositories/units';
import { readSpreadsheetFile, SpreadsheetError } from '../../templates/spreadsheet/read';
import { UsageError, type CliCommand, type CliContext } from './context';
import { parseOptions, positiveInt, startProgress, stderrSink } from './progress';

const USAGE = 'units import FILE [--max-rows N] [--dry-run]   add or update units from .xlsx/.csv (columns code, name, type, district)';

export interface UnitImportReport {
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  rejected: { row: number; reason: string }[];
}

/** Thrown inside the transaction of a dry run so that SQLite rolls everything back. */
class DryRun extends Error {}

/** Reads, validates and applies a unit list in one transaction; a bad file throws and changes nothing. */
export async function importUnitsFile(ctx: CliContext, file: string, opts: { maxRows?: number; dryRun?: boolean; now?: Date } = {}): Promise<UnitImportReport> {
  const maxRows = opts.maxRows ?? UNIT_IMPORT_MAX_ROWS;
  const sink = stderrSink(ctx.err);
  const reading = startProgress(sink, 'Đang đọc tệp (dòng)', null);
  let sheets;
  try {
    sheets = await readSpreadsheetFile(file, { maxDataRows: maxRows, onRows: (n) => reading.update(n) });
  } catch (err) {
    if (err instanceof SpreadsheetError) throw new Error(err.message);
    throw err;
  }
  reading.finish(sheets.reduce((n, s) => n + s.rows.length, 0));
  const sheet = sheets.find((s) => s.rows.length > 0) ?? sheets[0]!;
  const checked = validateUnitRows(sheet.rows, maxRows);
  if (!checked.ok) throw new Error(`${checked.error} Không có gì được thay đổi.`);

  const now = opts.now ?? new Date();
  const report: UnitImportReport = { rows: checked.units.length + checked.rejected.length, added: 0, updated: 0, unchanged: 0, rejected: checked.rejected };
  const saving = startProgress(sink, 'Đang lưu đơn vị', checked.units.length);
  try {
    inTransaction(ctx.db, (tx) => {
      checked.units.forEach((u, i) => {
        const { outcome } = upsertUnit(tx, { code: u.code, name: u.name, type: u.type, district: u.district }, now);
        report[outcome]++;
        saving.update(i + 1);
      });
      audit(tx, { at: now, actorContactId: null, action: 'units_imported', details: { file, added: report.added, updated: report.updated, unchanged: report.unchanged, rejected: report.rejected.length } });
      if (opts.dryRun) throw new DryRun();
    });
  } catch (err) {
    if (!(err instanceof DryRun)) throw err;
  }
  saving.finish();
  return report;
}

export function printUnitReport(ctx: CliContext, file: string, r: UnitImportReport, dryRun: boolean): void {
  ctx.out(`Danh sách đơn vị từ ${file}: ${formatNumber(r.rows)} dòng.`);
  ctx.out(`  Thêm mới:    ${formatNumber(r.added)}`);
  ctx.out(`  Cập nhật:    ${formatNumber(r.updated)}`);
  ctx.out(`  Không đổi:   ${formatNumber(r.unchanged)}`);
  ctx.out(`  Bị từ chối:  ${formatNumber(r.rejected.length)}`);
  if (r.rejected.length > 0) {
    ctx.out('Các dòng bị từ chối (không được nhập; sửa tệp rồi nhập lại, các dòng đúng không bị nhập trùng):');
    for (const x of r.rejected) ctx.out(`  Dòng ${x.row}: ${x.reason}`);
  }
  if (dryRun) ctx.out('(Chạy thử --dry-run: chưa ghi gì vào cơ sở dữ liệu.)');
}

export const unitsCommand: CliCommand = {
  usage: USAGE,
  run: async (args, ctx) => {
    const { values, positionals } = parseOptions(args, { 'max-rows': { type: 'string' }, 'dry-run': { type: 'boolean' } }, USAGE);
    const [sub, file, ...extra] = positionals;
    if (sub !== 'import' || !file || extra.length > 0) throw new UsageError(`Usage: ${USAGE}`);
    const dryRun = values['dry-run'] ?? false;
    const report = await importUnitsFile(ctx, file, { maxRows: positiveInt('max-rows', values['max-rows']), dryRun });
    printUnitReport(ctx, file, report, dryRun);
  },
};
