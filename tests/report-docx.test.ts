import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregate, type ReportData } from '../domain/aggregate';
import { periodInfo } from '../domain/periods';
import { buildReportDocx, reportFileName, reportSummaryText } from '../templates/report/build';
import { parseReportConfig, ReportConfigSchema } from '../templates/report/config';
import { SEED_PERIOD_ID, SEED_UNITS, seedSubmissions } from './fixtures/seed-h1';

const ISSUED_AT = new Date('2026-11-24T02:00:00.000Z'); // 09:00 in Hà Nội

interface Docx {
  zip: JSZip;
  xml: string;
  /** Text of each paragraph (w:t joined), in document order, entities decoded. */
  paragraphs: string[];
}

const decode = (s: string): string =>
  s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');

function paragraphTexts(xml: string): string[] {
  return xml
    .split('</w:p>')
    .map((chunk) => [...chunk.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => decode(m[1] ?? '')).join(''))
    .filter((t) => t !== '');
}

async function open(buf: Buffer): Promise<Docx> {
  const zip = await JSZip.loadAsync(buf);
  const xml = (await zip.file('word/document.xml')?.async('string')) ?? '';
  return { zip, xml, paragraphs: paragraphTexts(xml) };
}

function seedData(): ReportData {
  return aggregate({ period: periodInfo(SEED_PERIOD_ID), units: SEED_UNITS, submissions: seedSubmissions() });
}

const cfg = parseReportConfig({ agencyDivisions: 9, agencyStaff: 113 });

describe('report docx from the seed fixture', () => {
  let doc: Docx;
  let buf: Buffer;
  let text: string;
  beforeAll(async () => {
    buf = await buildReportDocx(seedData(), cfg, ISSUED_AT);
    doc = await open(buf);
    text = doc.paragraphs.join('\n');
  });

  it('is a zip with the main parts', () => {
    expect(buf.subarray(0, 2).toString()).toBe('PK');
    for (const part of ['[Content_Types].xml', 'word/document.xml', 'word/styles.xml', 'word/settings.xml']) {
      expect(doc.zip.file(part), part).not.toBeNull();
    }
  });

  it("has the seed's sentences with our figures", () => {
    expect(text).toContain(
      'Trong 6 tháng đầu năm 2026, toàn ngành đã đăng tải 622 tin, bài trên các chuyên mục. Trong đó, Tin tức - Sự kiện có 186 tin, bài; Bảo vệ nền tảng tư tưởng của Đảng có 137 tin, bài; Gương điển hình có 61 tin, bài; Cải cách hành chính có 57 tin, bài; Tin hoạt động của đơn vị cơ sở có 52 tin, bài; Tuyên truyền, phổ biến giáo dục pháp luật có 43 tin, bài; Đổi mới giáo dục và đào tạo có 31 tin, bài; Thông tin các kỳ thi có 30 tin, bài. Các chuyên mục khác tiếp tục được cập nhật phù hợp với yêu cầu thực tiễn.',
    );
    expect(text).toContain(
      'Trên các nền tảng truyền thông số, toàn ngành đã đăng tải hơn 1.000 tin, bài, hình ảnh, thu hút hơn 10,3 triệu lượt xem và hơn 9,2 triệu lượt tương tác.',
    );
    expect(text).toContain(
      'toàn ngành đăng tải 622 tin, bài trên Cổng thông tin điện tử; hơn 1.000 tin, bài, hình ảnh trên các nền tảng truyền thông số, thu hút hơn 10,3 triệu lượt xem và hơn 9,2 triệu lượt tương tác.',
    );
    expect(text).toContain('Ngành Giáo dục đã bố trí 510.500.000 đồng để hỗ trợ đào tạo cho 06 lưu học sinh');
    expect(text).toContain(
      'Sở Giáo dục và Đào tạo có Ban Giám đốc và 09 phòng chuyên môn, nghiệp vụ với 113 công chức và người lao động; toàn ngành hiện có 1.593 cơ sở giáo dục với 818.588 học sinh, 24.494 lớp học;',
    );
    expect(text).toContain('Đội ngũ cán bộ quản lý, giáo viên, nhân viên toàn ngành là 50.271 người.');
    expect(text).toContain('các đơn vị đã 14 lần cung cấp thông tin cho báo chí');
    expect(text).toContain('11 lớp tập huấn, bồi dưỡng với 555 lượt người tham gia');
    expect(text).toContain('Số liệu trong báo cáo được tổng hợp từ báo cáo của 8/10 đơn vị');
    expect(text).not.toMatch(/\b0 tin, bài/);
  });

  it('has the title, the subject and sections I..V in order', () => {
    const p = doc.paragraphs;
    const idx = (s: string) => p.indexOf(s);
    expect(idx('BÁO CÁO')).toBeGreaterThan(-1);
    expect(p[idx('BÁO CÁO') + 1]).toBe(
      'Sơ kết công tác thông tin đối ngoại trong ngành Giáo dục 6 tháng đầu năm 2026 và định hướng trong thời gian tới',
    );
    const headings = [
      'I. KHÁI QUÁT CHUNG',
      'II. KẾT QUẢ TRIỂN KHAI THỰC HIỆN',
      '1. Công tác quán triệt, tuyên truyền',
      '2. Công tác tổ chức thực hiện',
      '3. Công tác đào tạo, bồi dưỡng nghiệp vụ',
      '4. Triển khai các hoạt động thông tin đối ngoại',
      'III. ĐÁNH GIÁ CHUNG',
      '1. Ưu điểm',
      '2. Tồn tại, hạn chế và nguyên nhân',
      'IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI',
      'V. KIẾN NGHỊ, ĐỀ XUẤT',
    ];
    let last = idx('BÁO CÁO');
    for (const h of headings) {
      const i = p.indexOf(h, last + 1);
      expect(i, h).toBeGreaterThan(last);
      last = i;
    }
    expect(idx('PHỤ LỤC')).toBeGreaterThan(idx('Nơi nhận:'));
  });

  it('has the national header block, number and italic place-date line', () => {
    const p = doc.paragraphs;
    expect(p.slice(0, 6)).toEqual([
      'UBND TỈNH LÂM ĐỒNG',
      'SỞ GIÁO DỤC VÀ ĐÀO TẠO',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'Số:      /BC-SGDĐT',
      'Lâm Đồng, ngày 24 tháng 11 năm 2026',
    ]);
    // The header is a borderless table of 3829 + 5670 twips, fixed layout.
    const firstTable = doc.xml.slice(doc.xml.indexOf('<w:tbl>'), doc.xml.indexOf('</w:tbl>'));
    expect(firstTable).toContain('<w:gridCol w:w="3829"/>');
    expect(firstTable).toContain('<w:gridCol w:w="5670"/>');
    expect(firstTable).toMatch(/<w:tblLayout w:type="fixed"\/>/);
    expect(firstTable).toMatch(/<w:tblBorders>.*<w:top w:val="none"/);
    // Real rules (paragraph bottom borders), not underscores.
    expect(firstTable).toMatch(/<w:pBdr><w:bottom w:val="single"/);
    expect(text).not.toContain('____');
    // Run formatting: date italic 13 pt, agency bold 12 pt, motto bold 13 pt.
    const runOf = (t: string) => {
      const i = doc.xml.indexOf(`>${t}</w:t>`);
      return doc.xml.slice(doc.xml.lastIndexOf('<w:r>', i), i);
    };
    expect(runOf('Lâm Đồng, ngày 24 tháng 11 năm 2026')).toContain('<w:i/>');
    expect(runOf('Lâm Đồng, ngày 24 tháng 11 năm 2026')).toContain('<w:sz w:val="26"/>');
    expect(runOf('SỞ GIÁO DỤC VÀ ĐÀO TẠO')).toContain('<w:b/>');
    expect(runOf('SỞ GIÁO DỤC VÀ ĐÀO TẠO')).toContain('<w:sz w:val="24"/>');
    expect(runOf('UBND TỈNH LÂM ĐỒNG')).not.toContain('<w:b/>');
    expect(runOf('Độc lập - Tự do - Hạnh phúc')).toContain('<w:sz w:val="26"/>');
    expect(runOf('BÁO CÁO')).toContain('<w:sz w:val="28"/>');
  });

  it('ends the body with "./." and closes with Nơi nhận and the signature block', () => {
    const p = doc.paragraphs;
    const noiNhan = p.indexOf('Nơi nhận:');
    expect(noiNhan).toBeGreaterThan(0);
    expect(p[noiNhan - 1]?.endsWith('./.')).toBe(true);
    expect(p.slice(noiNhan, noiNhan + 6)).toEqual([
      'Nơi nhận:',
      '- Sở VH-TT-DL;',
      '- Giám đốc và các PGĐ Sở;',
      '- Các phòng thuộc Sở;',
      '- Các đơn vị thuộc Sở;',
      '- Lưu: VT, VP.',
    ]);
    expect(p.slice(noiNhan + 6, noiNhan + 8)).toEqual(['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC']);
    const runOf = (t: string) => {
      const i = doc.xml.indexOf(`>${t}</w:t>`);
      return doc.xml.slice(doc.xml.lastIndexOf('<w:r>', i), i);
    };
    expect(runOf('Nơi nhận:')).toMatch(/<w:b\/>.*<w:i\/>.*<w:sz w:val="24"\/>/);
    expect(runOf('- Sở VH-TT-DL;')).toContain('<w:sz w:val="22"/>');
    expect(runOf('PHÓ GIÁM ĐỐC')).toContain('<w:b/>');
    expect(runOf('PHÓ GIÁM ĐỐC')).toContain('<w:sz w:val="28"/>');
    // The closing is a borderless 2-column table of about 5.3 cm and 11.1 cm.
    const closing = doc.xml.slice(doc.xml.lastIndexOf('<w:tbl>', doc.xml.indexOf('>Nơi nhận:<')));
    expect(closing).toMatch(/^<w:tbl>[\s\S]*?<w:gridCol w:w="3005"\/><w:gridCol w:w="6294"\/>/);
  });

  it('lists unit opinions attributed to their units under the right sections', () => {
    const p = doc.paragraphs;
    const iii1 = p.indexOf('1. Ưu điểm');
    const iii2 = p.indexOf('2. Tồn tại, hạn chế và nguyên nhân');
    const v = p.indexOf('V. KIẾN NGHỊ, ĐỀ XUẤT');
    const intro = 'Ý kiến của các đơn vị (để Văn phòng tổng hợp, biên tập):';
    expect(p.indexOf(intro, iii1)).toBeLessThan(iii2);
    const results = p.indexOf(
      '- Trường THPT Bùi Thị Xuân: Fanpage của trường thu hút nhiều lượt tương tác nhờ chuỗi video giới thiệu hoạt động trải nghiệm.',
    );
    expect(results).toBeGreaterThan(iii1);
    expect(results).toBeLessThan(iii2);
    const proposal = p.indexOf('- Phòng Giáo dục và Đào tạo huyện Đức Trọng: Đề nghị Sở hỗ trợ thiết bị ghi hình cho các trường vùng khó khăn.');
    expect(proposal).toBeGreaterThan(v);
    const shortcoming = p.indexOf('- Phòng Giáo dục và Đào tạo thành phố Bảo Lộc: Tin, bài về hợp tác quốc tế còn ít.');
    expect(shortcoming).toBeGreaterThan(iii2);
    expect(shortcoming).toBeLessThan(v);
  });

  it('has A4 pages, the decree margins, titlePg, Times New Roman and page numbers', async () => {
    const sects = [...doc.xml.matchAll(/<w:sectPr[\s\S]*?<\/w:sectPr>/g)].map((m) => m[0]);
    expect(sects).toHaveLength(2);
    const [portrait, landscape] = sects as [string, string];
    const el = (xml: string, name: string) => new RegExp(`<w:${name} [^>]*/>`).exec(xml)?.[0] ?? '';
    expect(el(portrait, 'pgSz')).toContain('w:w="11906"');
    expect(el(portrait, 'pgSz')).toContain('w:h="16838"');
    // 25 / 20 / 35 / 20 mm (1 mm = 56.7 twips).
    for (const m of ['w:top="1418"', 'w:bottom="1134"', 'w:left="1985"', 'w:right="1134"']) {
      expect(el(portrait, 'pgMar')).toContain(m);
    }
    expect(portrait).toContain('<w:titlePg/>');
    expect(portrait).toMatch(/<w:headerReference w:type="first"/);
    expect(portrait).toMatch(/<w:headerReference w:type="default"/);
    for (const a of ['w:w="16838"', 'w:h="11906"', 'w:orient="landscape"']) expect(el(landscape, 'pgSz')).toContain(a);
    expect(el(landscape, 'pgMar')).toContain('w:left="1985"');

    const styles = (await doc.zip.file('word/styles.xml')?.async('string')) ?? '';
    const defaults = styles.slice(styles.indexOf('<w:docDefaults>'), styles.indexOf('</w:docDefaults>'));
    const rFonts = /<w:rFonts [^>]*\/>/.exec(defaults)?.[0] ?? '';
    for (const attr of ['ascii', 'hAnsi', 'cs', 'eastAsia']) expect(rFonts).toContain(`w:${attr}="Times New Roman"`);
    expect(defaults).toContain('<w:sz w:val="28"/>');
    expect(doc.xml).toContain('w:ascii="Times New Roman"');
    expect(doc.xml).not.toMatch(/w:ascii="(?!Times New Roman)/);

    // Body paragraphs: style "BaoCaoNoiDung" = justified, first line 1.27 cm, 6 pt before, 0 after, 1.15 lines,
    // 14 pt; headings "BaoCaoDeMuc" = the same, bold, kept with the next paragraph.
    const styleDef = (id: string) => {
      const i = styles.indexOf(`w:styleId="${id}"`);
      return i < 0 ? '' : styles.slice(i, styles.indexOf('</w:style>', i));
    };
    const body = styleDef('BaoCaoNoiDung');
    expect(body).toContain('<w:jc w:val="both"/>');
    expect(body).toMatch(/<w:ind w:firstLine="720"\/>/);
    const spacing = /<w:spacing [^>]*\/>/.exec(body)?.[0] ?? '';
    for (const a of ['w:before="120"', 'w:after="0"', 'w:line="276"']) expect(spacing).toContain(a);
    expect(body).toContain('<w:sz w:val="28"/>');
    const heading = styleDef('BaoCaoDeMuc');
    expect(heading).toContain('<w:basedOn w:val="BaoCaoNoiDung"/>');
    expect(heading).toContain('<w:keepNext/>');
    expect(heading).toContain('<w:b/>');
    const paraOf = (t: string) => {
      const i = doc.xml.indexOf(`>${t}</w:t>`);
      return doc.xml.slice(doc.xml.lastIndexOf('<w:p>', i), i);
    };
    expect(paraOf('I. KHÁI QUÁT CHUNG')).toContain('<w:pStyle w:val="BaoCaoDeMuc"/>');
    expect(paraOf('1. Ưu điểm')).toContain('<w:pStyle w:val="BaoCaoDeMuc"/>');
    expect(paraOf('Có 8/10 đơn vị đã gửi báo cáo.')).toContain('<w:pStyle w:val="BaoCaoNoiDung"/>');

    const headerParts = Object.keys(doc.zip.files).filter((f) => /^word\/header\d+\.xml$/.test(f));
    const headers = await Promise.all(headerParts.map((f) => doc.zip.file(f)?.async('string') ?? ''));
    expect(headers.filter((h) => /PAGE/.test(h)).length).toBeGreaterThanOrEqual(1);
    expect(headers.some((h) => !/PAGE/.test(h))).toBe(true); // the empty first-page header
  });

  it('has the appendix: who reported, who did not, and the per-unit table with totals', () => {
    const p = doc.paragraphs;
    const start = p.indexOf('PHỤ LỤC');
    const appendix = p.slice(start);
    expect(appendix).toContain('Có 8/10 đơn vị đã gửi báo cáo.');
    expect(appendix).toContain('- Phòng Giáo dục và Đào tạo: 3/4 đơn vị.');
    expect(appendix).toContain('- Phòng Giáo dục và Đào tạo huyện Di Linh');
    expect(appendix).toContain('- Trường THPT Lê Quý Đôn');
    for (const h of ['STT', 'Đơn vị', 'Tin bài Cổng TTĐT', 'Tin bài nền tảng số', 'Lượt xem', 'Lượt tương tác', 'Lưu học sinh', 'Kinh phí (đồng)']) {
      expect(appendix).toContain(h);
    }
    const total = appendix.indexOf('Tổng cộng');
    expect(appendix.slice(total, total + 7)).toEqual(['Tổng cộng', '622', '1.048', '10.345.678', '9.234.567', '6', '510.500.000']);
    expect(appendix).toContain('(Kèm theo Báo cáo số      /BC-SGDĐT ngày 24 tháng 11 năm 2026 của Sở Giáo dục và Đào tạo)');
  });

  const soffice = ['/usr/bin/soffice', '/usr/bin/libreoffice', '/usr/local/bin/soffice'].find((f) => existsSync(f));
  it.skipIf(!soffice)('opens in LibreOffice (when installed)', { timeout: 60_000 }, () => {
    if (!soffice) return;
    const dir = mkdtempSync(join(tmpdir(), 'report-lo-'));
    try {
      writeFileSync(join(dir, 'r.docx'), buf);
      execFileSync(
        soffice,
        [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, join(dir, 'r.docx')],
        { stdio: 'ignore', timeout: 50_000 },
      );
      expect(existsSync(join(dir, 'r.pdf'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('report docx edge cases', () => {
  it('builds for a period with no submissions and says so', async () => {
    const data = aggregate({ period: periodInfo('2026-Q1'), units: SEED_UNITS, submissions: [] });
    const doc = await open(await buildReportDocx(data, parseReportConfig(), new Date('2026-04-06T02:00:00Z')));
    const text = doc.paragraphs.join('\n');
    expect(text).toContain('Chưa có đơn vị nào gửi báo cáo quý I năm 2026 (0/10 đơn vị)');
    expect(text).toContain('Sơ kết công tác thông tin đối ngoại trong ngành Giáo dục quý I năm 2026 và định hướng trong thời gian tới');
    expect(text).toContain('Có 0/10 đơn vị đã gửi báo cáo.');
    expect(text).toContain('V. KIẾN NGHỊ, ĐỀ XUẤT');
    expect(text).not.toMatch(/\b0 (tin, bài|lượt|lưu học sinh)/);
    expect(text).not.toContain('Tổng cộng');
  });

  it('writes neutral sentences for zero figures, never "0 tin, bài"', async () => {
    const subs = seedSubmissions().map((s) => ({
      ...s,
      answers: Object.fromEntries(Object.entries(s.answers).map(([k, v]) => [k, typeof v === 'number' ? 0 : v])),
    }));
    const data = aggregate({ period: periodInfo(SEED_PERIOD_ID), units: SEED_UNITS, submissions: subs });
    const doc = await open(await buildReportDocx(data, cfg, ISSUED_AT));
    const body = doc.paragraphs.slice(0, doc.paragraphs.indexOf('Nơi nhận:')).join('\n');
    expect(body).toContain('các đơn vị chưa báo cáo số liệu tin, bài đăng tải trên Cổng/Trang thông tin điện tử');
    expect(body).toContain('Số liệu về tin, bài đăng tải trên các nền tảng truyền thông số chưa được các đơn vị báo cáo trong kỳ.');
    expect(body).not.toMatch(/(^|\D)0 (tin|lượt|lần|lớp|đoàn|lưu học sinh|cơ sở|học sinh|hoạt động)/);
    expect(body).not.toMatch(/\b00 /);
    expect(body).not.toContain('0 đồng');
    expect(body).not.toContain('Trong đó,');
  });

  it('says "10 triệu" without "hơn" when the figure is exact', async () => {
    const subs = seedSubmissions();
    const data = aggregate({ period: periodInfo('2026-Y'), units: SEED_UNITS, submissions: subs });
    data.digital = { posts: 2000, views: 10_000_000, interactions: 9_250_001 };
    const doc = await open(await buildReportDocx(data, cfg, ISSUED_AT));
    const text = doc.paragraphs.join('\n');
    expect(text).toContain('đã đăng tải 2.000 tin, bài, hình ảnh, thu hút 10 triệu lượt xem và hơn 9,2 triệu lượt tương tác.');
    expect(text).toContain('Tổng kết công tác thông tin đối ngoại trong ngành Giáo dục năm 2026 và định hướng trong thời gian tới');
  });

  it('keeps user text as plain text: <&> escaped, control characters stripped', async () => {
    const subs = seedSubmissions();
    const first = subs[0];
    if (!first) throw new Error('fixture');
    first.answers.assess_proposals_text = 'Đề nghị <b>hỗ trợ</b> & "tăng" kinh phí\u0007 </w:t><w:t>x';
    const data = aggregate({ period: periodInfo(SEED_PERIOD_ID), units: SEED_UNITS, submissions: subs });
    const doc = await open(await buildReportDocx(data, cfg, ISSUED_AT));
    expect(doc.paragraphs).toContain(`- ${first.unit.name}: Đề nghị <b>hỗ trợ</b> & "tăng" kinh phí </w:t><w:t>x`);
    expect(doc.xml).toContain('Đề nghị &lt;b&gt;hỗ trợ&lt;/b&gt; &amp;');
    expect(doc.xml).not.toContain('<b>');
    expect(doc.xml).not.toContain('\u0007');
  });

  it('turns newlines of a unit text into line breaks in one paragraph', async () => {
    const subs = seedSubmissions();
    const first = subs[0];
    if (!first) throw new Error('fixture');
    first.answers.assess_proposals_text = 'Dòng một\r\nDòng hai';
    const data = aggregate({ period: periodInfo(SEED_PERIOD_ID), units: SEED_UNITS, submissions: subs });
    const doc = await open(await buildReportDocx(data, cfg, ISSUED_AT));
    expect(doc.paragraphs).toContain(`- ${first.unit.name}: Dòng mộtDòng hai`);
    const i = doc.xml.indexOf('>Dòng hai</w:t>');
    expect(doc.xml.slice(doc.xml.lastIndexOf('<w:r>', i), i)).toContain('<w:br/>');
  });

  it('uses a configured signer, recipients and addressee', async () => {
    const custom = parseReportConfig({
      signerName: 'Phan Đức Thái',
      recipients: ['UBND tỉnh;', 'Sở VH-TT-DL'],
      addressee: 'Sở Văn hóa, Thể thao và Du lịch',
      requestCitation: 'Thực hiện Văn bản số 2193/SVHTTDL-QLTTBCXB ngày 08/5/2026, {agency} báo cáo {period} như sau:',
    });
    const doc = await open(await buildReportDocx(seedData(), custom, ISSUED_AT));
    const p = doc.paragraphs;
    expect(p).toContain('Phan Đức Thái');
    expect(p).toContain('Kính gửi: Sở Văn hóa, Thể thao và Du lịch');
    expect(p).toContain(
      'Thực hiện Văn bản số 2193/SVHTTDL-QLTTBCXB ngày 08/5/2026, Sở Giáo dục và Đào tạo báo cáo 6 tháng đầu năm 2026 như sau:',
    );
    const n = p.indexOf('Nơi nhận:');
    expect(p.slice(n + 1, n + 4)).toEqual(['- UBND tỉnh;', '- Sở VH-TT-DL;', '- Lưu: VT, VP.']);
  });
});

describe('report helpers', () => {
  it('names the file', () => {
    expect(reportFileName('2026-H1')).toBe('Bao-cao-TTDN-2026-H1-du-thao.docx');
    expect(reportFileName('2026-Q3')).toBe('Bao-cao-TTDN-2026-Q3-du-thao.docx');
    expect(reportFileName('../x y')).toBe('Bao-cao-TTDN-x-y-du-thao.docx');
  });

  it('summarises for the chat', () => {
    const s = reportSummaryText(seedData());
    expect(s).toContain('6 tháng đầu năm 2026');
    expect(s).toContain('8/10 đơn vị');
    expect(s).toContain('622 tin, bài');
    expect(s).toContain('1.048 tin, bài, hình ảnh; 10.345.678 lượt xem; 9.234.567 lượt tương tác');
    expect(s).toContain('Lưu học sinh: 06; kinh phí hỗ trợ: 510.500.000 đồng');
    expect(s).not.toMatch(/[*_<>`]/);
    const empty = reportSummaryText(aggregate({ period: periodInfo('2026-Q1'), units: SEED_UNITS, submissions: [] }));
    expect(empty).toContain('Chưa có đơn vị nào gửi báo cáo (0/10 đơn vị).');
  });

  it('has config defaults', () => {
    const d = ReportConfigSchema.parse({});
    expect(d).toMatchObject({
      parentBody: 'UBND TỈNH LÂM ĐỒNG',
      agencyName: 'SỞ GIÁO DỤC VÀ ĐÀO TẠO',
      symbol: 'BC-SGDĐT',
      signerAuthority: 'KT. GIÁM ĐỐC',
      signerTitle: 'PHÓ GIÁM ĐỐC',
      signerName: '',
      recipients: ['Sở VH-TT-DL', 'Giám đốc và các PGĐ Sở', 'Các phòng thuộc Sở', 'Các đơn vị thuộc Sở'],
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    expect(d.requestCitation.startsWith('Thực hiện')).toBe(true);
    expect(() => ReportConfigSchema.parse({ agencyName: '' })).toThrow();
  });
});
