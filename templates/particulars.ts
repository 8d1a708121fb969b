import type { Config } from '../config';
import { formatIsoShort, type DataWindow } from '../domain/data-window';
import { formatShortDate, type PeriodInfo } from '../domain/periods';
import { type Particulars } from '../domain/report-particulars';
import { ARCHIVE_RECIPIENT } from './report/config';

/** What /baocao and /thongtinbc show of a period's report particulars, and how to change them. */

export interface ParticularsView {
  config: Pick<Config, 'report' | 'reportAppendix' | 'timeZone'>;
  dataWindow: DataWindow;
  /** The report's date when none is set (the day it is built). */
  issuedAt: Date;
  unplaced?: readonly number[];
  comparedWith?: string | null;
}

const unset = '(chưa đặt, dùng mặc định)';

export function particularsText(period: PeriodInfo, p: Particulars, v: ParticularsView): string {
  const cfg = v.config.report;
  const lines = [`Thông tin của báo cáo ${period.title} (mã kỳ ${period.id}):`];
  lines.push(
    p.request
      ? `- Văn bản yêu cầu: số ${p.request.number} ngày ${formatIsoShort(p.request.date)} của ${p.request.issuer}, về việc ${p.request.subject}`
      : `- Văn bản yêu cầu: ${unset}`,
  );
  lines.push(`- Ngày báo cáo: ${p.reportDate ? formatIsoShort(p.reportDate) : `${formatShortDate(v.issuedAt, v.config.timeZone)} (ngày tạo dự thảo)`}`);
  const addressee = p.addressee === null ? undefined : (p.addressee ?? cfg.addressee);
  lines.push(`- Kính gửi: ${addressee ?? 'không có'}`);
  const signer = p.signer ?? { authority: cfg.signerAuthority, title: cfg.signerTitle, name: cfg.signerName };
  lines.push(`- Người ký: ${[signer.authority, signer.title, signer.name || '(để trống, ký tay)'].filter(Boolean).join(' / ')}`);
  lines.push(`- Nơi nhận: ${[...cfg.recipients, ARCHIVE_RECIPIENT].join('; ')}`);
  lines.push(`- Số liệu tính từ ngày ${formatIsoShort(v.dataWindow.from)} đến ngày ${formatIsoShort(v.dataWindow.to)}${p.dataWindow ? '' : ' (mặc định)'}`);
  lines.push(`- Phụ lục số liệu các đơn vị: ${(p.appendix ?? v.config.reportAppendix) ? 'gửi kèm' : 'không gửi kèm'}`);
  if (v.comparedWith !== undefined) lines.push(`- So sánh: ${v.comparedWith ? `với ${v.comparedWith}` : 'kỳ trước chưa có số liệu để so sánh'}`);
  if (p.footnotes.length === 0) lines.push('- Chú thích: chưa có');
  else {
    lines.push(`- Chú thích (${p.footnotes.length}):`);
    p.footnotes.forEach((f, i) => lines.push(`   ${i + 1}. Vị trí ${f.at}: ${f.text.length > 120 ? `${f.text.slice(0, 117)}…` : f.text}`));
  }
  for (const n of v.unplaced ?? []) {
    lines.push(`Lưu ý: không tìm thấy vị trí “${p.footnotes[n - 1]?.at ?? ''}” của chú thích ${n}; chú thích được đặt cuối đoạn mở đầu.`);
  }
  lines.push('', `Sửa bằng /thongtinbc ${period.id} kèm tên mục và nội dung, ví dụ /thongtinbc ${period.id} ngay 12/5/2026; xem hướng dẫn: /thongtinbc huongdan`);
  return lines.join('\n');
}

export const particularsHelp = (id: string) =>
  [
    `Đặt thông tin cho báo cáo kỳ ${id} (các phần cách nhau bằng dấu |):`,
    `/thongtinbc ${id} vanban 2193/SVHTTDL-QLTTBCXB | 08/5/2026 | Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng | phối hợp báo cáo tình hình triển khai hoạt động thông tin đối ngoại 6 tháng đầu năm`,
    `/thongtinbc ${id} ngay 12/5/2026 — ngày của báo cáo`,
    `/thongtinbc ${id} kinhgui Ủy ban nhân dân tỉnh Lâm Đồng — hoặc “không”`,
    `/thongtinbc ${id} chuthich II.2 | Kế hoạch số 34/KH-SGDĐT ngày 10/02/2026 … — chú thích cuối đoạn đầu của mục II.2 (II.2/3: đoạn thứ 3; hoặc một cụm từ trong ngoặc kép, ví dụ "đối tác quốc tế khác")`,
    `/thongtinbc ${id} xoachuthich 2 — bỏ chú thích số 2 (hoặc “tất cả”)`,
    `/thongtinbc ${id} nguoiky KT. GIÁM ĐỐC | PHÓ GIÁM ĐỐC | Phan Đức Thái`,
    `/thongtinbc ${id} phuluc không — bỏ phụ lục số liệu các đơn vị (hoặc “có”)`,
    `/thongtinbc ${id} chotso 15/12/2025 - 14/6/2026 — thời gian chốt số liệu`,
    `/thongtinbc ${id} xoa vanban — đưa một mục về mặc định (vanban, ngay, kinhgui, chuthich, nguoiky, phuluc, chotso)`,
  ].join('\n');

export const particularsSaved = (what: string, id: string) => `Đã lưu ${what} cho báo cáo kỳ ${id}. Gõ /baocao ${id} để tạo lại dự thảo.`;

export const FIELD_NAMES: Record<string, string> = {
  vanban: 'văn bản yêu cầu',
  ngay: 'ngày báo cáo',
  kinhgui: 'dòng Kính gửi',
  chuthich: 'chú thích',
  xoachuthich: 'danh sách chú thích',
  nguoiky: 'người ký',
  phuluc: 'lựa chọn phụ lục',
  chotso: 'thời gian chốt số liệu',
  xoa: 'mặc định',
};
