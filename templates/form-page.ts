import type { FieldView, FormPageView } from '../domain/form-page';
import { formatNumber } from '../domain/format';
import { formatDateTime, formatShortDate } from '../domain/periods';

/**
 * The form page's HTML and its sentences. Every value from the database or a user is escaped here; the
 * page carries no inline script or style (the Content-Security-Policy forbids them).
 */

export const STATIC_BASE = '/form/static';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function pageDocument(title: string, main: string, attrs: Record<string, string> = {}): string {
  const data = Object.entries(attrs)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<link rel="stylesheet" href="${STATIC_BASE}/form.css">
<script src="${STATIC_BASE}/form.js" defer></script>
</head>
<body>
<main id="app"${data}>
${main}
</main>
</body>
</html>
`;
}

/** The Telegram page before the form arrives: initData is only in the URL fragment, read by the script. */
export function telegramShell(): string {
  return pageDocument(
    'Biểu mẫu báo cáo',
    `<p class="loading" id="loading">Đang tải biểu mẫu…</p>
<noscript><p class="banner error">Trang này cần bật JavaScript. Vui lòng mở lại từ nút “Mở biểu mẫu” trong Telegram, hoặc trả lời từng câu trong cuộc trò chuyện (/nhap).</p></noscript>`,
    { auth: 'telegram' },
  );
}

/** A page that only says something (an expired link, no access) and how to go on. */
export function messagePage(title: string, body: string): string {
  return pageDocument(title, `<h1>${esc(title)}</h1>\n<p class="banner">${esc(body)}</p>`);
}

export const statusLine = (v: Pick<FormPageView, 'open' | 'submission' | 'answered' | 'total'>, tz: string): string => {
  if (!v.open) return `Kỳ báo cáo đã khóa. Trang này chỉ để xem, không thể sửa.`;
  if (v.submission.status === 'confirmed') {
    const at = v.submission.confirmedAt ? ` lúc ${formatDateTime(v.submission.confirmedAt, tz)}` : '';
    return `Đã xác nhận${at}. Vẫn có thể sửa cho đến khi kỳ báo cáo khóa; mỗi thay đổi được lưu ngay và ghi lại.`;
  }
  return `Chưa xác nhận · đã trả lời ${v.answered}/${v.total} câu.`;
};

export const statusClass = (v: Pick<FormPageView, 'open' | 'submission'>): string => (v.open ? v.submission.status : 'closed');

function fieldHtml(f: FieldView, open: boolean): string {
  const id = `f-${f.key}`;
  const ro = open ? '' : ' readonly aria-readonly="true"';
  const hint =
    f.type === 'money'
      ? 'Ví dụ: 510.500.000 hoặc 10,5 triệu. Không có thì nhập 0.'
      : f.type === 'count'
        ? 'Không có thì nhập 0.'
        : f.required
          ? `Bắt buộc${f.maxLength ? `, tối đa ${formatNumber(f.maxLength)} ký tự` : ''}.`
          : 'Không bắt buộc. Nếu không có, gõ “không có”.';
  const control =
    f.type === 'text'
      ? `<textarea id="${id}" name="${esc(f.key)}" rows="3"${f.maxLength ? ` maxlength="${f.maxLength}"` : ''} aria-describedby="m-${esc(f.key)}"${ro}>${esc(f.input)}</textarea>`
      : `<input id="${id}" name="${esc(f.key)}" type="text" inputmode="${f.type === 'count' ? 'numeric' : 'text'}" autocomplete="off" enterkeyhint="next" value="${esc(f.input)}" aria-describedby="m-${esc(f.key)}"${ro}>`;
  const unit = f.unit && f.type !== 'text' ? `<span class="unit">${esc(f.unit)}</span>` : '';
  // "=" keeps last period's figure, as in the chat; the button types it for the person.
  const keep = f.previous && open ? ` <button type="button" class="keep" data-keep="=">Giữ như kỳ trước</button>` : '';
  const prev = f.previous ? `<p class="prev">Kỳ trước: ${esc(f.previous)}${keep}</p>` : '';
  const help = f.help ? `<p class="help">${esc(f.help)}</p>` : '';
  const notes = [
    f.note ? `Ghi chú: ${esc(f.note)}` : '',
    f.flagged ? 'Đơn vị đã xác nhận số liệu khác thường này.' : '',
    f.state === 'skipped' ? 'Câu này đã được bỏ qua.' : '',
  ].filter(Boolean);
  const state = notes.length ? `<p class="note">${notes.join(' ')}</p>` : '';
  return `<div class="field ${f.state}" data-key="${esc(f.key)}" data-seen="${f.seen ?? ''}" data-type="${f.type}">
<label for="${id}"><span class="num">Câu ${f.number}.</span> ${esc(f.label)}${f.required ? ' <span class="req" title="bắt buộc">*</span>' : ''}</label>
<div class="control">${control}${unit}</div>
${prev}${help}<p class="hint">${hint}</p>${state}<p class="msg" id="m-${esc(f.key)}" role="status" aria-live="polite"></p>
</div>`;
}

/** The form itself: what both the Telegram page and the personal-link page show. */
export function formBody(v: FormPageView, tz: string): string {
  const sections = v.sections
    .map((s, i) => `<section><h2>${i + 1}. ${esc(s.title)}</h2>\n${s.fields.map((f) => fieldHtml(f, v.open)).join('\n')}\n</section>`)
    .join('\n');
  const confirmed = v.submission.status === 'confirmed';
  const actions = v.open
    ? `<div class="actions">
<p class="msg" id="confirm-msg" role="alert"></p>
${confirmed ? '' : '<button type="button" id="confirm">Xác nhận gửi báo cáo</button>'}
<p class="small">${confirmed ? 'Các thay đổi được lưu ngay khi chuyển sang ô khác.' : 'Sau khi xác nhận, đơn vị vẫn có thể sửa cho đến khi kỳ báo cáo khóa.'}</p>
</div>`
    : '';
  return `<header>
<h1>${esc(v.formTitle)}</h1>
<p class="sub">${esc(v.periodTitle)} · ${esc(v.unitName)}</p>
<p class="sub">Hạn gửi: ${formatShortDate(v.deadline, tz)}</p>
<p id="status" class="banner ${statusClass(v)}">${esc(statusLine(v, tz))}</p>
</header>
${v.open ? '<p class="lead">Mỗi ô được kiểm tra và lưu ngay khi chuyển sang ô khác. Có thể đóng trang và quay lại bất cứ lúc nào, hoặc tiếp tục trả lời trong cuộc trò chuyện. Câu có dấu * là bắt buộc.</p>' : ''}
<form id="form" novalidate data-period="${esc(v.periodId)}" data-open="${v.open}" data-status="${v.submission.status}">
${sections}
${actions}
</form>`;
}

export const formPageTitle = (v: FormPageView): string => `Báo cáo ${v.periodTitle} · ${v.unitName}`;

/** What a refused page or request says, in the register of the chat. */
export const refusalTexts = {
  not_linked: {
    title: 'Chưa liên kết tài khoản',
    body: 'Tài khoản này chưa được liên kết với đơn vị nào (hoặc đã bị hủy liên kết). Vui lòng gửi mã mời cho bot (gửi /start và mã mời, ví dụ /start ABCD-EFGH) rồi mở lại biểu mẫu.',
  },
  no_open_period: { title: 'Chưa có kỳ báo cáo đang mở', body: 'Hiện không có kỳ báo cáo nào đang mở. Bot sẽ nhắc khi kỳ tiếp theo mở.' },
  period_not_open: {
    title: 'Kỳ báo cáo không mở',
    body: 'Kỳ báo cáo này không mở để nhập. Vui lòng gõ /nhap trong cuộc trò chuyện với bot để mở biểu mẫu của kỳ đang mở.',
  },
  link_unknown: {
    title: 'Đường dẫn không đúng',
    body: 'Đường dẫn tới biểu mẫu không đúng hoặc không còn dùng được. Vui lòng gõ /nhap trong cuộc trò chuyện với bot để nhận đường dẫn mới.',
  },
  link_expired: {
    title: 'Đường dẫn đã hết hạn',
    body: 'Đường dẫn tới biểu mẫu đã hết hạn. Các câu trả lời đã lưu vẫn được giữ. Vui lòng gõ /nhap trong cuộc trò chuyện với bot để nhận đường dẫn mới.',
  },
  link_revoked: {
    title: 'Đường dẫn đã được thay',
    body: 'Đường dẫn này đã được thay bằng một đường dẫn mới hơn. Vui lòng dùng đường dẫn trong tin nhắn mới nhất của bot, hoặc gõ /nhap để nhận đường dẫn mới.',
  },
  telegram_auth: {
    title: 'Phiên làm việc đã hết hạn',
    body: 'Không xác thực được phiên làm việc từ Telegram (có thể đã mở quá lâu). Các câu trả lời đã lưu vẫn được giữ. Vui lòng đóng trang và bấm lại nút “Mở biểu mẫu” (hoặc gõ /nhap).',
  },
} as const;

export type RefusalText = keyof typeof refusalTexts;

/** Page messages that are not the engine's: about the page itself. */
export const pageTexts = {
  conflict: (n: number, shown: string) =>
    `Câu ${n} vừa được trả lời ở nơi khác (ví dụ trong cuộc trò chuyện): ${shown}. Ô đã được cập nhật theo câu trả lời mới nhất; nếu muốn thay, vui lòng nhập lại.`,
  emptyKept: (n: number) =>
    `Câu ${n} để trống nên câu trả lời đã lưu được giữ nguyên. Nếu không có gì để báo cáo, nhập 0 (với số) hoặc “không có” (với nội dung).`,
  unknownQuestion: () => 'Câu hỏi này không có trong biểu mẫu của kỳ báo cáo. Vui lòng tải lại trang.',
  formLinkLine: (url: string, until: string) =>
    `Điền toàn bộ biểu mẫu trên một trang (mở bằng trình duyệt; dùng được đến ${until}):\n${url}`,
  openFormLabel: 'Mở biểu mẫu',
};
