import { Paragraph, type Table } from 'docx';
import { PORTAL_SECTION_KEY, rowSectionTotal, type ReportData, type UnitRow } from '../../domain/aggregate';
import { formatNumber } from '../../domain/format';
import { flagDescription } from '../../domain/export-layout';
import { UNIT_TYPE_LABELS } from '../../domain/units';
import type { ReportConfig } from './config';
import { GridTable, StyledParagraph, type FastCell, type FastRun } from './fastxml';
import { estimateTextWidth, line, STYLE, TEXT_WIDTH_LANDSCAPE } from './layout';
import { periodPhrase } from './sections';
import { changeCell, compareFigures } from '../../domain/comparison';
import { formatDateTime } from '../../domain/periods';
import { UNIT_STATE_LABELS, UNIT_STATES, type UnitState } from '../../domain/review';
import type { UnitRef } from '../../domain/units';

/** Each expected unit's review state, for the appendix's status table. */
export interface UnitStateRow {
  unit: UnitRef;
  state: UnitState;
  confirmedAt: Date | null;
}

export interface AppendixOptions {
  /** Every expected unit with its state (review): one table instead of a list of the missing. */
  states?: readonly UnitStateRow[];
  /** The period compared with, side by side in the totals table. */
  comparison?: { name: string; data: ReportData };
}

/**
 * The closing appendix (landscape section): who reported and who did not, a table of the main figures
 * per unit with a total row, a table of every numeric question's total (so questions of sections the
 * body does not know still reach the office), and texts the body has no place for.
 * The bulky parts use the light components of fastxml.ts (thousands of rows for a large province).
 */

function heading(text: string): StyledParagraph {
  return new StyledParagraph(STYLE.heading, [{ text }]);
}

function para(text: string, style: Omit<FastRun, 'text'> = {}): StyledParagraph {
  return new StyledParagraph(STYLE.body, [{ text, ...style }]);
}

const cell = (text: string, style: string, span?: number): FastCell => (span ? { text, style, span } : { text, style });

/** Main-figures columns of the per-unit table. */
export const APPENDIX_COLUMNS = [
  'STT',
  'Đơn vị',
  'Tin bài Cổng TTĐT',
  'Tin bài nền tảng số',
  'Lượt xem',
  'Lượt tương tác',
  'Lưu học sinh',
  'Kinh phí (đồng)',
] as const;

interface RowFigures {
  portal: number | null;
  posts: number | null;
  views: number | null;
  interactions: number | null;
  students: number | null;
  money: number | null;
}

function figuresOf(data: ReportData, row: UnitRow): RowFigures {
  const v = (k: string): number | null => row.values[k] ?? null;
  let hasPortal = false;
  for (const k in row.values) {
    if (data.labels[k]?.sectionKey !== PORTAL_SECTION_KEY) continue;
    hasPortal = true;
    break;
  }
  return {
    portal: hasPortal ? rowSectionTotal(data, row, PORTAL_SECTION_KEY) : null,
    posts: v('digital_posts'),
    views: v('digital_views'),
    interactions: v('digital_interactions'),
    students: v('intl_foreign_students'),
    money: v('intl_support_money'),
  };
}

const cellNumber = (n: number | null): string => (n === null ? '-' : formatNumber(n));

/**
 * Widths of the figure columns: each as wide as its total (the largest figure, bold) needs on one line,
 * at least 1,400 twips (header words such as "Tin bài nền" on one line); the unit name takes the rest,
 * at least 2,800.
 */
export function figureColumnWidths(totals: readonly string[], sttWidth: number): { name: number; figures: number[] } {
  const padding = 2 * 85 + 80;
  let figures = totals.map((t) => Math.max(1400, estimateTextWidth(t, 12, true) + padding));
  const room = TEXT_WIDTH_LANDSCAPE - sttWidth - 2800;
  const wanted = figures.reduce((a, b) => a + b, 0);
  if (wanted > room) figures = figures.map((w) => Math.floor((w * room) / wanted));
  return { name: TEXT_WIDTH_LANDSCAPE - sttWidth - figures.reduce((a, b) => a + b, 0), figures };
}

function unitFiguresTable(data: ReportData): GridTable {
  const stt = 650;
  const totals = [
    data.portalTotal,
    data.digital.posts,
    data.digital.views,
    data.digital.interactions,
    data.international.foreignStudents,
    data.international.supportMoney,
  ].map(formatNumber);
  const widths = figureColumnWidths(totals, stt);
  // A generator: each row is written as it is made, not all kept until the table is (see GridTable).
  function* rows(): Generator<{ cells: FastCell[]; header?: boolean }> {
    yield { header: true, cells: APPENDIX_COLUMNS.map((h) => cell(h, STYLE.cellHead)) };
    let i = 0;
    for (const row of data.unitRows) {
      const f = figuresOf(data, row);
      yield {
        cells: [
          cell(String(++i), STYLE.cellCenter),
          cell(row.unit.name, STYLE.cellText),
          cell(cellNumber(f.portal), STYLE.cellNumber),
          cell(cellNumber(f.posts), STYLE.cellNumber),
          cell(cellNumber(f.views), STYLE.cellNumber),
          cell(cellNumber(f.interactions), STYLE.cellNumber),
          cell(cellNumber(f.students), STYLE.cellNumber),
          cell(cellNumber(f.money), STYLE.cellNumber),
        ],
      };
    }
    yield {
      cells: [
        cell('', STYLE.cellCenter),
        cell('Tổng cộng', STYLE.cellHead),
        ...totals.map((t) => cell(t, STYLE.cellTotal)),
      ],
    };
  }
  return new GridTable({ columns: [stt, widths.name, ...widths.figures], rows: rows() });
}

/**
 * Every numeric question with its total, grouped by section (works for sections the body does not know);
 * with a comparison, the other period's total and the change beside it.
 */
function questionTotalsTable(data: ReportData, comparison?: AppendixOptions['comparison']): GridTable | null {
  const stt = 700;
  const unit = 2000;
  const total = comparison ? 2000 : 2400;
  const extra = comparison ? [2000, 1700] : [];
  const label = TEXT_WIDTH_LANDSCAPE - stt - unit - total - extra.reduce((a, b) => a + b, 0);
  const head = ['STT', 'Nội dung', 'Đơn vị tính', comparison ? 'Kỳ này' : 'Tổng số'];
  if (comparison) head.push(comparison.name.charAt(0).toLocaleUpperCase('vi') + comparison.name.slice(1), 'Tăng, giảm');
  const rows: Array<{ cells: FastCell[]; header?: boolean }> = [{ header: true, cells: head.map((h) => cell(h, STYLE.cellHead)) }];
  const span = head.length;
  let n = 0;
  for (const section of data.sections) {
    const keys = section.keys.filter((k) => {
      const t = data.labels[k]?.type;
      return t === 'count' || t === 'money';
    });
    if (keys.length === 0) continue;
    rows.push({ cells: [cell(section.title, STYLE.cellGroup, span)] });
    for (const k of keys) {
      const meta = data.labels[k];
      n += 1;
      rows.push({
        cells: [
          cell(String(n), STYLE.cellCenter),
          cell(meta?.label ?? k, STYLE.cellText),
          cell(meta?.unit ?? '', STYLE.cellCenter),
          cell(formatNumber(data.totals[k] ?? 0), STYLE.cellNumber),
          ...(comparison
            ? [
                cell(comparison.data.answeredBy[k] ? formatNumber(comparison.data.totals[k] ?? 0) : '-', STYLE.cellNumber),
                cell(comparison.data.answeredBy[k] ? changeCell(compareFigures(data.totals[k] ?? 0, comparison.data.totals[k] ?? 0)) : '-', STYLE.cellCenter),
              ]
            : []),
        ],
      });
    }
  }
  return n === 0 ? null : new GridTable({ columns: [stt, label, unit, total, ...extra], rows });
}

/** Every expected unit with its state and the time it sent its report. */
function statesTable(states: readonly UnitStateRow[], tz: string): GridTable {
  const stt = 650;
  const state = 2200;
  const at = 2600;
  // A generator, as in unitFiguresTable.
  function* rows(): Generator<{ cells: FastCell[]; header?: boolean }> {
    yield { header: true, cells: ['STT', 'Đơn vị', 'Trạng thái', 'Thời điểm gửi'].map((h) => cell(h, STYLE.cellHead)) };
    let i = 0;
    for (const r of states) {
      yield {
        cells: [
          cell(String(++i), STYLE.cellCenter),
          cell(r.unit.name, STYLE.cellText),
          cell(UNIT_STATE_LABELS[r.state], STYLE.cellCenter),
          cell(r.confirmedAt && r.state !== 'in_progress' && r.state !== 'not_started' ? formatDateTime(r.confirmedAt, tz) : '', STYLE.cellCenter),
        ],
      };
    }
  }
  return new GridTable({ columns: [stt, TEXT_WIDTH_LANDSCAPE - stt - state - at, state, at], rows: rows() });
}

function stateSummary(states: readonly UnitStateRow[]): string {
  const counts = new Map<UnitState, number>();
  for (const r of states) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  return UNIT_STATES.filter((s) => (counts.get(s) ?? 0) > 0)
    .map((s) => `${UNIT_STATE_LABELS[s].toLocaleLowerCase('vi')}: ${formatNumber(counts.get(s) ?? 0)}`)
    .join('; ');
}

/** Figures the units confirmed when asked back about them, and notes they added to figures (issue 10). */
function annotatedParagraphs(data: ReportData): StyledParagraph[] {
  const out: StyledParagraph[] = [];
  for (const a of data.annotated) {
    const value = typeof a.value === 'number' ? `${formatNumber(a.value)}${a.unitOfMeasure ? ` ${a.unitOfMeasure}` : ''}` : a.value === null ? 'Không có' : `“${a.value}”`;
    const parts = [`- ${a.unit.name}, ${a.label}: ${value}`];
    if (a.flag) {
      const d = flagDescription(a.flag);
      parts.push(d.charAt(0).toLowerCase() + d.slice(1));
    }
    if (a.note) parts.push(`ghi chú: ${a.note}`);
    out.push(para(`${parts.join('; ')}.`));
  }
  return out;
}

export function appendixChildren(
  data: ReportData,
  cfg: ReportConfig,
  issuedDate: string,
  opts: AppendixOptions = {},
): Array<Paragraph | Table | StyledParagraph | GridTable> {
  const out: Array<Paragraph | Table | StyledParagraph | GridTable> = [];
  const { expected, reported, missing, extra } = data.counts;

  out.push(line('PHỤ LỤC', { size: 14, bold: true }));
  out.push(
    line(`Tình hình gửi báo cáo và số liệu chủ yếu của các đơn vị ${periodPhrase(data)}`, {
      size: 14,
      bold: true,
    }),
  );
  out.push(
    line(`(Kèm theo Báo cáo số      /${cfg.symbol} ${issuedDate} của ${cfg.agencyShortName})`, {
      size: 13,
      italic: true,
      after: 120,
    }),
  );

  out.push(heading('1. Tình hình gửi báo cáo'));
  out.push(
    para(
      reported > 0
        ? `Có ${formatNumber(reported)}/${formatNumber(expected)} đơn vị đã gửi báo cáo.`
        : `Chưa có đơn vị nào gửi báo cáo (0/${formatNumber(expected)} đơn vị).`,
    ),
  );
  for (const t of data.byType) {
    const ofType = opts.states?.filter((r) => r.unit.type === t.type);
    const detail = ofType && ofType.length > 0 ? ` (${stateSummary(ofType)})` : '';
    out.push(para(`- ${t.label}: ${formatNumber(t.reported)}/${formatNumber(t.expected)} đơn vị đã gửi${detail}.`));
  }
  if (opts.states && opts.states.length > 0) {
    out.push(statesTable(opts.states, cfg.timeZone));
  } else if (missing.length > 0) {
    out.push(para(`Các đơn vị chưa gửi báo cáo (${formatNumber(missing.length)} đơn vị):`, { bold: true }));
    for (const t of data.byType) {
      if (t.missing.length === 0) continue;
      out.push(para(`${UNIT_TYPE_LABELS[t.type] ?? t.label} (${formatNumber(t.missing.length)}):`, { italic: true }));
      for (const u of t.missing) out.push(para(`- ${u.name}`));
    }
  } else if (expected > 0) {
    out.push(para('Tất cả các đơn vị đã gửi báo cáo.'));
  }
  if (extra.length > 0) {
    out.push(
      para(
        `Số liệu còn bao gồm báo cáo của ${formatNumber(extra.length)} đơn vị không còn trong danh sách đơn vị báo cáo: ${extra.map((u) => u.name).join('; ')}.`,
        { italic: true },
      ),
    );
  }

  out.push(heading('2. Số liệu chủ yếu của các đơn vị'));
  if (data.unitRows.length === 0) {
    out.push(para('Chưa có đơn vị nào gửi báo cáo, chưa có số liệu.'));
  } else {
    out.push(unitFiguresTable(data));
    const totals = questionTotalsTable(data, opts.comparison);
    if (totals) {
      out.push(heading(`3. Tổng hợp số liệu theo nội dung báo cáo${opts.comparison ? `, so sánh với ${opts.comparison.name}` : ''}`));
      out.push(totals);
    }
    if (data.annotated.length > 0) {
      out.push(heading(`${totals ? 4 : 3}. Số liệu cần lưu ý: số liệu khác thường đơn vị đã xác nhận và ghi chú của đơn vị`));
      out.push(...annotatedParagraphs(data));
    }
  }
  // A section must not end with a table (Word expects a paragraph last).
  out.push(new Paragraph({ children: [] }));
  return out;
}
