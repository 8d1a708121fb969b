import { basename } from 'node:path';
import { parseFigureSheets, periodFromKeywords, planUnitImport, type ImportProblem } from '../../domain/export-layout';
import { formatNumber } from '../../domain/format';
import { inTransaction } from '../../storage/db';
import { applyOfficeImport, unitIdsByCode } from '../../storage/repositories/admin';
import { findContactById } from '../../storage/repositories/contacts';
import { formVersion } from '../../storage/repositories/forms';
import { ensurePeriod } from '../../storage/repositories/periods';
import { currentAnswers, findSubmission } from '../../storage/repositories/submissions';
import { readWorkbookFile } from '../../templates/spreadsheet/read';
import { UsageError, type CliCommand, type CliContext } from './context';
import { periodOption } from './export';
import { noExtra, parseOptions, positiveInt } from './options';
import { startProgress, stderrSink } from './progress';

const USAGE =
  'submissions import TỆP --period KỲ [--by SỐ-TÀI-KHOẢN] [--dry-run]   nhập số liệu đơn vị gửi bằng giấy/email (theo mẫu tệp export), ghi là Văn phòng nhập';

const MAX_ROWS = 10_000;

export interface FiguresImportReport {
  added: number;
  updated: number;
  unchanged: number;
  /** Units listed in the file without any figure. */
  empty: number;
  rejected: ImportProblem[];
  /** Units whose figures are (or, in a dry run, would be) written. */
  changed: { code: string; outcome: 'added' | 'updated' }[];
}

class DryRun extends Error {}

export async function importFigures(
  ctx: CliContext,
  file: string,
  periodId: string,
  opts: { by?: number | null; dryRun?: boolean; now?: Date } = {},
): Promise<FiguresImportReport> {
  const workbook = await readWorkbookFile(file, { maxDataRows: MAX_ROWS });
  const { sheets } = workbook;
  const exportedFor = periodFromKeywords(workbook.properties.keywords);
  if (exportedFor !== null && exportedFor !== periodId) {
    throw new Error(
      `Tệp ${basename(file)} là số liệu kỳ ${exportedFor} (xuất từ bot), không phải kỳ ${periodId}; không có gì được thay đổi. ` +
        `Nếu đúng là số liệu kỳ ${exportedFor}, chạy lại với --period ${exportedFor}; để nhập cho kỳ ${periodId}, xuất tệp của kỳ đó (npm run cli -- export --period ${periodId}) và điền vào tệp đó.`,
    );
  }
  const now = opts.now ?? new Date();
  const by = opts.by ?? null;
  if (by !== null) {
    const office = findContactById(ctx.db, by);
    if (!office?.active || office.role !== 'office') throw new UsageError(`--by ${by}: không có tài khoản Văn phòng Sở nào đang hoạt động với số này`);
  }
  const report: FiguresImportReport = { added: 0, updated: 0, unchanged: 0, empty: 0, rejected: [], changed: [] };
  const sink = stderrSink(ctx.err);
  try {
    inTransaction(ctx.db, (tx) => {
      const period = ensurePeriod(tx, periodId);
      const form = formVersion(tx, period.formVersionId).form;
      const idByCode = unitIdsByCode(tx);
      const parsed = parseFigureSheets(form, sheets, new Set(idByCode.keys()));
      if (!parsed.ok) throw new Error(`${parsed.error} Không có gì được thay đổi.`);
      report.rejected.push(...parsed.parsed.rejected);
      report.empty = parsed.parsed.emptyUnits.length;
      const progress = startProgress(sink, 'Đang nhập số liệu (đơn vị)', parsed.parsed.units.size);
      let done = 0;
      for (const [code, entry] of parsed.parsed.units) {
        const unitId = idByCode.get(code)!;
        const existing = findSubmission(tx, unitId, periodId);
        const plan = planUnitImport(form, entry.values, existing ? { status: existing.status, answers: currentAnswers(tx, existing.id) } : null);
        if (plan.kind === 'rejected') report.rejected.push({ where: entry.rows.join(', '), unitCode: code, reason: plan.reason, order: entry.order });
        else if (plan.kind === 'unchanged') report.unchanged++;
        else {
          applyOfficeImport(tx, { unitId, periodId, formVersionId: period.formVersionId, changes: plan.changes, contactId: by, file: basename(file), now });
          report[plan.isNew ? 'added' : 'updated']++;
          report.changed.push({ code, outcome: plan.isNew ? 'added' : 'updated' });
        }
        progress.update(++done);
      }
      progress.finish();
      report.rejected.sort((x, y) => x.order - y.order);
      if (opts.dryRun) throw new DryRun();
    });
  } catch (err) {
    if (!(err instanceof DryRun)) throw err;
  }
  return report;
}

export const submissionsCommand: CliCommand = {
  usage: USAGE,
  run: async (args, ctx) => {
    const { values, positionals } = parseOptions(args, { period: { type: 'string' }, by: { type: 'string' }, 'dry-run': { type: 'boolean' } });
    const [sub, file, ...extra] = positionals;
    if (sub !== 'import') throw new UsageError(sub ? `submissions không có lệnh con “${sub}” (dùng submissions import)` : 'submissions cần lệnh con: submissions import TỆP');
    if (!file) throw new UsageError('submissions import cần tên tệp: submissions import TỆP.xlsx --period KỲ');
    noExtra(extra, 'submissions import');
    const periodId = periodOption(values.period, 'submissions import');
    const dryRun = values['dry-run'] ?? false;
    const r = await importFigures(ctx, file, periodId, { by: positiveInt('by', values.by) ?? null, dryRun });
    ctx.out(`Số liệu kỳ ${periodId} từ ${file}:`);
    ctx.out(`  Báo cáo mới:        ${formatNumber(r.added)}`);
    ctx.out(`  Cập nhật:           ${formatNumber(r.updated)}`);
    ctx.out(`  Không đổi:          ${formatNumber(r.unchanged)}`);
    ctx.out(`  Không có số liệu:   ${formatNumber(r.empty)}`);
    ctx.out(`  Bị từ chối:         ${formatNumber(r.rejected.length)}`);
    if (r.rejected.length > 0) {
      ctx.out('Các dòng bị từ chối (không ghi gì cho các đơn vị này):');
      for (const x of r.rejected) ctx.out(`  ${x.where}${x.unitCode ? ` (${x.unitCode})` : ''}: ${x.reason}`);
    }
    if (dryRun) {
      if (r.changed.length > 0) ctx.out('Các đơn vị sẽ được ghi số liệu nếu nhập thật:');
      for (const u of r.changed) ctx.out(`  ${u.outcome === 'added' ? 'báo cáo mới' : 'cập nhật'}: ${u.code}`);
      ctx.out('(Chạy thử --dry-run: chưa ghi gì vào cơ sở dữ liệu.)');
    }
    if (r.rejected.length > 0) {
      ctx.err(`Lỗi: ${formatNumber(r.rejected.length)} đơn vị bị từ chối (xem ở trên); ${dryRun ? 'chưa ghi gì' : 'các đơn vị khác đã được nhập'}.`);
      return 1;
    }
  },
};
