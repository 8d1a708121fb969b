import type { Progress } from '../domain/progress';
import { formatNumber } from '../domain/format';

/** Unit names listed in one /tiendo answer at most: about one Telegram message (4,096 characters). */
export const PROGRESS_MAX_NAMES = 60;

export interface ProgressTextOptions {
  /** Names listed over the whole answer (default PROGRESS_MAX_NAMES); the rest are counted. */
  maxNames?: number;
  /** Where the full list is, shown when names were left out (e.g. "/xuat 2026-H1"). */
  fullListCommand?: string;
}

/**
 * How many names each list shows out of `budget`: an equal share each, and what a short list does not
 * use goes to the longer ones (so a small province sees every name, a large one a fair sample per group).
 */
export function shareNames(sizes: readonly number[], budget: number): number[] {
  const caps = sizes.map(() => 0);
  const order = sizes.map((size, i) => ({ size, i })).sort((a, b) => a.size - b.size);
  let left = Math.max(0, Math.floor(budget));
  order.forEach(({ size, i }, k) => {
    const cap = Math.min(size, Math.floor(left / (order.length - k)));
    caps[i] = cap;
    left -= cap;
  });
  return caps;
}

/**
 * The office's /tiendo answer: totals first, then per unit type how many confirmed and the units still to
 * chase, those entering figures first (one step from confirming), then those that have not started.
 * With hundreds of units missing, a list of every name is a wall nobody reads in a chat: each list shows
 * its share of `maxNames` and counts the rest, and the answer points to the full list.
 */
export function progressText(periodTitle: string, deadline: string, p: Progress, options: ProgressTextOptions = {}): string {
  const lines = [
    `TIẾN ĐỘ BÁO CÁO ${periodTitle.toLocaleUpperCase('vi')} (hạn ${deadline})`,
    `Đã gửi: ${formatNumber(p.confirmed)}/${formatNumber(p.expected)} đơn vị (đã duyệt ${formatNumber(p.accepted)}) · Bị trả lại: ${formatNumber(p.returned)} · Đang nhập: ${formatNumber(p.inProgress)} · Chưa gửi: ${formatNumber(p.notStarted)}`,
  ];
  const lists = p.groups.flatMap((g) => [g.returned, g.inProgress, g.notStarted]);
  const caps = shareNames(
    lists.map((l) => l.length),
    options.maxNames ?? PROGRESS_MAX_NAMES,
  );
  let truncated = false;
  const names = (index: number, heading: string): string[] => {
    const units = lists[index] ?? [];
    if (units.length === 0) return [];
    const cap = caps[index] ?? 0;
    const out = [`${heading}: ${formatNumber(units.length)}`, ...units.slice(0, cap).map((u) => `   - ${u.name}`)];
    if (units.length > cap) {
      truncated = true;
      out.push(`   … và ${formatNumber(units.length - cap)} đơn vị khác`);
    }
    return out;
  };
  p.groups.forEach((g, i) => {
    const total = g.confirmed.length + g.inProgress.length + g.notStarted.length + g.returned.length;
    lines.push('', `${g.label}: đã gửi ${formatNumber(g.confirmed.length)}/${formatNumber(total)}${g.accepted > 0 ? ` (đã duyệt ${formatNumber(g.accepted)})` : ''}`);
    lines.push(...names(3 * i, ' Bị trả lại (chờ đơn vị sửa)'), ...names(3 * i + 1, ' Đang nhập (chưa gửi)'), ...names(3 * i + 2, ' Chưa gửi'));
  });
  if (p.expected === 0) lines.push('', 'Chưa có đơn vị nào trong danh sách báo cáo.');
  else if (p.confirmed === p.expected) lines.push('', 'Tất cả các đơn vị đã gửi báo cáo.');
  if (truncated && options.fullListCommand) {
    lines.push('', `Danh sách đầy đủ, có trạng thái của từng đơn vị: ${options.fullListCommand} (tệp Excel).`);
  }
  return lines.join('\n');
}
