import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formCommand } from '../bot/cli/form';
import { DEFAULT_FORM, FormDefinitionSchema, type FormDefinition } from '../domain/form';
import { formFromSheets } from '../domain/form-sheet';
import { addFormVersion, DEFAULT_FORM_NOTE, formVersion, latestFormVersion } from '../storage/repositories/forms';
import { ensurePeriod } from '../storage/repositories/periods';
import { formVersions, periods } from '../storage/schema';
import { readSpreadsheetFile } from '../templates/spreadsheet/read';
import { appDeps, cliContext, loadXlsx, say, sheetValues, workspace, writeRowsXlsx, type TestCli, type Workspace } from './fixtures/admin-helpers';
import { createInvite, currentInviteForUnit } from '../storage/repositories/invites';
import { findSubmission } from '../storage/repositories/submissions';
import { upsertUnit } from '../storage/repositories/units';

let ws: Workspace;
let cli: TestCli;
beforeEach(() => {
  ws = workspace();
  cli = cliContext(ws.path('baocao.db'));
});
afterEach(() => {
  cli.close();
  ws.cleanup();
});

const texts = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');
const versions = () => cli.db.select().from(formVersions).all().length;

/** Edits the survey sheet of an exported form file with exceljs, as the office would in Excel. */
async function editSurvey(file: string, out: string, edit: (rows: unknown[][]) => void): Promise<void> {
  const wb = await loadXlsx(file);
  const survey = wb.getWorksheet('survey')!;
  const rows = sheetValues(survey);
  edit(rows);
  wb.removeWorksheet(survey.id);
  const fresh = wb.addWorksheet('survey');
  for (const r of rows) fresh.addRow(r);
  await wb.xlsx.writeFile(out);
}

describe('cli form export / import', () => {
  it('export → import round trip gives an identical form (and no new version when nothing changed)', async () => {
    const file = ws.path('mau.xlsx');
    await formCommand.run(['export', '--out', file], cli);
    expect(cli.lines.at(-1)).toMatch(/phiên bản 1 \(\d+ câu hỏi trong 8 phần\)/);

    const back = formFromSheets(await readSpreadsheetFile(file), 'không dùng');
    expect(back).toStrictEqual({ ok: true, form: DEFAULT_FORM });

    await formCommand.run(['import', file], cli);
    expect(cli.lines.at(-1)).toMatch(/giống hệt phiên bản 1/);
    expect(versions()).toBe(1);

    // The sheet reads like XLSForm: a section row, then its questions.
    const [header, first, second] = sheetValues((await loadXlsx(file)).getWorksheet('survey')!);
    expect(header).toEqual(['section', 'key', 'label', 'type', 'unit', 'required', 'min', 'max', 'help', 'relevant', 'stable', 'min_difference']);
    expect(first).toEqual(['profile', null, 'Thông tin chung về đơn vị', 'section', null, null, null, null, null, null, null, null]);
    // Only a district office counts the institutions under it; the profile is kept from period to period.
    expect(second).toEqual(['profile', 'profile_institutions', 'Số cơ sở giáo dục trực thuộc (tính cả đơn vị mình)', 'count', 'cơ sở', 'yes', 0, 5000, null, 'phong-gddt', 'yes', null]);
  });

  it('an edited form becomes a new version that periods started afterwards use; older periods and its own round trip are unchanged', async () => {
    const h1 = ensurePeriod(cli.db, '2026-H1');
    const file = ws.path('mau.xlsx');
    await formCommand.run(['export', '--out', file], cli);
    const edited = ws.path('mau-moi.xlsx');
    await editSurvey(file, edited, (rows) => {
      const i = rows.findIndex((r) => r[1] === 'portal_exams');
      rows[i]![2] = 'Thông tin về các kỳ thi và tuyển sinh';
      rows[i]![8] = 'Gồm cả thi tốt nghiệp THPT và tuyển sinh lớp 10.';
      rows.splice(i + 1, 0, ['portal', 'portal_digital_transformation', 'Chuyển đổi số trong giáo dục', 'count', 'tin, bài', 'yes', 0, 100000, null]);
      rows.push(['ykien', null, 'Ý kiến khác', 'section'], ['ykien', 'other_text', 'Ý kiến khác (nếu có)', 'text', null, 'no', null, 2000, null]);
    });
    await formCommand.run(['import', edited, '--note', 'Năm học 2026-2027'], cli);
    expect(cli.lines.join('\n')).toMatch(/Đã tạo mẫu báo cáo phiên bản 2 \(\d+ câu hỏi trong 9 phần\)/);
    expect(cli.lines.join('\n')).toMatch(/Các kỳ đã bắt đầu giữ nguyên mẫu cũ: 2026-H1 \(phiên bản 1\)/);

    const v2 = latestFormVersion(cli.db);
    expect(v2.id).toBe(2);
    const exams = v2.form.sections.flatMap((s) => s.questions).find((q) => q.key === 'portal_exams')!;
    expect(exams).toMatchObject({ label: 'Thông tin về các kỳ thi và tuyển sinh', help: 'Gồm cả thi tốt nghiệp THPT và tuyển sinh lớp 10.' });
    expect(v2.form.sections.at(-1)).toEqual({ key: 'ykien', title: 'Ý kiến khác', questions: [{ key: 'other_text', label: 'Ý kiến khác (nếu có)', type: 'text', required: false, max: 2000 }] });

    // Periods keep the version they started with; a later period takes the new one.
    expect(ensurePeriod(cli.db, '2026-H1').formVersionId).toBe(h1.formVersionId);
    expect(formVersion(cli.db, h1.formVersionId).form).toStrictEqual(DEFAULT_FORM);
    expect(ensurePeriod(cli.db, '2026-Y').formVersionId).toBe(2);

    // Round trip of the new version, and exporting a period's own version.
    const again = ws.path('mau-2.xlsx');
    await formCommand.run(['export', '--out', again], cli);
    expect(formFromSheets(await readSpreadsheetFile(again), '')).toStrictEqual({ ok: true, form: v2.form });
    await formCommand.run(['import', again], cli);
    expect(versions()).toBe(2);
    const old = ws.path('mau-h1.xlsx');
    await formCommand.run(['export', '--out', old, '--period', '2026-h1'], cli);
    expect(formFromSheets(await readSpreadsheetFile(old), '')).toStrictEqual({ ok: true, form: DEFAULT_FORM });
  });

  it('an invalid form file is refused with the row and the reason, and no version is added', async () => {
    const file = ws.path('mau.xlsx');
    await formCommand.run(['export', '--out', file], cli);
    const bad = ws.path('mau-sai.xlsx');
    await editSurvey(file, bad, (rows) => {
      // rows[i] is Excel row i + 1: row 2 opens "profile", rows 3-6 are its questions, row 7 opens "portal".
      rows[2]![3] = 'number'; // row 3: unknown type
      rows[3]![6] = 500; // row 4: min above max
      rows[3]![7] = 100;
      rows[4]![1] = 'Profile Classes'; // row 5: key not in the allowed shape
      rows[5]![1] = 'profile_pupils'; // row 6: key already used on row 4
      rows[6]![2] = ''; // row 7: section without a title
      rows[7]![5] = 'có lẽ'; // row 8: required must be yes/no
    });
    const before = versions();
    let message = '';
    try {
      await formCommand.run(['import', bad], cli);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/không hợp lệ, không có gì thay đổi/);
    expect(message).toContain('Trang “survey”, dòng 3 (cột type): loại “number” không hợp lệ; dùng section (mở một phần) hoặc count, money, text.');
    expect(message).toContain('Trang “survey”, dòng 6 (cột key): mã câu hỏi “profile_pupils” trùng với dòng 4.');
    expect(message).toContain('Trang “survey”, dòng 8 (cột required): “có lẽ” không hợp lệ; ghi yes hoặc no.');
    expect(versions()).toBe(before);

    // Row-level mistakes are reported first; with only schema-level ones left, those name their rows too.
    await editSurvey(file, bad, (rows) => {
      rows[3]![6] = 500;
      rows[3]![7] = 100;
      rows[4]![1] = 'Profile Classes';
      rows[6]![2] = '';
    });
    message = '';
    try {
      await formCommand.run(['import', bad], cli);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('Trang “survey”, dòng 4: min phải nhỏ hơn hoặc bằng max.');
    expect(message).toMatch(/Trang “survey”, dòng 5 \(cột key\): .*chữ thường không dấu/);
    expect(message).toContain('Trang “survey”, dòng 7 (cột label): không được để trống.');
    expect(versions()).toBe(before);

    // A CSV with a question before any section, and one whose columns are wrong.
    const csv = ws.path('mau.csv');
    writeFileSync(csv, 'section,key,label,type,required\n,q1,Số lớp,count,yes\n');
    // A CSV has one sheet: its rows are named without a sheet.
    await expect(formCommand.run(['import', csv], cli)).rejects.toThrow('\n  Dòng 2: câu hỏi nằm trước mọi phần; thêm phía trên một dòng có type = section.');
    writeFileSync(csv, 'name,label\nx,y\n');
    await expect(formCommand.run(['import', csv], cli)).rejects.toThrow(/\n  Dòng 1: thiếu cột section, key, type/);
    expect(versions()).toBe(before);
  });

  it('through the chat: a draft started before the import keeps its form, a period opened after it asks the new question', async () => {
    const NOW = new Date('2026-05-01T03:00:00Z');
    const deps = appDeps(cli.db, () => NOW);
    const unit = upsertUnit(cli.db, { code: 'THPT-BTX', name: 'Trường THPT Bùi Thị Xuân', type: 'thpt' }, NOW).unit;
    await say(deps, 'co-hanh', `/start ${currentInviteForUnit(cli.db, unit.id, NOW).code}`, 'Cô Hạnh');
    expect(texts(await say(deps, 'co-hanh', '/nhap'))).toMatch(/trả lời 32 câu/); // a school is not asked how many institutions it has
    await say(deps, 'co-hanh', '12');

    const file = ws.path('mau.xlsx');
    await formCommand.run(['export', '--out', file], cli);
    await editSurvey(file, file, (rows) => {
      const i = rows.findIndex((r) => r[1] === 'portal_exams');
      rows[i]![2] = 'Thông tin về các kỳ thi, tuyển sinh';
      rows.splice(i + 1, 0, ['portal', 'portal_digital', 'Chuyển đổi số trong giáo dục', 'count', 'tin, bài', 'có', 0, 100000]);
    });
    await formCommand.run(['import', file], cli);
    expect(cli.lines.join('\n')).toContain('Các kỳ đã bắt đầu giữ nguyên mẫu cũ: 2026-H1 (phiên bản 1).');

    // The draft of 2026-H1 goes on with version 1: 33 questions, the old label, no new question.
    const review = texts(await say(deps, 'co-hanh', '/xem'));
    expect(review).toContain('Thông tin các kỳ thi');
    expect(review).not.toContain('Chuyển đổi số trong giáo dục');
    expect(findSubmission(cli.db, unit.id, '2026-H1')).toMatchObject({ formVersionId: 1 });

    // A period opened afterwards uses version 2.
    const office = createInvite(cli.db, { unitId: null, role: 'office', now: NOW, maxUses: 1 });
    await say(deps, 'vp', `/start ${office.code}`, 'Chị Lan');
    await say(deps, 'vp', '/ky mo 2026-Y');
    const asked = texts(await say(deps, 'co-hanh', '/nhap 2026-Y'));
    expect(asked).toMatch(/trả lời 33 câu/);
    for (let i = 0; i < 12; i++) await say(deps, 'co-hanh', '1');
    expect(texts(await say(deps, 'co-hanh', '/xem'))).toMatch(/Thông tin về các kỳ thi, tuyển sinh[\s\S]*Chuyển đổi số trong giáo dục/);
    expect(findSubmission(cli.db, unit.id, '2026-Y')).toMatchObject({ formVersionId: 2 });
    expect(findSubmission(cli.db, unit.id, '2026-H1')).toMatchObject({ formVersionId: 1 });
  });

  it('a new version that drops or retypes questions is stored, with a warning naming them', async () => {
    const file = ws.path('mau.xlsx');
    await formCommand.run(['export', '--out', file], cli);
    const edited = ws.path('mau-bot.xlsx');
    await editSurvey(file, edited, (rows) => {
      rows.splice(rows.findIndex((r) => r[1] === 'portal_other'), 1);
      const i = rows.findIndex((r) => r[1] === 'campaign_activities');
      rows[i]![3] = 'text';
      rows[i]![6] = null;
    });
    await formCommand.run(['import', edited], cli);
    const out = cli.lines.join('\n');
    expect(out).toMatch(/Đã tạo mẫu báo cáo phiên bản 2 \(32 câu hỏi trong 8 phần\)/);
    expect(out).toContain('Lưu ý: so với phiên bản 1, mẫu mới không còn 1 câu hỏi');
    expect(cli.lines).toContain('  portal_other · Các chuyên mục khác');
    expect(cli.lines).toContain('Lưu ý: câu hỏi campaign_activities đổi loại từ count sang text.');
    expect(versions()).toBe(2);
  });

  it('rows are named with the sheet the office sees, and Vietnamese words for types and yes/no are understood', async () => {
    const file = ws.path('mau.xlsx');
    await writeRowsXlsx(file, [
      {
        name: 'Mẫu báo cáo',
        rows: [
          ['section', 'key', 'label', 'type', 'unit', 'required', 'min', 'max', 'help'],
          ['chung', null, 'Thông tin chung', 'section'],
          ['chung', 'so_lop', 'Số lớp học', 'số', 'lớp', 'có', 0, '5.000'],
          ['chung', 'kinh_phi', 'Kinh phí', 'tiền', 'đồng', 'Không'],
          ['chung', 'ghi_chu', 'Ghi chú', 'chữ', null, 'không', null, 500],
          ['chung', 'sai', 'Câu sai', 'ngày', null, 'có'],
        ],
      },
      { name: 'settings', rows: [['form_title'], ['Báo cáo thử nghiệm']] },
    ]);
    await expect(formCommand.run(['import', file], cli)).rejects.toThrow('Trang “Mẫu báo cáo”, dòng 6 (cột type): loại “ngày” không hợp lệ');
    await writeRowsXlsx(file, [
      {
        name: 'Mẫu báo cáo',
        rows: [
          ['section', 'key', 'label', 'type', 'unit', 'required', 'min', 'max', 'help'],
          ['chung', null, 'Thông tin chung', 'section'],
          ['chung', 'so_lop', 'Số lớp học', 'số', 'lớp', 'có', 0, '5.000'],
          ['chung', 'kinh_phi', 'Kinh phí', 'tiền', 'đồng', 'Không'],
          ['chung', 'ghi_chu', 'Ghi chú', 'chữ', null, 'không', null, 500],
        ],
      },
      { name: 'settings', rows: [['form_title'], ['Báo cáo thử nghiệm']] },
    ]);
    await formCommand.run(['import', file], cli);
    expect(latestFormVersion(cli.db).form).toStrictEqual({
      title: 'Báo cáo thử nghiệm',
      sections: [
        {
          key: 'chung',
          title: 'Thông tin chung',
          questions: [
            { key: 'so_lop', label: 'Số lớp học', type: 'count', unit: 'lớp', required: true, min: 0, max: 5000 },
            { key: 'kinh_phi', label: 'Kinh phí', type: 'money', unit: 'đồng', required: false },
            { key: 'ghi_chu', label: 'Ghi chú', type: 'text', required: false, max: 500 },
          ],
        },
      ],
    });
  });

  it('a form typed from scratch as CSV keeps the title of the current form', async () => {
    const csv = ws.path('mau.csv');
    writeFileSync(
      csv,
      ['section,key,label,type,unit,required,min,max,help', 'chung,,Thông tin chung,section', 'chung,so_lop,Số lớp học,count,lớp,yes,0,5000,', 'chung,ghi_chu,Ghi chú,text,,no,,500,"Viết ngắn gọn, rõ ràng"'].join('\n'),
    );
    await formCommand.run(['import', csv], cli);
    const expected: FormDefinition = FormDefinitionSchema.parse({
      title: DEFAULT_FORM.title,
      sections: [
        {
          key: 'chung',
          title: 'Thông tin chung',
          questions: [
            { key: 'so_lop', label: 'Số lớp học', type: 'count', unit: 'lớp', required: true, min: 0, max: 5000 },
            { key: 'ghi_chu', label: 'Ghi chú', type: 'text', required: false, max: 500, help: 'Viết ngắn gọn, rõ ràng' },
          ],
        },
      ],
    });
    expect(latestFormVersion(cli.db).form).toStrictEqual(expected);
  });
});

describe('the default form of a newer bot reaches existing databases', () => {
  // The default form of the builds before: "Kết quả nổi bật" required from every unit, at least 10 characters.
  const previousDefault = FormDefinitionSchema.parse({
    ...DEFAULT_FORM,
    sections: DEFAULT_FORM.sections.map((s) => ({ ...s, questions: s.questions.map((q) => (q.key === 'assess_results_text' ? { ...q, required: true, min: 10 } : q)) })),
  });
  const resultsQuestion = (form: FormDefinition) => form.sections.flatMap((s) => s.questions).find((q) => q.key === 'assess_results_text')!;

  it('as the next version when the latest is a default the bot installed; started periods keep theirs', () => {
    // A database of the builds before: their default, and a period started with it.
    const old = addFormVersion(cli.db, previousDefault, DEFAULT_FORM_NOTE);
    cli.db.insert(periods).values({ id: '2026-Q1', formVersionId: old.id }).run();
    const latest = latestFormVersion(cli.db);
    expect(latest.id).toBeGreaterThan(old.id);
    expect(resultsQuestion(latest.form).required).toBe(false);
    expect(cli.db.select().from(formVersions).all().map((v) => v.note)).toEqual([DEFAULT_FORM_NOTE, `${DEFAULT_FORM_NOTE} (bản cập nhật)`]);
    // Once: the new version is the default itself.
    expect(latestFormVersion(cli.db).id).toBe(latest.id);
    expect(versions()).toBe(2);
    expect(ensurePeriod(cli.db, '2026-H1').formVersionId).toBe(latest.id);
    expect(resultsQuestion(formVersion(cli.db, ensurePeriod(cli.db, '2026-Q1').formVersionId).form).required).toBe(true);
  });

  it('never over a form the office imported', () => {
    const imported = addFormVersion(cli.db, previousDefault, 'Nhập từ mau-2026.xlsx');
    expect(latestFormVersion(cli.db).id).toBe(imported.id);
    expect(versions()).toBe(1);
    expect(resultsQuestion(latestFormVersion(cli.db).form)).toMatchObject({ required: true, min: 10 });
  });
});
