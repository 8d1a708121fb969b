import type { FlatQuestion, AnswerValue } from '../domain/form';
import { formatNumber } from '../domain/format';
import { formatDateTime, formatShortDate } from '../domain/periods';

/**
 * Every sentence the conversation says, in one place, so wording is reviewed once and both channels
 * say the same thing. Plain text only: channels send it without a parse mode, so nothing needs escaping.
 */

export const LABEL_SKIP = 'Bỏ qua';
export const LABEL_BACK = 'Quay lại';
export const LABEL_REVIEW = 'Xem lại';
export const LABEL_CANCEL = 'Hủy';
export const LABEL_CONFIRM = 'Xác nhận';
export const LABEL_EDIT = 'Sửa';
export const LABEL_CONTINUE = 'Tiếp tục nhập';
export const LABEL_KEEP = 'Giữ nguyên';

export function formatValue(q: Pick<FlatQuestion, 'type' | 'unit'>, v: AnswerValue, maxText?: number): string {
  if (typeof v === 'number') return q.unit ? `${formatNumber(v)} ${q.unit}` : formatNumber(v);
  const oneLine = v.replace(/\s+/g, ' ').trim();
  return maxText !== undefined && oneLine.length > maxText ? `“${oneLine.slice(0, maxText - 1).trimEnd()}…”` : `“${oneLine}”`;
}

export function question(q: FlatQuestion, total: number, current: string | null | undefined): string {
  const lines = [`Câu ${q.number}/${total} · ${q.sectionTitle}`, '', `${q.label}${q.unit ? ` (đơn vị tính: ${q.unit})` : ''}`];
  if (q.help) lines.push(q.help);
  if (q.type === 'text') {
    // "bấm" would be wrong on Zalo and the console, which have no buttons: name the command.
    lines.push(q.required ? 'Nhập nội dung ngắn gọn.' : 'Nhập nội dung ngắn gọn. Nếu không có, gõ “không có” hoặc /boqua.');
  } else {
    lines.push(q.type === 'money' ? 'Nhập số tiền, ví dụ: 510.500.000 hoặc 10,5 triệu. Không có thì nhập 0.' : 'Nhập một số, ví dụ: 12 hoặc 1.593. Không có thì nhập 0.');
  }
  if (current !== undefined) {
    lines.push('', current === null ? 'Câu này đã được bỏ qua.' : `Câu trả lời hiện tại: ${current}. Gửi câu trả lời mới để thay, hoặc /boqua để giữ nguyên.`);
  }
  return lines.join('\n');
}

/** No full stop after a quoted text: “…phụ huynh.”. would end twice. */
const end = (shown: string) => (shown.endsWith('”') ? '' : '.');
export const saved = (n: number, shown: string) => `✓ Câu ${n}: đã ghi ${shown}${end(shown)}`;
export const unchangedAnswer = (n: number, shown: string) => `✓ Câu ${n}: giữ nguyên ${shown}${end(shown)}`;
export const savedNothing = (n: number) => `✓ Câu ${n}: đã ghi nhận là không có.`;
export const savedCorrection = (n: number, shown: string, revision: number) =>
  `✓ Câu ${n}: đã sửa thành ${shown}${end(shown)} Báo cáo đã xác nhận được cập nhật (lần sửa thứ ${revision - 1}).`;
export const skipped = (n: number) => `Đã bỏ qua câu ${n}.`;
export const kept = (n: number) => `Giữ nguyên câu trả lời của câu ${n}.`;
export const allAnswered = () => 'Bạn đã trả lời hết các câu hỏi. Mời kiểm tra lại trước khi xác nhận:';
export const emptyAnswer = () => 'Bạn chưa nhập nội dung. Vui lòng trả lời câu hỏi dưới đây.';
export const noWords = () => 'Câu trả lời cần có chữ hoặc số (biểu tượng cảm xúc không được ghi vào báo cáo). Vui lòng trả lời câu hỏi dưới đây.';
export const invalidNumber = (why: string, n: number) => `${why}\nVui lòng nhập lại câu ${n}.`;
/**
 * An ambiguous figure. Readings are offered as numbered choices, unless a reading is itself a small number
 * that could be mistaken for a choice ("2 hoặc 3": is "2" the number or option 2?): then the contact
 * simply sends the number meant.
 */
export const pickReading = (raw: string) =>
  `Chưa rõ “${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}” là bao nhiêu.\nBạn muốn ghi số nào? Chọn một trong các cách hiểu dưới đây, hoặc nhập lại con số chính xác.`;
export const pickReadingByValue = (raw: string, values: string[]) =>
  `Chưa rõ “${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}” là bao nhiêu.\nBạn muốn ghi số nào? Vui lòng gửi lại đúng một số: ${values.join(' hoặc ')}.`;
export const pickLabel = (shown: string) => `Chọn ${shown}`;
export const restOfLongText = (max: number) =>
  `Tin nhắn này có vẻ là phần tiếp theo của đoạn văn bản quá dài vừa gửi (ứng dụng tự tách tin nhắn dài), nên chưa được ghi. Vui lòng rút gọn toàn bộ nội dung còn tối đa ${formatNumber(max)} ký tự rồi gửi lại trong một tin nhắn.`;
export const textTooLong = (len: number, max: number) =>
  `Nội dung quá dài (${formatNumber(len)} ký tự); tối đa ${formatNumber(max)} ký tự. Vui lòng rút gọn rồi gửi lại.`;
export const textTooShort = (min: number) => `Nội dung quá ngắn; vui lòng viết ít nhất ${formatNumber(min)} ký tự.`;
export const cannotSkipRequired = (n: number, type: FlatQuestion['type']) =>
  `Câu ${n} là câu bắt buộc, không thể bỏ qua.${type === 'text' ? ' Vui lòng nhập nội dung.' : ' Nếu không có, hãy nhập 0.'}`;
export const nothingToSkip = () => 'Hiện không có câu hỏi nào để bỏ qua. Gõ /nhap để tiếp tục nhập báo cáo.';
export const atFirstQuestion = () => 'Đây là câu đầu tiên, không thể quay lại.';
export const nothingToGoBackTo = () => 'Không có câu nào để quay lại.';
export const nothingToCancel = () => 'Không có thao tác nào đang thực hiện. Gõ /nhap để nhập báo cáo hoặc /trogiup để xem hướng dẫn.';
export const paused = () => 'Đã tạm dừng. Các câu trả lời đã được lưu; gõ /nhap để tiếp tục đúng câu đang dừng.';
export const editCancelled = () => 'Đã hủy sửa, câu trả lời cũ được giữ nguyên.';
export const askWhichToEdit = (total: number) => `Bạn muốn sửa câu số mấy? Gửi một số từ 1 đến ${total} (ví dụ: 5), hoặc /huy để thôi.`;
export const badQuestionNumber = (arg: string, total: number) =>
  `“${arg.slice(0, 20)}” không phải số câu hợp lệ. Gửi một số từ 1 đến ${total}, ví dụ: /sua 5.`;
/** Text typed under the review, which is right above: say what is expected, do not send the long review again. */
export const reviewExpectsChoice = () => 'Bạn đang xem lại báo cáo. Trả lời 1 để xác nhận, 2 để sửa một câu, hoặc /sua N để sửa câu N.';
export const reviewExpectsContinue = (missing: number, resumeAt: number | null) =>
  `Bạn đang xem lại báo cáo; còn ${missing} câu bắt buộc chưa trả lời. Gõ /nhap để tiếp tục nhập${resumeAt ? ` (câu ${resumeAt})` : ''}, hoặc /sua N để sửa câu N.`;
export const reviewExpectsEdit = () => 'Báo cáo đã được xác nhận. Để sửa, gõ /sua N (N là số thứ tự câu trong bảng xem lại, ví dụ: /sua 5).';
export const idleHint = (periodTitle: string) => `Gõ /nhap để nhập báo cáo ${periodTitle}, /xem để xem lại, hoặc /trogiup để xem hướng dẫn.`;
export const idleHintConfirmed = (periodTitle: string) =>
  `Báo cáo ${periodTitle} của đơn vị đã được xác nhận. Gõ /xem để xem lại, /sua N để sửa câu N, hoặc /trogiup để xem hướng dẫn.`;
export const periodClosed = (periodTitle: string) =>
  `Kỳ báo cáo ${periodTitle} đã khóa, không thể nhập hoặc sửa. Nếu cần điều chỉnh, vui lòng liên hệ Văn phòng Sở.`;
export const missingRequired = (numbers: number[]) =>
  `Chưa thể xác nhận: còn ${numbers.length} câu bắt buộc chưa trả lời (câu ${numbers.join(', ')}). Gõ /nhap để tiếp tục.`;
export const confirmed = (unitName: string, periodTitle: string) =>
  `✅ Đã xác nhận báo cáo ${periodTitle} của ${unitName}. Xin cảm ơn!\nVẫn có thể sửa (/xem, /sua N) cho đến khi Văn phòng Sở khóa kỳ báo cáo; mọi thay đổi đều được lưu lại.`;
export const alreadyConfirmed = (periodTitle: string, at: Date | null, tz: string) =>
  `Báo cáo ${periodTitle} của đơn vị đã được xác nhận${at ? ` lúc ${formatDateTime(at, tz)}` : ''}. Có thể sửa bằng /sua N cho đến khi kỳ báo cáo bị khóa.`;

export const flowIntro = (unitName: string, periodTitle: string, deadline: Date, total: number, tz: string, overdue = false) =>
  `Báo cáo công tác thông tin đối ngoại ${periodTitle} của ${unitName}.\nHạn gửi: ${formatShortDate(deadline, tz)}${overdue ? ' (đã quá hạn, vui lòng hoàn thành sớm)' : ''}. Gồm ${total} câu, trả lời lần lượt từng câu; câu trả lời được lưu ngay, có thể dừng và tiếp tục bất cứ lúc nào.`;

export function review(
  unitName: string,
  periodTitle: string,
  submission: { status: 'none' | 'draft' | 'confirmed'; revision: number; confirmedAt: Date | null },
  lines: { q: FlatQuestion; shown: string | null | undefined }[],
  missing: number[],
  open: boolean,
  tz: string,
): string {
  const status =
    submission.status === 'confirmed'
      ? `Đã xác nhận${submission.confirmedAt ? ` lúc ${formatDateTime(submission.confirmedAt, tz)}` : ''}${submission.revision > 1 ? `, đã sửa ${submission.revision - 1} lần` : ''}`
      : 'Chưa xác nhận';
  const out = [`BÁO CÁO ${periodTitle.toUpperCase()} · ${unitName}`, `Trạng thái: ${status}`];
  let section = '';
  for (const { q, shown } of lines) {
    if (q.sectionTitle !== section) {
      section = q.sectionTitle;
      out.push('', section);
    }
    const value = shown === undefined ? '(chưa trả lời)' : shown === null ? '(bỏ qua)' : shown;
    out.push(`${q.number}. ${q.label}: ${value}`);
  }
  out.push('');
  if (!open) out.push('Kỳ báo cáo đã khóa.');
  else if (missing.length > 0) out.push(`Còn ${missing.length} câu bắt buộc chưa trả lời: ${missing.join(', ')}. Gõ /nhap để tiếp tục.`);
  else if (submission.status === 'confirmed') out.push('Để sửa câu N, gõ /sua N.');
  else out.push('Kiểm tra kỹ rồi xác nhận (/xacnhan). Để sửa câu N, gõ /sua N.');
  return out.join('\n');
}
