import type { ReportData } from '../../domain/aggregate';
import type { ReportConfig } from './config';
import type { RawBlock } from './fastxml';
import { bodyBlock, line } from './layout';
import { periodPhrase, textPlacement, unitOpinions, type Block, type TextPlacement } from './sections';
import type { Paragraph } from 'docx';

/**
 * "Tổng hợp ý kiến của các đơn vị": every unit's texts, grouped by the section of the report they belong
 * to and attributed, so the officer copies what is worth it into the body. A working part of the draft:
 * the body never quotes a unit.
 */

const PLACES: ReadonlyArray<{ place: TextPlacement; title: string }> = [
  { place: 'II.1', title: 'Mục II.1. Công tác quán triệt, tuyên truyền' },
  { place: 'II.2', title: 'Mục II.2. Công tác tổ chức thực hiện' },
  { place: 'II.3', title: 'Mục II.3. Công tác đào tạo, bồi dưỡng nghiệp vụ' },
  { place: 'II.4', title: 'Mục II.4. Triển khai các hoạt động thông tin đối ngoại' },
  { place: 'III.1', title: 'Mục III.1. Ưu điểm' },
  { place: 'III.2', title: 'Mục III.2. Tồn tại, hạn chế và nguyên nhân' },
  { place: 'V', title: 'Mục V. Kiến nghị, đề xuất' },
  { place: 'appendix', title: 'Nội dung khác' },
];

export const ANNEX_TITLE = 'TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ';

export function hasAnnex(data: ReportData): boolean {
  return data.texts.some((g) => g.items.length > 0);
}

export function annexChildren(data: ReportData, cfg: ReportConfig): Array<Paragraph | RawBlock> {
  const out: Array<Paragraph | RawBlock> = [
    line(ANNEX_TITLE, { size: 14, bold: true }),
    line(`kèm theo dự thảo báo cáo ${periodPhrase(data)} của ${cfg.agencyShortName}`, { size: 14, bold: true }),
    line('(Tài liệu làm việc của Văn phòng để biên tập báo cáo; không phát hành kèm báo cáo)', { size: 13, italic: true, after: 120 }),
  ];
  const blocks: Block[] = [];
  for (const { place, title } of PLACES) {
    const groups = data.texts.filter((g) => textPlacement(g) === place);
    const opinions = unitOpinions(groups);
    if (opinions.length === 0) continue;
    blocks.push({ kind: 'h2', text: title }, ...opinions);
  }
  out.push(bodyBlock(blocks));
  return out;
}
