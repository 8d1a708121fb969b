import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formCommand } from '../bot/cli/form';
import { DEFAULT_FORM, FormDefinitionSchema, type FormDefinition } from '../domain/form';
import { formFromSheets } from '../domain/form-sheet';
import { formVersion, latestFormVersion } from '../storage/repositories/forms';
import { ensurePeriod } from '../storage/repositories/periods';
import { formVersions } from '../storage/schema';
import { readSpreadsheetFile } from '../templates/spreadsheet/read';
import { cliContext, loadXlsx, sheetValues, workspace, type TestCli, type Workspace } from './fixtures/admin-helpers';

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
    expect(header).toEqual(['section', 'key', 'label', 'type', 'unit', 'required', 'min', 'max', 'help']);
    expect(first).toEqual(['profile', null, 'Thông tin chung về đơn vị', 'section', null, null, null, null, null]);
    expect(second).toEqual(['profile', 'profile_institutions', 'Số cơ sở giáo dục thuộc đơn vị (tính cả đơn vị mình)', 'count', 'cơ sở', 'yes', 0, 5000, null]);
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
    await expect(formCommand.run(['import', csv], cli)).rejects.toThrow('Trang “survey”, dòng 2: câu hỏi nằm trước mọi phần; thêm phía trên một dòng có type = section.');
    writeFileSync(csv, 'name,label\nx,y\n');
    await expect(formCommand.run(['import', csv], cli)).rejects.toThrow(/dòng 1: thiếu cột section, key, type/);
    expect(versions()).toBe(before);
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
