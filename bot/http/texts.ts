/** What a person sees in the browser when a download link cannot be served (plain, short, Vietnamese). */

const page = (title: string, body: string): string =>
  `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title></head>
<body style="font-family: sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1 style="font-size: 1.3rem">${title}</h1><p>${body}</p></body></html>
`;

export const linkNotFoundPage = () =>
  page('Không tìm thấy tệp', 'Đường dẫn tải tệp không đúng hoặc đã bị xóa. Vui lòng kiểm tra lại đường dẫn, hoặc gửi lại lệnh cho bot để nhận đường dẫn mới.');

export const linkExpiredPage = () =>
  page('Đường dẫn đã hết hạn', 'Đường dẫn tải tệp này đã hết hạn sử dụng. Vui lòng gửi lại lệnh cho bot để nhận đường dẫn mới.');
