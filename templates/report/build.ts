export { reportFileName } from './filename';
import { AlignmentType, Document, PageOrientation, Paragraph, SectionType, TextRun } from 'docx';
import type { ReportData } from '../../domain/aggregate';
import { formatIsoOfficial } from '../../domain/data-window';
import { formatOfficialDate } from '../../domain/periods';
import type { Footnote } from '../../domain/report-particulars';
import { annexChildren, hasAnnex } from './annex';
import { appendixChildren, type UnitStateRow } from './appendix';
import { placeFootnotes } from './footnotes';
import type { ReportConfig } from './config';
import { coalesceRawBlocks, packRawBlocks, RawBlock } from './fastxml';
import {
  bodyParagraphs,
  closingBlock,
  DOCUMENT_STYLES,
  emptyHeader,
  headerBlock,
  PAGE,
  pageNumberHeader,
  titleBlock,
} from './layout';
import { bodyBlocks, reportSubject, type BodyOptions } from './sections';
import { sanitizeText } from './text';

export { reportSummaryText } from './summary';

/** What a report has beyond the figures and the configuration (all optional). */
export interface ReportParts extends BodyOptions {
  /** The office's footnotes (word/footnotes.xml), placed in the body. */
  footnotes?: readonly Footnote[];
  /** The appendix (submission states, per-unit figures); default true. */
  appendix?: boolean;
  /** Every expected unit with its review state, for the appendix. */
  states?: readonly UnitStateRow[];
}

export interface BuiltReport {
  bytes: Buffer;
  /** 1-based numbers of footnotes whose place was not found (put at the end of the opening paragraph). */
  unplacedFootnotes: number[];
}

const footnoteParagraph = (text: string): Paragraph =>
  new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    children: sanitizeText(text)
      .split('\n')
      .map((t, i) => new TextRun({ text: t, size: 24, break: i > 0 ? 1 : undefined })),
  });

/**
 * The compiled report as a .docx draft (Nghị định 30/2020/NĐ-CP layout): portrait body with the header
 * block, sections I-V with the office's footnotes, "Nơi nhận" and signature; then, unless dropped, a
 * landscape appendix (states, per-unit figures, totals); then the units' texts for the officer to edit.
 * `issuedAt`: the report's date, a moment (its day in cfg.timeZone) or a calendar date "YYYY-MM-DD".
 */
export async function buildReport(data: ReportData, cfg: ReportConfig, issuedAt: Date | string, parts: ReportParts = {}): Promise<BuiltReport> {
  const issuedDate = typeof issuedAt === 'string' ? formatIsoOfficial(issuedAt) : formatOfficialDate(issuedAt, cfg.timeZone);
  const placeDate = `${cfg.place}, ${issuedDate}`;
  const subject = reportSubject(data);

  const margin = { ...PAGE.margin };
  const placed = placeFootnotes(bodyBlocks(data, cfg, parts), parts.footnotes ?? []);
  const body = coalesceRawBlocks([
    headerBlock({ cfg, placeDate }),
    ...titleBlock(subject, cfg),
    ...bodyParagraphs(placed.blocks),
    closingBlock(cfg),
  ]);
  const withAppendix = parts.appendix ?? true;
  const appendix = withAppendix ? coalesceRawBlocks(appendixChildren(data, cfg, issuedDate, parts)) : [];
  const annex = hasAnnex(data) ? coalesceRawBlocks(annexChildren(data, cfg)) : [];
  const portrait = { size: { width: PAGE.width, height: PAGE.height, orientation: PageOrientation.PORTRAIT }, margin };
  const doc = new Document({
    creator: sanitizeText(cfg.agencyShortName),
    title: sanitizeText(`Báo cáo ${subject}`),
    description: 'Dự thảo do baocao-bot tổng hợp',
    styles: DOCUMENT_STYLES,
    footnotes: Object.fromEntries(placed.notes.map((n) => [n.id, { children: [footnoteParagraph(n.text)] }])),
    sections: [
      {
        properties: {
          page: { size: { width: PAGE.width, height: PAGE.height, orientation: PageOrientation.PORTRAIT }, margin },
          titlePage: true,
        },
        headers: { default: pageNumberHeader(), first: emptyHeader() },
        children: body,
      },
      ...(withAppendix
        ? [
            {
              properties: {
                type: SectionType.NEXT_PAGE,
                page: { size: { width: PAGE.width, height: PAGE.height, orientation: PageOrientation.LANDSCAPE }, margin },
                titlePage: false,
              },
              headers: { default: pageNumberHeader() },
              children: appendix,
            },
          ]
        : []),
      ...(annex.length > 0
        ? [{ properties: { type: SectionType.NEXT_PAGE, page: portrait, titlePage: false }, headers: { default: pageNumberHeader() }, children: annex }]
        : []),
    ],
  });
  const raw = [...body, ...appendix, ...annex].filter((c): c is RawBlock => c instanceof RawBlock);
  return { bytes: await packRawBlocks(doc, raw), unplacedFootnotes: placed.unplaced };
}

export async function buildReportDocx(data: ReportData, cfg: ReportConfig, issuedAt: Date | string, parts: ReportParts = {}): Promise<Buffer> {
  return (await buildReport(data, cfg, issuedAt, parts)).bytes;
}

