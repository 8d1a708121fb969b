import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { periodInfo } from '../../domain/periods';
import { compileReport } from '../../handlers/office/report';
import { reportFileName } from '../../templates/report/filename';
import type { CliCommand } from './context';
import { knownPeriodOption } from './export';
import { noExtra, outputPath, parseOptions } from './options';

export const reportCliCommand: CliCommand = {
  usage: 'report --period KỲ [--out TỆP.docx]           dự thảo báo cáo tổng hợp (Word) của một kỳ, như /baocao, và các số liệu chính',
  run: async (args, { db, config, out }) => {
    const { values, positionals } = parseOptions(args, { period: { type: 'string' }, out: { type: 'string' } });
    noExtra(positionals, 'report');
    const id = knownPeriodOption({ db, config }, values.period, 'report');
    const path = outputPath(config, values.out, { defaultName: reportFileName(id), extensions: ['.docx'], kind: 'tệp Word' });
    const report = await compileReport(db, config, periodInfo(id, config.calendar), new Date());
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, report.bytes);
    out(report.summary);
    for (const n of report.unplacedFootnotes) out(`Chú thích ${n}: không tìm thấy vị trí đã đặt; đã đặt cuối đoạn mở đầu.`);
    out(`Đã ghi dự thảo báo cáo: ${path}`);
  },
};
