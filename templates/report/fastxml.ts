import { FileChild, type IContext, type IXmlableObject } from 'docx';
import { textLines } from './text';

/**
 * Light document children for the bulky, repetitive parts of the report (unit opinions, the per-unit
 * appendix table): custom docx components, as docx documents them (a subclass overriding prepForXml),
 * that hand docx's serializer the element tree directly instead of building thousands of Paragraph /
 * TableCell objects first. docx still writes the XML and escapes every text (& < > " and control
 * characters), so user text stays plain text. All formatting comes from paragraph styles (layout.ts),
 * which keeps pPr to a pStyle and avoids element-order pitfalls in pPr/rPr.
 *
 * With docx building every cell as objects, 2,000 units took several seconds and ~500 MB; see
 * bench/report.bench.ts.
 */

export interface FastRun {
  text: string;
  bold?: boolean;
  italic?: boolean;
}

const EMPTY = {};
const PRESERVE = { _attr: { 'xml:space': 'preserve' } };

function runXml(r: FastRun): IXmlableObject {
  const children: unknown[] = [];
  if (r.bold || r.italic) {
    const props: unknown[] = [];
    // CT_RPr order: b, bCs, i, iCs.
    if (r.bold) props.push({ 'w:b': EMPTY }, { 'w:bCs': EMPTY });
    if (r.italic) props.push({ 'w:i': EMPTY }, { 'w:iCs': EMPTY });
    children.push({ 'w:rPr': props });
  }
  textLines(r.text).forEach((line, i) => {
    if (i > 0) children.push({ 'w:br': EMPTY });
    // xml:space="preserve" only where spaces would otherwise be collapsed or trimmed.
    children.push({ 'w:t': NEEDS_PRESERVE.test(line) ? [PRESERVE, line] : line });
  });
  return { 'w:r': children };
}

const NEEDS_PRESERVE = /^\s|\s$|\s\s/u;

/** Adjacent runs with the same formatting become one (fewer elements for the serializer). */
function mergeRuns(runs: readonly FastRun[]): FastRun[] {
  const out: FastRun[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last && !!last.bold === !!r.bold && !!last.italic === !!r.italic) {
      out[out.length - 1] = { ...last, text: last.text + r.text };
    } else {
      out.push(r);
    }
  }
  return out;
}

export function paragraphXml(style: string, runs: readonly FastRun[]): IXmlableObject {
  return {
    'w:p': [
      { 'w:pPr': [{ 'w:pStyle': { _attr: { 'w:val': style } } }] },
      ...mergeRuns(runs)
        .filter((r) => r.text !== '')
        .map(runXml),
    ],
  };
}

/** A paragraph in a named paragraph style. */
export class StyledParagraph extends FileChild {
  constructor(
    private readonly style: string,
    private readonly runs: readonly FastRun[],
  ) {
    super('w:p');
  }

  override prepForXml(_context: IContext): IXmlableObject {
    return paragraphXml(this.style, this.runs);
  }
}

export interface FastCell {
  text: string;
  /** Paragraph style of the cell's paragraph. */
  style: string;
  /** Grid columns spanned (default 1). */
  span?: number;
}

export interface FastTableOptions {
  columns: readonly number[];
  /** Rows marked `header` repeat on every page. */
  rows: ReadonlyArray<{ cells: readonly FastCell[]; header?: boolean }>;
  /** Cell margins left/right, twips. */
  cellMargin?: number;
}

const border = (side: string) => ({ [`w:${side}`]: { _attr: { 'w:val': 'single', 'w:sz': 4, 'w:space': 0, 'w:color': '000000' } } });

/** A bordered, fixed-layout table whose cells hold one styled paragraph each. */
export class GridTable extends FileChild {
  constructor(private readonly options: FastTableOptions) {
    super('w:tbl');
  }

  override prepForXml(_context: IContext): IXmlableObject {
    const { columns, rows } = this.options;
    const margin = this.options.cellMargin ?? 85;
    const total = columns.reduce((a, b) => a + b, 0);
    const dxa = (w: number) => ({ _attr: { 'w:w': w, 'w:type': 'dxa' } });
    // CT_TblPr order: tblW, tblBorders, tblLayout, tblCellMar, tblLook.
    const tblPr = {
      'w:tblPr': [
        { 'w:tblW': dxa(total) },
        { 'w:tblBorders': ['top', 'left', 'bottom', 'right', 'insideH', 'insideV'].map(border) },
        { 'w:tblLayout': { _attr: { 'w:type': 'fixed' } } },
        { 'w:tblCellMar': [{ 'w:left': dxa(margin) }, { 'w:right': dxa(margin) }] },
        { 'w:tblLook': { _attr: { 'w:val': '0000', 'w:firstRow': 0, 'w:lastRow': 0, 'w:firstColumn': 0, 'w:lastColumn': 0, 'w:noHBand': 1, 'w:noVBand': 1 } } },
      ],
    };
    const grid = { 'w:tblGrid': columns.map((w) => ({ 'w:gridCol': { _attr: { 'w:w': w } } })) };
    const rowXml = rows.map((row) => {
      const trPr = { 'w:trPr': row.header ? [{ 'w:cantSplit': EMPTY }, { 'w:tblHeader': EMPTY }] : [{ 'w:cantSplit': EMPTY }] };
      let col = 0;
      const cells = row.cells.map((cell) => {
        const span = Math.max(1, cell.span ?? 1);
        let width = 0;
        for (let i = 0; i < span; i++) width += columns[col + i] ?? 0;
        col += span;
        // CT_TcPr order: tcW, gridSpan, vAlign (only header cells are centred vertically).
        const tcPr: unknown[] = [{ 'w:tcW': dxa(width) }];
        if (span > 1) tcPr.push({ 'w:gridSpan': { _attr: { 'w:val': span } } });
        if (row.header) tcPr.push({ 'w:vAlign': { _attr: { 'w:val': 'center' } } });
        return { 'w:tc': [{ 'w:tcPr': tcPr }, paragraphXml(cell.style, [{ text: cell.text }])] };
      });
      return { 'w:tr': [trPr, ...cells] };
    });
    return { 'w:tbl': [tblPr, grid, ...rowXml] };
  }
}
