import { formatNumber } from '../../domain/format';
import { UNIT_IMPORT_MAX_ROWS, validateUnitRows } from '../../domain/unit-import';
import { inTransaction } from '../../storage/db';
import { audit } from '../../storage/repositories/audit';
import { activeUnits, setUnitActive, upsertUnit } from '../../storage/repositories/units';
import { readSpreadsheetFile } from '../../templates/spreadsheet/read';
import { UsageError, type CliCommand, type CliContext } from './context';
import { noExtra, parseOptions, positiveInt } from './options';
import { startProgress, stderrSink } from './progress';

const USAGE =
  'units import TỆP [--deactivate-missing] [--max-rows N] [--dry-run]   thêm, cập nhật đơn vị từ tệp .xlsx/.csv (cột code, name, type, district)';

/** How many units absent from the file are named one by one; the rest are counted. */
const MISSING_LISTED = 20;

export interface UnitImportReport {
  rows: number;
  /** The sheet read, when the workbook has several. */
  sheet: string | null;
  added: number;
  updated: number;
  unchanged: number;
  rejected: { row: number; reason: string }[];
  /** Columns of the file that were not read. */
  ignoredColumns: string[];
  /** Active units whose code is nowhere in the file (closed, merged, or forgotten in the list). */
  missing: { code: string; name: string }[];
  /** True when the missing units were marked inactive (--deactivate-missing). */
  deactivated: boolean;
  /** Units added or updated (would be, in a dry run), in file order. */
  changed: { code: string; name: string; outcome: 'added' | 'updated' }[];
}

/** Thrown inside the transaction of a dry run so that SQLite rolls everything back. */
class DryRun extends Error {}

/** Reads, validates and applies a unit list in one transaction; a bad file throws and changes nothing. */
export async function importUnitsFile(ctx: CliContext, file: string, opts: { maxRows?: number; dryRun?: boolean; deactivateMissing?: boolean; now?: Date } = {}): Promise<UnitImportReport> {
  const maxRows = opts.maxRows ?? UNIT_IMPORT_MAX_ROWS;
  const sink = stderrSink(ctx.err);
  const reading = startProgress(sink, 'Đang đọc tệp (dòng)', null);
  const sheets = await readSpreadsheetFile(file, { maxDataRows: maxRows, onRows: (n) => reading.update(n) });
  reading.finish(sheets.reduce((n, s) => n + s.rows.length, 0));
  // The first sheet that holds a unit list: a workbook may open with a sheet of instructions.
  const candidates = sheets.filter((s) => s.rows.length > 0);
  const results = candidates.map((s) => ({ sheet: s, checked: validateUnitRows(s.rows, maxRows) }));
  const found = results.find((r) => r.checked.ok) ?? results[0];
  const checked = found?.checked ?? validateUnitRows([], maxRows);
  if (!checked.ok) {
    const where = found && sheets.length > 1 ? `Trang “${found.sheet.name}”: ` : '';
    throw new Error(`${where}${checked.error} Không có gì được thay đổi.`);
  }

  const now = opts.now ?? new Date();
  const report: UnitImportReport = {
    rows: checked.units.length + checked.rejected.length,
    sheet: sheets.length > 1 && found ? found.sheet.name : null,
    added: 0,
    updated: 0,
    unchanged: 0,
    rejected: checked.rejected,
    ignoredColumns: checked.ignoredColumns,
    missing: [],
    changed: [],
    // A rejected row may be a unit whose code was mistyped: nothing is deactivated until the file is clean.
    deactivated: (opts.deactivateMissing ?? false) && checked.rejected.length === 0,
  };
  const saving = startProgress(sink, 'Đang lưu đơn vị', checked.units.length);
  try {
    inTransaction(ctx.db, (tx) => {
      const missing = activeUnits(tx).filter((u) => !checked.codesInFile.has(u.code.toUpperCase()));
      report.missing = missing.map((u) => ({ code: u.code, name: u.name }));
      checked.units.forEach((u, i) => {
        const { outcome } = upsertUnit(tx, { code: u.code, name: u.name, type: u.type, district: u.district }, now);
        report[outcome]++;
        if (outcome !== 'unchanged') report.changed.push({ code: u.code, name: u.name, outcome });
        saving.update(i + 1);
      });
      if (report.deactivated) for (const u of missing) setUnitActive(tx, u.id, false, now);
      audit(tx, {
        at: now,
        actorContactId: null,
        action: 'units_imported',
        details: {
          file,
          added: report.added,
          updated: report.updated,
          unchanged: report.unchanged,
          rejected: report.rejected.length,
          missing: missing.length,
          deactivated: report.deactivated ? missing.map((u) => u.code) : [],
        },
      });
      if (opts.dryRun) throw new DryRun();
    });
  } catch (err) {
    if (!(err instanceof DryRun)) throw err;
  }
  saving.finish();
  return report;
}

export function printUnitReport(ctx: CliContext, file: string, r: UnitImportReport, dryRun: boolean, deactivateAsked = false): void {
  ctx.out(`Danh sách đơn vị từ ${file}${r.sheet ? ` (trang “${r.sheet}”)` : ''}: ${formatNumber(r.rows)} dòng.`);
  ctx.out(`  Thêm mới:    ${formatNumber(r.added)}`);
  ctx.out(`  Cập nhật:    ${formatNumber(r.updated)}`);
  ctx.out(`  Không đổi:   ${formatNumber(r.unchanged)}`);
  ctx.out(`  Bị từ chối:  ${formatNumber(r.rejected.length)}`);
  if (r.missing.length > 0) {
    if (r.deactivated) {
      ctx.out(`  Ngừng theo dõi: ${formatNumber(r.missing.length)} đơn vị không có trong tệp (không còn được nhắc, không còn tính là đơn vị phải nộp báo cáo; có lại trong tệp lần sau thì được theo dõi lại)`);
    } else {
      ctx.out(`  Không có trong tệp: ${formatNumber(r.missing.length)} đơn vị (vẫn giữ nguyên)`);
      ctx.out(
        deactivateAsked
          ? 'Chưa ngừng theo dõi đơn vị nào vì tệp còn dòng bị từ chối (có thể là đơn vị ghi sai mã); sửa các dòng đó rồi nhập lại.'
          : 'Đơn vị đã giải thể, sáp nhập: nhập lại với --deactivate-missing để ngừng theo dõi các đơn vị không có trong tệp.',
      );
    }
  }
  if (r.ignoredColumns.length > 0) ctx.out(`Các cột không dùng: ${r.ignoredColumns.map((c) => `“${c}”`).join(', ')}.`);
  if (r.rejected.length > 0) {
    ctx.out('Các dòng bị từ chối (không được nhập; sửa tệp rồi nhập lại, các dòng đúng không bị nhập trùng):');
    for (const x of r.rejected) ctx.out(`  Dòng ${x.row}: ${x.reason}`);
  }
  if (r.missing.length > 0) {
    ctx.out(`Các đơn vị không có trong tệp${r.deactivated ? ' (đã ngừng theo dõi)' : ''}:`);
    for (const u of r.missing.slice(0, MISSING_LISTED)) ctx.out(`  ${u.code} · ${u.name}`);
    if (r.missing.length > MISSING_LISTED) ctx.out(`  … và ${formatNumber(r.missing.length - MISSING_LISTED)} đơn vị khác.`);
  }
  if (dryRun) {
    if (r.changed.length > 0) ctx.out('Các đơn vị sẽ thay đổi nếu nhập thật:');
    for (const u of r.changed) ctx.out(`  ${u.outcome === 'added' ? 'thêm mới' : 'cập nhật'}: ${u.code} · ${u.name}`);
    if (r.missing.length > 0 && r.deactivated) ctx.out(`  ngừng theo dõi: ${formatNumber(r.missing.length)} đơn vị không có trong tệp (danh sách ở trên)`);
    ctx.out('(Chạy thử --dry-run: chưa ghi gì vào cơ sở dữ liệu.)');
  }
}

export const unitsCommand: CliCommand = {
  usage: USAGE,
  run: async (args, ctx) => {
    const { values, positionals } = parseOptions(args, { 'max-rows': { type: 'string' }, 'dry-run': { type: 'boolean' }, 'deactivate-missing': { type: 'boolean' } });
    const [sub, file, ...extra] = positionals;
    if (sub !== 'import') throw new UsageError(sub ? `units không có lệnh con “${sub}” (dùng units import)` : 'units cần lệnh con: units import TỆP');
    if (!file) throw new UsageError('units import cần tên tệp: units import TỆP.xlsx');
    noExtra(extra, 'units import');
    const dryRun = values['dry-run'] ?? false;
    const deactivateMissing = values['deactivate-missing'] ?? false;
    const report = await importUnitsFile(ctx, file, { maxRows: positiveInt('max-rows', values['max-rows']), dryRun, deactivateMissing });
    printUnitReport(ctx, file, report, dryRun, deactivateMissing);
    if (report.rejected.length > 0) {
      // A script (or the person) must see that the list is not fully in: exit 1, the good rows stay imported.
      ctx.err(`Lỗi: ${formatNumber(report.rejected.length)} dòng bị từ chối (xem ở trên); ${dryRun ? 'chưa ghi gì' : 'các dòng khác đã được nhập'}.`);
      return 1;
    }
  },
};
