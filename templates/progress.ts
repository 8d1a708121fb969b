import type { Progress } from '../domain/progress';
import { formatNumber } from '../domain/format';

/** The office's /tiendo answer: totals first, then the units still to chase, grouped by unit type. */
export function progressText(periodTitle: string, deadline: string, p: Progress, maxNamesPerList = 40): string {
  const lines = [
    `TIẾN ĐỘ BÁO CÁO ${periodTitle.toUpperCase()} (hạn ${deadline})`,
    `Đã xác nhận: ${formatNumber(p.confirmed)}/${formatNumber(p.expected)} đơn vị · Đang nhập: ${formatNumber(p.inProgress)} · Chưa bắt đầu: ${formatNumber(p.notStarted)}`,
  ];
  const names = (units: { name: string }[]) => {
    const shown = units.slice(0, maxNamesPerList).map((u) => `   - ${u.name}`);
    if (units.length > maxNamesPerList) shown.push(`   … và ${formatNumber(units.length - maxNamesPerList)} đơn vị khác`);
    return shown;
  };
  for (const g of p.groups) {
    lines.push('', `${g.label}: đã xác nhận ${formatNumber(g.confirmed.length)}/${formatNumber(g.confirmed.length + g.inProgress.length + g.notStarted.length)}`);
    if (g.inProgress.length) lines.push(' Đang nhập (chưa xác nhận):', ...names(g.inProgress));
    if (g.notStarted.length) lines.push(' Chưa bắt đầu:', ...names(g.notStarted));
  }
  if (p.expected === 0) lines.push('', 'Chưa có đơn vị nào trong danh sách báo cáo.');
  else if (p.confirmed === p.expected) lines.push('', 'Tất cả các đơn vị đã xác nhận báo cáo.');
  return lines.join('\n');
}
