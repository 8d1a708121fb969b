import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PeriodIdSchema, periodInfo } from '../../domain/periods';
import { compileReport } from '../../handlers/office/report';
import { UsageError, type CliCommand } from './context';

export const reportCliCommand: CliCommand = {
  usage: 'report --period <id> [--out FILE]  build the draft report (.docx) of a period from the database',
  run: async (args, { db, config, out }) => {
    const { values } = parseArgs({ args, options: { period: { type: 'string' }, out: { type: 'string' } } });
    if (!values.period) throw new UsageError('report needs --period <id>, e.g. --period 2026-H1');
    const id = values.period.trim().toUpperCase();
    if (!PeriodIdSchema.safeParse(id).success) throw new UsageError(`"${values.period}" is not a period id (2026-Q1 … 2026-Q4, 2026-H1, 2026-Y)`);
    const report = await compileReport(db, config, periodInfo(id, config.calendar), new Date());
    const path = resolve(values.out ?? report.filename);
    writeFileSync(path, report.bytes);
    out(report.summary);
    out(`Written: ${path}`);
  },
};
