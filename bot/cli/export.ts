import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { formatNumber } from '../../domain/format';
import { PeriodIdSchema } from '../../domain/periods';
import { buildPeriodExport, exportFileName } from '../../handlers/office/export';
import { UsageError, type CliCommand } from './context';
import { parseOptions, startProgress, stderrSink, type Progress } from './progress';

const USAGE = 'export --period ID [--out FILE.xlsx]          figures of a period: one row per unit, one column per question, texts, history';

export function periodOption(value: string | undefined, command: string): string {
  if (!value) throw new UsageError(`${command} needs --period ID, e.g. --period 2026-H1`);
  const id = value.trim().toUpperCase();
  if (!PeriodIdSchema.safeParse(id).success) throw new UsageError(`--period ${value}: expected e.g. 2026-H1, 2026-Q2, 2026-Y`);
  return id;
}

export const exportCommand: CliCommand = {
  usage: USAGE,
  run: async (args, ctx) => {
    const { values, positionals } = parseOptions(args, { period: { type: 'string' }, out: { type: 'string' } }, USAGE);
    if (positionals.length > 0) throw new UsageError(`Usage: ${USAGE}`);
    const periodId = periodOption(values.period, 'export');
    const out = values.out ?? join(ctx.config.outputDir, exportFileName(periodId));
    // Three sheets cannot go into one CSV, and a CSV would lose the period mark the import checks.
    if (extname(out).toLowerCase() !== '.xlsx') throw new UsageError(`export writes an Excel workbook: use --out FILE.xlsx (not “${out}”)`);
    const sink = stderrSink(ctx.err);
    // Started at the first row, when the number of rows is known.
    let progress = null as Progress | null;
    const result = await buildPeriodExport(ctx.db, periodId, ctx.config, (done, total) => {
      progress ??= startProgress(sink, 'Đang ghi tệp (dòng)', total);
      progress.update(done);
    });
    progress?.finish();
    await mkdir(dirname(resolve(out)), { recursive: true });
    await writeFile(out, result.bytes);
    ctx.out(
      `Đã ghi ${resolve(out)}: kỳ ${periodId}, ${formatNumber(result.units)} đơn vị, ${formatNumber(result.confirmed)} đã xác nhận, ${formatNumber(result.drafts)} đang nhập.`,
    );
  },
};
