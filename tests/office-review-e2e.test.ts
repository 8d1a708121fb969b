import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { reportCliCommand } from '../bot/cli/report';
import { particularsCliCommand } from '../bot/cli/particulars';
import { UsageError } from '../bot/cli/context';
import type { AppDeps } from '../handlers/types';
import { inTransaction } from '../storage/db';
import { createInvite } from '../storage/repositories/invites';
import { ensurePeriod } from '../storage/repositories/periods';
import { appendAnswer, confirmSubmission, createSubmission, findSubmission } from '../storage/repositories/submissions';
import { auditLog } from '../storage/schema';
import type { FakeTelegram } from './fakes/telegram-server';
import { SEED_ANSWERS, SEED_UNITS } from './fixtures/seed-h1';
import { readDocx } from './helpers/docx';
import { startTelegramTestApp, type TelegramTestApp } from './helpers/harness';
import { storeSeedFixture } from './helpers/seed-fixture';

/**
 * Issue 12 end to end, through the real bot and the fake Bot API: the office sets the report's
 * particulars in chat and gets a draft it only has to number and sign; reviews and returns a unit's
 * report; sees progress as a chart; names only periods that exist.
 */

let app: TelegramTestApp;
let fake: FakeTelegram;
let deps: AppDeps;
let unitIds: Map<string, number>;

const OFFICE = 7001;
const PRINCIPAL = 7002;
// After the H1 deadline, inside its closing window.
const CLOCK = new Date('2026-05-08T02:00:00Z');
const WAIT = 20_000;

/** Last year's H1: one unit with 553 portal posts (622 this year: +12,5 %). */
function storeLastYear(d: AppDeps, ids: Map<string, number>): void {
  inTransaction(d.db, (db) => {
    const period = ensurePeriod(db, '2025-H1');
    const sub = createSubmission(db, ids.get('PGD-DALAT')!, '2025-H1', period.formVersionId, CLOCK);
    const answers: Record<string, number | string> = { ...SEED_ANSWERS['PGD-DALAT']!, portal_news_events: 553 };
    for (const k of Object.keys(answers)) if (k.startsWith('portal_') && k !== 'portal_news_events') answers[k] = 0;
    for (const [key, value] of Object.entries(answers)) appendAnswer(db, { submissionId: sub.id, key, value, raw: String(value), revision: 0, contactId: null, now: CLOCK });
    confirmSubmission(db, sub.id, null, CLOCK);
  });
}

beforeEach(async () => {
  app = await startTelegramTestApp({
    clock: () => CLOCK,
    env: { DATA_WINDOW: 'nd09' },
    prepare: (d) => {
      unitIds = storeSeedFixture(d, { draftUnitCode: 'PGD-DILINH' });
      storeLastYear(d, unitIds);
    },
  });
  ({ fake, deps } = app);
});

afterEach(() => app.close());

async function bindOffice(): Promise<void> {
  const invite = createInvite(deps.db, { unitId: null, role: 'office', now: CLOCK });
  await app.say(OFFICE, `/start ${invite.code}`, 'tài khoản Văn phòng Sở');
}

async function bindPrincipal(unitCode = 'PGD-DALAT'): Promise<void> {
  const invite = createInvite(deps.db, { unitId: unitIds.get(unitCode)!, role: 'contact', now: CLOCK });
  await app.say(PRINCIPAL, `/start ${invite.code}`, 'Đã liên kết');
}

const FOOTNOTE_PLAN = 'Kế hoạch số 34/KH-SGDĐT ngày 10/02/2026 Triển khai công tác thông tin đối ngoại trong ngành Giáo dục và Đào tạo tỉnh Lâm Đồng năm 2026';
const FOOTNOTE_MOU = 'Thực hiện Biên bản ghi nhớ Chương trình hợp tác giai đoạn 2022-2025 giữa UBND tỉnh Lâm Đồng và Chính quyền tỉnh Champasak';
const FOOTNOTE_CMA = 'Tiêu biểu, ngày 05/5, đoàn công tác Phòng Nghề và Thủ công Mỹ nghệ vùng Pyrénées-Orientales, Cộng hòa Pháp';

/** The text of body paragraphs between two headings. */
function between(paragraphs: string[], from: string, to: string): string[] {
  const a = paragraphs.indexOf(from);
  const b = paragraphs.indexOf(to, a + 1);
  expect(a).toBeGreaterThanOrEqual(0);
  expect(b).toBeGreaterThan(a);
  return paragraphs.slice(a, b);
}

describe('a draft the office only has to number and sign', () => {
  test('particulars set in chat: citation, date, footnotes, signer; no unit text in I–V; an annex with every unit text', async () => {
    await bindOffice();
    // /baocao shows the particulars it uses and how to change them.
    fake.pushText(OFFICE, '/baocao 2026-H1');
    const first = await fake.waitForMessage(OFFICE, (t) => t.includes('Thông tin của báo cáo'), WAIT);
    expect(first).toContain('- Văn bản yêu cầu: (chưa đặt, dùng mặc định)');
    expect(first).toContain('Sửa bằng /thongtinbc 2026-H1');
    await fake.waitForDocument(OFFICE, () => true, WAIT);

    await app.say(
      OFFICE,
      '/thongtinbc 2026-H1 vanban 2193/SVHTTDL-QLTTBCXB | 08/5/2026 | Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng | phối hợp báo cáo tình hình triển khai hoạt động thông tin đối ngoại 6 tháng đầu năm và phương hướng, nhiệm vụ 6 tháng cuối năm 2026 trên địa bàn tỉnh',
      'Đã lưu văn bản yêu cầu',
    );
    await app.say(OFFICE, '/thongtinbc 2026-H1 ngay 12/5/2026', 'Đã lưu ngày báo cáo');
    await app.say(OFFICE, `/thongtinbc 2026-H1 chuthich II.2 | ${FOOTNOTE_PLAN}`, 'Đã lưu chú thích');
    await app.say(OFFICE, `/thongtinbc 2026-H1 chuthich II.2/4 | ${FOOTNOTE_MOU}`, 'Đã lưu chú thích');
    await app.say(OFFICE, `/thongtinbc 2026-H1 chuthich "đối tác quốc tế khác" | ${FOOTNOTE_CMA}`, 'Đã lưu chú thích');
    const signer = await app.say(OFFICE, '/thongtinbc 2026-H1 nguoiky KT. GIÁM ĐỐC | PHÓ GIÁM ĐỐC | Phan Đức Thái', 'Đã lưu người ký');
    expect(signer).toContain('- Người ký: KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC / Phan Đức Thái');
    expect(signer).toContain('- Chú thích (3):');
    // A mistake is explained and changes nothing.
    await app.say(OFFICE, '/thongtinbc 2026-H1 ngay hôm qua', 'không phải ngày');
    const audits = deps.db.select().from(auditLog).all().filter((a) => a.action === 'report_particulars_set');
    expect(audits).toHaveLength(6);

    fake.pushText(OFFICE, '/baocao');
    const shown = await fake.waitForMessage(OFFICE, (t) => t.includes('Thông tin của báo cáo'), WAIT);
    expect(shown).toContain('- Văn bản yêu cầu: số 2193/SVHTTDL-QLTTBCXB ngày 08/5/2026 của Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng');
    expect(shown).toContain('- Ngày báo cáo: 12/5/2026');
    expect(shown).toContain('- So sánh: với cùng kỳ năm 2025');
    const doc = await fake.waitForDocument(OFFICE, () => true, WAIT);
    expect(doc.caption).toContain('Dự thảo báo cáo 6 tháng đầu năm 2026');
    const docx = await readDocx(doc.bytes);
    const p = docx.paragraphs;
    const text = p.join('\n');
    expect(text).toContain(
      'Thực hiện Văn bản số 2193/SVHTTDL-QLTTBCXB ngày 08/5/2026 của Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng về việc phối hợp báo cáo tình hình triển khai hoạt động thông tin đối ngoại 6 tháng đầu năm và phương hướng, nhiệm vụ 6 tháng cuối năm 2026 trên địa bàn tỉnh, Sở Giáo dục và Đào tạo báo cáo kết quả thực hiện như sau:',
    );
    expect(text).toContain('Lâm Đồng, ngày 12 tháng 5 năm 2026');
    expect(text).toContain('Số liệu tính từ ngày 15/12/2025 đến ngày 14/6/2026.');
    expect(text).toContain('toàn ngành đã đăng tải 622 tin, bài trên các chuyên mục (tăng 12,5% so với cùng kỳ năm 2025).');
    expect(text).toContain('Phan Đức Thái');

    // Real Word footnotes: word/footnotes.xml holds the texts, the body references each one.
    const footnotes = (await docx.zip.file('word/footnotes.xml')?.async('string')) ?? '';
    for (const f of [FOOTNOTE_PLAN, FOOTNOTE_MOU, FOOTNOTE_CMA]) expect(footnotes).toContain(f);
    const refs = [...docx.xml.matchAll(/<w:footnoteReference w:id="(\d+)"\/>/g)].map((m) => m[1]);
    expect(refs).toEqual(['1', '2', '3']);
    for (const id of refs) expect(footnotes).toContain(`w:id="${id}"`);
    const rels = (await docx.zip.file('word/_rels/document.xml.rels')?.async('string')) ?? '';
    expect(rels).toContain('footnotes.xml');
    // The first one closes II.2's first paragraph, before its full stop, as the seed's "¹".
    expect(docx.xml).toMatch(/về thông tin, truyền thông<\/w:t><\/w:r><w:r><w:rPr><w:rStyle w:val="FootnoteReference"\/><\/w:rPr><w:footnoteReference w:id="1"\/><\/w:r><w:r><w:t>\.<\/w:t>/);

    // Sections I–V: no unit text, no "Ý kiến" block, no internal count.
    const body = between(p, 'I. KHÁI QUÁT CHUNG', 'Nơi nhận:').join('\n');
    expect(body).not.toContain('Ý kiến');
    expect(body).not.toMatch(/\d+\/\d+ đơn vị/);
    const unitTexts = Object.values(SEED_ANSWERS).flatMap((a) => Object.entries(a).filter(([k, v]) => k.endsWith('_text') && typeof v === 'string').map(([, v]) => String(v)));
    expect(unitTexts.length).toBeGreaterThan(10);
    for (const t of unitTexts) expect(body).not.toContain(t);

    // The annex has every unit text, attributed.
    const annex = p.slice(p.indexOf('TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ')).join('\n');
    for (const [code, answers] of Object.entries(SEED_ANSWERS)) {
      const name = SEED_UNITS.find((u) => u.code === code)!.name;
      for (const [k, v] of Object.entries(answers)) if (k.endsWith('_text')) expect(annex).toContain(`- ${name}: ${String(v)}`);
    }
    // The appendix: states and both periods side by side.
    const appendix = p.slice(p.indexOf('PHỤ LỤC'), p.indexOf('TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ'));
    expect(appendix).toContain('Cùng kỳ năm 2025');
    expect(appendix).toContain('Đang nhập');
    expect(appendix).toContain('Chưa gửi');

    // The whole document opens in LibreOffice (where installed).
    await renderWithLibreOffice(doc.bytes);

    // One setting drops the appendix.
    await app.say(OFFICE, '/thongtinbc 2026-H1 phuluc không', 'Đã lưu lựa chọn phụ lục');
    fake.pushText(OFFICE, '/baocao 2026-H1');
    const noAppendix = await readDocx((await fake.waitForDocument(OFFICE, () => true, WAIT)).bytes);
    expect(noAppendix.paragraphs).not.toContain('PHỤ LỤC');
    expect(noAppendix.paragraphs).toContain('TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ');
    expect(fake.rejected).toHaveLength(0);
  }, 180_000);

  test('no period to compare with: no comparison, and the principal is told the data window at the first question', async () => {
    inTransaction(deps.db, (db) => {
      const sub = findSubmission(db, unitIds.get('PGD-DALAT')!, '2025-H1')!;
      db.$client.prepare('delete from answers where submission_id = ?').run(sub.id);
      db.$client.prepare('delete from submissions where id = ?').run(sub.id);
    });
    await bindOffice();
    fake.pushText(OFFICE, '/baocao 2026-H1');
    expect(await fake.waitForMessage(OFFICE, (t) => t.includes('Thông tin của báo cáo'), WAIT)).toContain('- So sánh: kỳ trước chưa có số liệu để so sánh');
    const text = (await readDocx((await fake.waitForDocument(OFFICE, () => true, WAIT)).bytes)).paragraphs.join('\n');
    expect(text).not.toContain('so với cùng kỳ');
    expect(text).toContain('toàn ngành đã đăng tải 622 tin, bài trên các chuyên mục. Trong đó');

    await bindPrincipal('THPT-LEQUYDON');
    const intro = await app.say(PRINCIPAL, '/nhap', 'Số liệu tính từ ngày');
    expect(intro).toContain('Số liệu tính từ ngày 15/12/2025 đến ngày 14/6/2026.');
  });
});

async function renderWithLibreOffice(bytes: Uint8Array): Promise<void> {
  const soffice = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => existsSync(p));
  if (!soffice) {
    console.log('LibreOffice is not installed (no soffice): the rendering check is skipped.');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'baocao-lo-'));
  try {
    writeFileSync(join(dir, 'bao-cao.docx'), bytes);
    await promisify(execFile)(soffice, [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, join(dir, 'bao-cao.docx')], { timeout: 120_000 });
    const pdf = readFileSync(join(dir, 'bao-cao.pdf'));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    expect(pages).toBeGreaterThanOrEqual(5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('review and return', () => {
  test('return → the unit is told, corrects, confirms again → accepted; states in /tiendo, the export and the appendix', async () => {
    await bindOffice();
    await bindPrincipal('PGD-DALAT');
    // Not for unit accounts.
    await app.say(PRINCIPAL, '/duyet', 'chỉ dành cho tài khoản Văn phòng Sở');
    await app.say(PRINCIPAL, '/tralai PGD-DALAT 15 sai', 'chỉ dành cho tài khoản Văn phòng Sở');

    const list = await app.say(OFFICE, '/duyet 2026-H1', 'CHỜ DUYỆT');
    expect(list).toContain('BÁO CÁO 6 THÁNG ĐẦU NĂM 2026 CHỜ DUYỆT: 8');
    expect(list).toContain('PGD-DALAT · Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    await app.say(OFFICE, '/tralai PGD-DALAT 2026-H1 15', 'ghi lý do');
    const returned = await app.say(OFFICE, '/tralai PGD-DALAT 15 Số lượt xem lớn hơn số liệu của trang fanpage, đề nghị kiểm tra lại', 'Đã trả lại');
    expect(returned).toContain('để sửa câu 15');
    expect(returned).toContain('Đã gửi lý do cho 1 người liên hệ của đơn vị.');
    const told = await fake.waitForMessage(PRINCIPAL, (t) => t.includes('Văn phòng Sở đề nghị đơn vị sửa báo cáo'), WAIT);
    expect(told).toContain('(câu 15)');
    expect(told).toContain('Lý do: Số lượt xem lớn hơn số liệu của trang fanpage, đề nghị kiểm tra lại');

    fake.pushText(OFFICE, '/tiendo 2026-H1');
    const progress = await fake.waitForMessage(OFFICE, (t) => t.includes('TIẾN ĐỘ BÁO CÁO'), WAIT);
    expect(progress).toContain('Bị trả lại: 1');
    expect(progress).toContain('Bị trả lại (chờ đơn vị sửa): 1\n   - Phòng Giáo dục và Đào tạo thành phố Đà Lạt');

    // The unit reopens at question 15, corrects it, confirms again.
    const reopened = await app.say(PRINCIPAL, '/nhap', 'Câu 15');
    expect(reopened).toContain('Câu 15');
    const intro = fake.messagesTo(PRINCIPAL).find((t) => t.includes('đã trả lại báo cáo'));
    expect(intro).toContain('Lý do: Số lượt xem lớn hơn số liệu');
    const review = await app.say(PRINCIPAL, '1.800.000', '1.800.000 lượt xem');
    expect(review).toContain('Trạng thái: Văn phòng Sở đã trả lại để sửa; vui lòng sửa rồi xác nhận lại');
    await app.say(PRINCIPAL, '/xacnhan', 'Đã xác nhận báo cáo');
    const sub = findSubmission(deps.db, unitIds.get('PGD-DALAT')!, '2026-H1')!;
    expect(sub).toMatchObject({ status: 'confirmed', revision: 2 });

    const accepted = await app.say(OFFICE, '/duyet PGD-DALAT', 'Đã duyệt báo cáo');
    expect(accepted).toContain('Đã báo cho 1 người liên hệ');
    await fake.waitForMessage(PRINCIPAL, (t) => t.includes('Văn phòng Sở đã duyệt báo cáo'), WAIT);
    await app.say(OFFICE, '/duyet PGD-DALAT', 'đã được duyệt trước đó');
    await app.say(OFFICE, '/duyet PGD-DILINH', 'chỉ duyệt hoặc trả lại được báo cáo đơn vị đã gửi');
    fake.pushText(OFFICE, '/tiendo');
    const after = await fake.waitForMessage(OFFICE, (t) => t.includes('TIẾN ĐỘ BÁO CÁO'), WAIT);
    expect(after).toContain('Đã gửi: 8/10 đơn vị (đã duyệt 1) · Bị trả lại: 0 · Đang nhập: 1 · Chưa gửi: 1');

    const actions = deps.db.select().from(auditLog).all().map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['submission_returned', 'submission_accepted']));

    // The export shows each unit's state and the review in its history.
    fake.pushText(OFFICE, '/xuat 2026-H1');
    const xlsx = await fake.waitForDocument(OFFICE, (d) => d.filename.endsWith('.xlsx'), WAIT);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const status = new Map<string, string>();
    wb.getWorksheet('Số liệu')!.eachRow((row, i) => {
      if (i > 1) status.set(String(row.getCell(1).value), String(row.getCell(5).value));
    });
    expect(status.get('PGD-DALAT')).toBe('Đã duyệt');
    expect(status.get('PGD-DILINH')).toBe('Đang nhập');
    expect(status.get('THPT-LEQUYDON')).toBe('Chưa gửi');
    expect(status.get('PGD-BAOLOC')).toBe('Đã gửi');
    const history: string[] = [];
    wb.getWorksheet('Lịch sử')!.eachRow((row) => history.push(row.values!.toString()));
    expect(history.join('\n')).toMatch(/Văn phòng trả lại để sửa.*Câu 15: Số lượt xem/);
    expect(history.join('\n')).toContain('Văn phòng duyệt');

    // The appendix lists each unit's state.
    fake.pushText(OFFICE, '/baocao 2026-H1');
    const report = await readDocx((await fake.waitForDocument(OFFICE, (d) => d.filename.endsWith('.docx'), WAIT)).bytes);
    const appendix = report.paragraphs.slice(report.paragraphs.indexOf('PHỤ LỤC'));
    const dalat = appendix.indexOf('Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    expect(appendix[dalat + 1]).toBe('Đã duyệt');
  }, 120_000);
});

describe('progress as a picture', () => {
  test('/tiendo sends the text first, then a PNG chart as a photo', async () => {
    await bindOffice();
    fake.pushText(OFFICE, '/tiendo 2026-H1');
    await fake.waitForMessage(OFFICE, (t) => t.includes('TIẾN ĐỘ BÁO CÁO'), WAIT);
    // The chart follows once drawn (the first one loads the chart libraries: seconds, not a quiet 200 ms).
    await fake.waitForCall('sendPhoto', () => true, WAIT);
    await fake.waitForIdle();
    expect(fake.photos).toHaveLength(1);
    // The text never waits for the chart: it reached the Bot API before the photo did.
    const textAt = fake.sent.findIndex((c) => c.method === 'sendMessage' && String(c.body.text).includes('TIẾN ĐỘ BÁO CÁO'));
    const photoAt = fake.sent.findIndex((c) => c.method === 'sendPhoto');
    expect(textAt).toBeGreaterThanOrEqual(0);
    expect(photoAt).toBeGreaterThan(textAt);
    expect(fake.sent[photoAt]!.time).toBeGreaterThanOrEqual(fake.sent[textAt]!.time);
    // And it is handed to the channel on its own, before the chart is drawn: two commits, text then picture.
    const { handleIncoming } = await import('../handlers/router');
    const committed: { texts: string[]; photos: number; at: number }[] = [];
    const all = await handleIncoming(deps, { channel: 'telegram', updateKey: 'tiendo-order', userId: String(OFFICE), displayName: null, event: { kind: 'text', text: '/tiendo 2026-H1' } }, undefined, {
      onCommitted: (replies) => committed.push({ texts: replies.map((r) => r.text), photos: replies.filter((r) => r.photo).length, at: Date.now() }),
    });
    expect(committed).toHaveLength(2);
    expect(committed[0]!.texts[0]).toContain('TIẾN ĐỘ BÁO CÁO');
    expect(committed[0]!.photos).toBe(0);
    expect(committed[1]!.photos).toBe(1);
    expect(all.map((r) => Boolean(r.photo))).toEqual([false, true]);
    const photo = fake.photos[0]!;
    expect(photo.chatId).toBe(OFFICE);
    expect(photo.bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(photo.width).toBeGreaterThanOrEqual(800);
    expect(photo.width).toBeLessThanOrEqual(3000);
    expect(photo.height).toBeGreaterThanOrEqual(400);
    expect(photo.height).toBeLessThanOrEqual(2000);
    expect(photo.bytes.length).toBeGreaterThan(10_000);
    expect(photo.bytes.length).toBeLessThan(1_000_000);
    expect(photo.caption).toBe('Biểu đồ tiến độ báo cáo 6 tháng đầu năm 2026');
  });
});

describe('periods that do not exist', () => {
  test('are refused in chat with the list of known periods, and nothing is handed over', async () => {
    await bindOffice();
    for (const [command, period] of [
      ['/baocao', '2099-Q1'],
      ['/xuat', '1999-Y'],
      ['/tiendo', '2030-Q2'],
      ['/thongtinbc', '2099-Y'],
    ] as const) {
      const answer = await app.say(OFFICE, `${command} ${period}`, `Kỳ ${period} chưa có`);
      expect(answer).toMatch(/Các kỳ hiện có: .*2026-H1/);
    }
    await app.say(OFFICE, '/baocao hôm qua', 'không phải mã kỳ báo cáo');
    await fake.waitForIdle();
    expect(fake.documentsTo(OFFICE)).toHaveLength(0);
    expect(fake.photos).toHaveLength(0);
  });

  test('are refused by the CLI with the list of known periods', async () => {
    const lines: string[] = [];
    const ctx = { db: deps.db, config: deps.config, out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    await expect(reportCliCommand.run(['--period', '2030-Q2'], ctx)).rejects.toThrow(UsageError);
    await expect(reportCliCommand.run(['--period', '2030-Q2'], ctx)).rejects.toThrow(/chưa có.*các kỳ hiện có: .*2026-H1/);
    expect(lines).toHaveLength(0);
    // The particulars through the CLI, as /thongtinbc in chat.
    await particularsCliCommand.run(['--period', '2026-H1', 'ngay', '12/5/2026'], ctx);
    expect(lines.join('\n')).toContain('- Ngày báo cáo: 12/5/2026');
    expect(() => particularsCliCommand.run(['--period', '2099-Q1'], ctx)).toThrow(UsageError);
    expect(() => particularsCliCommand.run(['--period', '2026-H1', 'ngay', 'mai'], ctx)).toThrow(/không phải ngày/);
  });
});

describe('the chart on Zalo and in the console', () => {
  test('Zalo: /tiendo gives the text and a download link to the PNG (https behind PUBLIC_URL), served by the report-link route', async () => {
    const { startApp, zaloChat } = await import('./helpers/channels');
    const { displayInviteCode } = await import('../domain/invite-code');
    const zapp = await startApp({ zalo: 'polling' });
    try {
      const office = zaloChat(zapp, 'zl-office');
      await office.send(`/start ${displayInviteCode(zapp.demo.officeInvite.code)}`);
      await office.expectReply('Văn phòng Sở');
      await office.send('/tiendo 2026-H1');
      // The text first, the chart's link in the next message once it is drawn.
      await office.expectReply('TIẾN ĐỘ BÁO CÁO', WAIT);
      const text = await office.expectReply('Biểu đồ tiến độ báo cáo 6 tháng đầu năm 2026', WAIT);
      expect(text).not.toContain('TIẾN ĐỘ BÁO CÁO');
      expect(text.startsWith('Biểu đồ tiến độ')).toBe(true);
      const url = /📄 Tải tệp tien-do-2026-H1\.png tại: (\S+)/.exec(text)?.[1];
      expect(url?.startsWith(`${zapp.baseUrl}/r/`)).toBe(true);
      const res = await fetch(url!);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      const png = Buffer.from(await res.arrayBuffer());
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(800);
    } finally {
      await zapp.close();
    }
  });
});
