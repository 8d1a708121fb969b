import type { ReportData } from '../../domain/aggregate';
import { formatCount, formatMoney, formatNumber } from '../../domain/format';
import { periodPhrase } from './sections';

/**
 * A short plain-text chat summary of the compiled figures (no markup: Telegram and Zalo show it as is).
 */
export function reportSummaryText(data: ReportData): string {
  const { expected, reported, missing } = data.counts;
  const lines: string[] = [`Tổng hợp báo cáo thông tin đối ngoại ${periodPhrase(data)}`];
  if (data.unitRows.length === 0) {
    lines.push(`Chưa có đơn vị nào gửi báo cáo (0/${formatNumber(expected)} đơn vị).`);
    return lines.join('\n');
  }
  lines.push(
    `- Đã gửi báo cáo: ${formatNumber(reported)}/${formatNumber(expected)} đơn vị${missing.length > 0 ? ` (còn ${formatNumber(missing.length)} đơn vị chưa gửi)` : ''}.`,
  );
  lines.push(`- Cổng/Trang thông tin điện tử: ${formatNumber(data.portalTotal)} tin, bài.`);
  const d = data.digital;
  lines.push(
    `- Nền tảng số: ${formatNumber(d.posts)} tin, bài, hình ảnh; ${formatNumber(d.views)} lượt xem; ${formatNumber(d.interactions)} lượt tương tác.`,
  );
  const i = data.international;
  lines.push(`- Lưu học sinh: ${formatCount(i.foreignStudents)}; kinh phí hỗ trợ: ${formatMoney(i.supportMoney)}.`);
  return lines.join('\n');
}
