import { parsePeriodId } from './periods';

/**
 * Comparisons with the period before: the same period last year for a half-year or a year, the previous
 * quarter for a quarter. Pure; the caller loads the other period's confirmed figures (if any).
 */

export type Change = { kind: 'up' | 'down'; percent: number } | { kind: 'same' } | { kind: 'from_zero' };

/** Changes under half a percent read as "tương đương". */
const SAME_BELOW_PERCENT = 0.5;

export function compareFigures(current: number, previous: number): Change {
  if (previous === 0) return current === 0 ? { kind: 'same' } : { kind: 'from_zero' };
  const percent = ((current - previous) / previous) * 100;
  if (Math.abs(percent) < SAME_BELOW_PERCENT) return { kind: 'same' };
  return { kind: percent > 0 ? 'up' : 'down', percent: Math.abs(percent) };
}

/** The period compared with: "2025-H1" for "2026-H1", "2025-Q4" for "2026-Q1". Null for an invalid id. */
export function previousPeriodId(id: string): string | null {
  const p = parsePeriodId(id);
  if (!p) return null;
  if (p.kind === 'quarter') return p.index === 1 ? `${p.year - 1}-Q4` : `${p.year}-Q${p.index - 1}`;
  return `${p.year - 1}-${p.kind === 'half' ? 'H1' : 'Y'}`;
}

const ROMAN = ['I', 'II', 'III', 'IV'];

/** How the other period is named in a sentence: "cùng kỳ năm 2025", "quý IV năm 2025". */
export function comparedPeriodName(previousId: string): string {
  const p = parsePeriodId(previousId);
  if (!p) return previousId;
  return p.kind === 'quarter' ? `quý ${ROMAN[p.index - 1]} năm ${p.year}` : `cùng kỳ năm ${p.year}`;
}

/** 12.5 → "12,5"; one decimal, dropped when it is zero ("20"). */
export function formatPercent(n: number): string {
  const rounded = Math.round(n * 10) / 10;
  return rounded.toLocaleString('vi-VN', { maximumFractionDigits: 1, minimumFractionDigits: 0 });
}

/** "tăng 12,5% so với cùng kỳ năm 2025", "giảm 3% so với quý IV năm 2025", "tương đương cùng kỳ năm 2025". */
export function changePhrase(change: Change, comparedWith: string): string {
  switch (change.kind) {
    case 'up':
      return `tăng ${formatPercent(change.percent)}% so với ${comparedWith}`;
    case 'down':
      return `giảm ${formatPercent(change.percent)}% so với ${comparedWith}`;
    case 'same':
      return `tương đương ${comparedWith}`;
    case 'from_zero':
      return `${comparedWith} không có`;
  }
}

/** The appendix's "Tăng, giảm" cell: "+12,5%", "-3%", "0%", "mới". */
export function changeCell(change: Change): string {
  switch (change.kind) {
    case 'up':
      return `+${formatPercent(change.percent)}%`;
    case 'down':
      return `-${formatPercent(change.percent)}%`;
    case 'same':
      return 'tương đương';
    case 'from_zero':
      return 'mới phát sinh';
  }
}
