import { aggregate, compareUnits, type ReportData } from '../../domain/aggregate';
import { comparedPeriodName, previousPeriodId } from '../../domain/comparison';
import { formatShortDate, periodInfo, type PeriodInfo } from '../../domain/periods';
import { reply, type Reply } from '../../domain/replies';
import { unitStateOf } from '../../domain/review';
import type { Particulars } from '../../domain/report-particulars';
import type { UnitRef } from '../../domain/units';
import type { Config } from '../../config';
import type { Db } from '../../storage/db';
import { loadAggregateInput } from '../../storage/repositories/report-data';
import { findParticulars } from '../../storage/repositories/report-particulars';
import { reviewFactsOfPeriod } from '../../storage/repositories/review';
import { audit } from '../../storage/repositories/audit';
import { withParticulars } from '../../templates/report/config';
import { periodTitleInSentence } from '../../templates/report/sections';
import { reportSummaryText } from '../../templates/report/summary';
import type { UnitStateRow } from '../../templates/report/appendix';
import { particularsText } from '../../templates/particulars';
import { progressText } from '../../templates/progress';
import type { CommandSpec } from '../commands';
import { dataWindowFor, dataWindowSentence } from './data-window';
import { loadProgress, progressChart } from './progress-chart';
import { resolveOfficePeriod } from './period-arg';

export interface CompiledReport {
  data: ReportData;
  bytes: Buffer;
  filename: string;
  summary: string;
  particulars: Particulars;
  unplacedFootnotes: number[];
  /** "cùng kỳ năm 2025" when that period had confirmed figures to compare with. */
  comparedWith: string | null;
}

/** The other period's figures, when it has any confirmed submission (`units`: the expected units, the same for any period). */
function comparisonFor(db: Db, config: Config, period: PeriodInfo, units: readonly UnitRef[]): { name: string; data: ReportData } | undefined {
  const previous = previousPeriodId(period.id);
  if (!previous) return undefined;
  const input = loadAggregateInput(db, periodInfo(previous, config.calendar), units);
  if (input.submissions.length === 0) return undefined;
  const data = aggregate(input);
  return data.unitRows.length > 0 ? { name: comparedPeriodName(previous), data } : undefined;
}

/**
 * The draft report of a period from every confirmed submission (returned ones wait for the unit's
 * correction), with the particulars the office set for it: shared by /baocao and the CLI.
 */
export async function compileReport(db: Db, config: Config, period: PeriodInfo, issuedAt: Date): Promise<CompiledReport> {
  // Loaded on first use: the Word builder (docx) is tens of MB that a bot answering units never needs.
  const { buildReport, reportFileName } = await import('../../templates/report/build');
  const particulars = findParticulars(db, period.id);
  const input = loadAggregateInput(db, period);
  const data = aggregate(input);
  const facts = reviewFactsOfPeriod(db, period.id);
  const states: UnitStateRow[] = [...input.units].sort(compareUnits).map((unit) => {
    const f = facts.get(unit.id);
    return { unit, state: unitStateOf(f), confirmedAt: f?.confirmedAt ?? null };
  });
  const comparison = comparisonFor(db, config, period, input.units);
  const built = await buildReport(data, withParticulars(config.report, particulars), particulars.reportDate ?? issuedAt, {
    footnotes: particulars.footnotes,
    appendix: particulars.appendix ?? config.reportAppendix,
    dataWindow: dataWindowSentence(db, config, period),
    states,
    ...(comparison ? { comparison } : {}),
  });
  return {
    data,
    bytes: built.bytes,
    filename: reportFileName(period.id),
    summary: reportSummaryText(data),
    particulars,
    unplacedFootnotes: built.unplacedFootnotes,
    comparedWith: comparison?.name ?? null,
  };
}

export const reportCommand: CommandSpec = {
  name: 'baocao',
  usage: '/baocao',
  description: 'Tạo dự thảo báo cáo tổng hợp (.docx); có thể thêm kỳ báo cáo, ví dụ /baocao 2026-H1',
  audience: 'office',
  runAsync: async (c, arg): Promise<Reply[]> => {
    const resolved = resolveOfficePeriod(c, arg);
    if (!resolved.ok) return [reply(resolved.message)];
    const { period } = resolved;
    const { config } = c.deps;
    const report = await compileReport(c.deps.db, config, period, c.now);
    audit(c.deps.db, { at: c.now, actorContactId: c.contact.id, action: 'report_compiled', subject: `period:${period.id}`, details: { reported: report.data.counts.reported, expected: report.data.counts.expected } });
    c.deps.log.info('report compiled', { periodId: period.id, bytes: report.bytes.length });
    const settings = particularsText(period, report.particulars, {
      config,
      dataWindow: dataWindowFor(c.deps.db, config, period),
      issuedAt: c.now,
      unplaced: report.unplacedFootnotes,
      comparedWith: report.comparedWith,
    });
    return [
      reply(`${report.summary}\n\n${settings}`, {
        document: { filename: report.filename, bytes: report.bytes, caption: `Dự thảo báo cáo ${periodTitleInSentence(period.title)}: Văn phòng biên tập, ghi số và trình ký` },
      }),
    ];
  },
};

export const progressCommand: CommandSpec = {
  name: 'tiendo',
  usage: '/tiendo',
  description: 'Xem đơn vị nào đã gửi, đang nhập, chưa gửi, bị trả lại, đã duyệt (kèm biểu đồ); có thể thêm kỳ báo cáo, ví dụ /tiendo 2026-H1',
  audience: 'office',
  runAsync: async (c, arg) => {
    const resolved = resolveOfficePeriod(c, arg);
    if (!resolved.ok) return [reply(resolved.message)];
    const { period } = resolved;
    const loaded = loadProgress(c.deps.db, period);
    const deadline = formatShortDate(period.deadline, c.deps.config.timeZone);
    const text = progressText(period.title, deadline, loaded.progress, { fullListCommand: `/xuat ${period.id}` });
    // The chart takes seconds the first time (the chart libraries load then): the text goes out first.
    return {
      replies: [reply(text)],
      followUp: async () => {
        const chart = await progressChart(c.deps, period, loaded);
        return chart ? [reply('', { photo: chart })] : [];
      },
    };
  },
};
