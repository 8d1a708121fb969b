import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregate, type AggregateSubmission, type ReportData } from '../domain/aggregate';
import { DEFAULT_FORM, FormDefinitionSchema } from '../domain/form';
import { periodInfo } from '../domain/periods';
import { UNIT_TYPES, type UnitRef } from '../domain/units';
import { buildReportDocx, reportFileName, reportSummaryText } from '../templates/report/build';
import { parseReportConfig, ReportConfigSchema } from '../templates/report/config';
import { figureColumnWidths } from '../templates/report/appendix';
import { gridTableXml, RawBlock, spliceRawBlockChunks } from '../templates/report/fastxml';
import { TEXT_WIDTH_LANDSCAPE } from '../templates/report/layout';
import { SEED_PERIOD_ID, SEED_UNITS, seedSubmissions } from './fixtures/seed-h1';

const ISSUED_AT = new Date('2026-11-24T02:00:00.000Z'); // 09:00 in Hà Nội

/** The spliced document.xml as one buffer. */
const spliced = (xml: string, blocks: readonly RawBlock[]): Buffer => Buffer.concat([...spliceRawBlockChunks(xml, blocks)]);

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
    expect(text).toContain(
      'Trong 6 tháng đầu năm 2026, toàn ngành đã cung cấp thông tin cho báo chí 14 lần; các cơ quan báo chí đã đăng tải 25 tin, bài viết về hoạt động của ngành; 02 thông tin sai lệch, tiêu cực đã được phát hiện và xử lý kịp thời.',
    );
    expect(text).toContain('11 lớp tập huấn, bồi dưỡng với 555 lượt người tham gia');
    // The internal count belongs to the appendix, not to the body.
    expect(text.slice(0, text.indexOf('PHỤ LỤC'))).not.toContain('8/10 đơn vị');
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
    // The last body paragraph stays on the page of the closing block.
    const last = doc.xml.lastIndexOf('<w:p>', doc.xml.indexOf('./.</w:t>'));
    expect(doc.xml.slice(last, doc.xml.indexOf('./.</w:t>'))).toContain('<w:pPr><w:pStyle w:val="BaoCaoNoiDung"/><w:keepNext/></w:pPr>');
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

  it('puts unit texts in the annex, attributed, under the sections they belong to; none in the body', () => {
    const p = doc.paragraphs;
    const annex = p.indexOf('TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ');
    expect(annex).toBeGreaterThan(p.indexOf('PHỤ LỤC'));
    const iii1 = p.indexOf('Mục III.1. Ưu điểm', annex);
    const iii2 = p.indexOf('Mục III.2. Tồn tại, hạn chế và nguyên nhân', annex);
    const v = p.indexOf('Mục V. Kiến nghị, đề xuất', annex);
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
    const body = p.slice(0, p.indexOf('PHỤ LỤC')).join('\n');
    expect(body).not.toContain('Ý kiến');
    expect(body).not.toContain('Trường THPT Bùi Thị Xuân:');
  });

  it('has A4 pages, the decree margins, titlePg, Times New Roman and page numbers', async () => {
    const sects = [...doc.xml.matchAll(/<w:sectPr[\s\S]*?<\/w:sectPr>/g)].map((m) => m[0]);
    // Body (portrait), appendix (landscape), the units' texts (portrait).
    expect(sects).toHaveLength(3);
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
    expect(appendix).toContain('- Phòng Giáo dục và Đào tạo: 3/4 đơn vị đã gửi.');
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
  it.skipIf(!soffice)('opens in LibreOffice (when installed), laid out as the decree wants', { timeout: 90_000 }, async () => {
    if (!soffice) return;
    const dir = mkdtempSync(join(tmpdir(), 'report-lo-'));
    try {
      // The seed report, and an empty period whose short body puts the signature near a page break.
      const empty = aggregate({ period: periodInfo('2026-Q2'), units: SEED_UNITS, submissions: [] });
      writeFileSync(join(dir, 'seed.docx'), buf);
      writeFileSync(join(dir, 'empty.docx'), await buildReportDocx(empty, parseReportConfig(), ISSUED_AT));
      execFileSync(
        soffice,
        [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, join(dir, 'seed.docx'), join(dir, 'empty.docx')],
        { stdio: 'ignore', timeout: 80_000 },
      );
      for (const name of ['seed', 'empty']) {
        const pdf = join(dir, `${name}.pdf`);
        expect(existsSync(pdf), name).toBe(true);
        const poppler = ['/usr/bin/pdftotext', '/usr/bin/pdfinfo'].every((f) => existsSync(f));
        if (!poppler) continue;
        // No page number on page 1, "2" at the top of page 2, A4 portrait then a landscape appendix, and
        // "Nơi nhận" with the signature on the page of the body's last lines ("./."), never alone.
        const page = (n: number) => execFileSync('pdftotext', ['-f', String(n), '-l', String(n), pdf, '-'], { encoding: 'utf8' }).trim();
        expect(page(1).startsWith('UBND TỈNH LÂM ĐỒNG'), name).toBe(true);
        expect(page(2).split('\n')[0], name).toBe('2');
        const info = execFileSync('pdfinfo', ['-f', '1', '-l', '999', pdf], { encoding: 'utf8' });
        const portrait = [...info.matchAll(/Page +\d+ size: +([\d.]+) x ([\d.]+) pts \(A4\)/g)].map((m) => Number(m[1]) < Number(m[2]));
        expect(portrait.length, name).toBeGreaterThan(2);
        expect(portrait[0], name).toBe(true);
        expect(portrait.at(-1), name).toBe(false);
        const appendixStart = portrait.indexOf(false) + 1;
        expect(page(appendixStart), name).toMatch(new RegExp(`^${appendixStart}\\s+PHỤ LỤC`));
        const closing = page(appendixStart - 1);
        expect(closing, name).toContain('Nơi nhận:');
        expect(closing, name).toContain('./.');
      }
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
    expect(text).toContain('Chưa có đơn vị nào gửi báo cáo (0/10 đơn vị).');
    expect(text).not.toContain('Có 0/10');
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
    // The units answered 0: they posted nothing (not "no figures were reported").
    expect(body).toContain('Trong 6 tháng đầu năm 2026, các đơn vị chưa đăng tải tin, bài trên Cổng/Trang thông tin điện tử.');
    expect(body).toContain('Trong kỳ, các đơn vị chưa đăng tải tin, bài trên các nền tảng truyền thông số.');
    expect(body).toContain('các đơn vị không phát sinh việc cung cấp thông tin cho báo chí và không có thông tin sai lệch, tiêu cực phải xử lý.');
    expect(body).toContain('các đơn vị chưa tổ chức, tham gia lớp tập huấn, bồi dưỡng nghiệp vụ thông tin đối ngoại.');
    expect(body).not.toContain('chưa báo cáo số liệu');
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
  it('sizes the figure columns of the appendix to their totals', () => {
    const seed = figureColumnWidths(['622', '1.048', '10.345.678', '9.234.567', '6', '510.500.000'], 650);
    expect(seed.figures.every((w) => w >= 1400)).toBe(true);
    expect(seed.name + seed.figures.reduce((a, b) => a + b, 0) + 650).toBe(TEXT_WIDTH_LANDSCAPE);
    // A province's billions fit on one line (bold 12 pt digits are 0.5 em, dots 0.25 em, plus cell margins).
    const big = figureColumnWidths(['4.307.742', '47.546.735', '146.739.183', '47.508.930', '485.478', '8.935.814.309'], 650);
    expect(big.figures[5]).toBeGreaterThanOrEqual((10 * 0.5 + 3 * 0.25) * 12 * 20 + 2 * 85);
    expect(big.figures[2]).toBeGreaterThan(seed.figures[2]!);
    // Absurd figures never squeeze the unit names below 2,800 twips.
    expect(figureColumnWidths(Array(6).fill('999.999.999.999.999.999'), 650).name).toBeGreaterThanOrEqual(2800);
  });

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
    // Zero figures are left out of the chat summary too.
    const zeros = seedSubmissions().map((x) => ({
      ...x,
      answers: Object.fromEntries(Object.entries(x.answers).map(([k, v]) => [k, typeof v === 'number' && !k.startsWith('digital_views') ? 0 : v])),
    }));
    const z = reportSummaryText(aggregate({ period: periodInfo(SEED_PERIOD_ID), units: SEED_UNITS, submissions: zeros }));
    expect(z).toContain('- Nền tảng số: 10.345.678 lượt xem.');
    expect(z).not.toMatch(/(^|\D)0 (tin|lượt|đồng)|Lưu học sinh: 0|Cổng/);
    const allZero = seedSubmissions().map((x) => ({ ...x, answers: Object.fromEntries(Object.entries(x.answers).map(([k, v]) => [k, typeof v === 'number' ? 0 : v])) }));
    expect(reportSummaryText(aggregate({ period: periodInfo(SEED_PERIOD_ID), units: SEED_UNITS, submissions: allZero }))).toContain(
      '- Các số liệu chủ yếu đều bằng 0 (xem dự thảo báo cáo).',
    );
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

// ---------------------------------------------------------------------------------------------------
// Word is stricter than LibreOffice: an element out of schema order, a row that does not cover the table
// grid, an empty table or a paragraph inside a paragraph makes it ask to repair the file. These checks
// walk the real XML of whole documents against the relevant parts of the WordprocessingML schema
// (ECMA-376 transitional sequences), for docx's own output and for the XML fastxml.ts writes.

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/** A strict little parser for the XML docx writes (no comments, CDATA or DTD): throws on mismatched tags. */
function parseXml(xml: string): El {
  const root: El = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  const re = /<\?[^>]*\?>|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(xml)) !== null) {
    at = re.lastIndex;
    const top = stack[stack.length - 1]!;
    if (m[5] !== undefined) {
      top.text += m[5];
      continue;
    }
    if (m[2] === undefined) continue; // declaration
    if (m[1] === '/') {
      if (top.name !== m[2]) throw new Error(`</${m[2]}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (m[3] ?? '').matchAll(/([\w:.-]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    const el: El = { name: m[2], attrs, children: [], text: '' };
    top.children.push(el);
    if (m[4] !== '/') stack.push(el);
  }
  if (at !== xml.length) throw new Error(`unparsable XML at ${at}: ${xml.slice(at, at + 80)}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  return root;
}

const w = (names: string): string[] => names.split(/\s+/).filter(Boolean).map((n) => `w:${n}`);
/** Child sequences of the complex types (names not listed are not allowed there). */
const SEQUENCES: Record<string, string[][]> = {
  'w:pPr': w(
    'pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange',
  ).map((n) => [n]),
  'w:rPr': w(
    'rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath',
  ).map((n) => [n]),
  'w:tblPr': w(
    'tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription',
  ).map((n) => [n]),
  'w:tcPr': w('cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark').map((n) => [n]),
  'w:sectPr': [
    w('headerReference footerReference'),
    ...w('footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings').map((n) => [n]),
  ],
  'w:tblBorders': [w('top'), w('left start'), w('bottom'), w('right end'), w('insideH'), w('insideV')],
  'w:tblCellMar': [w('top'), w('left start'), w('bottom'), w('right end')],
  'w:pBdr': w('top left bottom right between bar').map((n) => [n]),
  'w:trPr': [w('cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden')],
};
const RUN_CONTENT = new Set(w('rPr t br tab fldChar instrText noBreakHyphen softHyphen sym'));
const PARAGRAPH_CONTENT = new Set(w('pPr r fldSimple hyperlink bookmarkStart bookmarkEnd'));

/** Every schema problem found under `el` (empty when the XML is sane). */
function schemaProblems(el: El, path = ''): string[] {
  const problems: string[] = [];
  const here = `${path}/${el.name}`;
  const names = el.children.map((c) => c.name);
  const seq = SEQUENCES[el.name];
  if (seq) {
    let last = -1;
    for (const n of names) {
      const rank = seq.findIndex((group) => group.includes(n));
      if (rank < 0) problems.push(`${here}: <${n}> is not allowed here`);
      else if (rank < last) problems.push(`${here}: <${n}> out of order (${names.join(' ')})`);
      else last = rank;
    }
  }
  switch (el.name) {
    case 'w:body': {
      if (names.at(-1) !== 'w:sectPr') problems.push(`${here}: does not end with w:sectPr`);
      for (const n of names) if (!['w:p', 'w:tbl', 'w:sectPr'].includes(n)) problems.push(`${here}: <${n}> in the body`);
      break;
    }
    case 'w:p': {
      names.forEach((n, i) => {
        if (!PARAGRAPH_CONTENT.has(n)) problems.push(`${here}: <${n}> inside a paragraph`);
        if (n === 'w:pPr' && i !== 0) problems.push(`${here}: w:pPr is not first`);
      });
      break;
    }
    case 'w:r': {
      names.forEach((n, i) => {
        if (!RUN_CONTENT.has(n)) problems.push(`${here}: <${n}> inside a run`);
        if (n === 'w:rPr' && i !== 0) problems.push(`${here}: w:rPr is not first`);
      });
      break;
    }
    case 'w:t': {
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(el.text)) problems.push(`${here}: control character in text`);
      break;
    }
    case 'w:tbl': {
      const [pr, grid, ...rows] = el.children;
      if (pr?.name !== 'w:tblPr' || grid?.name !== 'w:tblGrid') problems.push(`${here}: must start with w:tblPr, w:tblGrid`);
      const cols = (grid?.children ?? []).filter((c) => c.name === 'w:gridCol');
      if (cols.length === 0) problems.push(`${here}: empty w:tblGrid`);
      if (rows.length === 0) problems.push(`${here}: a table without rows`);
      const tblW = pr?.children.find((c) => c.name === 'w:tblW');
      const gridWidth = cols.reduce((a, c) => a + Number(c.attrs['w:w']), 0);
      if (tblW?.attrs['w:type'] === 'dxa' && Number(tblW.attrs['w:w']) !== gridWidth) {
        problems.push(`${here}: tblW ${tblW.attrs['w:w']} ≠ grid ${gridWidth}`);
      }
      rows.forEach((row, r) => {
        if (row.name !== 'w:tr') return problems.push(`${here}: <${row.name}> among the rows`);
        const cells = row.children.filter((c) => c.name === 'w:tc');
        if (cells.length === 0) problems.push(`${here}: row ${r} has no cell`);
        const covered = cells.reduce((a, c) => {
          const span = c.children.find((x) => x.name === 'w:tcPr')?.children.find((x) => x.name === 'w:gridSpan');
          return a + Number(span?.attrs['w:val'] ?? 1);
        }, 0);
        if (covered !== cols.length) problems.push(`${here}: row ${r} covers ${covered} of ${cols.length} grid columns`);
        for (const n of row.children.map((c) => c.name)) {
          if (!['w:trPr', 'w:tc'].includes(n)) problems.push(`${here}: <${n}> inside a row`);
        }
      });
      break;
    }
    case 'w:tc': {
      names.forEach((n, i) => {
        if (n === 'w:tcPr' ? i !== 0 : !['w:p', 'w:tbl'].includes(n)) problems.push(`${here}: <${n}> at ${i} in a cell`);
      });
      if (names.at(-1) !== 'w:p') problems.push(`${here}: a cell must end with a paragraph`);
      break;
    }
  }
  for (const c of el.children) problems.push(...schemaProblems(c, here));
  return problems;
}

async function docxProblems(buf: Buffer): Promise<string[]> {
  const zip = await JSZip.loadAsync(buf);
  const parts = Object.keys(zip.files).filter((f) => /^word\/(document|styles|header\d+|footer\d+)\.xml$/.test(f));
  expect(parts).toContain('word/document.xml');
  const problems: string[] = [];
  for (const part of parts) {
    const xml = (await zip.file(part)?.async('string')) ?? '';
    if (xml.includes('baocao-raw-')) problems.push(`${part}: a placeholder was left`);
    problems.push(...schemaProblems(parseXml(xml)).map((p) => `${part}${p}`));
  }
  return problems;
}

/** Many units, long names, a v2 form with a section the body does not know, texts everywhere, units gone since. */
function largeData(): ReportData {
  const v2 = FormDefinitionSchema.parse({
    ...DEFAULT_FORM,
    sections: [
      ...DEFAULT_FORM.sections,
      {
        key: 'youth',
        title: 'Hoạt động Đoàn, Đội',
        questions: [
          { key: 'youth_events', label: 'Số hoạt động Đoàn, Đội', type: 'count', unit: 'hoạt động' },
          { key: 'youth_text', label: 'Hoạt động Đoàn, Đội nổi bật', type: 'text', required: false },
        ],
      },
    ],
  });
  const units: UnitRef[] = Array.from({ length: 300 }, (_, i) => ({
    id: i + 1,
    code: `U${i + 1}`,
    name: `Trường Trung học phổ thông Dân tộc nội trú liên huyện số ${i + 1} "A&B" <thử>`,
    type: UNIT_TYPES[i % UNIT_TYPES.length]!,
  }));
  const gone: UnitRef = { id: 999, code: 'GONE', name: 'Đơn vị đã giải thể', type: 'thpt' };
  const submissions: AggregateSubmission[] = [...units.slice(0, 280), gone].map((unit, i) => ({
    unit,
    form: i % 2 ? v2 : DEFAULT_FORM,
    formVersion: i % 2 ? 2 : 1,
    answers: {
      portal_news_events: i % 7,
      digital_posts: i * 13,
      digital_views: i * 10_001,
      intl_support_money: i % 50 === 0 ? 1_000_000 : 0,
      youth_events: i % 3,
      assess_results_text: `Kết quả của đơn vị ${i}\nDòng hai  có hai dấu cách & ký tự <đặc biệt>`,
      assess_proposals_text: i % 5 === 0 ? 'Đề nghị $& $1 $$ hỗ trợ' : '',
      youth_text: 'Hội trại 26/3',
    },
    confirmedAt: new Date(Date.UTC(2026, 4, 1, 0, i)),
  }));
  return aggregate({ period: periodInfo('2026-Y'), units, submissions });
}

describe('report docx XML is schema-sane for Word', () => {
  it('the seed report', async () => {
    expect(await docxProblems(await buildReportDocx(seedData(), cfg, ISSUED_AT))).toEqual([]);
  });

  it('an empty period (no table in the appendix, no empty w:tbl)', async () => {
    const data = aggregate({ period: periodInfo('2026-Q2'), units: SEED_UNITS, submissions: [] });
    const buf = await buildReportDocx(data, parseReportConfig(), ISSUED_AT);
    expect(await docxProblems(buf)).toEqual([]);
    const { xml } = await open(buf);
    // Only the two borderless layout tables (header block, closing).
    expect(xml.match(/<w:tbl>/g)).toHaveLength(2);
  });

  it('a large province with mixed form versions, odd characters and units gone since', async () => {
    const data = largeData();
    const buf = await buildReportDocx(data, parseReportConfig({ addressee: 'Sở Văn hóa, Thể thao và Du lịch' }), ISSUED_AT);
    expect(await docxProblems(buf)).toEqual([]);
    const doc = await open(buf);
    // The per-unit table has one row per reporting unit (+ header and total), the totals table has the
    // unknown section as a group row spanning the grid.
    const text = doc.paragraphs.join('\n');
    expect(text).toContain('Trường Trung học phổ thông Dân tộc nội trú liên huyện số 280 "A&B" <thử>');
    expect(text).toContain('Hoạt động Đoàn, Đội');
    expect(doc.xml).toContain('<w:gridSpan w:val="4"/>');
    // "$&" in a unit's text is kept as typed (no replacement patterns anywhere in the splice).
    expect(text).toContain('Đề nghị $& $1 $$ hỗ trợ');
    expect(text).toContain('3. Tổng hợp số liệu theo nội dung báo cáo');
    expect(text).toContain('TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ');
  });

  it('the checker itself catches what Word repairs', () => {
    const bad = (body: string) => schemaProblems(parseXml(`<w:body>${body}<w:sectPr/></w:body>`));
    expect(bad('<w:p><w:r><w:t>a</w:t><w:rPr><w:b/></w:rPr></w:r></w:p>')).toEqual([expect.stringMatching(/w:rPr is not first/)]);
    expect(bad('<w:p><w:r><w:rPr><w:i/><w:b/></w:rPr><w:t>a</w:t></w:r></w:p>')).toEqual([expect.stringMatching(/<w:b> out of order/)]);
    expect(bad('<w:p><w:p/></w:p>')).toEqual([expect.stringMatching(/<w:p> inside a paragraph/)]);
    expect(bad('<w:tbl><w:tblPr/><w:tblGrid/></w:tbl>')).toEqual([
      expect.stringMatching(/empty w:tblGrid/),
      expect.stringMatching(/without rows/),
    ]);
    expect(
      bad('<w:tbl><w:tblPr><w:tblW w:w="300" w:type="dxa"/></w:tblPr><w:tblGrid><w:gridCol w:w="100"/><w:gridCol w:w="200"/></w:tblGrid><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>'),
    ).toEqual([expect.stringMatching(/covers 1 of 2/)]);
    expect(bad('<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="1"/></w:tblGrid><w:tr><w:tc><w:tcPr/></w:tc></w:tr></w:tbl>')).toEqual([
      expect.stringMatching(/must end with a paragraph/),
    ]);
    expect(bad('<w:p><w:pPr><w:jc w:val="left"/><w:spacing/><w:bogus/></w:pPr></w:p>')).toEqual([
      expect.stringMatching(/<w:spacing> out of order/),
      expect.stringMatching(/<w:bogus> is not allowed/),
    ]);
    expect(() => parseXml('<w:p><w:r></w:p>')).toThrow(/closes/);
  });

  it('gridTableXml refuses a table Word would repair', () => {
    expect(() => gridTableXml({ columns: [100, 200], rows: [] })).toThrow(/columns and rows/);
    expect(() => gridTableXml({ columns: [], rows: [{ cells: [] }] })).toThrow(/columns and rows/);
    expect(() => gridTableXml({ columns: [100, 200], rows: [{ cells: [{ text: 'a', style: 'X' }] }] })).toThrow(/covers 1 of 2/);
    const ok = gridTableXml({ columns: [100, 200], rows: [{ cells: [{ text: 'a & b', style: 'X', span: 2 }] }] });
    expect(schemaProblems(parseXml(`<w:body>${ok}<w:sectPr/></w:body>`))).toEqual([]);
    expect(ok).toContain('<w:t>a &amp; b</w:t>');
  });

  it('the splice finds every placeholder once and leaves user text alone', () => {
    const a = new RawBlock('<w:p><w:r><w:t>A</w:t></w:r></w:p>');
    const b = new RawBlock('<w:p><w:r><w:t>$&amp; $1</w:t></w:r></w:p>');
    const placeholder = (x: RawBlock) => `<w:p><w:r><w:t>${x.marker}</w:t></w:r></w:p>`;
    const xml = `<w:body>${placeholder(a)}<w:p/>${placeholder(b)}</w:body>`;
    expect(spliced(xml, [a, b]).toString('utf8')).toBe(
      '<w:body><w:p><w:r><w:t>A</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>$&amp; $1</w:t></w:r></w:p></w:body>',
    );
    expect(() => spliced(`<w:body>${placeholder(a)}</w:body>`, [a, b])).toThrow(/not found/);
    expect(() => spliced(`<w:body>${placeholder(a)}${placeholder(a)}</w:body>`, [a])).toThrow(/twice/);
    // A unit text that spells a marker is escaped text inside a block, never a placeholder.
    expect(a.marker).not.toBe(b.marker);
  });
});

// ---------------------------------------------------------------------------------------------------
// The Vietnamese of the generated sentences in the cases an officer meets.

async function bodyText(data: ReportData, config = cfg): Promise<string> {
  const doc = await open(await buildReportDocx(data, config, ISSUED_AT));
  return doc.paragraphs.slice(0, doc.paragraphs.indexOf('Nơi nhận:')).join('\n');
}

describe('report wording', () => {
  it('one unit reporting: small counts padded like the seed, no bare single digits', async () => {
    const one = seedSubmissions().filter((s) => s.unit.code === 'GDNN-DUCTRONG');
    const text = await bodyText(aggregate({ period: periodInfo('2026-Q3'), units: SEED_UNITS, submissions: one }));
    expect(text).not.toContain('1/10 đơn vị');
    expect(text).toContain('Trong quý III năm 2026, toàn ngành đã đăng tải 29 tin, bài trên các chuyên mục. Trong đó, Tin tức - Sự kiện có 08 tin, bài; Bảo vệ nền tảng tư tưởng của Đảng có 06 tin, bài;');
    expect(text).toContain('Thông tin các kỳ thi có 01 tin, bài.');
    expect(text).toContain('toàn ngành hiện có 01 cơ sở giáo dục với 1.100 học sinh, 30 lớp học;');
    expect(text).toContain('thu hút 410.000 lượt xem và 370.000 lượt tương tác');
    expect(text).toContain('01 lớp tập huấn, bồi dưỡng với 25 lượt người tham gia');
    // GDNN answered 0 for the press: nothing happened, not "no figures".
    expect(text).toContain('các đơn vị không phát sinh việc cung cấp thông tin cho báo chí');
    expect(text).not.toMatch(/(^|[^\d.,/])[1-9] (tin|lượt|lần|lớp|đoàn|lưu học sinh|cơ sở|học sinh|hoạt động|người)/m);
  });

  it('names the period the way each kind of report does', async () => {
    const subs = seedSubmissions();
    const q1 = await bodyText(aggregate({ period: periodInfo('2026-Q1'), units: SEED_UNITS, submissions: subs }));
    expect(q1).toContain('Sơ kết công tác thông tin đối ngoại trong ngành Giáo dục quý I năm 2026 và định hướng trong thời gian tới');
    expect(q1).toContain('Trong quý I năm 2026, toàn ngành đã đăng tải 622 tin, bài');
    expect(q1).not.toMatch(/\S Quý/u);
    const h1 = await bodyText(aggregate({ period: periodInfo('2026-H1'), units: SEED_UNITS, submissions: subs }));
    expect(h1).toContain('Trong 6 tháng đầu năm 2026, công tác tuyên truyền');
    expect(h1).toContain('hoạt động thông tin đối ngoại 6 tháng đầu năm 2026 và phương hướng, nhiệm vụ thời gian tới như sau:');
    const y = await bodyText(aggregate({ period: periodInfo('2026-Y'), units: SEED_UNITS, submissions: subs }));
    expect(y).toContain('Tổng kết công tác thông tin đối ngoại trong ngành Giáo dục năm 2026 và định hướng trong thời gian tới');
    expect(y).toContain('Nhìn chung, công tác tuyên truyền, thông tin đối ngoại trong năm 2026 được triển khai');
  });

  it('views reported without posts: the recap keeps a subject for its verb', async () => {
    const subs = seedSubmissions().map((s) => ({ ...s, answers: { ...s.answers, digital_posts: 0 } }));
    const data = aggregate({ period: periodInfo(SEED_PERIOD_ID), units: SEED_UNITS, submissions: subs });
    const text = await bodyText(data);
    expect(text).toContain(
      'Trong 6 tháng đầu năm 2026, toàn ngành đăng tải 622 tin, bài trên Cổng thông tin điện tử; các nền tảng truyền thông số của ngành thu hút hơn 10,3 triệu lượt xem và hơn 9,2 triệu lượt tương tác.',
    );
    expect(text).toContain('Trên các nền tảng truyền thông số, toàn ngành đã thu hút hơn 10,3 triệu lượt xem');
    const noPortal = aggregate({
      period: periodInfo(SEED_PERIOD_ID),
      units: SEED_UNITS,
      submissions: subs.map((s) => ({ ...s, answers: Object.fromEntries(Object.entries(s.answers).map(([k, v]) => [k, k.startsWith('portal_') ? 0 : v])) })),
    });
    expect(await bodyText(noPortal)).toContain('Trong 6 tháng đầu năm 2026, các nền tảng truyền thông số của ngành thu hút hơn 10,3 triệu lượt xem');
  });

  it('a form that never asked a question says the figures were not reported', async () => {
    const dropped = ['press', 'training', 'digital'];
    // The form's plausibility rules name digital and training questions: they go with them.
    const noPress = FormDefinitionSchema.parse({ ...DEFAULT_FORM, sections: DEFAULT_FORM.sections.filter((s) => !dropped.includes(s.key)), rules: [] });
    const data = aggregate({ period: periodInfo(SEED_PERIOD_ID), units: SEED_UNITS, submissions: seedSubmissions(noPress, 2) });
    const text = await bodyText(data);
    expect(text).toContain('các đơn vị chưa báo cáo số liệu cụ thể về công tác cung cấp thông tin cho báo chí.');
    expect(text).toContain('các đơn vị chưa báo cáo số liệu về các lớp tập huấn, bồi dưỡng nghiệp vụ thông tin đối ngoại.');
    expect(text).toContain('Số liệu về tin, bài đăng tải trên các nền tảng truyền thông số chưa được các đơn vị báo cáo trong kỳ.');
  });

  it('an empty period says so once in full, then briefly per section', async () => {
    const data = aggregate({ period: periodInfo('2026-Q2'), units: SEED_UNITS, submissions: [] });
    const text = await bodyText(data, parseReportConfig());
    expect(text.match(/Chưa có đơn vị nào gửi báo cáo/g)).toHaveLength(1);
    expect(text.match(/Chưa có số liệu của các đơn vị để tổng hợp nội dung này\./g)).toHaveLength(5);
    expect(text.match(/Chưa có báo cáo của các đơn vị làm cơ sở đánh giá\./g)).toHaveLength(2);
    expect(text).toMatch(/hiệu quả\.\/\.$/);
  });
});
