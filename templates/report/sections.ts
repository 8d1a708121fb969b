import type { ReportData, TextGroup } from '../../domain/aggregate';
import { changePhrase, compareFigures } from '../../domain/comparison';
import { formatApproxPhrase, formatCount, formatMoney, formatNumber } from '../../domain/format';
import type { ReportConfig } from './config';

/**
 * The body of the report (opening, sections I-V) as plain blocks, following the seed report's structure
 * and phrasing with the computed figures. Pure: no docx here, so the sentences can be tested alone.
 */

export interface Run {
  text: string;
  bold?: boolean;
  italic?: boolean;
  /** A footnote reference mark (the text is ignored). */
  footnote?: number;
}

/** What the body says beyond the figures: the data window and the period compared with. */
export interface BodyOptions {
  /** "Số liệu tính từ ngày … đến ngày …." */
  dataWindow?: string;
  /** The period compared with ("cùng kỳ năm 2025") and its figures. */
  comparison?: { name: string; data: ReportData };
}

export type Block =
  /** "I. KHÁI QUÁT CHUNG" */
  | { kind: 'h1'; text: string }
  /** "1. Công tác quán triệt, tuyên truyền" */
  | { kind: 'h2'; text: string }
  /** Justified body paragraph. */
  | { kind: 'p'; runs: Run[]; keepWithNext?: boolean }
  /** "- Đơn vị: ý kiến" */
  | { kind: 'item'; runs: Run[]; keepWithNext?: boolean };

export const NO_SUBMISSIONS_TEXT = 'Chưa có đơn vị nào gửi báo cáo';
export const NO_DATA_SECTION_TEXT = 'Chưa có số liệu của các đơn vị để tổng hợp nội dung này.';
export const NO_DATA_ASSESSMENT_TEXT = 'Chưa có báo cáo của các đơn vị làm cơ sở đánh giá.';

/** Where the texts of a question go in the report. */
export type TextPlacement = 'II.1' | 'II.2' | 'II.3' | 'II.4' | 'III.1' | 'III.2' | 'V' | 'appendix';

const PLACEMENT_BY_KEY: Record<string, TextPlacement> = {
  campaign_text: 'II.1',
  intl_activities_text: 'II.4',
  assess_results_text: 'III.1',
  assess_shortcomings_text: 'III.2',
  assess_causes_text: 'III.2',
  assess_proposals_text: 'V',
};

const PLACEMENT_BY_SECTION: Record<string, TextPlacement> = {
  portal: 'II.1',
  digital: 'II.1',
  campaigns: 'II.1',
  press: 'II.2',
  training: 'II.3',
  international: 'II.4',
};

export function textPlacement(group: Pick<TextGroup, 'key' | 'sectionKey'>): TextPlacement {
  return PLACEMENT_BY_KEY[group.key] ?? PLACEMENT_BY_SECTION[group.sectionKey] ?? 'appendix';
}

/** A period title as it reads inside a sentence: "6 tháng đầu năm 2026", "quý I năm 2026", "năm 2026". */
export function periodTitleInSentence(title: string): string {
  return title.replace(/^Quý(?=\s)/u, 'quý');
}

/** The report's period as it reads inside a sentence. */
export function periodPhrase(data: ReportData): string {
  return periodTitleInSentence(data.period.title);
}

/** "Sơ kết công tác thông tin đối ngoại trong ngành Giáo dục 6 tháng đầu năm 2026 và định hướng …". */
export function reportSubject(data: ReportData): string {
  const verb = data.period.kind === 'year' ? 'Tổng kết' : 'Sơ kết';
  return `${verb} công tác thông tin đối ngoại trong ngành Giáo dục ${periodPhrase(data)} và định hướng trong thời gian tới`;
}

const p = (text: string): Block => ({ kind: 'p', runs: [{ text }] });

/**
 * Counts in running text go through formatCount ("08 tin, bài", "622 tin, bài"; the seed writes "06 sinh
 * viên", "09 phòng"). Large figures are rounded the seed's way ("hơn 10,3 triệu"), small ones stay counts.
 */
const approxCount = (n: number): string => (n < 10 ? formatCount(n) : formatApproxPhrase(n));

/**
 * Whether any reporting unit's form asked one of these questions: a zero total then means "the units
 * reported none", not "no figures were reported".
 */
function asked(data: ReportData, keys: readonly string[]): boolean {
  return keys.some((k) => (data.answeredBy[k] ?? 0) > 0);
}

function sectionKeys(data: ReportData, sectionKey: string): string[] {
  return data.keyOrder.filter((k) => data.labels[k]?.sectionKey === sectionKey);
}

function capitalize(s: string): string {
  return s.length === 0 ? s : s.charAt(0).toLocaleUpperCase('vi') + s.slice(1);
}

/** Units' texts of one place, for the annex: a label line per question, then "- Unit: text" per answer. */
export function unitOpinions(groups: TextGroup[]): Block[] {
  const out: Block[] = [];
  for (const g of groups.filter((x) => x.items.length > 0)) {
    out.push({ kind: 'p', runs: [{ text: `${g.label}:`, italic: true }], keepWithNext: true });
    for (const item of g.items) {
      out.push({ kind: 'item', runs: [{ text: `- ${item.unitName}: `, bold: true }, { text: item.text }] });
    }
  }
  return out;
}

/** " (tăng 12,5% so với cùng kỳ năm 2025)" for a key total, "" when there is nothing to compare with. */
function versus(opts: BodyOptions, pick: (d: ReportData) => number, current: ReportData): string {
  if (!opts.comparison) return '';
  return ` (${changePhrase(compareFigures(pick(current), pick(opts.comparison.data)), opts.comparison.name)})`;
}


// ---------------------------------------------------------------------------------------------------
// Figure sentences (each returns a neutral sentence when its figures are zero)

/** "Trong 6 tháng đầu năm 2026, toàn ngành đã đăng tải 622 tin, bài trên các chuyên mục. Trong đó, …" */
export function portalSentence(data: ReportData, opts: BodyOptions = {}): string {
  const period = periodPhrase(data);
  if (data.portalTotal <= 0) {
    return asked(data, sectionKeys(data, 'portal'))
      ? `Trong ${period}, các đơn vị chưa đăng tải tin, bài trên Cổng/Trang thông tin điện tử.`
      : `Trong ${period}, các đơn vị chưa báo cáo số liệu tin, bài đăng tải trên Cổng/Trang thông tin điện tử.`;
  }
  let s = `Trong ${period}, toàn ngành đã đăng tải ${formatCount(data.portalTotal)} tin, bài trên các chuyên mục${versus(opts, (d) => d.portalTotal, data)}.`;
  if (data.portalBreakdown.length > 0) {
    const items = data.portalBreakdown.map(
      (c) => `${c.label} có ${formatCount(c.total)} ${data.labels[c.key]?.unit ?? 'tin, bài'}`,
    );
    s += ` Trong đó, ${items.join('; ')}.`;
  }
  if (data.portalOtherTotal > 0) s += ' Các chuyên mục khác tiếp tục được cập nhật phù hợp với yêu cầu thực tiễn.';
  return s;
}

/** "thu hút hơn 10,3 triệu lượt xem và hơn 9,2 triệu lượt tương tác" parts, zeros left out. */
function engagementParts(data: ReportData, opts: BodyOptions = {}): string[] {
  const parts: string[] = [];
  if (data.digital.views > 0) parts.push(`${approxCount(data.digital.views)} lượt xem${versus(opts, (d) => d.digital.views, data)}`);
  if (data.digital.interactions > 0) parts.push(`${approxCount(data.digital.interactions)} lượt tương tác${versus(opts, (d) => d.digital.interactions, data)}`);
  return parts;
}

/** "Trên các nền tảng truyền thông số, toàn ngành đã đăng tải hơn 1.000 tin, bài, hình ảnh, thu hút …" */
export function digitalSentence(data: ReportData, opts: BodyOptions = {}): string | null {
  const { posts } = data.digital;
  const engagement = engagementParts(data, opts);
  if (posts <= 0 && engagement.length === 0) return null;
  let s = 'Trên các nền tảng truyền thông số, toàn ngành ';
  if (posts > 0) s += `đã đăng tải ${approxCount(posts)} tin, bài, hình ảnh${versus(opts, (d) => d.digital.posts, data)}`;
  if (engagement.length > 0) s += `${posts > 0 ? ', thu hút ' : 'đã thu hút '}${engagement.join(' và ')}`;
  return `${s}.`;
}

/** III.1's recap: "toàn ngành đăng tải 622 tin, bài trên Cổng thông tin điện tử; hơn 1.000 tin, bài, hình ảnh …". */
export function recapSentence(data: ReportData): string | null {
  const posted: string[] = [];
  if (data.portalTotal > 0) posted.push(`${formatCount(data.portalTotal)} tin, bài trên Cổng thông tin điện tử`);
  const engagement = engagementParts(data);
  let engagementClause = '';
  if (data.digital.posts > 0) {
    let d = `${approxCount(data.digital.posts)} tin, bài, hình ảnh trên các nền tảng truyền thông số`;
    if (engagement.length > 0) d += `, thu hút ${engagement.join(' và ')}`;
    posted.push(d);
  } else if (engagement.length > 0) {
    // Views without posts reported: its own clause ("toàn ngành đăng tải" cannot govern it).
    engagementClause = `các nền tảng truyền thông số của ngành thu hút ${engagement.join(' và ')}`;
  }
  const clauses: string[] = [];
  if (posted.length > 0) clauses.push(`toàn ngành đăng tải ${posted.join('; ')}`);
  if (engagementClause) clauses.push(engagementClause);
  if (clauses.length === 0) return null;
  return `Trong ${periodPhrase(data)}, ${clauses.join('; ')}.`;
}

export function pressSentence(data: ReportData): string {
  const { infoProvided, articles, falseInfoHandled } = data.press;
  const period = periodPhrase(data);
  if (infoProvided <= 0 && articles <= 0 && falseInfoHandled <= 0) {
    return asked(data, sectionKeys(data, 'press'))
      ? `Trong ${period}, các đơn vị không phát sinh việc cung cấp thông tin cho báo chí và không có thông tin sai lệch, tiêu cực phải xử lý.`
      : `Trong ${period}, các đơn vị chưa báo cáo số liệu cụ thể về công tác cung cấp thông tin cho báo chí.`;
  }
  const parts: string[] = [];
  if (infoProvided > 0) parts.push(`toàn ngành đã cung cấp thông tin cho báo chí ${formatCount(infoProvided)} lần`);
  if (articles > 0) parts.push(`các cơ quan báo chí đã đăng tải ${formatCount(articles)} tin, bài viết về hoạt động của ngành`);
  if (falseInfoHandled > 0) {
    parts.push(`${formatCount(falseInfoHandled)} thông tin sai lệch, tiêu cực đã được phát hiện và xử lý kịp thời`);
  } else {
    parts.push('không phát sinh thông tin sai lệch, tiêu cực phải xử lý');
  }
  return `Trong ${period}, ${parts.join('; ')}.`;
}

export function trainingSentence(data: ReportData): string {
  const { sessions, participants } = data.training;
  const period = periodPhrase(data);
  if (sessions > 0 && participants > 0) {
    return `Trong ${period}, các đơn vị đã tổ chức hoặc tham gia ${formatCount(sessions)} lớp tập huấn, bồi dưỡng với ${formatCount(participants)} lượt người tham gia.`;
  }
  if (sessions > 0) return `Trong ${period}, các đơn vị đã tổ chức hoặc tham gia ${formatCount(sessions)} lớp tập huấn, bồi dưỡng.`;
  if (participants > 0) {
    return `Trong ${period}, có ${formatCount(participants)} lượt cán bộ, giáo viên, nhân viên tham gia các lớp tập huấn, bồi dưỡng.`;
  }
  return asked(data, ['training_sessions', 'training_participants'])
    ? `Trong ${period}, các đơn vị chưa tổ chức, tham gia lớp tập huấn, bồi dưỡng nghiệp vụ thông tin đối ngoại.`
    : `Trong ${period}, các đơn vị chưa báo cáo số liệu về các lớp tập huấn, bồi dưỡng nghiệp vụ thông tin đối ngoại.`;
}

export function cooperationSentence(data: ReportData): string {
  const { delegationsReceived, delegationsSent, agreements } = data.international;
  const period = periodPhrase(data);
  const parts: string[] = [];
  if (delegationsReceived > 0) parts.push(`đón tiếp ${formatCount(delegationsReceived)} đoàn nước ngoài đến làm việc`);
  if (delegationsSent > 0) parts.push(`cử ${formatCount(delegationsSent)} đoàn đi công tác nước ngoài`);
  if (agreements > 0) parts.push(`ký kết ${formatCount(agreements)} thỏa thuận, biên bản ghi nhớ hợp tác`);
  if (parts.length === 0) {
    return `Trong ${period}, các đơn vị không báo cáo hoạt động đón tiếp, cử đoàn hoặc ký kết thỏa thuận hợp tác quốc tế.`;
  }
  return `Trong ${period}, các đơn vị đã ${parts.join('; ')}.`;
}

/** "Ngành Giáo dục đã bố trí 510.500.000 đồng để hỗ trợ đào tạo cho 06 lưu học sinh …"; null when both are 0. */
export function foreignStudentsSentence(data: ReportData): string | null {
  const { foreignStudents, supportMoney } = data.international;
  const tail =
    'góp phần tạo điều kiện để lưu học sinh nâng cao năng lực ngôn ngữ, hòa nhập môi trường học tập và sinh hoạt tại địa phương.';
  if (supportMoney > 0 && foreignStudents > 0) {
    return `Ngành Giáo dục đã bố trí ${formatMoney(supportMoney)} để hỗ trợ đào tạo cho ${formatCount(foreignStudents)} lưu học sinh nước ngoài đang học tập tại địa phương, ${tail}`;
  }
  if (supportMoney > 0) return `Ngành Giáo dục đã bố trí ${formatMoney(supportMoney)} để hỗ trợ đào tạo lưu học sinh nước ngoài, ${tail}`;
  if (foreignStudents > 0) {
    return `Hiện có ${formatCount(foreignStudents)} lưu học sinh nước ngoài đang học tập tại các cơ sở giáo dục của ngành.`;
  }
  return null;
}

function profileParagraph(data: ReportData, cfg: ReportConfig): string {
  const { institutions, pupils, classes, staff } = data.profile;
  const clauses: string[] = [];
  const agencyFacts: string[] = [];
  if (cfg.agencyDivisions !== undefined && cfg.agencyDivisions > 0) {
    agencyFacts.push(`Ban Giám đốc và ${formatCount(cfg.agencyDivisions)} phòng chuyên môn, nghiệp vụ`);
  }
  if (agencyFacts.length > 0 || (cfg.agencyStaff !== undefined && cfg.agencyStaff > 0)) {
    let a = `${cfg.agencyShortName} có ${agencyFacts[0] ?? 'Ban Giám đốc và các phòng chuyên môn, nghiệp vụ'}`;
    if (cfg.agencyStaff !== undefined && cfg.agencyStaff > 0) a += ` với ${formatCount(cfg.agencyStaff)} công chức và người lao động`;
    clauses.push(a);
  }
  const scale: string[] = [];
  if (pupils > 0) scale.push(`${formatCount(pupils)} học sinh`);
  if (classes > 0) scale.push(`${formatCount(classes)} lớp học`);
  if (institutions > 0) {
    clauses.push(
      `toàn ngành hiện có ${formatCount(institutions)} cơ sở giáo dục${scale.length > 0 ? ` với ${scale.join(', ')}` : ''}; đầy đủ các cấp học từ mầm non đến trung học phổ thông, cùng hệ thống trung tâm GDNN-GDTX và các đơn vị trực thuộc`,
    );
  } else if (scale.length > 0) {
    clauses.push(`toàn ngành hiện có ${scale.join(', ')}`);
  }
  let text = clauses.length > 0 ? `${capitalize(clauses.join('; '))}.` : '';
  if (staff > 0) {
    text += `${text ? ' ' : ''}Đội ngũ cán bộ quản lý, giáo viên, nhân viên toàn ngành là ${formatCount(staff)} người.`;
  }
  if (institutions <= 0 && pupils <= 0 && classes <= 0 && staff <= 0) {
    text += `${text ? ' ' : ''}Số liệu về quy mô trường, lớp, học sinh và đội ngũ chưa được các đơn vị báo cáo trong kỳ.`;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------------
// The body

/**
 * The citation of the request answered, then the data window. How many units reported is the office's
 * business, not the reader's: it is in the appendix; only a draft nobody reported to says so.
 */
export function openingBlocks(data: ReportData, cfg: ReportConfig, opts: BodyOptions = {}): Block[] {
  const period = periodPhrase(data);
  const citation = cfg.requestCitation.replaceAll('{agency}', cfg.agencyShortName).replaceAll('{period}', period);
  const out: Block[] = [p(citation)];
  if (opts.dataWindow) out.push(p(opts.dataWindow));
  const { expected, reported } = data.counts;
  if (reported === 0 && data.unitRows.length === 0) {
    out.push(
      p(
        `${NO_SUBMISSIONS_TEXT} ${periodPhrase(data)}${expected > 0 ? ` (0/${formatNumber(expected)} đơn vị)` : ''}; các nội dung, số liệu dưới đây sẽ được cập nhật khi các đơn vị gửi báo cáo.`,
      ),
    );
  }
  return out;
}

export function bodyBlocks(data: ReportData, cfg: ReportConfig, opts: BodyOptions = {}): Block[] {
  const period = periodPhrase(data);
  const agency = cfg.agencyShortName;
  const province = cfg.provinceName;
  const noData = data.unitRows.length === 0;
  // The opening says in full that nobody reported; the sections only say what is missing.
  const noDataSentence = NO_DATA_SECTION_TEXT;
  const out: Block[] = [...openingBlocks(data, cfg, opts)];

  // I. KHÁI QUÁT CHUNG
  out.push({ kind: 'h1', text: 'I. KHÁI QUÁT CHUNG' });
  out.push(p(noData ? noDataSentence : profileParagraph(data, cfg)));
  out.push(
    p(
      `Trong bối cảnh quy mô ngành lớn, địa bàn rộng, đối tượng đa dạng, công tác quản lý thông tin đối ngoại được xác định là nhiệm vụ quan trọng, góp phần nâng cao hiệu lực, hiệu quả quản lý nhà nước về giáo dục; quảng bá hình ảnh, thành tựu và các giá trị tích cực của ngành; tạo sự đồng thuận xã hội, củng cố niềm tin của Nhân dân đối với sự nghiệp giáo dục và đào tạo của tỉnh. Dưới sự lãnh đạo của Đảng ủy và Ban Giám đốc Sở, công tác thông tin đối ngoại thời gian qua được triển khai nghiêm túc, từng bước đi vào nền nếp; nội dung, hình thức thông tin không ngừng được đổi mới, góp phần lan tỏa kết quả nổi bật của ngành Giáo dục ${province}, đồng thời chủ động phòng ngừa, hạn chế và xử lý kịp thời các thông tin sai lệch, tiêu cực ảnh hưởng đến uy tín của ngành.`,
    ),
  );

  // II. KẾT QUẢ TRIỂN KHAI THỰC HIỆN
  out.push({ kind: 'h1', text: 'II. KẾT QUẢ TRIỂN KHAI THỰC HIỆN' });

  out.push({ kind: 'h2', text: '1. Công tác quán triệt, tuyên truyền' });
  if (noData) {
    out.push(p(noDataSentence));
  } else {
    out.push(
      p(
        `Trong ${period}, công tác tuyên truyền, thông tin đối ngoại của ${cfg.sectorName} được triển khai thường xuyên, có trọng tâm, bám sát chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước, định hướng thông tin đối ngoại của tỉnh và nhiệm vụ chính trị của ngành. ${agency} đã lồng ghép nội dung thông tin đối ngoại vào kế hoạch công tác, kế hoạch truyền thông của ngành; chỉ đạo các phòng chuyên môn, đơn vị trực thuộc thực hiện nghiêm quy định về cung cấp thông tin, phát ngôn, đăng tải tin, bài, bảo đảm thống nhất định hướng tuyên truyền, đúng thẩm quyền và tuân thủ các quy định về bảo vệ bí mật nhà nước.`,
      ),
    );
    out.push(
      p(
        `Công tác tuyên truyền được thực hiện thông qua Cổng thông tin điện tử của Sở, các kênh truyền thông chính thức của ngành, hệ thống văn bản điện tử, hội nghị, sinh hoạt chuyên môn và hoạt động giáo dục tại cơ sở. ${portalSentence(data, opts)}`,
      ),
    );
    const digital = digitalSentence(data, opts);
    if (digital === null) {
      out.push(
        p(
          asked(data, ['digital_posts', 'digital_views', 'digital_interactions'])
            ? 'Trong kỳ, các đơn vị chưa đăng tải tin, bài trên các nền tảng truyền thông số.'
            : 'Số liệu về tin, bài đăng tải trên các nền tảng truyền thông số chưa được các đơn vị báo cáo trong kỳ.',
        ),
      );
    } else {
      out.push(
        p(
          data.digital.posts > 0
            ? `${digital} Nội dung tuyên truyền phong phú, tập trung vào nhiệm vụ năm học, đổi mới giáo dục, chuyển đổi số, các sự kiện chính trị quan trọng; đồng thời kịp thời lan tỏa gương tập thể, cá nhân tiêu biểu, sáng kiến và thành tích nổi bật của nhà giáo, học sinh trong toàn ngành.`
            : digital,
        ),
      );
    }
    let themes = `Nội dung tuyên truyền tập trung phổ biến đường lối đối ngoại của Đảng và Nhà nước; công tác xây dựng Đảng, bảo vệ nền tảng tư tưởng của Đảng; chủ quyền biên giới, biển đảo, toàn vẹn lãnh thổ của Tổ quốc; giáo dục ý thức công dân, trách nhiệm xã hội và lòng yêu nước cho học sinh. Đồng thời, ngành chú trọng tuyên truyền kết quả đổi mới giáo dục, chuyển đổi số, cải cách hành chính, hội nhập quốc tế trong lĩnh vực giáo dục và đào tạo, góp phần quảng bá hình ảnh ngành Giáo dục ${province} năng động, trách nhiệm, tích cực đổi mới và hội nhập.`;
    if (data.campaigns.activities > 0) {
      themes += ` Trong kỳ, các đơn vị đã tổ chức ${formatCount(data.campaigns.activities)} hoạt động tuyên truyền theo chủ đề (chủ quyền biển, đảo; ASEAN; quyền con người; các ngày lễ lớn của đất nước).`;
    }
    out.push(p(themes));
    out.push(
      p(
        `Nhìn chung, công tác tuyên truyền, thông tin đối ngoại trong ${period} được triển khai chủ động, nền nếp, đa dạng về nội dung và hình thức; thông tin đăng tải bảo đảm chính xác, kịp thời, đúng định hướng, không để xảy ra tình trạng phát tán thông tin sai sự thật, thông tin chưa được kiểm chứng hoặc ảnh hưởng đến an ninh quốc gia, trật tự an toàn xã hội và quan hệ đối ngoại. Qua đó, góp phần định hướng dư luận, nâng cao nhận thức của cán bộ, giáo viên, học sinh và Nhân dân về chủ trương, chính sách của Đảng, Nhà nước và những kết quả đổi mới của ${cfg.sectorName}.`,
      ),
    );
  }

  out.push({ kind: 'h2', text: '2. Công tác tổ chức thực hiện' });
  if (noData) {
    out.push(p(noDataSentence));
  } else {
    out.push(
      p(
        `Trong chu kỳ báo cáo, ${agency} đã chủ động ban hành kế hoạch, tổ chức triển khai kịp thời các văn bản chỉ đạo, hướng dẫn về công tác truyền thông, tuyên truyền trong ngành Giáo dục; trong đó lồng ghép đầy đủ các nội dung liên quan đến hoạt động thông tin đối ngoại theo quy định. Công tác quản lý nhà nước về thông tin đối ngoại được triển khai đồng bộ, có nền nếp, bám sát sự chỉ đạo của Tỉnh ủy, Ủy ban nhân dân tỉnh và định hướng của cơ quan chuyên môn về thông tin, truyền thông.`,
      ),
    );
    out.push(
      p(
        `${agency} đã phân công bộ phận chuyên môn, cán bộ đầu mối phụ trách công tác phát ngôn, cung cấp thông tin cho báo chí và tham mưu triển khai nhiệm vụ thông tin đối ngoại; đồng thời chủ động phối hợp với các cơ quan báo chí, cơ quan chức năng có liên quan trong quá trình cung cấp, đăng tải, theo dõi, nắm bắt dư luận và xử lý thông tin thuộc lĩnh vực giáo dục và đào tạo. ${pressSentence(data)}`,
      ),
    );
    out.push(
      p(
        'Hệ thống Cổng thông tin điện tử của Sở, các nền tảng truyền thông số và kênh thông tin chính thống của các cơ sở giáo dục được duy trì, vận hành ổn định, phục vụ hiệu quả công tác tuyên truyền, phổ biến chủ trương, chính sách của Đảng, pháp luật của Nhà nước; phản ánh kết quả đổi mới giáo dục, chuyển đổi số, cải cách hành chính, hội nhập quốc tế và các hoạt động nổi bật của ngành. Qua đó, góp phần cung cấp thông tin chính thống, định hướng dư luận, giữ vững uy tín, hình ảnh của ngành Giáo dục và của tỉnh.',
      ),
    );
    // International cooperation where the seed has it: the figures here, the specifics (which partners,
    // which students, which delegation) in the footnotes the office sets.
    out.push(
      p(
        `Đối với nhiệm vụ dân vận thúc đẩy quan hệ hợp tác quốc tế, ${agency} đã chủ động tham mưu, tổ chức thực hiện và tuyên truyền kịp thời các chủ trương, chính sách, kế hoạch của Trung ương và của tỉnh về hợp tác giáo dục với các địa phương, đối tác nước ngoài. ${cooperationSentence(data)}`,
      ),
    );
    const students = foreignStudentsSentence(data);
    if (students !== null) {
      out.push(
        p(
          `Thông qua công tác thông tin đối ngoại và hợp tác giáo dục, ngành Giáo dục tỉnh đã thực hiện tốt việc tuyên truyền, triển khai các chính sách hỗ trợ đào tạo đối với lưu học sinh. ${students}`,
        ),
      );
    }
    out.push(p('Bên cạnh đó, ngành Giáo dục tiếp tục mở rộng thông tin, tuyên truyền về hợp tác giáo dục với các đối tác quốc tế khác.'));
    out.push(
      p(
        'Thông qua công tác tổ chức thực hiện, ngành Giáo dục đã từng bước nâng cao hiệu quả quản lý, cung cấp và định hướng thông tin đối ngoại; quảng bá hình ảnh giáo dục địa phương chủ động đổi mới, hội nhập; đồng thời đóng góp thiết thực vào việc củng cố quan hệ hữu nghị và mở rộng hợp tác quốc tế trong lĩnh vực giáo dục, đào tạo.',
      ),
    );
  }

  out.push({ kind: 'h2', text: '3. Công tác đào tạo, bồi dưỡng nghiệp vụ' });
  if (noData) {
    out.push(p(noDataSentence));
  } else {
    out.push(
      p(
        `Ngành Giáo dục tỉnh ${province} quan tâm triển khai công tác đào tạo, bồi dưỡng đội ngũ làm truyền thông, thông tin đối ngoại gắn với nhiệm vụ chuyên môn và yêu cầu thực tiễn. ${agency} đã lồng ghép nội dung bồi dưỡng kỹ năng truyền thông, viết tin, bài, phát ngôn và cung cấp thông tin cho báo chí vào các hoạt động tập huấn, bồi dưỡng chuyên môn, nghiệp vụ cho cán bộ quản lý, công chức, viên chức, giáo viên trong toàn ngành. ${trainingSentence(data)}`,
      ),
    );
  }

  out.push({ kind: 'h2', text: '4. Triển khai các hoạt động thông tin đối ngoại' });
  if (noData) {
    out.push(p(noDataSentence));
  } else {
    out.push(
      p(
        `Hoạt động thông tin đối ngoại trong ngành Giáo dục tỉnh ${province} được triển khai đồng bộ, linh hoạt, phù hợp với điều kiện thực tiễn. Ngành Giáo dục đã đẩy mạnh tuyên truyền, quảng bá hình ảnh giáo dục địa phương trên Cổng thông tin điện tử của ${agency}, các nền tảng truyền thông số; đồng thời chủ động phối hợp với các cơ quan báo chí trong và ngoài tỉnh tuyên truyền về kết quả, thành tựu giáo dục, phong trào thi đua, sự kiện chuyên môn, hoạt động hợp tác và hội nhập quốc tế trong lĩnh vực giáo dục.`,
      ),
    );
    out.push(
      p(
        `Bên cạnh đó, ${agency} kịp thời cung cấp thông tin, phối hợp giải thích, làm rõ các nội dung liên quan đến ngành khi có vấn đề được dư luận quan tâm; góp phần định hướng thông tin, tạo sự đồng thuận xã hội, giữ vững uy tín, hình ảnh của ngành Giáo dục và của tỉnh.`,
      ),
    );
  }

  // III. ĐÁNH GIÁ CHUNG
  out.push({ kind: 'h1', text: 'III. ĐÁNH GIÁ CHUNG' });
  out.push({ kind: 'h2', text: '1. Ưu điểm' });
  if (noData) {
    out.push(p(NO_DATA_ASSESSMENT_TEXT));
  } else {
    out.push(
      p(
        `Trong ${period}, công tác thông tin đối ngoại của ${cfg.sectorName} được triển khai chủ động, đồng bộ, bám sát sự chỉ đạo của Tỉnh ủy, UBND tỉnh và định hướng của cơ quan chuyên môn. ${agency} đã lồng ghép nội dung thông tin đối ngoại vào kế hoạch công tác, kế hoạch truyền thông của ngành; phân công đầu mối phụ trách phát ngôn, cung cấp thông tin cho báo chí, theo dõi, nắm bắt và xử lý thông tin liên quan đến lĩnh vực giáo dục.`,
      ),
    );
    const recap = recapSentence(data);
    out.push(
      p(
        `Công tác tuyên truyền được thực hiện thường xuyên trên Cổng thông tin điện tử của Sở, các nền tảng truyền thông số và kênh thông tin chính thống của ngành.${recap ? ` ${recap}` : ''} Nội dung tuyên truyền phong phú, tập trung vào chủ trương, chính sách của Đảng và Nhà nước; nhiệm vụ năm học; đổi mới giáo dục; chuyển đổi số; cải cách hành chính; bảo vệ nền tảng tư tưởng của Đảng; chủ quyền biên giới, biển đảo; hợp tác, hội nhập quốc tế và các kết quả nổi bật của ngành.`,
      ),
    );
    out.push(
      p(
        `Thông qua hoạt động thông tin đối ngoại, ngành Giáo dục đã góp phần cung cấp thông tin chính thống, định hướng dư luận, quảng bá hình ảnh giáo dục ${province} năng động, trách nhiệm, đổi mới và hội nhập; đồng thời tăng cường tuyên truyền về hợp tác giáo dục với các địa phương, đối tác nước ngoài.`,
      ),
    );
  }

  out.push({ kind: 'h2', text: '2. Tồn tại, hạn chế và nguyên nhân' });
  if (noData) {
    out.push(p(NO_DATA_ASSESSMENT_TEXT));
  } else {
    out.push(
      p(
        'Bên cạnh kết quả đạt được, công tác thông tin đối ngoại vẫn còn một số hạn chế. Nội dung tuyên truyền ở một số chuyên mục chưa đồng đều; một số đơn vị cơ sở chưa thật sự chủ động cung cấp thông tin, hình ảnh, tin bài về hoạt động giáo dục, hợp tác và hội nhập quốc tế. Đội ngũ làm công tác truyền thông tại cơ sở chủ yếu kiêm nhiệm, kỹ năng viết tin, xử lý thông tin, quản trị truyền thông số chưa đồng đều. Việc khai thác các sản phẩm truyền thông hiện đại như video ngắn, infographic, hình ảnh số tuy đã được quan tâm nhưng chưa thật sự phong phú, chuyên nghiệp.',
      ),
    );
    out.push(
      p(
        'Nguyên nhân chủ yếu là do quy mô ngành lớn, địa bàn rộng, số lượng cơ sở giáo dục nhiều; nhân lực chuyên trách về truyền thông, thông tin đối ngoại còn hạn chế. Cán bộ phụ trách truyền thông ở nhiều đơn vị kiêm nhiệm nhiều nhiệm vụ nên chưa có nhiều thời gian đầu tư cho công tác tuyên truyền. Bên cạnh đó, điều kiện thiết bị, hạ tầng công nghệ và kỹ năng sản xuất nội dung số tại một số cơ sở giáo dục còn hạn chế; cơ chế phối hợp, chia sẻ thông tin từ cơ sở lên cấp ngành có lúc chưa thường xuyên, kịp thời.',
      ),
    );
  }

  // IV. PHƯƠNG HƯỚNG
  out.push({ kind: 'h1', text: 'IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI' });
  out.push(
    p(
      `${capitalize(cfg.sectorName)} tiếp tục triển khai hiệu quả công tác thông tin đối ngoại gắn với nhiệm vụ chính trị của ngành, định hướng tuyên truyền của tỉnh và yêu cầu hội nhập quốc tế trong tình hình mới. Tăng cường tuyên truyền chủ trương, đường lối đối ngoại của Đảng, chính sách, pháp luật của Nhà nước; các kết quả đổi mới giáo dục, chuyển đổi số, cải cách hành chính, xây dựng trường học an toàn, nâng cao chất lượng giáo dục và đào tạo.`,
    ),
  );
  out.push(
    p(
      `${agency} tiếp tục duy trì, nâng cao chất lượng hoạt động Cổng thông tin điện tử, các nền tảng truyền thông số và kênh thông tin chính thống của ngành; chủ động phối hợp với các cơ quan báo chí trong và ngoài tỉnh để tuyên truyền, quảng bá hình ảnh giáo dục ${province}. Chú trọng thông tin về các hoạt động hợp tác, hội nhập quốc tế trong lĩnh vực giáo dục; công tác đào tạo, hỗ trợ lưu học sinh nước ngoài; các chương trình hợp tác giáo dục với đối tác nước ngoài; qua đó góp phần lan tỏa hình ảnh địa phương thân thiện, trách nhiệm, chủ động hội nhập.`,
    ),
  );
  out.push(
    p(
      'Đồng thời, tăng cường bồi dưỡng kỹ năng truyền thông, viết tin, phát ngôn, cung cấp thông tin cho báo chí và quản trị truyền thông số cho đội ngũ phụ trách tại các đơn vị; thực hiện nghiêm quy định về phát ngôn, bảo vệ bí mật nhà nước; chủ động nắm bắt dư luận, xử lý kịp thời thông tin phát sinh, đấu tranh phản bác thông tin sai sự thật, xuyên tạc, góp phần giữ vững uy tín của ngành Giáo dục và của tỉnh.',
    ),
  );

  // V. KIẾN NGHỊ
  out.push({ kind: 'h1', text: 'V. KIẾN NGHỊ, ĐỀ XUẤT' });
  out.push(
    p(
      `Đề nghị ${cfg.proposalAddressee} tiếp tục quan tâm tổ chức tập huấn, bồi dưỡng, hướng dẫn nghiệp vụ về công tác thông tin đối ngoại; hỗ trợ nâng cao năng lực cho đội ngũ làm công tác truyền thông của ngành Giáo dục, góp phần triển khai nhiệm vụ thông tin đối ngoại đồng bộ, hiệu quả.`,
    ),
  );

  return endWithClosingMark(out);
}

/**
 * The body ends with "./." (Nghị định 30): on the last paragraph, replacing its final full stop. That
 * paragraph is kept on the page of "Nơi nhận" and the signature, which never stand alone on a page.
 */
export function endWithClosingMark(blocks: Block[]): Block[] {
  for (let i = blocks.length - 1; i >= 0; i--) {
    const b = blocks[i];
    if (!b || (b.kind !== 'p' && b.kind !== 'item') || b.runs.length === 0) continue;
    const runs = b.runs.slice();
    const last = runs[runs.length - 1];
    if (!last) continue;
    if (last.footnote !== undefined) {
      runs.push({ text: './.' });
      const copy = blocks.slice();
      copy[i] = { ...b, runs, keepWithNext: true };
      return copy;
    }
    const text = last.text.replace(/[\s.;,:]+$/u, '');
    runs[runs.length - 1] = { ...last, text: `${text}./.` };
    const copy = blocks.slice();
    copy[i] = { ...b, runs, keepWithNext: true };
    return copy;
  }
  return blocks;
}
