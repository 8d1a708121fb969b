import type { AnswerFlag, FlatQuestion, AnswerValue } from '../domain/form';
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

export interface QuestionView {
  q: FlatQuestion;
  total: number;
  /** The current answer, formatted; null = skipped or "không có"; undefined = not answered yet. */
  current?: string | null;
  /** Last period's figure, formatted, and the period ("quý I/2026"). */
  previous?: { shown: string; title: string } | null;
  /** The section's figures that may be sent together, with last period's figures where known. */
  paste?: { label: string; previous: string | null }[] | null;
  /** A line put above the question: the acknowledgement of the answer just given. */
  lead?: string | null;
}

/** One question, with the acknowledgement of the previous answer above it: one message per answer. */
export function question(v: QuestionView): string {
  const { q } = v;
  const lines: string[] = [];
  if (v.lead) lines.push(v.lead, '');
  lines.push(`Câu ${q.number}/${v.total} · ${q.sectionTitle}`);
  if (v.paste && v.paste.length > 1) {
    lines.push(
      `Mục này có ${v.paste.length} số. Có thể gửi cả ${v.paste.length} số trong một tin nhắn, theo thứ tự dưới đây, mỗi số một dòng (như khi chép một cột Excel) hoặc cách nhau bằng dấu chấm phẩy:`,
    );
    v.paste.forEach((p, i) => lines.push(`${i + 1}. ${p.label}${p.previous !== null ? ` · kỳ trước ${p.previous}` : ''}`));
    lines.push(`Hoặc trả lời lần lượt, bắt đầu với số 1: ${q.label}${q.unit ? ` · tính bằng ${q.unit}` : ''}.`);
  } else {
    lines.push(`${q.label}${q.unit ? ` · tính bằng ${q.unit}` : ''}`);
  }
  if (q.help) lines.push(q.help);
  if (q.type === 'text') {
    const max = formatNumber(q.max ?? 2000);
    lines.push(
      q.required
        ? `Câu bắt buộc: viết ${q.min ? `ít nhất ${formatNumber(q.min)} ký tự, ` : ''}tối đa ${max} ký tự.`
        : `Không bắt buộc, tối đa ${max} ký tự. Nếu không có, gửi “không có” hoặc /boqua.`,
    );
  } else if (v.previous) {
    lines.push(`Kỳ trước (${v.previous.title}): ${v.previous.shown}. Gửi dấu = để giữ nguyên.`);
  } else if (!v.paste || v.paste.length < 2) {
    lines.push(q.type === 'money' ? 'Nhập số tiền, ví dụ: 510.500.000 hoặc 10,5 triệu. Không có thì nhập 0.' : 'Nhập một số, ví dụ: 12 hoặc 1.593. Không có thì nhập 0.');
  }
  if (v.current !== undefined) {
    lines.push(v.current === null ? 'Câu này đã được bỏ qua.' : `Câu trả lời hiện tại: ${v.current}. Gửi câu trả lời mới để thay, hoặc /boqua để giữ nguyên.`);
  }
  return lines.join('\n');
}

/** The unit profile offered as one block: "Giữ nguyên cả 4 số của kỳ trước?" */
export function stableBlock(sectionTitle: string, title: string, items: { label: string; shown: string }[], lead: string | null, number: number, total: number): string {
  const lines: string[] = [];
  if (lead) lines.push(lead, '');
  lines.push(`Câu ${number}–${number + items.length - 1}/${total} · ${sectionTitle}`, `Kỳ trước (${title}) đơn vị đã báo:`);
  items.forEach((it, i) => lines.push(`${i + 1}. ${it.label}: ${it.shown}`));
  lines.push(`Giữ nguyên cả ${items.length} số của kỳ trước? Nếu có thay đổi, có thể gửi ngay ${items.length} số mới, mỗi số một dòng.`);
  return lines.join('\n');
}
export const LABEL_KEEP_ALL = 'Giữ nguyên cả các số';
export const LABEL_ENTER_NEW = 'Nhập số mới';
export const correctionCounted = (revision: number) => `Báo cáo đã xác nhận được cập nhật, lần sửa thứ ${revision - 1}.`;
export const keptAll = (n: number) => `✓ Giữ nguyên ${n} số của kỳ trước.`;
export const keepPrevious = (shown: string) => `Giữ ${shown}`;

/** "✓ 1.593 cơ sở · ghi chú: …": what was stored, as one line above the next question. */
export function ack(shown: string, note: string | null | undefined, flagged = false): string {
  return `✓ ${shown}${note ? ` · ghi chú: ${note}` : ''}${flagged ? ' · đã xác nhận số liệu khác thường' : ''}`;
}

/** After /sua N: only the changed line and the way back. */
export function editedLine(q: FlatQuestion, shown: string, before: string | null, note: string | null | undefined, revision: number | null, same = false): string {
  const lines = [`✓ Câu ${q.number} · ${q.label}: ${same ? 'giữ nguyên ' : ''}${shown}${note ? ` · ghi chú: ${note}` : ''}${before !== null && before !== shown ? ` (trước đây: ${before})` : ''}`];
  if (revision !== null) lines.push(`Báo cáo đã xác nhận được cập nhật, lần sửa thứ ${revision - 1}.`);
  lines.push('Gõ /xem để xem lại cả báo cáo. Để sửa câu khác, gõ /sua và số thứ tự câu, ví dụ /sua 5.');
  return lines.join('\n');
}

/** A section sent in one message: what was stored, what was not and why. */
export function pasteResult(sectionTitle: string, lines: { n: number; label: string; shown: string | null; note?: string | null; error?: string }[]): string {
  const stored = lines.filter((l) => l.error === undefined).length;
  const out = [stored === lines.length ? `✓ Đã ghi ${stored} số của mục ${sectionTitle}:` : `Đã ghi ${stored}/${lines.length} số của mục ${sectionTitle}:`];
  for (const l of lines) {
    out.push(l.error === undefined ? `${l.n}. ${l.label}: ${l.shown}${l.note ? ` · ghi chú: ${l.note}` : ''}` : `✗ ${l.n}. ${l.label}: chưa ghi. ${l.error}`);
  }
  return out.join('\n');
}
export const pasteWrongCount = (expected: number, got: number, labels: string[]) =>
  `Mục này có ${expected} số nhưng tin nhắn có ${got} giá trị, nên chưa ghi số nào. Vui lòng gửi đủ ${expected} số theo thứ tự:\n${labels.map((l, i) => `${i + 1}. ${l}`).join('\n')}`;
export const pasteEmptyValue = () => 'Chưa có số ở vị trí này.';
export const reenter = (n: number, label: string) => `Vui lòng nhập lại số ${n}: ${label}.`;

export const unknownQuestion = () => 'Không có câu hỏi này trong biểu mẫu.';
export const notApplicable = () => 'Câu hỏi này không áp dụng cho đơn vị.';
export const noPreviousFigure = () => 'Đơn vị chưa có số liệu kỳ trước cho câu này. Vui lòng nhập số.';
export const moneyComma = (raw: string) => `“${raw}” là ${formatNumber(Number(raw.replace(/\D/g, '')))} đồng hay ${raw.split(',')[0]},${raw.split(',')[1]?.replace(/0+$/, '') || '0'} triệu đồng? Vui lòng chọn hoặc nhập lại số đầy đủ.`;
export function unlikelyFigure(q: Pick<FlatQuestion, 'type' | 'unit'>, value: number, flag: AnswerFlag, previous: { sameKind: { title: string; periodId: string } | null; latest: { title: string; periodId: string } | null } | null): string {
  const now = formatValue(q, value);
  if (flag.kind === 'rule') return `${flag.message} Đơn vị vừa nhập ${now}. Đúng không?`;
  const title = [previous?.sameKind, previous?.latest].find((p) => p?.periodId === flag.periodId)?.title;
  return `Kỳ trước${title ? ` (${title})` : ''} đơn vị báo ${formatValue(q, flag.previous)}; nay ${now}. Đúng không?`;
}
export const LABEL_RIGHT = 'Đúng';
export const LABEL_REENTER = 'Nhập lại';
export const reenterAsked = (label: string) => `Mời nhập lại: ${label}.`;
/** How the office sees a confirmed unusual figure (export, appendix). */
export const flagText = (flag: AnswerFlag, previousShown: string | null) =>
  flag.kind === 'rule' ? `Đơn vị xác nhận: ${flag.message}` : `Đơn vị xác nhận số liệu khác thường; kỳ trước ${previousShown ?? formatNumber(flag.previous)}`;

/** No full stop after a quoted text: “…phụ huynh.”. would end twice. */
const end = (shown: string) => (shown.endsWith('”') ? '' : '.');
export const saved = (n: number, shown: string) => `✓ Câu ${n}: đã ghi ${shown}${end(shown)}`;
export const unchangedAnswer = (n: number, shown: string) => `✓ Câu ${n}: giữ nguyên ${shown}${end(shown)}`;
export const savedNothing = (n: number) => `✓ Câu ${n}: đã ghi nhận là không có.`;
export const savedCorrection = (n: number, shown: string, revision: number) =>
  `✓ Câu ${n}: đã sửa thành ${shown}${end(shown)} Báo cáo đã xác nhận được cập nhật (lần sửa thứ ${revision - 1}).`;
export const skipped = (n: number) => `Đã bỏ qua câu ${n}.`;
export const kept = (n: number) => `Giữ nguyên câu trả lời của câu ${n}.`;
export const allAnswered = () => 'Đơn vị đã trả lời hết các câu hỏi. Đề nghị kiểm tra lại trước khi xác nhận:';
export const emptyAnswer = () => 'Tin nhắn chưa có nội dung. Vui lòng trả lời câu hỏi dưới đây.';
export const noWords = () => 'Câu trả lời cần có chữ hoặc số (biểu tượng cảm xúc không được ghi vào báo cáo). Vui lòng trả lời câu hỏi dưới đây.';
export const invalidNumber = (why: string, n: number) => `${why}\nVui lòng nhập lại câu ${n}.`;
/**
 * An ambiguous figure. Readings are offered as numbered choices, unless a reading is itself a small number
 * that could be mistaken for a choice ("2 hoặc 3": is "2" the number or option 2?): then the contact
 * simply sends the number meant.
 */
export const pickReading = (raw: string) =>
  `Chưa rõ “${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}” là bao nhiêu.\nĐơn vị muốn ghi số nào? Vui lòng chọn một trong các cách hiểu dưới đây, hoặc nhập lại con số chính xác.`;
export const pickReadingByValue = (raw: string, values: string[]) =>
  `Chưa rõ “${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}” là bao nhiêu.\nĐơn vị muốn ghi số nào? Vui lòng gửi lại đúng một số: ${values.join(' hoặc ')}.`;
export const pickLabel = (shown: string) => `Chọn ${shown}`;
export const restOfLongText = (max: number) =>
  `Tin nhắn này có vẻ là phần tiếp theo của đoạn văn bản quá dài vừa gửi (ứng dụng tự tách tin nhắn dài), nên chưa được ghi. Vui lòng rút gọn toàn bộ nội dung còn tối đa ${formatNumber(max)} ký tự rồi gửi lại trong một tin nhắn.`;
export const textTooLong = (len: number, max: number) =>
  `Nội dung quá dài (${formatNumber(len)} ký tự); tối đa ${formatNumber(max)} ký tự. Vui lòng rút gọn rồi gửi lại.`;
export const textTooShort = (min: number) => `Nội dung quá ngắn; vui lòng viết ít nhất ${formatNumber(min)} ký tự.`;
export const cannotSkipRequired = (n: number, type: FlatQuestion['type']) =>
  `Câu ${n} là câu bắt buộc, không thể bỏ qua.${type === 'text' ? ' Vui lòng nhập nội dung.' : ' Nếu không có, vui lòng nhập 0.'}`;
export const nothingToSkip = () => 'Hiện không có câu hỏi nào để bỏ qua. Gõ /nhap để tiếp tục nhập báo cáo.';
export const atFirstQuestion = () => 'Đây là câu đầu tiên, không thể quay lại.';
export const nothingToGoBackTo = () => 'Không có câu nào để quay lại.';
export const nothingToCancel = () => 'Không có thao tác nào đang thực hiện. Gõ /nhap để nhập báo cáo hoặc /trogiup để xem hướng dẫn.';
export const paused = () => 'Đã tạm dừng. Các câu trả lời đã được lưu; gõ /nhap để tiếp tục đúng câu đang dừng.';
export const editCancelled = () => 'Đã hủy sửa, câu trả lời cũ được giữ nguyên.';
export const askWhichToEdit = (total: number) => `Đơn vị muốn sửa câu nào? Vui lòng gửi số thứ tự câu, từ 1 đến ${total} (ví dụ: 5), hoặc /huy để thôi.`;
export const badQuestionNumber = (arg: string, total: number) =>
  `“${arg.slice(0, 20)}” không phải số thứ tự câu. Vui lòng gửi một số từ 1 đến ${total}, ví dụ: /sua 5.`;
/** Text typed under the review, which is right above: say what is expected, do not send the long review again. */
export const reviewExpectsChoice = () => 'Báo cáo đang ở bước xem lại (tin nhắn phía trên). Trả lời 1 để xác nhận, 2 để sửa một câu; hoặc gõ /sua và số thứ tự câu, ví dụ /sua 5.';
export const reviewExpectsContinue = (missing: number, resumeAt: number | null) =>
  `Báo cáo còn ${missing} câu bắt buộc chưa trả lời. Gõ /nhap để tiếp tục nhập${resumeAt ? ` từ câu ${resumeAt}` : ''}. Để sửa một câu đã trả lời, gõ /sua và số thứ tự câu, ví dụ /sua 5.`;
export const reviewExpectsEdit = () => 'Báo cáo đã được xác nhận. Để sửa một câu, gõ /sua và số thứ tự câu trong bản xem lại, ví dụ /sua 5.';
export const idleHint = (periodTitle: string) => `Gõ /nhap để nhập báo cáo ${periodTitle}, /xem để xem lại, hoặc /trogiup để xem hướng dẫn.`;
export const idleHintConfirmed = (periodTitle: string) =>
  `Báo cáo ${periodTitle} của đơn vị đã được xác nhận. Gõ /xem để xem lại; để sửa một câu, gõ /sua và số thứ tự câu, ví dụ /sua 5; /trogiup để xem hướng dẫn.`;
export const periodClosed = (periodTitle: string) =>
  `Kỳ báo cáo ${periodTitle} đã khóa, không thể nhập hoặc sửa. Nếu cần điều chỉnh, vui lòng liên hệ Văn phòng Sở.`;
export const missingRequired = (numbers: number[]) =>
  `Chưa thể xác nhận: còn ${numbers.length} câu bắt buộc chưa trả lời (câu ${numbers.join(', ')}). Gõ /nhap để tiếp tục.`;
export const confirmed = (unitName: string, periodTitle: string) =>
  `✅ Đã xác nhận báo cáo ${periodTitle} của ${unitName}. Xin cảm ơn!\nĐơn vị vẫn có thể xem lại (/xem) và sửa (/sua và số thứ tự câu, ví dụ /sua 5) cho đến khi Văn phòng Sở khóa kỳ báo cáo; mọi thay đổi đều được lưu lại.`;
export const alreadyConfirmed = (periodTitle: string, at: Date | null, tz: string) =>
  `Báo cáo ${periodTitle} của đơn vị đã được xác nhận${at ? ` lúc ${formatDateTime(at, tz)}` : ''}. Đơn vị vẫn có thể sửa (/sua và số thứ tự câu, ví dụ /sua 5) cho đến khi kỳ báo cáo khóa.`;

export const flowIntro = (unitName: string, periodTitle: string, deadline: Date, total: number, minutes: number, tz: string, overdue = false) =>
  `Báo cáo công tác thông tin đối ngoại ${periodTitle} của ${unitName}.\nHạn gửi: ${formatShortDate(deadline, tz)}${overdue ? ', đã quá hạn, đề nghị hoàn thành sớm' : ''}. Đơn vị trả lời ${total} câu, mất khoảng ${minutes} phút. Câu trả lời được lưu ngay; có thể dừng và tiếp tục bất cứ lúc nào.`;

export interface ReviewLine {
  q: FlatQuestion;
  /** Formatted value; null = skipped; undefined = not answered yet. */
  shown: string | null | undefined;
  none?: boolean;
  note?: string | null;
  flagged?: boolean;
}

/** The review in its parts: the heading, one block per section, the closing lines. */
export interface ReviewParts {
  head: string;
  sections: string[];
  foot: string;
}

/** The whole report grouped by section, as one text: sent on /xem and before confirming. */
export function review(...args: Parameters<typeof reviewParts>): string {
  const p = reviewParts(...args);
  return [p.head, ...p.sections, p.foot].join('\n\n');
}

/**
 * The review as blocks that may travel as separate messages when the whole does not fit in one screen:
 * the heading, then each section (its title and its lines), then what to do next.
 */
export function reviewParts(
  unitName: string,
  periodTitle: string,
  submission: { status: 'none' | 'draft' | 'confirmed' | 'returned'; revision: number; confirmedAt: Date | null },
  lines: ReviewLine[],
  missing: number[],
  open: boolean,
  tz: string,
): ReviewParts {
  const status =
    submission.status === 'confirmed'
      ? `Đã xác nhận${submission.confirmedAt ? ` lúc ${formatDateTime(submission.confirmedAt, tz)}` : ''}${submission.revision > 1 ? `, đã sửa ${submission.revision - 1} lần` : ''}`
      : submission.status === 'returned'
        ? 'Văn phòng Sở đã trả lại để sửa; vui lòng sửa rồi xác nhận lại'
        : 'Chưa xác nhận';
  const head = [`BÁO CÁO ${periodTitle.toUpperCase()} · ${unitName}`, `Trạng thái: ${status}`].join('\n');
  const sections: string[][] = [];
  let section: string | null = null;
  for (const { q, shown, none, note, flagged } of lines) {
    if (q.sectionTitle !== section) {
      section = q.sectionTitle;
      sections.push([section]);
    }
    const value =
      shown === undefined ? (q.required ? 'chưa trả lời' : 'chưa trả lời, không bắt buộc') : none ? 'Không có' : shown === null ? 'bỏ qua' : shown;
    sections[sections.length - 1]!.push(`${q.number}. ${q.label}: ${value}${note ? ` · ghi chú: ${note}` : ''}${flagged ? ' · đã xác nhận số liệu khác thường' : ''}`);
  }
  const foot = !open
    ? 'Kỳ báo cáo đã khóa.'
    : missing.length > 0
      ? `Còn ${missing.length} câu bắt buộc chưa trả lời: ${missing.join(', ')}. Gõ /nhap để tiếp tục.`
      : submission.status === 'confirmed'
        ? 'Để sửa một câu, gõ /sua và số thứ tự của câu, ví dụ: /sua 5.'
        : 'Kiểm tra kỹ rồi xác nhận. Để sửa một câu, gõ /sua và số thứ tự của câu, ví dụ: /sua 5.';
  return { head, sections: sections.map((s) => s.join('\n')), foot };
}
export const LABEL_MORE = 'Trả lời tiếp câu không bắt buộc';
