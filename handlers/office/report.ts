import { aggregate, type ReportData } from '../../domain/aggregate';
import { formatShortDate, type PeriodInfo } from '../../domain/periods';
import { computeProgress } from '../../domain/progress';
import { reply, type Reply } from '../../domain/replies';
import type { Config } from '../../config';
import type { Db } from '../../storage/db';
import { loadAggregateInput } from '../../storage/repositories/report-data';
import { submissionsOfPeriod } from '../../storage/repositories/submissions';
import { activeUnits, toUnitRef } from '../../storage/repositories/units';
import { audit } from '../../storage/repositories/audit';
import { periodTitleInSentence } from '../../templates/report/sections';
import { reportSummaryText } from '../../templates/report/summary';
import { progressText } from '../../templates/progress';
import type { CommandSpec } from '../commands';
import { resolveOfficePeriod } from './period-arg';

export interface CompiledReport {
  data: ReportData;
  bytes: Buffer;
  filename: string;
  summary: string;
}

/** The draft report of a period from every confirmed submission: shared by /baocao and the CLI. */
export async function compileReport(db: Db, config: Config, period: PeriodInfo, issuedAt: Date): Promise<CompiledReport> {
  // Loaded on first use: the Word builder (docx) is tens of MB that a bot answering units never needs.
  const { buildReportDocx, reportFileName } = await import('../../templates/report/build');
  const data = aggregate(loadAggregateInput(db, period));
  const bytes = await buildReportDocx(data, config.report, issuedAt);
  return { data, bytes, filename: reportFileName(period.id), summary: reportSummaryText(data) };
}

export const reportCommand: CommandSpec = {
  name: 'baocao',
  usage: '/baocao [kỳ]',
  description: 'Tạo dự thảo báo cáo tổng hợp (.docx), ví dụ /baocao 2026-H1',
  audience: 'office',
  runAsync: async (c, arg): Promise<Reply[]> => {
    const resolved = resolveOfficePeriod(c, arg);
    if (!resolved.ok) return [reply(resolved.message)];
    const report = await compileReport(c.deps.db, c.deps.config, resolved.period, c.now);
    audit(c.deps.db, { at: c.now, actorContactId: c.contact.id, action: 'report_compiled', subject: `period:${resolved.period.id}`, details: { reported: report.data.counts.reported, expected: report.data.counts.expected } });
    c.deps.log.info('report compiled', { periodId: resolved.period.id, bytes: report.bytes.length });
    return [
      reply(`${report.summary}\n\nDự thảo báo cáo (Word) ở tệp đính kèm; Văn phòng biên tập, ghi số và trình ký.`, {
        document: { filename: report.filename, bytes: report.bytes, caption: `Dự thảo báo cáo ${periodTitleInSentence(resolved.period.title)}` },
      }),
    ];
  },
};

export const progressCommand: CommandSpec = {
  name: 'tiendo',
  usage: '/tiendo [kỳ]',
  description: 'Xem đơn vị nào đã gửi, đang nhập, chưa bắt đầu báo cáo',
  audience: 'office',
  run: (c, arg) => {
    const resolved = resolveOfficePeriod(c, arg);
    if (!resolved.ok) return [reply(resolved.message)];
    const { period } = resolved;
    const subs = submissionsOfPeriod(c.deps.db, period.id);
    const confirmed = new Set(subs.filter((s) => s.submission.status === 'confirmed').map((s) => s.unit.id));
    const started = new Set(subs.filter((s) => Object.keys(s.answers).length > 0).map((s) => s.unit.id));
    const progress = computeProgress(activeUnits(c.deps.db).map(toUnitRef), confirmed, started);
    const deadline = formatShortDate(period.deadline, c.deps.config.timeZone);
    return [reply(progressText(period.title, deadline, progress, { fullListCommand: `/xuat ${period.id}` }))];
  },
};
