import {
  AlignmentType,
  BorderStyle,
  Header,
  LineRuleType,
  PageNumber,
  Paragraph,
  Table,
  TableBorders,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
  type IBordersOptions,
  type IStylesOptions,
} from 'docx';
import { ARCHIVE_RECIPIENT, type ReportConfig } from './config';
import type { Block } from './sections';
import { paragraphXml, RawBlock, StyledParagraph, type FastRun } from './fastxml';
import { textLines } from './text';

/**
 * Page, styles and the fixed parts of the document (header block, title, closing), laid out per
 * Nghị định 30/2020/NĐ-CP (see /work/shared/nd30-format.md). Units: twips (1/20 pt; 1 mm = 56.7),
 * font sizes in points here and half-points in docx.
 */

export const FONT = 'Times New Roman';

export const mm = (v: number): number => Math.round(v * 56.7);

export const PAGE = {
  width: 11906,
  height: 16838,
  margin: { top: mm(25), bottom: mm(20), left: mm(35), right: mm(20), header: mm(12), footer: mm(10) },
} as const;

/** Width of the text area of a portrait page. */
export const TEXT_WIDTH = PAGE.width - PAGE.margin.left - PAGE.margin.right;
/** … and of a landscape one (same margins). */
export const TEXT_WIDTH_LANDSCAPE = PAGE.height - PAGE.margin.left - PAGE.margin.right;

export const HEADER_COLUMNS = [3829, 5670] as const;
export const CLOSING_COLUMNS = [3005, 6294] as const;

/** Body: 14 pt, justified, first line 1.27 cm, 6 pt before, 0 after, 1.15 lines. */
export const BODY = { size: 14, firstLine: 720, before: 120, after: 0, line: 276 } as const;

const CELL_MARGIN = 57; // 1 mm left/right inside the borderless tables

const NO_BORDERS = TableBorders.NONE;

export interface RunStyle {
  size?: number;
  bold?: boolean;
  italic?: boolean;
}

/** Text runs (user text allowed: sanitized, newlines become line breaks; docx escapes XML). */
export function runs(text: string, style: RunStyle = {}): TextRun[] {
  const size = (style.size ?? BODY.size) * 2;
  return textLines(text).map(
    (line, i) =>
      new TextRun({
        text: line,
        font: FONT,
        size,
        bold: style.bold === true ? true : undefined,
        italics: style.italic === true ? true : undefined,
        break: i > 0 ? 1 : undefined,
      }),
  );
}

export interface LineOptions extends RunStyle {
  align?: 'center' | 'left' | 'right' | 'justify';
  before?: number;
  after?: number;
  keepNext?: boolean;
}

const ALIGN = {
  center: AlignmentType.CENTER,
  left: AlignmentType.LEFT,
  right: AlignmentType.RIGHT,
  justify: AlignmentType.JUSTIFIED,
} as const;

/** A single-spaced line (header block, tables, closing). */
export function line(text: string, o: LineOptions = {}): Paragraph {
  return new Paragraph({
    alignment: ALIGN[o.align ?? 'center'],
    spacing: { before: o.before ?? 0, after: o.after ?? 0, line: 240, lineRule: LineRuleType.AUTO },
    keepNext: o.keepNext,
    children: runs(text, o),
  });
}

/** Rough advance width of `text` in Times New Roman, in twips (used only to size the short rules). */
export function estimateTextWidth(text: string, sizePt: number, bold = false): number {
  let em = 0;
  for (const ch of text.normalize('NFD')) {
    if (/\p{M}/u.test(ch)) continue;
    if (ch === ' ') em += 0.25;
    else if (/[A-ZĐ]/u.test(ch)) em += bold ? 0.74 : 0.68;
    else if (/[a-zđ]/u.test(ch)) em += bold ? 0.5 : 0.46;
    else if (/[0-9]/.test(ch)) em += 0.5;
    else em += 0.33;
  }
  return Math.round(em * sizePt * 20);
}

/**
 * A short centred solid rule: an empty paragraph, 5 pt high, whose bottom border is limited by equal
 * left/right indents to `ruleWidth` within a container `containerWidth` wide.
 */
export function rule(ruleWidth: number, containerWidth: number, before = 0, after = 0): Paragraph {
  const width = Math.max(240, Math.min(ruleWidth, containerWidth));
  const side = Math.max(0, Math.floor((containerWidth - width) / 2));
  const border: IBordersOptions = { bottom: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } };
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    indent: { left: side, right: side },
    spacing: { before, after, line: 100, lineRule: LineRuleType.EXACT },
    border,
    run: { size: 2 },
    children: [],
  });
}

function cell(children: Paragraph[], width: number, verticalAlign?: (typeof VerticalAlignTable)[keyof typeof VerticalAlignTable]): TableCell {
  return new TableCell({
    children,
    width: { size: width, type: WidthType.DXA },
    margins: { left: CELL_MARGIN, right: CELL_MARGIN, top: 0, bottom: 0 },
    ...(verticalAlign ? { verticalAlign } : {}),
  });
}

/** A borderless fixed table centred on the text area (it may be wider than it, as the decree's sample is). */
function borderlessTable(columns: readonly number[], rows: TableRow[], textWidth: number): Table {
  const width = columns.reduce((a, b) => a + b, 0);
  return new Table({
    rows,
    width: { size: width, type: WidthType.DXA },
    columnWidths: [...columns],
    layout: TableLayoutType.FIXED,
    borders: NO_BORDERS,
    indent: { size: Math.round((textWidth - width) / 2), type: WidthType.DXA },
  });
}

// ---------------------------------------------------------------------------------------------------
// Header block, title, closing

export interface HeaderBlockInput {
  cfg: ReportConfig;
  /** "Lâm Đồng, ngày 24 tháng 11 năm 2026" */
  placeDate: string;
}

export const NATIONAL_NAME = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const MOTTO = 'Độc lập - Tự do - Hạnh phúc';

/** "Số:      /BC-SGDĐT" (number left blank for the office to register). */
export function numberLine(cfg: ReportConfig): string {
  return `Số:      /${cfg.symbol}`;
}

export function headerBlock({ cfg, placeDate }: HeaderBlockInput): Table {
  const [leftW, rightW] = HEADER_COLUMNS;
  const leftInner = leftW - 2 * CELL_MARGIN;
  const rightInner = rightW - 2 * CELL_MARGIN;
  const agencyWidth = Math.min(estimateTextWidth(cfg.agencyName, 12, true), leftInner);
  const mottoWidth = Math.min(estimateTextWidth(MOTTO, 13, true), rightInner);
  const top = new TableRow({
    children: [
      cell(
        [
          line(cfg.parentBody.toLocaleUpperCase('vi'), { size: 12 }),
          line(cfg.agencyName.toLocaleUpperCase('vi'), { size: 12, bold: true }),
          rule(Math.round(agencyWidth * 0.4), leftInner),
        ],
        leftW,
      ),
      cell(
        [line(NATIONAL_NAME, { size: 12, bold: true }), line(MOTTO, { size: 13, bold: true }), rule(mottoWidth, rightInner)],
        rightW,
      ),
    ],
  });
  const second = new TableRow({
    children: [
      cell([line(numberLine(cfg), { size: 13, before: 120 })], leftW),
      cell([line(placeDate, { size: 13, italic: true, before: 120 })], rightW),
    ],
  });
  return borderlessTable(HEADER_COLUMNS, [top, second], TEXT_WIDTH);
}

/** "BÁO CÁO", the subject line and its short rule (+ "Kính gửi" when configured). */
export function titleBlock(subject: string, cfg: ReportConfig): Paragraph[] {
  const out = [
    line('BÁO CÁO', { size: 14, bold: true, before: 360, keepNext: true }),
    line(subject, { size: 14, bold: true, keepNext: true }),
    // 6 pt after the rule, plus the body's 6 pt before: a clear gap between the subject and the text.
    rule(Math.round(Math.min(estimateTextWidth(subject, 14, true), TEXT_WIDTH) / 3), TEXT_WIDTH, 0, 120),
  ];
  if (cfg.addressee) out.push(line(`Kính gửi: ${cfg.addressee}`, { size: 14, before: 240 }));
  return out;
}

/** Paragraph style ids (defined in DOCUMENT_STYLES). */
export const STYLE = {
  body: 'BaoCaoNoiDung',
  heading: 'BaoCaoDeMuc',
  cellText: 'BangChu',
  cellCenter: 'BangGiua',
  cellNumber: 'BangSo',
  cellHead: 'BangTieuDe',
  cellTotal: 'BangTong',
  cellGroup: 'BangNhom',
} as const;

/** A body block's paragraph: style, runs and whether it keeps with the next. */
function blockParagraph(b: Block): [style: string, runs: readonly FastRun[], keepNext: boolean] {
  switch (b.kind) {
    case 'h1':
      return [STYLE.heading, [{ text: b.text.toLocaleUpperCase('vi') }], false];
    case 'h2':
      return [STYLE.heading, [{ text: b.text }], false];
    case 'p':
    case 'item':
      return [STYLE.body, b.runs, b.keepWithNext === true];
  }
}

/** Body blocks → paragraphs (styled: justified 14 pt, first line 1.27 cm, 6 pt before). */
export function bodyParagraphs(blocks: readonly Block[]): StyledParagraph[] {
  return blocks.map((b) => new StyledParagraph(...blockParagraph(b)));
}

/**
 * The same paragraphs as one raw block, each encoded as soon as it is written: the annex has thousands,
 * which would otherwise all be held as strings until the document is assembled.
 */
export function bodyBlock(blocks: Iterable<Block>): RawBlock {
  return new RawBlock(
    (function* () {
      for (const b of blocks) yield paragraphXml(...blockParagraph(b));
    })(),
  );
}

/** Recipient line "- Sở VH-TT-DL;" (a trailing ";" or "." in the configuration is not doubled). */
export function recipientLine(name: string): string {
  return `- ${name.trim().replace(/[;.,\s]+$/u, '')};`;
}

export function closingBlock(cfg: ReportConfig): Table {
  const [leftW, rightW] = CLOSING_COLUMNS;
  const left = [
    line('Nơi nhận:', { size: 12, bold: true, italic: true, align: 'left', before: 240 }),
    ...cfg.recipients.map((r) => line(recipientLine(r), { size: 11, align: 'left' })),
    line(`- ${ARCHIVE_RECIPIENT}`, { size: 11, align: 'left' }),
  ];
  const right: Paragraph[] = [];
  if (cfg.signerAuthority) right.push(line(cfg.signerAuthority, { size: 14, bold: true, before: 240 }));
  right.push(line(cfg.signerTitle, { size: 14, bold: true, before: cfg.signerAuthority ? 0 : 240 }));
  // Room for the signature and seal, then the name (blank: the office types it).
  right.push(line(cfg.signerName, { size: 14, bold: true, before: 1700 }));
  const row = new TableRow({ cantSplit: true, children: [cell(left, leftW), cell(right, rightW)] });
  return borderlessTable(CLOSING_COLUMNS, [row], TEXT_WIDTH);
}

// ---------------------------------------------------------------------------------------------------
// Page numbers and styles

/** Header with the page number centred in the top margin. */
export function pageNumberHeader(): Header {
  return new Header({
    children: [
      new Paragraph({
        alignment: AlignmentType.CENTER,
        children: [new TextRun({ children: [PageNumber.CURRENT], font: FONT, size: 26 })],
      }),
    ],
  });
}

/** The first page's header: empty (no page number on page 1). */
export function emptyHeader(): Header {
  return new Header({ children: [new Paragraph({ children: [] })] });
}

const cellStyle = (id: string, name: string, alignment: (typeof AlignmentType)[keyof typeof AlignmentType], bold = false) => ({
  id,
  name,
  basedOn: 'Normal',
  quickFormat: true,
  run: { size: 24, ...(bold ? { bold: true } : {}) },
  paragraph: { alignment, spacing: { before: 40, after: 40, line: 240, lineRule: LineRuleType.AUTO } },
});

export const DOCUMENT_STYLES: IStylesOptions = {
  default: {
    document: {
      run: {
        font: { ascii: FONT, hAnsi: FONT, cs: FONT, eastAsia: FONT },
        size: BODY.size * 2,
        language: { value: 'vi-VN' },
      },
      paragraph: { spacing: { before: 0, after: 0, line: 240, lineRule: LineRuleType.AUTO } },
    },
  },
  paragraphStyles: [
    {
      id: STYLE.body,
      name: 'Báo cáo - Nội dung',
      basedOn: 'Normal',
      next: STYLE.body,
      quickFormat: true,
      run: { size: BODY.size * 2 },
      paragraph: {
        alignment: AlignmentType.JUSTIFIED,
        indent: { firstLine: BODY.firstLine },
        spacing: { before: BODY.before, after: BODY.after, line: BODY.line, lineRule: LineRuleType.AUTO },
      },
    },
    {
      id: STYLE.heading,
      name: 'Báo cáo - Đề mục',
      basedOn: STYLE.body,
      next: STYLE.body,
      quickFormat: true,
      run: { bold: true },
      paragraph: { keepNext: true },
    },
    cellStyle(STYLE.cellText, 'Bảng - Chữ', AlignmentType.LEFT),
    cellStyle(STYLE.cellCenter, 'Bảng - Giữa', AlignmentType.CENTER),
    cellStyle(STYLE.cellNumber, 'Bảng - Số', AlignmentType.RIGHT),
    cellStyle(STYLE.cellHead, 'Bảng - Tiêu đề', AlignmentType.CENTER, true),
    cellStyle(STYLE.cellTotal, 'Bảng - Tổng', AlignmentType.RIGHT, true),
    cellStyle(STYLE.cellGroup, 'Bảng - Nhóm', AlignmentType.LEFT, true),
  ],
};
