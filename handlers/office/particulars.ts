import { changeParticulars, foldWord, PARTICULAR_FIELDS, type ParticularField } from '../../domain/report-particulars';
import { reply, type Reply } from '../../domain/replies';
import { audit } from '../../storage/repositories/audit';
import { findParticulars, saveParticulars } from '../../storage/repositories/report-particulars';
import { FIELD_NAMES, particularsHelp, particularsSaved, particularsText } from '../../templates/particulars';
import type { CommandSpec } from '../commands';
import type { CommandContext } from '../types';
import { dataWindowFor } from './data-window';
import { resolveOfficePeriod, splitPeriodArg } from './period-arg';

/**
 * /thongtinbc [kỳ] [MỤC nội dung]: the particulars of a period's report (the request answered, its date,
 * "Kính gửi", footnotes, signer, appendix, data window), kept in the database per period and audited;
 * without MỤC it shows them. The environment's REPORT_* values stay the defaults.
 */
export function particularsCommand(c: CommandContext, arg: string): Reply[] {
  const { period: periodArg, rest } = splitPeriodArg(arg);
  if (foldWord(rest) === 'huongdan' || foldWord(periodArg === '' ? arg : '') === 'huongdan') {
    const resolved = resolveOfficePeriod(c, periodArg);
    return [reply(particularsHelp(resolved.ok ? resolved.period.id : '2026-H1'))];
  }
  const resolved = resolveOfficePeriod(c, periodArg);
  if (!resolved.ok) return [reply(resolved.message)];
  const { period } = resolved;
  const { db, config } = c.deps;
  const show = (p = findParticulars(db, period.id)) =>
    particularsText(period, p, { config, dataWindow: dataWindowFor(db, config, period), issuedAt: c.now });
  if (rest === '') return [reply(show())];

  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest)!;
  const field = foldWord(m[1]!) as ParticularField;
  if (!PARTICULAR_FIELDS.includes(field)) {
    return [reply(`Không có mục “${m[1]!.slice(0, 20)}”. Các mục: ${PARTICULAR_FIELDS.join(', ')}.\n\n${particularsHelp(period.id)}`)];
  }
  const before = findParticulars(db, period.id);
  const change = changeParticulars(before, field, m[2] ?? '');
  if (!change.ok) return [reply(change.problem)];
  saveParticulars(db, period.id, change.next, c.contact.id, c.now);
  audit(db, {
    at: c.now,
    actorContactId: c.contact.id,
    action: 'report_particulars_set',
    subject: `period:${period.id}`,
    details: { field, value: (m[2] ?? '').slice(0, 2000), before, after: change.next },
  });
  return [reply(`${particularsSaved(FIELD_NAMES[field] ?? field, period.id)}\n\n${show(change.next)}`)];
}

export const PARTICULARS_COMMANDS: CommandSpec[] = [
  {
    name: 'thongtinbc',
    usage: '/thongtinbc',
    description: 'Xem, đặt thông tin của báo cáo kỳ: văn bản yêu cầu, ngày, kính gửi, chú thích, người ký, phụ lục, thời gian chốt số liệu; có thể thêm kỳ báo cáo, ví dụ /thongtinbc 2026-H1; cách đặt: /thongtinbc huongdan',
    audience: 'office',
    run: particularsCommand,
  },
];
