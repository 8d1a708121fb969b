import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportCommand } from '../bot/cli/export';
import { submissionsCommand } from '../bot/cli/submissions';
import { DEFAULT_FORM, flattenForm, type AnswerValue } from '../domain/form';
import { audit } from '../storage/repositories/audit';
import { createInvite, currentInviteForUnit } from '../storage/repositories/invites';
import { ensurePeriod } from '../storage/repositories/periods';
import { appendAnswer, confirmSubmission, createSubmission, currentAnswers, findSubmission } from '../storage/repositories/submissions';
import { findUnitByCode, upsertUnit, type UnitInput } from '../storage/repositories/units';
import { answers, auditLog } from '../storage/schema';
import { appDeps, cliContext, loadXlsx, say, sheetValues, workspace, writeRowsXlsx, type TestCli, type Workspace } from './fixtures/admin-helpers';
import type { Db } from '../storage/db';

const NOW = new Date('2026-05-01T03:00:00Z');
const PERIOD = '2026-H1';
const UNITS: UnitInput[] = [
  { code: 'PGD-DALAT', name: 'Phòng Giáo dục và Đào tạo thành phố Đà Lạt', type: 'phong-gddt', district: 'Đà Lạt' },
  { code: 'THPT-THANGLONG', name: 'Trường THPT Chuyên Thăng Long', type: 'thpt', district: 'Đà Lạt' },
  { code: 'THPT-BUITHIXUAN', name: 'Trường THPT Bùi Thị Xuân', type: 'thpt', district: 'Đà Lạt' },
  { code: 'GDNN-DUCTRONG', name: 'Trung tâm GDNN-GDTX huyện Đức Trọng', type: 'gdnn-gdtx', district: 'Đức Trọng' },
];
const questions = flattenForm(DEFAULT_FORM);
const numberQs = questions.filter((q) => q.type !== 'text');
const textQs = questions.filter((q) => q.type === 'text');

let ws: Workspace;
let a: TestCli;
let b: TestCli;
beforeEach(() => {
  ws = workspace();
  a = cliContext(ws.path('a.db'));
  b = cliContext(ws.path('b.db'));
});
afterEach(() => {
  a.close();
  b.close();
  ws.cleanup();
});

const texts = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');

/** One unit answers the whole form through the chat, confirms, then corrects question 5. */
async function answerByChat(db: Db, unitCode: string): Promise<void> {
  const deps = appDeps(db, () => NOW);
  const unit = findUnitByCode(db, unitCode)!;
  await say(deps, 'co-hanh', `/start ${currentInviteForUnit(db, unit.id, NOW).code}`, 'Cô Hạnh');
  await say(deps, 'co-hanh', '/nhap');
  for (const [i, q] of questions.entries()) {
    let replies;
    if (q.type === 'text') replies = await say(deps, 'co-hanh', q.key === 'campaign_text' ? '/boqua' : `Nội dung “${q.label}”: đã tổ chức tốt, đúng kế hoạch; 100% giáo viên tham gia.`);
    else if (q.type === 'money') replies = await say(deps, 'co-hanh', '510.500.000 đồng');
    else replies = await say(deps, 'co-hanh', String(i * 7 + 3));
    // Once nothing required is left the review offers to confirm; "3" goes on with the optional questions.
    if (i < questions.length - 1 && replies.some((r) => r.actions?.some((a) => a.command === '3'))) await say(deps, 'co-hanh', '3');
  }
  expect(texts(await say(deps, 'co-hanh', '/xacnhan'))).toContain('Đã xác nhận báo cáo');
  await say(deps, 'co-hanh', '/sua 5');
  expect(texts(await say(deps, 'co-hanh', '15'))).toContain('Tin tức - Sự kiện: 15 tin, bài');
}

/** Another unit's report written straight through the repositories (as a second channel would). */
function answerDirectly(db: Db, unitCode: string, confirm: boolean, only?: number): void {
  const unit = findUnitByCode(db, unitCode)!;
  const period = ensurePeriod(db, PERIOD);
  const s = createSubmission(db, unit.id, PERIOD, period.formVersionId, NOW);
  const qs = only === undefined ? questions : questions.slice(0, only);
  for (const q of qs) {
    const value: AnswerValue | null = q.type === 'text' ? (q.required ? 'Kết quả nổi bật của Trường THPT Bùi Thị Xuân trong kỳ.' : null) : q.key === 'digital_views' ? 10_345_678 : q.type === 'money' ? 0 : Math.min(1593, q.max ?? 1593);
    appendAnswer(db, { submissionId: s.id, key: q.key, value, raw: null, revision: 0, contactId: null, now: NOW });
  }
  if (confirm) {
    confirmSubmission(db, s.id, null, NOW);
    audit(db, { at: NOW, actorContactId: null, action: 'submission_confirmed', subject: `submission:${s.id}`, details: { periodId: PERIOD } });
  }
}

function seedA(): void {
  for (const u of UNITS) upsertUnit(a.db, u, NOW);
}

function answersOf(db: Db, code: string) {
  const s = findSubmission(db, findUnitByCode(db, code)!.id, PERIOD);
  return s ? currentAnswers(db, s.id) : undefined;
}

const count = (lines: string[], label: string) => Number(lines.find((l) => l.trim().startsWith(label))?.split(':')[1]!.trim().replace(/\./g, ''));

describe('export and import of figures', () => {
  it('export: one row per unit, one column per question labelled with the question, numbers as numbers, texts and history sheets', async () => {
    seedA();
    await answerByChat(a.db, 'PGD-DALAT');
    answerDirectly(a.db, 'THPT-BUITHIXUAN', true);
    answerDirectly(a.db, 'THPT-THANGLONG', false, 4);
    const file = ws.path('so-lieu.xlsx');
    await exportCommand.run(['--period', '2026-h1', '--out', file], a);
    expect(a.lines.at(-1)).toMatch(/kỳ 2026-H1, 4 đơn vị, 2 đã xác nhận, 1 đang nhập/);

    const wb = await loadXlsx(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Số liệu', 'Nội dung', 'Lịch sử']);
    const [head, ...rows] = sheetValues(wb.worksheets[0]!);
    expect(head).toEqual(['Mã đơn vị', 'Tên đơn vị', 'Loại đơn vị', 'Quận/huyện', 'Trạng thái', 'Xác nhận lúc', 'Nguồn', ...numberQs.map((q) => q.label)]);
    expect(rows.map((r) => r[0])).toEqual(['GDNN-DUCTRONG', 'PGD-DALAT', 'THPT-BUITHIXUAN', 'THPT-THANGLONG']);
    const dalat = rows[1]!;
    expect(dalat.slice(1, 5)).toEqual(['Phòng Giáo dục và Đào tạo thành phố Đà Lạt', 'Phòng Giáo dục và Đào tạo', 'Đà Lạt', 'Đã gửi']);
    expect(dalat[5]).toMatch(/^10:00 ngày 01\/5\/2026$/);
    const col = (key: string) => 7 + numberQs.findIndex((q) => q.key === key);
    expect(dalat[col('portal_news_events')]).toBe(15);
    expect(dalat[col('intl_support_money')]).toBe(510_500_000);
    expect(rows[2]![col('digital_views')]).toBe(10_345_678);
    for (const r of rows.slice(1, 3)) for (const q of numberQs) expect(typeof r[col(q.key)]).toBe('number');
    // A GDNN-GDTX centre is not asked how many institutions it has: the cell says so, it is not empty or 0.
    expect(rows[0]!.slice(4, 8)).toEqual(['Chưa gửi', null, null, 'Không áp dụng']);
    expect(rows[3]![4]).toBe('Đang nhập');

    const [thead, ...trows] = sheetValues(wb.worksheets[1]!);
    expect(thead).toEqual(['Mã đơn vị', 'Tên đơn vị', ...textQs.map((q) => q.label), 'Ghi chú và số liệu cần lưu ý']);
    const campaign = 2 + textQs.findIndex((q) => q.key === 'campaign_text');
    expect(trows[1]![campaign]).toBe('(bỏ qua)');
    expect(trows[1]![2]).toMatch(/^Nội dung “Hoạt động hợp tác quốc tế nổi bật \(tóm tắt\)”/);

    const [hhead, ...history] = sheetValues(wb.worksheets[2]!);
    expect(hhead).toEqual(['Thời điểm', 'Mã đơn vị', 'Tên đơn vị', 'Việc', 'Người thực hiện', 'Nội dung']);
    const contactId = a.db.select().from(answers).all().find((x) => x.contactId !== null)!.contactId;
    expect(history).toContainEqual(['10:00 ngày 01/5/2026', 'PGD-DALAT', 'Phòng Giáo dục và Đào tạo thành phố Đà Lạt', 'Xác nhận báo cáo', `Cô Hạnh (màn hình thử, #${contactId})`, null]);
    expect(history).toContainEqual(['10:00 ngày 01/5/2026', 'PGD-DALAT', 'Phòng Giáo dục và Đào tạo thành phố Đà Lạt', 'Sửa sau khi xác nhận', `Cô Hạnh (màn hình thử, #${contactId})`, `${questions[4]!.label}: 15`]);
    expect(history.filter((h) => h[1] === 'THPT-BUITHIXUAN').map((h) => h[3])).toEqual(['Xác nhận báo cáo']);
  });

  it('export → import round trip reproduces the same submissions; importing again changes nothing', async () => {
    seedA();
    await answerByChat(a.db, 'PGD-DALAT');
    answerDirectly(a.db, 'THPT-BUITHIXUAN', true);
    answerDirectly(a.db, 'THPT-THANGLONG', false, 4);
    const file = ws.path('so-lieu.xlsx');
    await exportCommand.run(['--period', PERIOD, '--out', file], a);

    // Database B knows the same units (inserted in another order, so with other ids) and nothing else.
    for (const u of [...UNITS].reverse()) upsertUnit(b.db, u, NOW);
    await submissionsCommand.run(['import', file, '--period', PERIOD], b);
    expect(count(b.lines, 'Báo cáo mới')).toBe(2);
    expect(count(b.lines, 'Không có số liệu')).toBe(1);
    expect(count(b.lines, 'Bị từ chối')).toBe(1);
    expect(b.lines.find((l) => l.includes('THPT-THANGLONG'))).toMatch(/^  Trang “Số liệu”, dòng 5 \(THPT-THANGLONG\): thiếu 23 câu bắt buộc: “Tin tức - Sự kiện”, “Bảo vệ nền tảng tư tưởng của Đảng”/);

    for (const code of ['PGD-DALAT', 'THPT-BUITHIXUAN']) expect(answersOf(b.db, code)).toStrictEqual(answersOf(a.db, code));
    expect(answersOf(b.db, 'THPT-THANGLONG')).toBeUndefined();
    expect(answersOf(b.db, 'GDNN-DUCTRONG')).toBeUndefined();
    const imported = findSubmission(b.db, findUnitByCode(b.db, 'PGD-DALAT')!.id, PERIOD)!;
    expect(imported).toMatchObject({ status: 'confirmed', source: 'office-import', revision: 1, confirmedBy: null });
    expect(b.db.select().from(answers).all().every((x) => x.contactId === null && x.revision === 1)).toBe(true);
    const importAudit = b.db.select().from(auditLog).all().filter((x) => x.action === 'office_import');
    expect(importAudit).toHaveLength(2);
    expect(JSON.parse(importAudit[0]!.details!)).toMatchObject({ periodId: PERIOD, file: 'so-lieu.xlsx', revision: 1, created: true });

    // B's own export shows the same figures and texts as A's.
    const fileB = ws.path('so-lieu-b.xlsx');
    await exportCommand.run(['--period', PERIOD, '--out', fileB], b);
    const figures = async (f: string) => {
      const wb = await loadXlsx(f);
      const pick = (rows: unknown[][]) => rows.filter((r) => r[0] === 'PGD-DALAT' || r[0] === 'THPT-BUITHIXUAN');
      return [pick(sheetValues(wb.worksheets[0]!)).map((r) => [r[0], ...r.slice(7)]), pick(sheetValues(wb.worksheets[1]!))];
    };
    expect(await figures(fileB)).toEqual(await figures(file));

    // The same file again: nothing new is written, in B and in A.
    const answerRows = (db: Db) => db.select().from(answers).all().length;
    const before = [answerRows(a.db), answerRows(b.db)];
    b.lines.length = 0;
    await submissionsCommand.run(['import', file, '--period', PERIOD], b);
    expect(count(b.lines, 'Không đổi')).toBe(2);
    // In A the unit still filling in its draft is left alone: read back as it stands, it is no error.
    a.lines.length = 0;
    await submissionsCommand.run(['import', file, '--period', PERIOD], a);
    expect([count(a.lines, 'Không đổi'), count(a.lines, 'Bị từ chối')]).toEqual([3, 0]);
    expect(findSubmission(a.db, findUnitByCode(a.db, 'THPT-THANGLONG')!.id, PERIOD)).toMatchObject({ status: 'draft', source: 'chat' });
    expect([answerRows(a.db), answerRows(b.db)]).toEqual(before);
  });

  it('figures typed in by the office: a changed cell is a new revision; bad cells reject their unit with row and reason', async () => {
    seedA();
    for (const u of UNITS) upsertUnit(b.db, u, NOW);
    answerDirectly(b.db, 'THPT-BUITHIXUAN', true);
    const label = (key: string) => questions.find((q) => q.key === key)!.label;
    const file = ws.path('giay.xlsx');
    const full = (code: string, n: number | string) => [code, ...numberQs.map((q) => (q.key === 'portal_news_events' ? n : 2))];
    await writeRowsXlsx(file, [
      {
        name: 'Số liệu',
        rows: [
          ['Mã đơn vị', ...numberQs.map((q) => q.label)],
          ['thpt-buithixuan', ...numberQs.map((q) => (q.key === 'portal_news_events' ? 99 : null))], // only one cell changed
          full('PGD-DALAT', '1.593'), // typed as text with a thousands dot: read as 1593
          full('THPT-THANGLONG', 'abc'),
          full('KHONG-CO', 1),
          full('GDNN-DUCTRONG', '12,5'),
        ],
      },
      {
        name: 'Nội dung',
        rows: [
          ['Mã đơn vị', label('assess_results_text'), label('campaign_text')],
          ['PGD-DALAT', 'Tổ chức thành công Ngày hội đọc sách cho học sinh toàn thành phố.', '(bỏ qua)'],
          ['GDNN-DUCTRONG', 'Rất dài '.repeat(300), null],
        ],
      },
    ]);
    await expect(submissionsCommand.run(['import', file, '--period', PERIOD, '--by', '999'], b)).rejects.toThrow(/--by 999: không có tài khoản Văn phòng Sở/);
    await submissionsCommand.run(['import', file, '--period', PERIOD], b);
    expect([count(b.lines, 'Báo cáo mới'), count(b.lines, 'Cập nhật'), count(b.lines, 'Bị từ chối')]).toEqual([1, 1, 4]);
    const out = b.lines.join('\n');
    expect(out).toContain(`Trang “Số liệu”, dòng 4 (THPT-THANGLONG): cột “${label('portal_news_events')}”: “abc”`);
    expect(out).toContain('Trang “Số liệu”, dòng 5 (KHONG-CO): không có đơn vị mã “KHONG-CO” trong danh sách đơn vị');
    expect(out).toMatch(/Trang “Số liệu”, dòng 6 \(GDNN-DUCTRONG\): cột “Tin tức - Sự kiện”: “12,5” — .+/);
    expect(out).toMatch(/Trang “Nội dung”, dòng 3 \(GDNN-DUCTRONG\): cột “Kết quả nổi bật”: nội dung quá dài \(2\.399 ký tự, tối đa 2\.000\)/);
    expect(answersOf(b.db, 'THPT-THANGLONG')).toBeUndefined();
    expect(answersOf(b.db, 'GDNN-DUCTRONG')).toBeUndefined();

    const btx = findSubmission(b.db, findUnitByCode(b.db, 'THPT-BUITHIXUAN')!.id, PERIOD)!;
    // The unit's own confirmation stays; the office's change is the next revision beside it.
    expect(btx).toMatchObject({ status: 'confirmed', revision: 2, source: 'chat+office-import' });
    expect(btx.confirmedAt).not.toBeNull();
    expect(answersOf(b.db, 'THPT-BUITHIXUAN')!.portal_news_events).toBe(99);
    expect(b.db.select().from(answers).all().filter((x) => x.submissionId === btx.id && x.revision === 2)).toHaveLength(1);
    const dalat = answersOf(b.db, 'PGD-DALAT')!;
    expect(dalat.portal_news_events).toBe(1593);
    expect(dalat.campaign_text).toBeNull();

    // A header that matches no question refuses the whole file.
    const wrong = ws.path('sai-cot.xlsx');
    await writeRowsXlsx(wrong, [{ name: 'Số liệu', rows: [['Mã đơn vị', label('portal_news_events'), 'Số tin bài khác'], ['PGD-DALAT', 5, 6]] }]);
    const rowsBefore = b.db.select().from(answers).all().length;
    await expect(submissionsCommand.run(['import', wrong, '--period', PERIOD], b)).rejects.toThrow(/cột “Số tin bài khác” không khớp câu hỏi nào.*Không có gì được thay đổi/);
    const units = ws.path('donvi.xlsx');
    await writeRowsXlsx(units, [{ name: 'x', rows: [['code', 'name', 'type'], ['A', 'B', 'thpt']] }]);
    await expect(submissionsCommand.run(['import', units, '--period', PERIOD], b)).rejects.toThrow(/Không có trang nào có cột “Mã đơn vị”/);
    await expect(submissionsCommand.run(['import', units, '--period', '2026-H2'], b)).rejects.toThrow(/--period 2026-H2: không phải mã kỳ báo cáo/);
    expect(b.db.select().from(answers).all().length).toBe(rowsBefore);
  });

  it('an export carries its period: importing it for another period is refused, even after editing in Excel', async () => {
    seedA();
    answerDirectly(a.db, 'THPT-BUITHIXUAN', true);
    const file = ws.path('so-lieu-2026-H1.xlsx');
    await exportCommand.run(['--period', PERIOD, '--out', file], a);
    // The office edits it (exceljs loads and saves it as Excel would: document properties are kept).
    const wb = await loadXlsx(file);
    wb.worksheets[0]!.getCell('A2').value = 'GDNN-DUCTRONG';
    const edited = ws.path('da-sua.xlsx');
    await wb.xlsx.writeFile(edited);
    for (const u of UNITS) upsertUnit(b.db, u, NOW);
    const rows = () => b.db.select().from(answers).all().length;
    await expect(submissionsCommand.run(['import', edited, '--period', '2026-Y'], b)).rejects.toThrow(
      'Tệp da-sua.xlsx là số liệu kỳ 2026-H1 (xuất từ bot), không phải kỳ 2026-Y; không có gì được thay đổi.',
    );
    expect(rows()).toBe(0);
    await submissionsCommand.run(['import', edited, '--period', '2026-h1'], b);
    expect(count(b.lines, 'Báo cáo mới')).toBe(1);
    // The CLI export refuses a file name it would not write as an Excel workbook.
    await expect(exportCommand.run(['--period', PERIOD, '--out', ws.path('so-lieu.csv')], a)).rejects.toThrow(/tên tệp phải có đuôi \.xlsx/);
  });

  it('problems are listed in the order of the file, with numbers written the Vietnamese way', async () => {
    for (const u of UNITS) upsertUnit(b.db, u, NOW);
    const file = ws.path('giay.xlsx');
    const label = (key: string) => questions.find((q) => q.key === key)!.label;
    const full = (code: string, key: string, v: unknown) => [code, ...numberQs.map((q) => (q.key === key ? v : 2))];
    await writeRowsXlsx(file, [
      {
        name: 'Số liệu',
        rows: [
          ['Mã đơn vị', ...numberQs.map((q) => q.label)],
          full('PGD-DALAT', 'portal_news_events', 12.5),
          full('THPT-THANGLONG', 'profile_institutions', 12_000),
          full('GDNN-DUCTRONG', 'portal_news_events', 3), // complete figures, but its text sheet row is bad
        ],
      },
      { name: 'Nội dung', rows: [['Mã đơn vị', label('assess_results_text')], ['GDNN-DUCTRONG', 'Rất dài '.repeat(300)], ['THPT-BUITHIXUAN', 'Đơn vị hoàn thành tốt nhiệm vụ trong kỳ.']] },
    ]);
    await submissionsCommand.run(['import', file, '--period', PERIOD], b);
    const problems = b.lines.slice(b.lines.indexOf('Các dòng bị từ chối (không ghi gì cho các đơn vị này):') + 1);
    expect(problems).toEqual([
      `  Trang “Số liệu”, dòng 2 (PGD-DALAT): cột “${label('portal_news_events')}”: 12,5 không phải số nguyên`,
      `  Trang “Số liệu”, dòng 3 (THPT-THANGLONG): cột “${label('profile_institutions')}”: 12.000 vượt mức tối đa 5.000`,
      `  Trang “Nội dung”, dòng 2 (GDNN-DUCTRONG): cột “${label('assess_results_text')}”: nội dung quá dài (2.399 ký tự, tối đa 2.000)`,
      expect.stringMatching(/^  Trang “Nội dung”, dòng 3 \(THPT-BUITHIXUAN\): thiếu 27 câu bắt buộc: “Số cơ sở giáo dục/),
    ]);
    expect(b.db.select().from(answers).all()).toHaveLength(0);
  });

  it('/xuat in chat sends the workbook as a document to an office account', async () => {
    seedA();
    answerDirectly(a.db, 'THPT-BUITHIXUAN', true);
    const deps = appDeps(a.db, () => NOW);
    const office = createInvite(a.db, { unitId: null, role: 'office', now: NOW, maxUses: 1 });
    await say(deps, 'vanphong', `/start ${office.code}`, 'Chị Lan');

    const replies = await say(deps, 'vanphong', '/xuat');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain('Số liệu 6 tháng đầu năm 2026: 1/4 đơn vị đã gửi, 0 đơn vị đang nhập.');
    const doc = replies[0]!.document!;
    expect(doc.filename).toBe('so-lieu-2026-H1.xlsx');
    const wb = await loadXlsx(doc.bytes);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Số liệu', 'Nội dung', 'Lịch sử']);
    expect(sheetValues(wb.worksheets[0]!).find((r) => r[0] === 'THPT-BUITHIXUAN')![7]).toBe(1593);

    expect((await say(deps, 'vanphong', '/xuat 2026-q1'))[0]!.document!.filename).toBe('so-lieu-2026-Q1.xlsx');
    expect(texts(await say(deps, 'vanphong', '/xuat hôm qua'))).toMatch(/không phải mã kỳ báo cáo/);
    expect(texts(await say(deps, 'nguoila', '/xuat'))).toMatch(/Lệnh \/xuat dành cho tài khoản Văn phòng Sở\. Để dùng, gửi \/start và mã mời tài khoản Văn phòng Sở/);
  });
});
