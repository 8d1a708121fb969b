import { formatNumber } from '../../domain/format';
import { periodInfo, type PeriodInfo } from '../../domain/periods';
import { returnRequestOf } from '../../domain/review';
import { acceptReport, awaitingReview, returnReport, type ReviewRefusal, type Reviewer } from '../../handlers/office/review';
import { awaitingList } from '../../templates/review';
import { attachOutboxQueues } from '../outbox/standalone';
import { CliError, UsageError, type CliCommand, type CliContext } from './context';
import { knownPeriodOption } from './export';
import { noExtra, parseOptions } from './options';

/**
 * The office's review from the command line, as /duyet and /tralai in chat (the same work, in
 * handlers/office/review.ts): list the confirmed reports waiting, accept one, return one with a reason.
 * A returned (or accepted) unit's contacts are told through their channels, as from chat; the audit rows
 * have no chat account as author and say `via: cli`.
 */

const USAGE = [
  'review list --period KỲ                        báo cáo đã gửi chờ duyệt và số đơn vị ở từng trạng thái (như /duyet)',
  '  review accept --period KỲ --unit MÃ            duyệt báo cáo của một đơn vị',
  '  review return --period KỲ --unit MÃ --reason "LÝ DO" [--questions 3,5]   trả lại để đơn vị sửa (các câu đã nêu), đơn vị được báo ngay',
].join('\n');

const OPTIONS = { period: { type: 'string' }, unit: { type: 'string' }, reason: { type: 'string' }, questions: { type: 'string' } } as const;

/** A refusal the office acts on (wrong unit, wrong state) is exit 1; a mistake in the options, exit 2. */
function refused(r: ReviewRefusal, unitCode: string): never {
  if (r.why === 'no_unit') throw new CliError(`không có đơn vị nào có mã “${unitCode}” (xem danh sách: /donvi trong chat)`);
  if (r.why === 'request' && r.request) {
    if (r.request.problem === 'no_reason') throw new UsageError('--reason cần lý do trả lại (ít nhất 3 ký tự), ví dụ --reason "Số lượt xem chưa khớp với trang fanpage"');
    throw new UsageError(`--questions: “${(r.request.detail ?? '').slice(0, 20)}” không phải số câu trong biểu mẫu (từ 1 đến ${formatNumber(r.questionCount ?? 0)}), ví dụ --questions 3,5-7`);
  }
  throw new CliError(r.text);
}

const needed = (value: string | undefined, option: string, example: string): string => {
  if (value === undefined || value.trim() === '') throw new UsageError(`${option} cần ${example}`);
  return value.trim();
};

/** Runs `work` with the reply queues attached to the database (see bot/outbox/standalone.ts), then lets them go. */
async function withQueues<T>(ctx: CliContext, work: (reviewer: Reviewer) => T): Promise<T> {
  const { close } = attachOutboxQueues({ db: ctx.db, config: ctx.config, clock: () => new Date() });
  try {
    return work({ db: ctx.db, now: new Date(), actorContactId: null, via: 'cli' });
  } finally {
    await close();
  }
}

export const reviewCliCommand: CliCommand = {
  usage: USAGE,
  run: async (args, ctx) => {
    const { values, positionals } = parseOptions(args, OPTIONS);
    const [sub, ...extra] = positionals;
    if (sub !== 'list' && sub !== 'accept' && sub !== 'return') {
      throw new UsageError(sub ? `review không có lệnh con “${sub}” (dùng review list, review accept hoặc review return)` : 'review cần lệnh con: review list, review accept hoặc review return');
    }
    noExtra(extra, `review ${sub}`);
    const id = knownPeriodOption(ctx, values.period, `review ${sub}`);
    const period: PeriodInfo = periodInfo(id, ctx.config.calendar);
    const known = { ok: true as const, period };

    if (sub === 'list') {
      for (const option of ['unit', 'reason', 'questions'] as const) if (values[option] !== undefined) throw new UsageError(`review list không nhận --${option}`);
      const { awaiting, counts } = awaitingReview(ctx.db, period);
      ctx.out(awaitingList(period.title, awaiting, counts, ctx.config.timeZone, {
        max: Infinity,
        hint: `Duyệt: review accept --period ${id} --unit MÃ · Trả lại: review return --period ${id} --unit MÃ --reason "LÝ DO" [--questions 3,5]`,
      }));
      return;
    }

    const unit = needed(values.unit, '--unit', 'mã đơn vị, ví dụ --unit PGD-DALAT');
    if (sub === 'accept') {
      for (const option of ['reason', 'questions'] as const) if (values[option] !== undefined) throw new UsageError(`review accept không nhận --${option}`);
      const outcome = await withQueues(ctx, (r) => acceptReport(r, unit, () => known));
      if (!outcome.ok) refused(outcome, unit);
      ctx.out(outcome.text);
      return;
    }

    const reason = needed(values.reason, '--reason', 'lý do trả lại, ví dụ --reason "Số lượt xem chưa khớp với trang fanpage"');
    const outcome = await withQueues(ctx, (r) => returnReport(r, unit, () => known, (form) => returnRequestOf(form, values.questions, reason)));
    if (!outcome.ok) refused(outcome, unit);
    ctx.out(outcome.text);
    if (outcome.told < outcome.contacts) {
      // Returned, but someone cannot be told (no channel configured here, or the person blocked the bot):
      // a script (or the person) must see the work is only partly done.
      ctx.err(`Lỗi: ${formatNumber(outcome.contacts - outcome.told)}/${formatNumber(outcome.contacts)} người liên hệ không nhận được lý do qua tin nhắn; báo cáo đã được trả lại, vui lòng báo cho đơn vị bằng điện thoại.`);
      return 1;
    }
  },
};
