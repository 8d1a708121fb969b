export { reportFileName } from './filename';
import { Document, PageOrientation, SectionType } from 'docx';
import type { ReportData } from '../../domain/aggregate';
import { formatOfficialDate } from '../../domain/periods';
import { appendixChildren } from './appendix';
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
import { bodyBlocks, reportSubject } from './sections';
import { sanitizeText } from './text';

export { reportSummaryText } from './summary';

/**
 * The compiled report as a .docx draft (Nghị định 30/2020/NĐ-CP layout): portrait body with the header
 * block, sections I-V, "Nơi nhận" and signature; then a landscape appendix with the per-unit table.
 */
export async function buildReportDocx(data: ReportData, cfg: ReportConfig, issuedAt: Date): Promise<Buffer> {
  const issuedDate = formatOfficialDate(issuedAt, cfg.timeZone);
  const placeDate = `${cfg.place}, ${issuedDate}`;
  const subject = reportSubject(data);

  const margin = { ...PAGE.margin };
  const body = coalesceRawBlocks([
    headerBlock({ cfg, placeDate }),
    ...titleBlock(subject, cfg),
    ...bodyParagraphs(bodyBlocks(data, cfg)),
    closingBlock(cfg),
  ]);
  const appendix = coalesceRawBlocks(appendixChildren(data, cfg, issuedDate));
  const doc = new Document({
    creator: sanitizeText(cfg.agencyShortName),
    title: sanitizeText(`Báo cáo ${subject}`),
    description: 'Dự thảo do baocao-bot tổng hợp',
    styles: DOCUMENT_STYLES,
    sections: [
      {
        properties: {
          page: { size: { width: PAGE.width, height: PAGE.height, orientation: PageOrientation.PORTRAIT }, margin },
          titlePage: true,
        },
        headers: { default: pageNumberHeader(), first: emptyHeader() },
        children: body,
      },
      {
        properties: {
          type: SectionType.NEXT_PAGE,
          page: { size: { width: PAGE.width, height: PAGE.height, orientation: PageOrientation.LANDSCAPE }, margin },
          titlePage: false,
        },
        headers: { default: pageNumberHeader() },
        children: appendix,
      },
    ],
  });
  const raw = [...body, ...appendix].filter((c): c is RawBlock => c instanceof RawBlock);
  return packRawBlocks(doc, raw);
}

