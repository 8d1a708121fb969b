import type { ReportData } from '../../domain/aggregate';
import { formatCount, formatMoney, formatNumber } from '../../domain/format';
import { periodPhrase } from './sections';

/**
 * A short plain-text chat summary of the compiled figures (no markup: Telegram and Zalo show it as is).
 * Exact figures (the document rounds them); a figure that is zero is left out, not listed as "0 tin, bài".
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
  if (data.portalTotal > 0) lines.push(`- Cổng/Trang thông tin điện tử: ${formatNumber(data.portalTotal)} tin, bài.`);
  const d = data.digital;
  const digital = [
    d.posts > 0 ? `${formatNumber(d.posts)} tin, bài, hình ảnh` : '',
    d.views > 0 ? `${formatNumber(d.views)} lượt xem` : '',
    d.interactions > 0 ? `${formatNumber(d.interactions)} lượt tương tác` : '',
  ].filter(Boolean);
  if (digital.length > 0) lines.push(`- Nền tảng số: ${digital.join('; ')}.`);
  const i = data.international;
  const students = [
    i.foreignStudents > 0 ? `Lưu học sinh: ${formatCount(i.foreignStudents)}` : '',
    i.supportMoney > 0 ? `kinh phí hỗ trợ: ${formatMoney(i.supportMoney)}` : '',
  ].filter(Boolean);
  if (students.length > 0) {
    const text = students.join('; ');
    lines.push(`- ${text.charAt(0).toLocaleUpperCase('vi')}${text.slice(1)}.`);
  }
  if (lines.length === 2) lines.push('- Các số liệu chủ yếu đều bằng 0 (xem dự thảo báo cáo).');
  return lines.join('\n');
}
