import { z } from 'zod';
import { requestCitation, type Particulars } from '../../domain/report-particulars';

/**
 * Who issues the compiled report and how it is signed. Every field has the default the seed report
 * uses, so `ReportConfigSchema.parse({})` gives a complete configuration.
 */

const line = (max = 200) => z.string().trim().max(max);

export const DEFAULT_RECIPIENTS = ['Sở VH-TT-DL', 'Giám đốc và các PGĐ Sở', 'Các phòng thuộc Sở', 'Các đơn vị thuộc Sở'];

/** The fixed last line of "Nơi nhận". */
export const ARCHIVE_RECIPIENT = 'Lưu: VT, VP.';

/**
 * Default opening sentence. `{agency}` is replaced by agencyShortName and `{period}` by the period
 * title ("6 tháng đầu năm 2026").
 */
export const DEFAULT_REQUEST_CITATION =
  'Thực hiện chế độ báo cáo định kỳ về công tác thông tin đối ngoại, {agency} báo cáo kết quả triển khai hoạt động thông tin đối ngoại {period} và phương hướng, nhiệm vụ thời gian tới như sau:';

export const ReportConfigSchema = z.object({
  /** Cơ quan chủ quản, first line of the header's left column. */
  parentBody: line().min(1).default('UBND TỈNH LÂM ĐỒNG'),
  agencyName: line().min(1).default('SỞ GIÁO DỤC VÀ ĐÀO TẠO'),
  agencyShortName: line().min(1).default('Sở Giáo dục và Đào tạo'),
  provinceName: line().min(1).default('Lâm Đồng'),
  /** Place in the date line ("Lâm Đồng, ngày …"). */
  place: line().min(1).default('Lâm Đồng'),
  /** Kind of document and agency abbreviation after the number ("Số:      /BC-SGDĐT"). */
  symbol: line(60).min(1).default('BC-SGDĐT'),
  sectorName: line().min(1).default('ngành Giáo dục và Đào tạo tỉnh Lâm Đồng'),
  signerAuthority: line().default('KT. GIÁM ĐỐC'),
  signerTitle: line().min(1).default('PHÓ GIÁM ĐỐC'),
  /** Blank: the office writes the name after signing. */
  signerName: line().default(''),
  recipients: z.array(line().min(1)).max(30).default(DEFAULT_RECIPIENTS),
  /** Opening "Thực hiện …" sentence; `{agency}` and `{period}` are substituted. */
  requestCitation: z.string().trim().max(2000).default(DEFAULT_REQUEST_CITATION),
  /** "Kính gửi: …" line, only when the report goes to a higher body. */
  addressee: line().optional(),
  /** Body that section V's proposal is addressed to. */
  proposalAddressee: line().min(1).default('Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng'),
  /** Optional facts about the Sở itself for section I ("có Ban Giám đốc và 09 phòng … với 113 công chức"). */
  agencyDivisions: z.number().int().nonnegative().optional(),
  agencyStaff: z.number().int().nonnegative().optional(),
  timeZone: line(60).min(1).default('Asia/Ho_Chi_Minh'),
});

export type ReportConfig = z.infer<typeof ReportConfigSchema>;
export type ReportConfigInput = z.input<typeof ReportConfigSchema>;

/** A complete configuration from a partial one (throws a ZodError on invalid input). */
export function parseReportConfig(input: ReportConfigInput = {}): ReportConfig {
  return ReportConfigSchema.parse(input);
}

export const DEFAULT_REPORT_CONFIG: ReportConfig = ReportConfigSchema.parse({});

/**
 * The configuration of one period's report: the environment's defaults with what the office set for that
 * period in chat (the request answered, "Kính gửi", the signer).
 */
export function withParticulars(cfg: ReportConfig, p: Particulars): ReportConfig {
  const out: ReportConfig = { ...cfg };
  if (p.request) out.requestCitation = requestCitation(p.request, cfg.agencyShortName);
  if (p.addressee === null) delete out.addressee;
  else if (p.addressee !== undefined) out.addressee = p.addressee;
  if (p.signer) {
    out.signerAuthority = p.signer.authority;
    out.signerTitle = p.signer.title;
    out.signerName = p.signer.name;
  }
  return out;
}
