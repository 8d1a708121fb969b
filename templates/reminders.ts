import { formatNumber } from '../domain/format';
import { formatDateTime, formatOfficialDate, formatShortDate } from '../domain/periods';
import { daysToDeadline, type Digest } from '../domain/reminder-digest';
import { reply, type Reply } from '../domain/replies';

/** Texts of reminders, of the office digest and of the office's /nhacnho and /ky commands. */

export const CONTINUE_COMMAND = '/nhap';

export interface ReminderInput {
  unitName: string;
  periodTitle: string;
  deadline: Date;
  now: Date;
  timeZone: string;
  /** Questions not answered yet by the unit (all of them when it has not started). */
  remaining: number;
  total: number;
}

/** "Quý I năm 2026" reads "quý I năm 2026" inside a sentence. */
const inSentence = (title: string) => title.replace(/^Quý /, 'quý ');

function progressLine(remaining: number, total: number): string {
  if (remaining >= total) return `Đơn vị chưa nhập câu nào (báo cáo gồm ${formatNumber(total)} câu hỏi).`;
  if (remaining === 0) return 'Đơn vị đã trả lời đủ các câu hỏi, chỉ còn bước kiểm tra lại và xác nhận.';
  return `Đơn vị còn ${formatNumber(remaining)}/${formatNumber(total)} câu hỏi chưa trả lời.`;
}

/** What /nhap leads to for the unit: the first question, the next one, or the review before confirming. */
function nextStep(remaining: number, total: number): string {
  if (remaining >= total) return 'bắt đầu nhập';
  if (remaining === 0) return 'kiểm tra lại và xác nhận';
  return 'tiếp tục nhập';
}

/** One reminder: polite before the deadline, more insistent (still courteous) after it. */
export function reminderReply(x: ReminderInput): Reply {
  const days = daysToDeadline(x.now, x.deadline, x.timeZone);
  const date = formatShortDate(x.deadline, x.timeZone);
  const step = nextStep(x.remaining, x.total);
  const lines = [`🔔 Kính gửi ${x.unitName},`];
  if (x.now.getTime() > x.deadline.getTime()) {
    lines.push(
      `Báo cáo công tác thông tin đối ngoại ${inSentence(x.periodTitle)} đã quá hạn nộp (hạn ${formatOfficialDate(x.deadline, x.timeZone)}).`,
      progressLine(x.remaining, x.total),
      `Văn phòng Sở kính đề nghị đơn vị hoàn thành và xác nhận báo cáo trong thời gian sớm nhất. Vui lòng gõ ${CONTINUE_COMMAND} để ${step}.`,
    );
  } else {
    const when = days <= 0 ? `hôm nay, ${date}` : days === 1 ? `ngày mai, ${date}` : `${date} (còn ${formatNumber(days)} ngày)`;
    lines.push(
      `Báo cáo công tác thông tin đối ngoại ${inSentence(x.periodTitle)} có hạn nộp ${when}.`,
      progressLine(x.remaining, x.total),
      `Vui lòng gõ ${CONTINUE_COMMAND} để ${step}; câu trả lời được lưu ngay, có thể dừng và làm tiếp bất cứ lúc nào.`,
    );
  }
  lines.push('Trân trọng cảm ơn!');
  return reply(lines.join('\n'), { actions: [{ label: 'Nhập báo cáo', command: CONTINUE_COMMAND }] });
}

const CHANNEL_NAMES: Record<string, string> = { telegram: 'Telegram', zalo: 'Zalo', console: 'thử nghiệm' };

/** Names listed per section at most; the rest is counted (the office has /tiendo for everything). */
export const DIGEST_MAX_NAMES = 100;

export function digestText(d: Digest, timeZone: string): string {
  const days = daysToDeadline(d.now, d.deadline, timeZone);
  const date = formatShortDate(d.deadline, timeZone);
  const due = d.now.getTime() > d.deadline.getTime() ? `${date}, đã quá hạn ${formatNumber(Math.max(1, -days))} ngày` : days <= 0 ? `${date}, hôm nay` : `${date}, còn ${formatNumber(days)} ngày`;
  const r = d.round;
  const lines = [
    `📋 TỔNG HỢP NHẮC BÁO CÁO ${d.periodTitle.toUpperCase()}`,
    `Hạn nộp: ${due}.`,
    `Đã xác nhận: ${formatNumber(d.confirmed)}/${formatNumber(d.expected)} đơn vị.`,
    `${r.kind === 'manual' ? 'Lượt nhắc theo yêu cầu' : 'Lượt nhắc tự động'} lúc ${formatDateTime(d.now, timeZone)}: đã gửi ${formatNumber(r.sent)} tin` +
      (r.failed > 0 ? `, ${formatNumber(r.failed)} tin chưa gửi được (sẽ thử lại)` : '') +
      (r.unreachable > 0 ? `, ${formatNumber(r.unreachable)} tài khoản đã chặn bot` : '') +
      ((r.deferred ?? 0) > 0 ? `, ${formatNumber(r.deferred ?? 0)} tin chưa gửi vì đã hết giờ làm việc` : '') +
      '.',
  ];
  if (d.missing.length === 0) {
    lines.push('', 'Tất cả các đơn vị đã xác nhận báo cáo.');
  } else {
    lines.push('', `Đơn vị chưa xác nhận (${formatNumber(d.missing.length)}):`);
    d.missing.slice(0, DIGEST_MAX_NAMES).forEach((u, i) => lines.push(`${i + 1}. ${u.name}${u.reachable ? '' : ' (chưa có tài khoản nhận được tin nhắc)'}`));
    if (d.missing.length > DIGEST_MAX_NAMES) lines.push(`… và ${formatNumber(d.missing.length - DIGEST_MAX_NAMES)} đơn vị khác (xem /tiendo).`);
  }
  if (d.unreachable.length > 0) {
    lines.push('', `Tài khoản đã chặn bot, không nhận được tin (${formatNumber(d.unreachable.length)}):`);
    for (const c of d.unreachable.slice(0, DIGEST_MAX_NAMES)) {
      lines.push(`- ${c.displayName ?? 'Không rõ tên'} — ${c.unitName} (${CHANNEL_NAMES[c.channel] ?? c.channel})`);
    }
    if (d.unreachable.length > DIGEST_MAX_NAMES) lines.push(`… và ${formatNumber(d.unreachable.length - DIGEST_MAX_NAMES)} tài khoản khác.`);
    lines.push('Đề nghị liên hệ trực tiếp các đơn vị này; khi người dùng nhắn lại cho bot, bot sẽ nhắc bình thường.');
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// /nhacnho

export const manualRoundStarted = (periodTitle: string, contacts: number, units: number) =>
  `Đang gửi nhắc nhở báo cáo ${periodTitle} tới ${formatNumber(contacts)} tài khoản của ${formatNumber(units)} đơn vị chưa xác nhận. ` +
  'Bản tổng hợp sẽ được gửi tới Văn phòng Sở khi gửi xong.';
export const manualRoundNobody = (periodTitle: string) =>
  `Không có ai cần nhắc cho kỳ ${periodTitle}: các đơn vị đều đã xác nhận, hoặc chưa có tài khoản nào liên kết và nhận được tin.`;
export const manualRoundBusy = () => 'Đang có một lượt nhắc theo yêu cầu chưa gửi xong. Vui lòng chờ bản tổng hợp rồi thử lại.';
export const remindersNotRunning = () =>
  'Bot đang chạy ở chế độ không gửi được tin nhắc (chưa kết nối Telegram hoặc Zalo), nên không thể nhắc nhở lúc này.';
export const noOpenPeriodToRemind = (open: string[]) =>
  open.length ? `Kỳ này hiện không mở. Các kỳ đang mở: ${open.join(', ')}.` : 'Hiện không có kỳ báo cáo nào đang mở để nhắc.';
/** Outside working hours /nhacnho sends nothing: the units are not messaged at night or on Sunday. */
export const outsideWorkingHours = (workStart: string, workEnd: string, skipSundays: boolean) =>
  `Bây giờ ngoài giờ gửi tin nhắc (${workStart}–${workEnd}${skipSundays ? ', trừ Chủ nhật' : ''}), nên bot không nhắn cho các đơn vị lúc này. ` +
  'Vui lòng gửi lại lệnh /nhacnho trong giờ làm việc.';
export const badPeriodId = (arg: string) => `“${arg.slice(0, 20)}” không phải mã kỳ báo cáo. Ví dụ: 2026-Q1, 2026-H1, 2026-Y.`;

// ---------------------------------------------------------------------------------------------------
// /ky

export interface PeriodLine {
  id: string;
  title: string;
  deadline: Date;
  state: 'open' | 'closed' | 'not_yet';
  override: 'calendar' | 'open' | 'closed';
  confirmed: number;
  expected: number;
}

const STATE_TEXT = { open: 'đang mở', closed: 'đã đóng', not_yet: 'chưa mở' } as const;

export function periodListText(lines: PeriodLine[], timeZone: string): string {
  if (lines.length === 0) return 'Chưa có kỳ báo cáo nào.';
  const out = ['CÁC KỲ BÁO CÁO'];
  for (const p of lines) {
    const by = p.override === 'calendar' ? '' : p.override === 'open' ? ' (Văn phòng Sở mở)' : ' (Văn phòng Sở đóng)';
    out.push(
      `• ${p.id} — ${p.title}: hạn ${formatShortDate(p.deadline, timeZone)}, ${STATE_TEXT[p.state]}${by}, đã xác nhận ${formatNumber(p.confirmed)}/${formatNumber(p.expected)} đơn vị`,
    );
  }
  out.push('', 'Đóng kỳ: /ky dong 2026-H1 · mở lại: /ky mo 2026-H1 · trở về theo lịch: /ky lich 2026-H1 (thay 2026-H1 bằng mã kỳ ở trên).');
  return out.join('\n');
}

export const periodUsage = () =>
  'Cách dùng: /ky (xem các kỳ) · /ky dong 2026-H1 (đóng kỳ) · /ky mo 2026-H1 (mở lại) · /ky lich 2026-H1 (trở về theo lịch); thay 2026-H1 bằng mã kỳ cần đổi.';
export const periodClosed = (title: string) => `Đã đóng kỳ báo cáo ${title}. Đơn vị không nhập hoặc sửa được nữa và bot ngừng nhắc cho kỳ này.`;
export const periodOpened = (title: string) => `Đã mở kỳ báo cáo ${title}. Đơn vị nhập và sửa được (gõ /nhap).`;
export const periodCalendar = (title: string, open: boolean) =>
  `Kỳ báo cáo ${title} trở lại đóng, mở theo lịch; hiện ${open ? 'đang mở' : 'đang đóng'}.`;
