import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { FakeTelegram } from './fakes/telegram-server';
import { startTelegramTestApp, type TelegramTestApp } from './helpers/harness';
import { readDocx } from './helpers/docx';
import { storeSeedFixture } from './helpers/seed-fixture';
import { SEED_MISSING_CODES, SEED_UNITS } from './fixtures/seed-h1';
import type { AppDeps } from '../handlers/types';
import { createInvite } from '../storage/repositories/invites';
import { inTransaction } from '../storage/db';
import { upsertUnit } from '../storage/repositories/units';

/**
 * The office's side end to end: /baocao and /tiendo through the real bot and a fake Bot API server,
 * on a database holding the seed report's figures; the CLI builds the same document without chat.
 */

let app: TelegramTestApp;
let fake: FakeTelegram;
let deps: AppDeps;
let unitIds: Map<string, number>;

const OFFICE = 5001;
const PRINCIPAL = 5002;
// After the H1 deadline, inside its closing window: /baocao without a period compiles 2026-H1.
const CLOCK = new Date('2026-05-08T02:00:00Z');

beforeEach(async () => {
  app = await startTelegramTestApp({
    clock: () => CLOCK,
    env: { REPORT_SIGNER_NAME: 'Phan Đức Thái' },
    prepare: (d) => (unitIds = storeSeedFixture(d, { draftUnitCode: 'PGD-DILINH' })),
  });
  ({ fake, deps } = app);
});

afterEach(() => app.close());

async function bindOffice(): Promise<void> {
  const invite = createInvite(deps.db, { unitId: null, role: 'office', now: CLOCK });
  fake.pushText(OFFICE, `/start ${invite.code}`);
  await fake.waitForMessage(OFFICE, (t) => t.includes('tài khoản Văn phòng Sở'));
  // The office account's chat gets a menu with the office commands (set before the reply is sent).
  const scoped = fake.commands.get(`${JSON.stringify({ type: 'chat', chat_id: OFFICE })}|`);
  expect(scoped?.map((c) => c.command)).toEqual(expect.arrayContaining(['baocao', 'tiendo', 'nhacnho', 'ky', 'nhap']));
}

describe('the office menu', () => {
  test('a chat that wrote before it was linked gets the office commands at its linking, not before', async () => {
    fake.pushText(OFFICE, 'xin chào');
    await fake.waitForMessage(OFFICE, () => true);
    fake.pushText(OFFICE, '/trogiup');
    await fake.waitForMessage(OFFICE, (t) => t.includes('/start'));
    expect(fake.commands.get(`${JSON.stringify({ type: 'chat', chat_id: OFFICE })}|`)).toBeUndefined();
    await bindOffice();
  });
});

describe('/baocao', () => {
  test('sends the compiled draft as a .docx with the seed figures and a chat summary', async () => {
    await bindOffice();
    fake.pushText(OFFICE, '/baocao');
    const summary = await fake.waitForMessage(OFFICE, (t) => t.includes('Tổng hợp báo cáo'), 15_000);
    expect(summary).toContain('8/10 đơn vị');
    expect(summary).toContain('622 tin, bài');
    const doc = await fake.waitForDocument(OFFICE, () => true, 15_000);
    expect(doc.filename).toBe('Bao-cao-TTDN-2026-H1-du-thao.docx');
    // While the draft was being built, the chat showed "typing…".
    const typing = fake.callsOf('sendChatAction').filter((c) => Number(c.body.chat_id) === OFFICE);
    expect(typing.map((c) => c.body.action)).toContain('typing');
    expect(typing[0]!.time).toBeLessThanOrEqual(fake.callsOf('sendDocument')[0]!.time);
    const { paragraphs } = await readDocx(doc.bytes);
    const text = paragraphs.join('\n');
    expect(text).toContain(
      'toàn ngành đã đăng tải 622 tin, bài trên các chuyên mục. Trong đó, Tin tức - Sự kiện có 186 tin, bài; Bảo vệ nền tảng tư tưởng của Đảng có 137 tin, bài; Gương điển hình có 61 tin, bài; Cải cách hành chính có 57 tin, bài; Tin hoạt động của đơn vị cơ sở có 52 tin, bài; Tuyên truyền, phổ biến giáo dục pháp luật có 43 tin, bài; Đổi mới giáo dục và đào tạo có 31 tin, bài; Thông tin các kỳ thi có 30 tin, bài.',
    );
    expect(text).toContain('hơn 1.000 tin, bài, hình ảnh, thu hút hơn 10,3 triệu lượt xem và hơn 9,2 triệu lượt tương tác');
    expect(text).toContain('510.500.000 đồng');
    expect(text).toContain('Lâm Đồng, ngày 08 tháng 5 năm 2026');
    expect(text).toContain('Phan Đức Thái');
    // The missing units are listed in the appendix.
    for (const code of SEED_MISSING_CODES) expect(text).toContain(SEED_UNITS.find((u) => u.code === code)!.name);
    expect(fake.rejected).toHaveLength(0);
  });

  test('a named period with no submissions still builds and says so', async () => {
    await bindOffice();
    fake.pushText(OFFICE, '/baocao 2026-Q1');
    await fake.waitForMessage(OFFICE, (t) => t.includes('Chưa có đơn vị nào gửi báo cáo'), 15_000);
    const doc = await fake.waitForDocument(OFFICE, () => true, 15_000);
    expect(doc.filename).toBe('Bao-cao-TTDN-2026-Q1-du-thao.docx');
    expect(doc.caption).toBe('Dự thảo báo cáo quý I năm 2026: Văn phòng biên tập, ghi số và trình ký');
    expect((await readDocx(doc.bytes)).paragraphs.join('\n')).toContain('Chưa có đơn vị nào gửi báo cáo');
  });

  test('a bad period is refused with an example', async () => {
    await bindOffice();
    fake.pushText(OFFICE, '/baocao 2026-H3');
    await fake.waitForMessage(OFFICE, (t) => t.includes('không phải mã kỳ báo cáo') && t.includes('2026-H1'));
    expect(fake.documentsTo(OFFICE)).toHaveLength(0);
  });
});

describe('/tiendo', () => {
  test('counts confirmed, in progress and not started, grouped by unit type', async () => {
    await bindOffice();
    fake.pushText(OFFICE, '/tiendo 2026-H1');
    // The text goes out before the chart is drawn; the first chart still loads the libraries, hence the wait.
    const text = await fake.waitForMessage(OFFICE, (t) => t.includes('TIẾN ĐỘ BÁO CÁO'), 20_000);
    expect(text).toContain('Đã gửi: 8/10 đơn vị (đã duyệt 0) · Bị trả lại: 0 · Đang nhập: 1 · Chưa gửi: 1');
    expect(text).toMatch(/Phòng Giáo dục và Đào tạo: đã gửi 3\/4\n Đang nhập \(chưa gửi\): 1\n   - Phòng Giáo dục và Đào tạo huyện Di Linh/);
    expect(text).toMatch(/Trường trung học phổ thông: đã gửi 2\/3\n Chưa gửi: 1\n   - Trường THPT Lê Quý Đôn/);
    // Every name fits: no pointer to the full list.
    expect(text).not.toContain('/xuat');
  });

  test('a large province: a sample of names per group and a pointer to the full list, in one message', async () => {
    inTransaction(deps.db, (db) => {
      for (let i = 1; i <= 120; i++) upsertUnit(db, { code: `THPT-X${i}`, name: `Trường THPT số ${i}`, type: 'thpt', district: null }, CLOCK);
    });
    await bindOffice();
    const before = fake.messagesTo(OFFICE).length;
    fake.pushText(OFFICE, '/tiendo 2026-H1');
    const text = await fake.waitForMessage(OFFICE, (t) => t.includes('TIẾN ĐỘ BÁO CÁO'), 20_000);
    expect(text).toContain('Đã gửi: 8/130 đơn vị (đã duyệt 0) · Bị trả lại: 0 · Đang nhập: 1 · Chưa gửi: 121');
    expect(text).toMatch(/Trường trung học phổ thông: đã gửi 2\/123\n Chưa gửi: 121\n {3}- Trường THPT Lê Quý Đôn\n {3}- Trường THPT số 1\n/);
    expect(text).toMatch(/… và \d+ đơn vị khác/);
    expect(text).toContain('Danh sách đầy đủ, có trạng thái của từng đơn vị: /xuat 2026-H1 (tệp Excel).');
    await fake.waitForIdle();
    expect(fake.messagesTo(OFFICE).length - before).toBe(1);
  });
});

describe('office commands are refused to contacts', () => {
  test('a unit contact gets a polite refusal for /baocao and /tiendo, and no document', async () => {
    const invite = createInvite(deps.db, { unitId: unitIds.get('PGD-DALAT')!, role: 'contact', now: CLOCK });
    fake.pushText(PRINCIPAL, `/start ${invite.code}`);
    await fake.waitForMessage(PRINCIPAL, (t) => t.includes('Đã liên kết'));
    fake.pushText(PRINCIPAL, '/baocao');
    await fake.waitForMessage(PRINCIPAL, (t) => t.includes('chỉ dành cho tài khoản Văn phòng Sở'));
    fake.pushText(PRINCIPAL, '/tiendo');
    await fake.waitForMessage(PRINCIPAL, (t) => t.includes('chỉ dành cho tài khoản Văn phòng Sở'));
    expect(fake.documentsTo(PRINCIPAL)).toHaveLength(0);
    // /trogiup does not advertise office commands to a contact.
    fake.pushText(PRINCIPAL, '/trogiup');
    const help = await fake.waitForMessage(PRINCIPAL, (t) => t.includes('HƯỚNG DẪN SỬ DỤNG'));
    expect(help).not.toContain('/baocao');
  });
});

describe('CLI report', () => {
  test('builds the same document from the database without any chat', async () => {
    const out = app.dbPath.replace(/bot\.db$/, 'draft.docx');
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'cli.ts', 'report', '--period', '2026-H1', '--out', out], {
      env: { ...process.env, DATABASE_PATH: app.dbPath },
    });
    expect(stdout).toContain('8/10 đơn vị');
    const text = (await readDocx(readFileSync(out))).paragraphs.join('\n');
    expect(text).toContain('toàn ngành đã đăng tải 622 tin, bài trên các chuyên mục');
    expect(text).toContain('BÁO CÁO');
  });
});
