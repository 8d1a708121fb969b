import type { Config } from '../../config';
import { buildExportTables, HISTORY_ACTIONS, periodKeywords, type ExportSubmission, type HistoryEvent } from '../../domain/export-layout';
import { formatNumber } from '../../domain/format';
import { defaultPeriod } from '../../domain/period-status';
import { parsePeriodId, periodInfo } from '../../domain/periods';
import { knownPeriod } from './period-arg';
import { reply, type Reply } from '../../domain/replies';
import type { Db } from '../../storage/db';
import { latestPeriodWithSubmissions, periodAuditEvents, periodSubmissions, unitsForPeriod } from '../../storage/repositories/admin';
import { audit } from '../../storage/repositories/audit';
import { formVersion, latestFormVersion } from '../../storage/repositories/forms';
import { findPeriod, openPeriods } from '../../storage/repositories/periods';
import type { ContactRow } from '../../storage/schema';
import { writeXlsx } from '../../templates/spreadsheet/write';
import type { CommandSpec } from '../commands';
import type { CommandContext } from '../types';

/** The figures of one period as a workbook: /xuat in chat, `cli export` on the command line. */

const CHANNEL_NAMES: Record<string, string> = { telegram: 'Telegram', zalo: 'Zalo', console: 'màn hình thử' };

export function actorName(c: ContactRow): string {
  const who = `${c.displayName ?? 'không tên'} (${CHANNEL_NAMES[c.channel] ?? c.channel}, #${c.id})`;
  return c.role === 'office' ? `Văn phòng Sở: ${who}` : who;
}

export interface PeriodExport {
  bytes: Buffer;
  filename: string;
  units: number;
  confirmed: number;
  drafts: number;
}

export const exportFileName = (periodId: string) => `so-lieu-${periodId}.xlsx`;

/** Read-only: the period's form version (or the latest form when the period never started). */
export async function buildPeriodExport(
  db: Db,
  periodId: string,
  config: Pick<Config, 'timeZone'>,
  /** Rows written so far out of all rows of the three sheets. */
  progress?: (done: number, total: number) => void,
): Promise<PeriodExport> {
  const period = findPeriod(db, periodId);
  const form = period ? formVersion(db, period.formVersionId).form : latestFormVersion(db).form;
  const units = unitsForPeriod(db, periodId);
  const subs = periodSubmissions(db, periodId);
  const submissions: ExportSubmission[] = subs.map((s) => ({
    unitCode: s.unit.code,
    status: s.submission.status,
    source: s.submission.source,
    confirmedAt: s.submission.confirmedAt,
    acceptedAt: s.submission.acceptedAt,
    answers: s.answers,
    meta: s.meta,
  }));
  const history: HistoryEvent[] = periodAuditEvents(db, periodId, HISTORY_ACTIONS).map((e) => ({
    at: e.at,
    unitCode: e.unit.code,
    unitName: e.unit.name,
    action: e.action,
    actor: e.actor ? actorName(e.actor) : null,
    details: e.details,
  }));
  const tables = buildExportTables({ form, units, submissions, history, timeZone: config.timeZone });
  const total = tables.reduce((n, t) => n + t.rows.length, 0);
  const bytes = await writeXlsx(tables, {
    onRow: progress && ((done) => progress(done, total)),
    properties: { title: `Số liệu kỳ ${periodId}`, keywords: periodKeywords(periodId) },
  });
  return {
    bytes,
    filename: exportFileName(periodId),
    units: units.length,
    confirmed: subs.filter((s) => s.submission.status === 'confirmed').length,
    drafts: subs.filter((s) => s.submission.status === 'draft').length,
  };
}

const text = {
  noPeriod: () => 'Chưa có kỳ báo cáo nào đang mở hoặc có số liệu. Vui lòng gõ /xuat kèm mã kỳ, ví dụ /xuat 2026-H1.',
  done: (title: string, e: PeriodExport) =>
    `Số liệu ${title}: ${formatNumber(e.confirmed)}/${formatNumber(e.units)} đơn vị đã gửi, ${formatNumber(e.drafts)} đơn vị đang nhập.\n` +
    'Tệp gồm 3 trang: Số liệu (mỗi đơn vị một dòng, mỗi câu hỏi một cột), Nội dung (các câu trả lời bằng chữ), Lịch sử (ai gửi, sửa gì, lúc nào).',
};

/** /xuat [kỳ]: the export workbook as a document. */
export async function exportCommand(c: CommandContext, arg: string): Promise<Reply[]> {
  const { db, config } = c.deps;
  let periodId: string | null;
  if (arg.trim() !== '') {
    const known = knownPeriod(db, c.now, config.calendar, arg);
    if (!known.ok) return [reply(known.message)];
    periodId = known.period.id;
  } else {
    periodId = defaultPeriod(openPeriods(db, c.now, config.calendar), c.now)?.id ?? latestPeriodWithSubmissions(db);
  }
  if (!periodId || !parsePeriodId(periodId)) return [reply(text.noPeriod())];
  const result = await buildPeriodExport(db, periodId, config);
  audit(db, { at: c.now, actorContactId: c.contact.id, action: 'data_exported', subject: `period:${periodId}`, details: { via: c.channel } });
  const title = periodInfo(periodId, config.calendar).title;
  return [reply(text.done(title, result), { document: { filename: result.filename, bytes: result.bytes, caption: `Số liệu ${title}` } })];
}

export const EXPORT_COMMANDS: CommandSpec[] = [
  { name: 'xuat', usage: '/xuat', description: 'Xuất số liệu của kỳ báo cáo ra tệp Excel (.xlsx); có thể thêm kỳ báo cáo, ví dụ /xuat 2026-H1', audience: 'office', runAsync: exportCommand },
];
