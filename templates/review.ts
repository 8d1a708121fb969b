import { formatDateTime } from '../domain/periods';
import { UNIT_STATE_LABELS, type UnitState } from '../domain/review';
import { formatNumber } from '../domain/format';

/** Texts of the office's review: what the unit is told, what the office sees. */

const list = (numbers: readonly number[]): string => numbers.join(', ');

/** Said to the unit before the first question the office named. */
export const returnedIntro = (periodTitle: string, reason: string, numbers: readonly number[]) =>
  `Văn phòng Sở đã trả lại báo cáo ${periodTitle} của đơn vị để sửa${numbers.length > 0 ? ` các câu ${list(numbers)}` : ''}.` +
  (reason ? `\nLý do: ${reason}` : '') +
  '\nMời sửa lần lượt từng câu dưới đây (gõ /boqua để giữ nguyên câu trả lời cũ), sau đó xác nhận lại bằng /xacnhan.';

/** Sent to every contact of the unit when the office returns the report. */
export const returnedNotice = (periodTitle: string, reason: string, numbers: readonly number[]) =>
  `Văn phòng Sở đề nghị đơn vị sửa báo cáo ${periodTitle}${numbers.length > 0 ? ` (câu ${list(numbers)})` : ''}.\nLý do: ${reason}\nGõ /nhap để sửa, sau đó gõ /xacnhan để gửi lại.`;

/** Sent to the unit's contacts when the office accepts the report. */
export const acceptedNotice = (periodTitle: string) => `Văn phòng Sở đã duyệt báo cáo ${periodTitle} của đơn vị. Xin cảm ơn!`;

export interface AwaitingLine {
  code: string;
  name: string;
  confirmedAt: Date | null;
}

export const reviewUsage = () =>
  'Cách dùng:\n/duyet — danh sách báo cáo đã gửi chờ duyệt\n/duyet PGD-DALAT — duyệt báo cáo của đơn vị có mã PGD-DALAT\n/tralai PGD-DALAT 12,13 Số lượt xem chưa khớp với số liệu của trang — trả lại để đơn vị sửa: mã đơn vị, số thứ tự các câu cần sửa rồi lý do\nCó thể thêm kỳ báo cáo sau mã đơn vị, ví dụ /duyet PGD-DALAT 2026-H1.';

const CHAT_HINT = 'Duyệt: /duyet và mã đơn vị, ví dụ /duyet PGD-DALAT · Trả lại: /tralai, mã đơn vị, số thứ tự câu cần sửa rồi lý do, ví dụ /tralai PGD-DALAT 12,13 Số lượt xem chưa khớp (số thứ tự câu như trong bảng /xem của đơn vị).';

/** The chat message names at most 60 units; the command line (`max: Infinity`) lists them all. */
export function awaitingList(
  periodTitle: string,
  lines: readonly AwaitingLine[],
  counts: Record<UnitState, number>,
  tz: string,
  opts: { hint?: string; max?: number } = {},
): string {
  const max = opts.max ?? 60;
  const out = [`BÁO CÁO ${periodTitle.toLocaleUpperCase('vi')} CHỜ DUYỆT: ${formatNumber(lines.length)}`];
  for (const l of lines.slice(0, max)) out.push(`- ${l.code} · ${l.name}${l.confirmedAt ? ` (gửi ${formatDateTime(l.confirmedAt, tz)})` : ''}`);
  if (lines.length > max) out.push(`… và ${formatNumber(lines.length - max)} đơn vị khác`);
  if (lines.length === 0) out.push('Không có báo cáo nào đang chờ duyệt.');
  out.push('', stateCounts(counts), '', opts.hint ?? CHAT_HINT);
  return out.join('\n');
}

export function stateCounts(counts: Record<UnitState, number>): string {
  return (Object.keys(UNIT_STATE_LABELS) as UnitState[]).map((s) => `${UNIT_STATE_LABELS[s]}: ${formatNumber(counts[s] ?? 0)}`).join(' · ');
}

export const accepted = (unit: string, periodTitle: string, told: number) =>
  `Đã duyệt báo cáo ${periodTitle} của ${unit}.${told > 0 ? ` Đã báo cho ${formatNumber(told)} người liên hệ của đơn vị.` : ''}`;

export const returned = (unit: string, periodTitle: string, numbers: readonly number[], told: number, total: number) =>
  `Đã trả lại báo cáo ${periodTitle} của ${unit} để sửa${numbers.length > 0 ? ` câu ${list(numbers)}` : ''}. ` +
  (total === 0
    ? 'Đơn vị chưa có người liên hệ trên bot; vui lòng báo cho đơn vị bằng điện thoại.'
    : told === total
      ? `Đã gửi lý do cho ${formatNumber(told)} người liên hệ của đơn vị.`
      : `Đã gửi lý do cho ${formatNumber(told)}/${formatNumber(total)} người liên hệ của đơn vị; những người còn lại chưa nhận được tin (bot không gửi được).`);

export const notSubmitted = (unit: string, state: UnitState) =>
  `Báo cáo của ${unit} đang ở trạng thái “${UNIT_STATE_LABELS[state].toLocaleLowerCase('vi')}”: chỉ duyệt hoặc trả lại được báo cáo đơn vị đã gửi.`;
export const alreadyAccepted = (unit: string) => `Báo cáo của ${unit} đã được duyệt trước đó; không có gì thay đổi.`;
export const noSuchUnit = (code: string) => `Không có đơn vị mã “${code.slice(0, 40)}”. Tìm mã đơn vị bằng /donvi kèm tên đơn vị, ví dụ /donvi Bảo Lộc.`;
export const returnProblem = (problem: 'no_questions' | 'bad_number' | 'no_reason', total: number, detail?: string) =>
  problem === 'no_reason'
    ? 'Vui lòng ghi lý do trả lại sau số câu, ví dụ: /tralai PGD-DALAT 12 Số lượt xem chưa khớp.'
    : problem === 'bad_number'
      ? `“${(detail ?? '').slice(0, 20)}” không phải số câu trong biểu mẫu (từ 1 đến ${total}).`
      : 'Vui lòng ghi số câu cần sửa (như trong bảng /xem của đơn vị) rồi lý do, ví dụ: /tralai PGD-DALAT 12,13 Số lượt xem chưa khớp.';
