import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startProgress } from '../bot/cli/progress';
import { unitsCommand } from '../bot/cli/units';
import { auditLog, units } from '../storage/schema';
import { activeUnits, findUnitByCode } from '../storage/repositories/units';
import { cliContext, generateUnits, workspace, writeRowsXlsx, type TestCli, type Workspace } from './fixtures/admin-helpers';

const run = promisify(execFile);

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

const header = ['code', 'name', 'type', 'district'];
const snapshot = (c: TestCli) => ({
  units: c.db.select().from(units).orderBy(units.id).all(),
  audit: c.db.select().from(auditLog).all().length,
});
const count = (label: string) => {
  const line = cli.lines.find((l) => l.trim().startsWith(label));
  return line ? Number(/:\s*([\d.]+)/.exec(line)![1]!.replace(/\./g, '')) : NaN;
};

describe('terminal progress', () => {
  it('redraws one line on a terminal at most ten times a second, and prints quarters elsewhere', () => {
    let t = 0;
    const written: string[] = [];
    const tty = startProgress({ tty: true, write: (x) => written.push(x), line: () => undefined, now: () => t }, 'Đang nhập', 2000);
    for (let i = 1; i <= 2000; i++) {
      if (i % 100 === 0) t += 50;
      tty.update(i);
    }
    tty.finish();
    expect(written.length).toBe(11);
    expect(written[0]).toBe('\rĐang nhập: 200/2.000 (10%)\x1b[K');
    expect(written.at(-1)).toBe('\rĐang nhập: 2.000/2.000 (100%)\x1b[K\n');

    const lines: string[] = [];
    const log = startProgress({ tty: false, write: () => undefined, line: (x) => lines.push(x) }, 'Đang nhập', 1000);
    for (let i = 1; i <= 1000; i++) log.update(i);
    log.finish();
    expect(lines).toEqual(['Đang nhập: 250/1.000 (25%)', 'Đang nhập: 500/1.000 (50%)', 'Đang nhập: 750/1.000 (75%)', 'Đang nhập: 1.000/1.000 (100%)']);
    const quiet: string[] = [];
    const small = startProgress({ tty: false, write: () => undefined, line: (x) => quiet.push(x) }, 'Đang nhập', 12);
    small.update(6);
    small.finish();
    expect(quiet).toEqual([]);
  });
});

describe('cli units import', () => {
  it('imports a generated 1,600-unit .xlsx, then a re-import with changes updates without duplicates', async () => {
    const province = generateUnits(1600);
    const file = ws.path('donvi.xlsx');
    await writeRowsXlsx(file, [{ name: 'Đơn vị', rows: [header, ...province.map((u) => [u.code, u.name, u.type, u.district])] }]);

    await unitsCommand.run(['import', file], cli);
    expect(count('Thêm mới')).toBe(1600);
    expect(count('Cập nhật')).toBe(0);
    expect(count('Bị từ chối')).toBe(0);
    expect(cli.db.select().from(units).all()).toHaveLength(1600);
    // Progress went to stderr (a quarter at a time, since it is not a terminal), the report to stdout.
    expect(cli.errors).toEqual(expect.arrayContaining(['Đang lưu đơn vị: 400/1.600 (25%)', 'Đang lưu đơn vị: 1.600/1.600 (100%)']));
    expect(cli.lines.join('\n')).not.toMatch(/Đang lưu/);
    const u77 = province[76]!;
    expect(findUnitByCode(cli.db, u77.code)).toMatchObject({ name: u77.name, type: u77.type, district: u77.district });
    expect(u77.name).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/);

    // Next year's list: 25 renamed, 5 retyped, 10 with the type written the Vietnamese way, the last 5
    // units gone (merged), 10 new units, 3 bad rows, a code on two rows, a note column and a note row.
    const spelled: Record<string, string> = { 'phong-gddt': 'Phòng GD&ĐT', thpt: 'Trường THPT', 'gdnn-gdtx': 'TT GDNN-GDTX', 'truc-thuoc': 'Đơn vị trực thuộc Sở', 'phong-so': 'Phòng thuộc Sở' };
    const next = province.slice(0, 1595).map((u, i) => {
      if (i < 25) return { ...u, name: `${u.name} (đổi tên)` };
      if (i < 30) return { ...u, type: u.type === 'thpt' ? 'gdnn-gdtx' : 'thpt' };
      if (i < 40) return { ...u, type: spelled[u.type]! };
      return u;
    });
    const rows: unknown[][] = [[...header, 'Ghi chú'], ...next.map((u) => [u.code.toLowerCase(), u.name, u.type.toUpperCase(), u.district, null])];
    for (let i = 1; i <= 10; i++) rows.push([`MOI${i}`, `Trường Mầm non Hoa Hồng số ${i}`, 'truc-thuoc', 'Đà Lạt', 'mới thành lập']);
    rows.push(['BAD1', '', 'thpt', null]); // row 1607: no name
    rows.push(['BAD2', 'Trường Ánh Dương', 'Tiểu học', null]); // row 1608: a type the bot does not report on
    rows.push(['DV0001', 'Trùng mã', 'thpt', null]); // row 1609: the code of row 2 again
    rows.push([null, null, null, null, 'Danh sách do phòng Tổ chức cán bộ lập']); // row 1610: a note, not a unit
    await writeRowsXlsx(file, [{ name: 'Đơn vị', rows }]);

    cli.lines.length = 0;
    await unitsCommand.run(['import', file, '--deactivate-missing'], cli);
    expect(count('Thêm mới')).toBe(10);
    expect(count('Cập nhật')).toBe(29);
    expect(count('Không đổi')).toBe(1565);
    expect(count('Bị từ chối')).toBe(4);
    expect(count('Không có trong tệp')).toBe(5);
    expect(cli.lines).toContain('Các cột không dùng: “Ghi chú”.');
    expect(cli.lines).toContain('  Dòng 1607: thiếu tên đơn vị');
    expect(cli.lines.find((l) => l.includes('Dòng 1608'))).toMatch(/loại đơn vị “Tiểu học” không hợp lệ; dùng một trong: phong-gddt, thpt/);
    // Which of two rows with one code is right cannot be known: both are refused, the unit keeps its name.
    expect(cli.lines.find((l) => l.includes('Dòng 2:'))).toMatch(/mã đơn vị DV0001 trùng với dòng 1609/);
    expect(cli.lines.find((l) => l.includes('Dòng 1609'))).toMatch(/trùng với dòng 2/);
    expect(cli.lines.some((l) => l.includes('Dòng 1610'))).toBe(false);
    // With rows still refused, --deactivate-missing waits: a refused row may be a unit with a mistyped code.
    expect(cli.lines.join('\n')).toMatch(/Chưa ngừng theo dõi đơn vị nào vì tệp còn dòng bị từ chối/);
    expect(cli.lines).toContain(`  ${province[1599]!.code} · ${province[1599]!.name}`);
    expect(cli.db.select().from(units).all()).toHaveLength(1610);
    expect(activeUnits(cli.db)).toHaveLength(1610);
    expect(findUnitByCode(cli.db, 'DV0001')!.name).toBe(province[0]!.name);
    expect(findUnitByCode(cli.db, 'MOI3')!.name).toBe('Trường Mầm non Hoa Hồng số 3');
    expect(findUnitByCode(cli.db, next[35]!.code)!.type).toBe(province[35]!.type);

    // The file corrected: the merged units stop being followed (still in the database, inactive).
    await writeRowsXlsx(file, [{ name: 'Đơn vị', rows: rows.slice(0, 1606) }]);
    cli.lines.length = 0;
    await unitsCommand.run(['import', file, '--deactivate-missing'], cli);
    expect([count('Thêm mới'), count('Cập nhật'), count('Không đổi'), count('Bị từ chối'), count('Ngừng theo dõi')]).toEqual([0, 1, 1604, 0, 5]);
    expect(findUnitByCode(cli.db, 'DV0001')!.name).toBe(`${province[0]!.name} (đổi tên)`);
    expect(cli.db.select().from(units).all()).toHaveLength(1610);
    expect(activeUnits(cli.db)).toHaveLength(1605);
    expect(findUnitByCode(cli.db, province[1597]!.code)!.active).toBe(false);

    // The same file once more changes nothing; a later list that has a merged unit again follows it again.
    cli.lines.length = 0;
    await unitsCommand.run(['import', file], cli);
    expect([count('Thêm mới'), count('Cập nhật'), count('Không đổi')]).toEqual([0, 0, 1605]);
    const back = province[1597]!;
    await writeRowsXlsx(file, [{ name: 'Đơn vị', rows: [...rows.slice(0, 1606), [back.code, back.name, back.type, back.district]] }]);
    cli.lines.length = 0;
    await unitsCommand.run(['import', file], cli);
    expect(count('Cập nhật')).toBe(1);
    expect(findUnitByCode(cli.db, back.code)!.active).toBe(true);
  });

  it('reads a .csv with Vietnamese names: diacritics survive (UTF-8 with BOM, ";" separators, decomposed letters)', async () => {
    const names = ['Trường THPT Chuyên Thăng Long', 'Phòng Giáo dục và Đào tạo huyện Đạ Tẻh', 'Trung tâm GDNN-GDTX Đức Trọng', 'Trường THPT Lê Quý Đôn; cơ sở 2'];
    const lines = [
      'Mã đơn vị;Tên đơn vị;Loại;Quận/huyện',
      `THPT-TL;${names[0]};thpt;Đà Lạt`,
      `PGD-DATEH;${names[1]!.normalize('NFD')};Phòng Giáo dục và Đào tạo;Đạ Tẻh`,
      `GDNN-DT;${names[2]};GDNN_GDTX;Đức Trọng`,
      `THPT-LQD;"${names[3]}";thpt;`,
    ];
    const file = ws.path('donvi.csv');
    writeFileSync(file, '\uFEFF' + lines.join('\r\n') + '\r\n', 'utf8');
    await unitsCommand.run(['import', file], cli);
    expect(count('Thêm mới')).toBe(4);
    expect(findUnitByCode(cli.db, 'THPT-TL')).toMatchObject({ name: names[0], type: 'thpt', district: 'Đà Lạt' });
    expect(findUnitByCode(cli.db, 'PGD-DATEH')).toMatchObject({ name: names[1], type: 'phong-gddt', district: 'Đạ Tẻh' });
    expect(findUnitByCode(cli.db, 'GDNN-DT')).toMatchObject({ name: names[2], type: 'gdnn-gdtx' });
    expect(findUnitByCode(cli.db, 'THPT-LQD')).toMatchObject({ name: names[3], district: null });

    // Re-import with one change, written the way a Vietnamese-locale Excel saves "CSV UTF-8".
    lines[1] = `THPT-TL;Trường THPT Chuyên Thăng Long - Đà Lạt;thpt;Đà Lạt`;
    writeFileSync(file, '\uFEFF' + lines.join('\r\n'), 'utf8');
    cli.lines.length = 0;
    await unitsCommand.run(['import', file], cli);
    expect([count('Thêm mới'), count('Cập nhật'), count('Không đổi')]).toEqual([0, 1, 3]);
    expect(findUnitByCode(cli.db, 'THPT-TL')!.name).toBe('Trường THPT Chuyên Thăng Long - Đà Lạt');
    expect(cli.db.select().from(units).all()).toHaveLength(4);
  });

  it('reads a list the way offices lay it out: an instructions sheet first, a title above the table, wrapped names', async () => {
    const file = ws.path('danh-sach.xlsx');
    await writeRowsXlsx(file, [
      { name: 'Hướng dẫn', rows: [['Điền mỗi đơn vị một dòng ở trang “Danh sách”.']] },
      {
        name: 'Danh sách',
        rows: [
          ['DANH SÁCH ĐƠN VỊ BÁO CÁO NĂM HỌC 2026-2027'],
          [],
          ['STT', 'Mã đơn vị', 'Tên đơn vị', 'Loại đơn vị', 'Xã/Phường'],
          [1, 'PGD-DL', 'Phòng Giáo dục và Đào tạo\nthành phố  Đà Lạt', 'Phòng GD&ĐT', 'Phường 1'],
          [2, 'THPT-BTX', 'Trường THPT Bùi Thị Xuân', 'THPT', ' Phường   Xuân Hương '],
          [3, 'GDTX-DT', 'Trung tâm GDNN-GDTX huyện Đức Trọng', 'Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên', null],
          [4, 'TH-DL', 'Trường Tiểu học Đa Lộc', 'Tiểu học', null],
        ],
      },
    ]);
    await unitsCommand.run(['import', file], cli);
    expect(cli.lines[0]).toBe(`Danh sách đơn vị từ ${file} (trang “Danh sách”): 4 dòng.`);
    expect(count('Thêm mới')).toBe(3);
    expect(cli.lines).toContain('Các cột không dùng: “STT”.');
    expect(cli.lines.find((l) => l.startsWith('  Dòng 7:'))).toMatch(/loại đơn vị “Tiểu học” không hợp lệ/);
    expect(findUnitByCode(cli.db, 'PGD-DL')).toMatchObject({ name: 'Phòng Giáo dục và Đào tạo thành phố Đà Lạt', type: 'phong-gddt', district: 'Phường 1' });
    expect(findUnitByCode(cli.db, 'THPT-BTX')).toMatchObject({ type: 'thpt', district: 'Phường Xuân Hương' });
    expect(findUnitByCode(cli.db, 'GDTX-DT')).toMatchObject({ type: 'gdnn-gdtx', district: null });

    // A workbook without any unit list names the sheet it looked at.
    await writeRowsXlsx(file, [{ name: 'Hướng dẫn', rows: [['Ghi chú']] }, { name: 'Trang 2', rows: [['a', 'b']] }]);
    await expect(unitsCommand.run(['import', file], cli)).rejects.toThrow(/^Trang “Hướng dẫn”: Dòng 1: thiếu cột code, name, type/);
  });

  describe('bad files are refused with a clear message and change nothing', () => {
    beforeEach(async () => {
      const file = ws.path('first.csv');
      writeFileSync(file, 'code,name,type\nA1,Trường A,thpt\nA2,Trường B,thpt\n');
      await unitsCommand.run(['import', file], cli);
    });

    const refuses = async (name: string, bytes: Uint8Array | string, message: RegExp, extra: string[] = []) => {
      const file = ws.path(name);
      writeFileSync(file, bytes);
      const before = snapshot(cli);
      await expect(unitsCommand.run(['import', file, ...extra], cli)).rejects.toThrow(message);
      expect(snapshot(cli)).toEqual(before);
    };

    it('wrong columns', async () => {
      await refuses('sai-cot.csv', 'id,title,category\n1,Trường A,thpt\n', /thiếu cột code, name, type.*“id”, “title”, “category”/);
      const xlsx = ws.path('sai-cot.xlsx');
      await writeRowsXlsx(xlsx, [{ name: 'x', rows: [['code', 'ten truong'], ['A1', 'Trường A']] }]);
      const before = snapshot(cli);
      await expect(unitsCommand.run(['import', xlsx], cli)).rejects.toThrow(/thiếu cột name, type/);
      expect(snapshot(cli)).toEqual(before);
    });

    it('empty: no bytes, only blank lines, only a header', async () => {
      await refuses('rong.csv', '', /rỗng \(0 byte\)/);
      await refuses('trang.csv', '\r\n\r\n , , \r\n', /không có dữ liệu/);
      await refuses('tieu-de.csv', 'code,name,type\n', /chỉ có dòng tiêu đề/);
      const xlsx = ws.path('tieu-de.xlsx');
      await writeRowsXlsx(xlsx, [{ name: 'x', rows: [header] }]);
      await expect(unitsCommand.run(['import', xlsx], cli)).rejects.toThrow(/chỉ có dòng tiêu đề/);
    });

    it('not a spreadsheet: an image, a PDF, a Word file, an old .xls, a non-UTF-8 CSV', async () => {
      const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
      await refuses('anh.xlsx', png, /không phải bảng tính/);
      await refuses('baocao.pdf', '%PDF-1.4\n%âãÏÓ\n1 0 obj\n', /không phải bảng tính/);
      await refuses('nhiphan.csv', Buffer.concat([png, Buffer.alloc(64)]), /không phải bảng tính/);
      // Whatever the name says: a PDF or a photo saved as .csv is not read as text.
      await refuses('baocao-that.csv', '%PDF-1.7\ncode,name,type\n', /“baocao-that.csv” không phải bảng tính/);
      await refuses('anh-chup.csv', Buffer.from('ffd8ffe000104a46494600', 'hex'), /không phải bảng tính/);
      const docx = new JSZip();
      docx.file('[Content_Types].xml', '<Types/>');
      docx.file('word/document.xml', '<w:document/>');
      await refuses('vanban.xlsx', await docx.generateAsync({ type: 'nodebuffer' }), /không phải bảng tính/);
      await refuses('cu.xls', Buffer.from('d0cf11e0a1b11ae1000000000000000000000000', 'hex'), /Excel 97-2003/);
      await refuses('hong.xlsx', Buffer.from('504b0304140000000800', 'hex'), /không phải bảng tính/);
      // "Trường" in Windows-1258 bytes: not UTF-8, so names would be garbled.
      await refuses('cp1258.csv', Buffer.from([0x63, 0x6f, 0x64, 0x65, 0x2c, 0x6e, 0x61, 0x6d, 0x65, 0x2c, 0x74, 0x79, 0x70, 0x65, 0x0a, 0x41, 0x2c, 0x54, 0x72, 0xfd, 0xf5, 0x6e, 0x67, 0x2c, 0x74, 0x68, 0x70, 0x74]), /UTF-8/);
    });

    it('100,000 rows: over the default limit; a smaller --max-rows is honoured too', async () => {
      const big = ['code,name,type', ...Array.from({ length: 100_000 }, (_, i) => `X${i},Trường số ${i},thpt`)].join('\n');
      await refuses('khong-lo.csv', big, /hơn 10\.000 dòng dữ liệu/);
      const bigXlsx = ws.path('khong-lo.xlsx');
      const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: bigXlsx, useSharedStrings: true });
      const sheet = writer.addWorksheet('x');
      sheet.addRow(['code', 'name', 'type']).commit();
      for (let i = 0; i < 100_000; i++) sheet.addRow([`X${i}`, `Trường số ${i}`, 'thpt']).commit();
      sheet.commit();
      await writer.commit();
      const before100k = snapshot(cli);
      await expect(unitsCommand.run(['import', bigXlsx], cli)).rejects.toThrow(/hơn 10\.000 dòng dữ liệu/);
      expect(snapshot(cli)).toEqual(before100k);
      const xlsx = ws.path('vua.xlsx');
      await writeRowsXlsx(xlsx, [{ name: 'x', rows: [header, ...generateUnits(300).map((u) => [u.code, u.name, u.type, u.district])] }]);
      const before = snapshot(cli);
      await expect(unitsCommand.run(['import', xlsx, '--max-rows', '250'], cli)).rejects.toThrow(/hơn 250 dòng dữ liệu/);
      expect(snapshot(cli)).toEqual(before);
      await unitsCommand.run(['import', xlsx, '--max-rows', '300'], cli);
      expect(cli.db.select().from(units).all()).toHaveLength(302);
    });

    it('a missing file and a wrong call', async () => {
      const before = snapshot(cli);
      await expect(unitsCommand.run(['import', ws.path('khong-co.xlsx')], cli)).rejects.toThrow(/Không tìm thấy tệp/);
      await expect(unitsCommand.run(['import'], cli)).rejects.toThrow(/units import cần tên tệp/);
      await expect(unitsCommand.run(['import', 'a.csv', '--max-rows', 'abc'], cli)).rejects.toThrow(/--max-rows phải là một số nguyên dương, không phải “abc”/);
      expect(snapshot(cli)).toEqual(before);
    });
  });

  it('--dry-run reports the outcome and writes nothing', async () => {
    const file = ws.path('thu.csv');
    writeFileSync(file, 'code,name,type\nA1,Trường A,thpt\nA2,,thpt\n');
    await unitsCommand.run(['import', file, '--dry-run'], cli);
    expect(count('Thêm mới')).toBe(1);
    expect(cli.lines).toContain('  Dòng 3: thiếu tên đơn vị');
    expect(cli.db.select().from(units).all()).toHaveLength(0);
  });

  it('runs as a real process: npx tsx cli.ts units import, exit code 1 and a message on a bad file', async () => {
    cli.close();
    const file = ws.path('donvi.csv');
    writeFileSync(file, 'code,name,type,district\nPGD-DL,Phòng Giáo dục và Đào tạo thành phố Đà Lạt,phong-gddt,Đà Lạt\n');
    const env = { ...process.env, DATABASE_PATH: ws.path('baocao.db'), LOG_LEVEL: 'silent' };
    const ok = await run('npx', ['tsx', 'cli.ts', 'units', 'import', file], { cwd: process.cwd(), env });
    expect(ok.stdout).toContain('Thêm mới:    1');
    const bad = ws.path('sai.csv');
    writeFileSync(bad, 'x,y\n1,2\n');
    const failed = await run('npx', ['tsx', 'cli.ts', 'units', 'import', bad], { cwd: process.cwd(), env }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/thiếu cột code, name, type/);
    cli = cliContext(ws.path('baocao.db'));
    expect(findUnitByCode(cli.db, 'PGD-DL')!.name).toBe('Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
  });
});
