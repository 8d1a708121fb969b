import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatNumber } from '../../domain/format';
import { PeriodIdSchema } from '../../domain/periods';
import { buildPeriodExport, exportFileName } from '../../handlers/office/export';
import { knownIdsForMessage, knownPeriods } from '../../domain/known-periods';
import { storedPeriodIds } from '../../storage/repositories/report-particulars';
import { UsageError, type CliCommand, type CliContext } from './context';
import { noExtra, outputPath, parseOptions } from './options';
import { startProgress, stderrSink, type Progress } from './progress';

const USAGE = 'export --period KỲ [--out TỆP.xlsx]           số liệu của một kỳ (như /xuat): mỗi đơn vị một dòng, mỗi câu hỏi một cột, nội dung, lịch sử';

export function periodOption(value: string | undefined, command: string): string {
  if (!value) throw new UsageError(`${command} cần kỳ báo cáo: --period KỲ, ví dụ --period 2026-H1`);
  const id = value.trim().toUpperCase();
  if (!PeriodIdSchema.safeParse(id).success) throw new UsageError(`--period ${value}: không phải mã kỳ báo cáo (ví dụ 2026-H1, 2026-Q2, 2026-Y)`);
  return id;
}

/**
 * --period for commands that read a period: refused unless the period is known (opened on the calendar,
 * or in the database), with the list of known periods, so "2030-Q2" never writes an empty file.
 */
export function knownPeriodOption(ctx: Pick<CliContext, 'db' | 'config'>, value: string | undefined, command: string, now = new Date()): string {
  const id = periodOption(value, command);
  const known = knownPeriods(now, ctx.config.calendar, storedPeriodIds(ctx.db));
  if (!known.some((p) => p.id === id)) {
    throw new UsageError(`--period ${id}: kỳ này chưa có (chưa đến hoặc không có dữ liệu nào); các kỳ hiện có: ${knownIdsForMessage(known).join(', ')}`);
  }
  return id;
}

export const exportCommand: CliCommand = {
  usage: USAGE,
  run: async (args, ctx) => {
    const { values, positionals } = parseOptions(args, { period: { type: 'string' }, out: { type: 'string' } });
    noExtra(positionals, 'export');
    const periodId = knownPeriodOption(ctx, values.period, 'export');
    // Three sheets cannot go into one CSV, and a CSV would lose the period mark the import checks.
    const out = outputPath(ctx.config, values.out, { defaultName: exportFileName(periodId), extensions: ['.xlsx'], kind: 'bảng tính Excel' });
    const sink = stderrSink(ctx.err);
    // Started at the first row, when the number of rows is known.
    let progress = null as Progress | null;
    const result = await buildPeriodExport(ctx.db, periodId, ctx.config, (done, total) => {
      progress ??= startProgress(sink, 'Đang ghi tệp (dòng)', total);
      progress.update(done);
    });
    progress?.finish();
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, result.bytes);
    ctx.out(
      `Đã ghi ${out}: kỳ ${periodId}, ${formatNumber(result.units)} đơn vị, ${formatNumber(result.confirmed)} đã xác nhận, ${formatNumber(result.drafts)} đang nhập.`,
    );
  },
};
