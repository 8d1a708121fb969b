import { z } from 'zod';
import { parsePeriodId, type PeriodKind } from './periods';

/**
 * The data window (thời gian chốt số liệu) of a period: the days its figures cover. By default the
 * period's own dates; Nghị định 09/2019/NĐ-CP, Điều 12 sets cut-off windows that start on the 15th of the
 * month before the period and end on the 14th of its last month (quarter: 15 of the month before to 14 of
 * its last month; half-year 15/12 to 14/6; year 15/12 to 14/12).
 *
 * A rule is relative: the start is `startDay` of the month `startOffset` months from the period's first
 * month, the end is `endDay` ('last' = the month's last day) of the month `endOffset` months from its last.
 */

export const WindowRuleSchema = z.object({
  startDay: z.number().int().min(1).max(28),
  startOffset: z.number().int().min(-12).max(12),
  endDay: z.union([z.number().int().min(1).max(28), z.literal('last')]),
  endOffset: z.number().int().min(-12).max(12),
});
export type WindowRule = z.infer<typeof WindowRuleSchema>;

export const PERIOD_OWN_WINDOW: WindowRule = { startDay: 1, startOffset: 0, endDay: 'last', endOffset: 0 };
export const ND09_WINDOW: WindowRule = { startDay: 15, startOffset: -1, endDay: 14, endOffset: 0 };

export const DATA_WINDOW_PRESETS = {
  period: { quarter: PERIOD_OWN_WINDOW, half: PERIOD_OWN_WINDOW, year: PERIOD_OWN_WINDOW },
  nd09: { quarter: ND09_WINDOW, half: ND09_WINDOW, year: ND09_WINDOW },
} as const satisfies Record<string, Record<PeriodKind, WindowRule>>;

export type DataWindowRules = Record<PeriodKind, WindowRule>;

/** A calendar date, free of time zones ("YYYY-MM-DD"). */
export const IsoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => isRealDate(s), 'not a calendar date');

export interface DataWindow {
  from: string;
  to: string;
}

function isRealDate(iso: string): boolean {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const iso = (y: number, m: number, d: number): string => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** Month `offset` months from (year, month), as [year, month]. */
function shift(year: number, month: number, offset: number): [number, number] {
  const i = year * 12 + (month - 1) + offset;
  return [Math.floor(i / 12), (i % 12) + 1];
}

/** The window of a period id under a rule. Throws on an invalid id. */
export function dataWindowOf(periodId: string, rule: WindowRule): DataWindow {
  const p = parsePeriodId(periodId);
  if (!p) throw new Error(`not a period id: ${periodId}`);
  const first = p.kind === 'quarter' ? (p.index - 1) * 3 + 1 : 1;
  const last = p.kind === 'quarter' ? first + 2 : p.kind === 'half' ? 6 : 12;
  const [sy, sm] = shift(p.year, first, rule.startOffset);
  const [ey, em] = shift(p.year, last, rule.endOffset);
  return { from: iso(sy, sm, rule.startDay), to: iso(ey, em, rule.endDay === 'last' ? daysIn(ey, em) : rule.endDay) };
}

/** "15/12/2025": day with two digits, months 1 and 2 with a leading zero (Nghị định 30). */
export function formatIsoShort(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return `${String(d).padStart(2, '0')}/${m <= 2 ? String(m).padStart(2, '0') : m}/${y}`;
}

/** "Số liệu tính từ ngày 15/12/2025 đến ngày 14/6/2026." */
export function dataWindowSentenceOf(w: DataWindow): string {
  return `Số liệu tính từ ngày ${formatIsoShort(w.from)} đến ngày ${formatIsoShort(w.to)}.`;
}

/**
 * "15@-1..14@0" (start day @ months from the period's first month .. end day @ months from its last; "last"
 * for the month's last day), or a preset name ("period", "nd09"). Null when unreadable.
 */
export function parseWindowRule(text: string): WindowRule | null {
  const m = /^\s*(\d{1,2})@([+-]?\d{1,2})\s*\.\.\s*(\d{1,2}|last)@([+-]?\d{1,2})\s*$/.exec(text);
  if (!m) return null;
  const parsed = WindowRuleSchema.safeParse({
    startDay: Number(m[1]),
    startOffset: Number(m[2]),
    endDay: m[3] === 'last' ? 'last' : Number(m[3]),
    endOffset: Number(m[4]),
  });
  return parsed.success ? parsed.data : null;
}

/** "15/12/2025", "8/5/2026", "08-05-2026" → "2025-12-15"; null when not a real date. */
export function parseVietnameseDate(text: string): string | null {
  const m = /^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$/.exec(text);
  if (!m) return null;
  const value = iso(Number(m[3]), Number(m[2]), Number(m[1]));
  return isRealDate(value) && Number(m[3]) >= 1970 ? value : null;
}

/** "ngày 12 tháng 5 năm 2026" from "2026-05-12" (Nghị định 30's date line). */
export function formatIsoOfficial(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return `ngày ${String(d).padStart(2, '0')} tháng ${m <= 2 ? String(m).padStart(2, '0') : m} năm ${y}`;
}
