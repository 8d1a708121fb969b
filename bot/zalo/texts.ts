/** Sentences only the Zalo channel says (it has no buttons and cannot send files). */

export { privateChatHint as groupHint, handlingFailed } from '../../templates/onboarding';

export const reportLink = (filename: string, url: string, until: string) =>
  `📄 Tải tệp ${filename} tại: ${url}\nĐường dẫn dùng được đến ${until}. Vui lòng không chuyển đường dẫn này cho người ngoài.`;

export const reportLinkUnavailable = (filename: string) =>
  `Không gửi được tệp ${filename} qua Zalo: máy chủ bot chưa được cấu hình địa chỉ tải tệp (PUBLIC_URL). Vui lòng báo bộ phận kỹ thuật, hoặc dùng Telegram để nhận tệp.`;
