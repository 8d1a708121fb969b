import { formatNumber } from '../domain/format';
import { displayInviteCode } from '../domain/invite-code';

/** Texts for linking a chat account to a unit, and for things said outside the form. */

export const welcomeUnbound = (name: string | null) =>
  `Xin chào${name ? ` ${name}` : ''}! Đây là trợ lý báo cáo công tác thông tin đối ngoại của Sở Giáo dục và Đào tạo.\n` +
  'Để bắt đầu, gửi mã mời của đơn vị (do Văn phòng Sở cấp), ví dụ: /start ABCD-EFGH';

export const notBound = () => 'Tài khoản này chưa được liên kết với đơn vị nào. Gửi mã mời của đơn vị, ví dụ: /start ABCD-EFGH. Chưa có mã? Vui lòng liên hệ Văn phòng Sở.';

export const boundToUnit = (unitName: string, periodLine: string) =>
  `✅ Đã liên kết tài khoản với ${unitName}.\n${periodLine}\nGõ /trogiup để xem tất cả các lệnh.`;

export const boundAsOffice = () =>
  '✅ Đã liên kết tài khoản Văn phòng Sở. Gõ /trogiup để xem các lệnh dành cho Văn phòng.';

export const welcomeBack = (unitName: string | null, periodLine: string) =>
  unitName ? `Chào mừng trở lại! Tài khoản đang liên kết với ${unitName}.\n${periodLine}` : welcomeBackOffice();

export const welcomeBackOffice = () =>
  'Chào mừng trở lại! Đây là tài khoản Văn phòng Sở. Gõ /tiendo để xem tiến độ các đơn vị, /baocao để nhận dự thảo báo cáo tổng hợp, hoặc /trogiup để xem tất cả các lệnh.';

/** The unit's share of the open period's form: questions that apply, how many are answered, the time left. */
export interface Workload {
  total: number;
  answered: number;
  confirmed: boolean;
  minutes: number;
}

function workloadSentence(w: Workload): string {
  const total = `Biểu mẫu kỳ này có ${formatNumber(w.total)} câu hỏi dành cho đơn vị`;
  if (w.confirmed) return `${total}; báo cáo đã được xác nhận.`;
  if (w.answered > 0 && w.answered < w.total) return `${total}, đã trả lời ${formatNumber(w.answered)} câu; phần còn lại mất khoảng ${w.minutes} phút.`;
  if (w.answered >= w.total && w.total > 0) return `${total}, đã trả lời đủ; chỉ còn xem lại và xác nhận.`;
  return `${total}, mất khoảng ${w.minutes} phút.`;
}

/** For a unit's contact: the open period, its deadline (and whether it has passed), the workload, and /nhap. */
export const periodLine = (periodTitle: string | null, deadline: string | null, overdue = false, workload: Workload | null = null) =>
  periodTitle
    ? `Kỳ báo cáo đang mở: ${periodTitle} (hạn ${deadline}${overdue ? ', đã quá hạn' : ''}).${workload ? ` ${workloadSentence(workload)}` : ''} Gõ /nhap để bắt đầu hoặc tiếp tục.`
    : 'Hiện chưa có kỳ báo cáo nào đang mở.';

/** The same code again (a deep link tapped twice): nothing changes and no use of the code is counted. */
export const alreadyBoundToUnit = (unitName: string, periodLine: string) => `Tài khoản này đã liên kết với ${unitName}, không cần nhập lại mã.\n${periodLine}`;
export const alreadyOffice = () => 'Tài khoản này đã là tài khoản Văn phòng Sở, không cần nhập lại mã. Gõ /trogiup để xem các lệnh dành cho Văn phòng.';

/** The word that confirms moving an account to the unit of another code: "/start ABCD-EFGH chuyen". */
export const SWITCH_WORD = 'chuyen';
export const LABEL_SWITCH = 'Đồng ý chuyển';

/** A code of another unit (or of the office) sent from an account already linked: ask before moving it. */
export const confirmSwitch = (from: string | null, to: string | null, code: string) => {
  const shown = displayInviteCode(code);
  const now = from ? `Tài khoản này đang liên kết với ${from}.` : 'Tài khoản này đang là tài khoản Văn phòng Sở.';
  const target = to ? `Mã ${shown} là mã mời của ${to}.` : `Mã ${shown} là mã của tài khoản Văn phòng Sở.`;
  const move = to ? `chuyển tài khoản sang ${to}` : 'chuyển thành tài khoản Văn phòng Sở';
  const after = from ? `tài khoản không nhập báo cáo cho ${from} nữa; các câu trả lời đã gửi vẫn được giữ` : 'tài khoản không còn dùng được các lệnh của Văn phòng Sở';
  return `${now}\n${target} Nếu muốn ${move}, gửi: /start ${shown} ${SWITCH_WORD}\nSau khi chuyển, ${after}. Nếu không muốn chuyển, không cần làm gì.`;
};

export const switchedToUnit = (from: string | null, unitName: string, periodLine: string) =>
  `✅ Đã chuyển tài khoản${from ? ` từ ${from}` : ''} sang ${unitName}.\n${periodLine}\nGõ /trogiup để xem tất cả các lệnh.`;

export const unitInactive = (unitName: string | null) =>
  `${unitName ?? 'Đơn vị của tài khoản này'} đang tạm ngừng báo cáo nên chưa nhập được. Vui lòng liên hệ Văn phòng Sở.`;

export const inviteRefused = (reason: 'not_found' | 'expired' | 'used_up' | 'revoked' | 'unit_inactive' | 'malformed', code: string) => {
  const shown = code.length > 20 ? `${code.slice(0, 20)}…` : code;
  switch (reason) {
    case 'malformed':
    case 'not_found':
      return `Mã “${shown}” không đúng. Mã mời gồm 8 ký tự chữ và số (ví dụ ABCD-EFGH); vui lòng kiểm tra lại.`;
    case 'expired':
      return 'Mã mời này đã hết hạn. Vui lòng xin mã mới từ Văn phòng Sở.';
    case 'used_up':
      return 'Mã mời này đã được dùng hết số lần cho phép. Vui lòng xin mã mới từ Văn phòng Sở.';
    case 'revoked':
      return 'Mã mời này đã bị thu hồi. Vui lòng xin mã mới từ Văn phòng Sở.';
    case 'unit_inactive':
      return 'Đơn vị của mã mời này đang tạm ngừng báo cáo. Vui lòng liên hệ Văn phòng Sở.';
  }
};

export const tooManyAttempts = (minutes: number) =>
  `Tài khoản này đã nhập sai mã quá nhiều lần. Vì an toàn, vui lòng thử lại sau ${minutes} phút.`;

/** `closedTitle`: the period the contact was in, now closed by the office. */
export const noOpenPeriod = (closedTitle?: string) =>
  `${closedTitle ? `Kỳ báo cáo ${closedTitle} đã khóa. ` : ''}Hiện chưa có kỳ báo cáo nào đang mở. Bot sẽ nhắc khi đến kỳ báo cáo.`;
export const unknownPeriod = (arg: string, open: string[]) =>
  `Kỳ “${arg.slice(0, 20)}” không mở để nhập.${open.length ? ` Các kỳ đang mở: ${open.join(', ')}.` : ''}`;
export const periodNotOpen = (title: string) => `Kỳ báo cáo ${title} không mở để nhập.`;
export const officeHasNoForm = () => 'Tài khoản Văn phòng Sở không nhập báo cáo đơn vị. Gõ /trogiup để xem các lệnh dành cho Văn phòng.';
export const officeOnly = () => 'Lệnh này chỉ dành cho tài khoản Văn phòng Sở.';
/** An office command from an account not linked yet: the unit's code would not help, say which code does. */
export const notBoundOffice = (command: string, console: boolean) =>
  `Lệnh /${command} dành cho tài khoản Văn phòng Sở. Để dùng, gửi /start và mã mời tài khoản Văn phòng Sở (khác với mã mời của đơn vị)` +
  (console
    ? ': mã này in ở đầu phiên thử, trên dòng “tài khoản Văn phòng Sở”.'
    : '; bộ phận CNTT tạo mã bằng lệnh npm run cli -- office invite, hoặc một tài khoản Văn phòng Sở đã liên kết gửi /moi.');
export const unknownCommand = (name: string) => `Không có lệnh /${name.slice(0, 32)}. Gõ /trogiup để xem các lệnh.`;
export const unsupported = (what: 'sticker' | 'photo' | 'file' | 'other', expected: string) => {
  const noun = what === 'sticker' ? 'nhãn dán' : what === 'photo' ? 'hình ảnh' : what === 'file' ? 'tệp' : 'loại tin nhắn này';
  return `Bot chưa đọc được ${noun}. ${expected}`;
};
export const expectedWhenAnswering = () => 'Vui lòng trả lời câu hỏi hiện tại bằng tin nhắn chữ.';
export const expectedWhenIdle = () => 'Gõ /nhap để nhập báo cáo hoặc /trogiup để xem hướng dẫn.';
export const expectedWhenUnbound = () => 'Vui lòng gửi mã mời của đơn vị, ví dụ: /start ABCD-EFGH.';
/** Reports are personal: in a group the bot only points to the private chat. */
export const privateChatHint = () => 'Vui lòng nhắn riêng cho bot để báo cáo.';
export const handlingFailed = () =>
  'Đã có lỗi khi xử lý tin nhắn. Các câu trả lời đã lưu vẫn được giữ; vui lòng thử lại sau ít phút.';
/** Shown on the button itself (answerCallbackQuery: at most 200 characters). */
export const staleButton = () => 'Nút này thuộc câu hỏi trước, không còn dùng được. Vui lòng dùng tin nhắn mới nhất.';
/** Telegram lets people edit a sent message; the bot reads each message once, so say the edit did nothing. */
export const editedMessageIgnored = () =>
  'Bot không đọc tin nhắn đã chỉnh sửa, nên câu trả lời đã lưu không thay đổi. Để sửa một câu đã trả lời, gõ /sua và số thứ tự câu (xem bằng /xem), ví dụ /sua 5.';
export const inviteCodeLine = (unit: string, code: string) => `${unit}: ${displayInviteCode(code)}`;

export const helpHeader = () => 'HƯỚNG DẪN SỬ DỤNG\nTrả lời lần lượt từng câu hỏi; có thể dừng bất cứ lúc nào và gõ /nhap để tiếp tục đúng chỗ đã dừng.';
export const helpOfficeHeader = () => 'Lệnh dành cho Văn phòng Sở:';
