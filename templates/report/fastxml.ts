import { randomUUID } from 'node:crypto';
import { Packer, FileChild, type Document, type IContext, type IXmlableObject } from 'docx';
import { unzipSync } from 'fflate';
import { sanitizeText, textLines } from './text';
import { zipFiles, type ZipData } from './zip';

/**
 * The bulky, repetitive parts of the report (unit opinions, lists of units, the per-unit appendix table)
 * written as WordprocessingML text directly, then spliced into the document.xml that docx writes for the
 * rest.
 *
 * Why: docx turns every element into an object tree, then into a second tree, then into strings at every
 * level; for 2,000 units (~150,000 elements) that peaked at ~250 MB RSS. Writing the same XML row by row
 * into UTF-8 chunks keeps the build near the size of the XML itself (~165 MB peak, ~110 MB of it node,
 * tsx and the input; see bench/report.bench.ts). The XML is byte for byte what docx wrote for these parts
 * before: the same elements, the same escaping (& < > " ' and control characters), formatting through
 * paragraph styles only (layout.ts), pPr reduced to a pStyle (and keepNext where asked).
 *
 * How: each RawBlock is a docx FileChild that docx writes as a placeholder paragraph holding a marker
 * (`baocao-raw-<random per process>-<n>`); packRawBlocks() packs the document with docx, replaces each
 * placeholder paragraph of word/document.xml with its block's XML and zips the package again (zip.ts).
 * Markers are only looked for in docx's XML, never in the blocks, so a unit's text cannot be taken for
 * one.
 */

export interface FastRun {
  text: string;
  bold?: boolean;
  italic?: boolean;
  /** A footnote reference mark to word/footnotes.xml's footnote of this id (text ignored). */
  footnote?: number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '"': '&quot;', "'": '&apos;', '<': '&lt;', '>': '&gt;' };

// eslint-disable-next-line no-control-regex
const TO_ESCAPE = /[&"'<>\x00-\x08\x0B\x0C\x0E-\x1F]/;
// The same characters, for replace(): a global expression keeps state between test() calls.
const TO_ESCAPE_ALL = new RegExp(TO_ESCAPE.source, 'g');

/** docx's escaping of text and attribute values; control characters XML 1.0 forbids are dropped. */
export const escapeXml = (s: string): string => (TO_ESCAPE.test(s) ? s.replace(TO_ESCAPE_ALL, (c) => ESCAPES[c] ?? '') : s);

const NEEDS_PRESERVE = /^\s|\s$|\s\s/u;

// Printable ASCII but space, " & ' < and >: text that sanitizing, splitting into lines and escaping leave
// as it is and that needs no xml:space (figures, serial numbers, dashes), written without those steps.
const PLAIN = /^[\x21\x23-\x25\x28-\x3b\x3d\x3f-\x7e]*$/;

// xml:space="preserve" only where spaces would otherwise be collapsed or trimmed.
const lineXml = (line: string): string => `${NEEDS_PRESERVE.test(line) ? '<w:t xml:space="preserve">' : '<w:t>'}${escapeXml(line)}</w:t>`;

function textXml(text: string): string {
  if (PLAIN.test(text)) return `<w:t>${text}</w:t>`;
  const clean = sanitizeText(text);
  // One line (most texts): textLines() would give it back as it is.
  if (!clean.includes('\n')) return lineXml(clean);
  return textLines(text).map(lineXml).join('<w:br/>');
}

function runXml(r: FastRun): string {
  if (r.footnote !== undefined) return `<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="${r.footnote}"/></w:r>`;
  // CT_RPr order: b, bCs, i, iCs.
  const rPr = r.bold || r.italic ? `<w:rPr>${r.bold ? '<w:b/><w:bCs/>' : ''}${r.italic ? '<w:i/><w:iCs/>' : ''}</w:rPr>` : '';
  return `<w:r>${rPr}${textXml(r.text)}</w:r>`;
}

/** Adjacent runs with the same formatting become one (fewer elements). */
function mergeRuns(runs: readonly FastRun[]): readonly FastRun[] {
  if (runs.length < 2) return runs;
  const out: FastRun[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last && r.footnote === undefined && last.footnote === undefined && !!last.bold === !!r.bold && !!last.italic === !!r.italic) {
      out[out.length - 1] = { ...last, text: last.text + r.text };
    } else {
      out.push(r);
    }
  }
  return out;
}

// The opening of a paragraph per style: a handful of styles, thousands of paragraphs.
const paragraphOpenings = new Map<string, string>();

function paragraphOpening(style: string, keepNext: boolean): string {
  const key = keepNext ? `${style}\n` : style;
  let xml = paragraphOpenings.get(key);
  if (xml === undefined) {
    // CT_PPr order: pStyle, keepNext.
    xml = `<w:p><w:pPr><w:pStyle w:val="${escapeXml(style)}"/>${keepNext ? '<w:keepNext/>' : ''}</w:pPr>`;
    if (paragraphOpenings.size < 100) paragraphOpenings.set(key, xml);
  }
  return xml;
}

/** A paragraph of one unformatted run (a table cell, a list line). */
function plainParagraphXml(style: string, text: string): string {
  return text === '' ? `${paragraphOpening(style, false)}</w:p>` : `${paragraphOpening(style, false)}<w:r>${textXml(text)}</w:r></w:p>`;
}

/** A paragraph in a named paragraph style (optionally kept on the page of the next block). */
export function paragraphXml(style: string, runs: readonly FastRun[], keepNext = false): string {
  const only = runs.length === 1 ? runs[0] : undefined;
  if (only && !keepNext && only.footnote === undefined && !only.bold && !only.italic) return plainParagraphXml(style, only.text);
  let xml = paragraphOpening(style, keepNext);
  for (const r of mergeRuns(runs)) if (r.text !== '' || r.footnote !== undefined) xml += runXml(r);
  return `${xml}</w:p>`;
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
  rows: Iterable<{ cells: readonly FastCell[]; header?: boolean }>;
  /** Cell margins left/right, twips. */
  cellMargin?: number;
}

const BORDER_SIDES = ['top', 'left', 'bottom', 'right', 'insideH', 'insideV'];

/**
 * A bordered, fixed-layout table whose cells hold one styled paragraph each, as XML pieces (the table's
 * properties and grid, one piece per row, the end tag). Throws on a table Word would have to repair: no
 * rows or columns, or a row whose cells do not cover the grid exactly.
 */
export function* gridTableParts(options: FastTableOptions): Generator<string> {
  const { columns, rows } = options;
  if (columns.length === 0) throw new Error('gridTable: a table needs columns and rows');
  const margin = options.cellMargin ?? 85;
  const total = columns.reduce((a, b) => a + b, 0);
  const dxa = (w: number) => `w:w="${w}" w:type="dxa"`;
  // CT_TblPr order: tblW, tblBorders, tblLayout, tblCellMar, tblLook.
  yield `<w:tbl><w:tblPr><w:tblW ${dxa(total)}/><w:tblBorders>${BORDER_SIDES.map(
    (side) => `<w:${side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>`,
  ).join('')}</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left ${dxa(margin)}/><w:right ${dxa(margin)}/></w:tblCellMar>` +
    '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>' +
    `<w:tblGrid>${columns.map((w) => `<w:gridCol w:w="${w}"/>`).join('')}</w:tblGrid>`;
  // The opening of a cell per column, span and header-ness: the same few strings for thousands of cells.
  const openings = new Map<string, string>();
  const cellOpening = (col: number, span: number, header: boolean): string => {
    const key = `${col}/${span}/${header ? 'h' : ''}`;
    let xml = openings.get(key);
    if (xml === undefined) {
      let width = 0;
      for (let i = 0; i < span; i++) width += columns[col + i] ?? 0;
      // CT_TcPr order: tcW, gridSpan, vAlign (only header cells are centred vertically).
      xml = `<w:tc><w:tcPr><w:tcW ${dxa(width)}/>${span > 1 ? `<w:gridSpan w:val="${span}"/>` : ''}${header ? '<w:vAlign w:val="center"/>' : ''}</w:tcPr>`;
      openings.set(key, xml);
    }
    return xml;
  };
  let count = 0;
  // Rows may come from a generator: each is written and dropped before the next is made.
  for (const row of rows) {
    count += 1;
    const header = row.header === true;
    let xml = header ? '<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>' : '<w:tr><w:trPr><w:cantSplit/></w:trPr>';
    let col = 0;
    for (const cell of row.cells) {
      const span = Math.max(1, cell.span ?? 1);
      xml += `${cellOpening(col, span, header)}${plainParagraphXml(cell.style, cell.text)}</w:tc>`;
      col += span;
    }
    if (col !== columns.length) throw new Error(`gridTable: a row covers ${col} of ${columns.length} grid columns`);
    yield `${xml}</w:tr>`;
  }
  if (count === 0) throw new Error('gridTable: a table needs columns and rows');
  yield '</w:tbl>';
}

export const gridTableXml = (options: FastTableOptions): string => [...gridTableParts(options)].join('');

// ---------------------------------------------------------------------------------------------------
// Splicing

const NONCE = randomUUID();
let sequence = 0;
const MARKER = /<w:p><w:r><w:t>(baocao-raw-[0-9a-f-]{36}-\d+)<\/w:t><\/w:r><\/w:p>/g;

/** Characters of XML gathered before they are encoded: one Buffer per ~32 K, not one per row. */
const CHUNK = 32_768;

/** UTF-8 chunks of the pieces: strings gathered up to CHUNK characters, Buffers kept as they are. */
function* encodeChunks(pieces: Iterable<string | Buffer>): Generator<Buffer> {
  let pending: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      pending.push(piece);
      size += piece.length;
      if (size < CHUNK) continue;
    }
    if (size > 0) yield Buffer.from(pending.join(''), 'utf8');
    pending = [];
    size = 0;
    if (typeof piece !== 'string') yield piece;
  }
  if (size > 0) yield Buffer.from(pending.join(''), 'utf8');
}

/**
 * Block-level XML (paragraphs, tables) that docx writes as a placeholder, replaced by packRawBlocks().
 * A block given as an iterable (a generator of rows or paragraphs) is written only then, as the package
 * is zipped, and encoded and compressed ~32 K characters at a time: the 4 MB of XML of a large province
 * is never held whole, as strings or as bytes. Such a block can be written once.
 */
export class RawBlock extends FileChild {
  readonly marker = `baocao-raw-${NONCE}-${++sequence}`;
  readonly #xml: string | Iterable<string | Buffer>;
  #written = false;

  constructor(xml: string | Iterable<string | Buffer>) {
    super('w:p');
    this.#xml = xml;
  }

  /** The block's XML, in pieces. */
  pieces(): Iterable<string | Buffer> {
    if (typeof this.#xml === 'string') return [this.#xml];
    if (Array.isArray(this.#xml)) return this.#xml as readonly (string | Buffer)[];
    if (this.#written) throw new Error('RawBlock: a block made from a generator can be written once');
    this.#written = true;
    return this.#xml;
  }

  override prepForXml(_context: IContext): IXmlableObject {
    return { 'w:p': [{ 'w:r': [{ 'w:t': this.marker }] }] };
  }
}

/** A paragraph in a named paragraph style (body text, lists, appendix lines). */
export class StyledParagraph extends RawBlock {
  constructor(style: string, runs: readonly FastRun[], keepNext = false) {
    super(paragraphXml(style, runs, keepNext));
  }
}

/** See gridTableParts(): rows are made and written as the package is zipped (see RawBlock). */
export class GridTable extends RawBlock {
  constructor(options: FastTableOptions) {
    super(gridTableParts(options));
  }
}

/** Adjacent raw blocks become one (fewer placeholders for docx to write and for the splice to find). */
export function coalesceRawBlocks<T>(children: readonly (T | RawBlock)[]): (T | RawBlock)[] {
  const out: (T | RawBlock)[] = [];
  let run: RawBlock[] = [];
  const flush = () => {
    if (run.length === 1 && run[0]) out.push(run[0]);
    else if (run.length > 1) {
      const blocks = run;
      out.push(
        new RawBlock(
          (function* () {
            for (const b of blocks) yield* b.pieces();
          })(),
        ),
      );
    }
    run = [];
  };
  for (const c of children) {
    if (c instanceof RawBlock) run.push(c);
    else {
      flush();
      out.push(c);
    }
  }
  flush();
  return out;
}

/**
 * document.xml with each block's placeholder paragraph replaced by the block's XML, as UTF-8 chunks in
 * order, made as they are read. Every block must be found exactly once (checked before the first chunk).
 */
export function spliceRawBlockChunks(documentXml: string, blocks: readonly RawBlock[]): Iterable<Buffer> {
  const byMarker = new Map(blocks.map((b) => [b.marker, b]));
  const found: Array<{ block: RawBlock; from: number; to: number }> = [];
  const seen = new Set<string>();
  for (const m of documentXml.matchAll(MARKER)) {
    const block = byMarker.get(m[1] ?? '');
    if (!block) continue;
    if (seen.has(block.marker)) throw new Error('spliceRawBlockChunks: a placeholder appears twice');
    seen.add(block.marker);
    found.push({ block, from: m.index, to: m.index + m[0].length });
  }
  if (seen.size !== byMarker.size) throw new Error(`spliceRawBlockChunks: ${byMarker.size - seen.size} placeholder(s) not found`);
  return (function* () {
    let from = 0;
    for (const f of found) {
      yield Buffer.from(documentXml.slice(from, f.from), 'utf8');
      yield* encodeChunks(f.block.pieces());
      from = f.to;
    }
    yield Buffer.from(documentXml.slice(from), 'utf8');
  })();
}

/** What Packer keeps private: the package's parts by path, before zipping. */
interface DocxCompiler {
  compile(file: Document, prettify: undefined, overrides: []): Map<string, string | ArrayBuffer | ArrayBufferView>;
}

/**
 * The package's parts as docx writes them, in its order. Packer keeps its compiler private; reaching it
 * spares zipping the parts in JavaScript only to unzip them again (~20 ms a report). With a docx version
 * that no longer has it, the parts come from Packer.pack, unzipped.
 */
async function docxParts(doc: Document): Promise<Array<[string, Uint8Array]>> {
  const compiler = (Packer as unknown as { compiler?: Partial<DocxCompiler> }).compiler;
  if (typeof compiler?.compile !== 'function') return Object.entries(unzipSync(await Packer.pack(doc, 'uint8array')));
  return Array.from(compiler.compile(doc, undefined, []), ([path, data]): [string, Uint8Array] => [
    path,
    typeof data === 'string'
      ? Buffer.from(data, 'utf8')
      : ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data),
  ]);
}

/** Packs `doc` with docx, then splices the raw blocks into word/document.xml. */
export async function packRawBlocks(doc: Document, blocks: readonly RawBlock[]): Promise<Buffer> {
  const files: Array<[string, ZipData]> = await docxParts(doc);
  const at = files.findIndex(([path]) => path === 'word/document.xml');
  const xml = files[at]?.[1];
  if (!(xml instanceof Uint8Array)) throw new Error('packRawBlocks: the package has no word/document.xml');
  // Same place in the package; written while it is compressed (see zipFiles).
  files[at] = ['word/document.xml', spliceRawBlockChunks(Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength).toString('utf8'), blocks)];
  return zipFiles(files);
}
