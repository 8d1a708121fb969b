import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invitesCommand } from '../bot/cli/invites';
import { officeCommand } from '../bot/cli/office';
import { INVITE_ALPHABET } from '../domain/invite-code';
import { findContact } from '../storage/repositories/contacts';
import { currentInviteForUnit } from '../storage/repositories/invites';
import { findUnitByCode, upsertUnit } from '../storage/repositories/units';
import { auditLog } from '../storage/schema';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-server';
import { appDeps, cliContext, generateUnits, loadXlsx, say, sheetValues, workspace, type TestCli, type Workspace } from './fixtures/admin-helpers';

let ws: Workspace;
let cli: TestCli;
let tg: FakeTelegram | null = null;
beforeEach(() => {
  ws = workspace();
});
afterEach(async () => {
  cli?.close();
  cli = undefined as unknown as TestCli;
  await tg?.close();
  tg = null;
  ws.cleanup();
});

const NOW = new Date('2026-05-01T03:00:00Z');
const texts = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');
const codeIn = (text: string) => /([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(text)?.[1];

describe('cli invites export', () => {
  it('reads the bot username with getMe; every unit gets a working deep link, and one of them links a chat account', async () => {
    tg = await startFakeTelegram({ botUsername: 'sogd_baocao_bot' });
    cli = cliContext(ws.path('baocao.db'), { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot });
    for (const u of generateUnits(40)) upsertUnit(cli.db, u);
    upsertUnit(cli.db, { code: 'CU', name: 'Đơn vị đã giải thể', type: 'thpt' });
    cli.db.$client.prepare("update units set active = 0 where code = 'CU'").run();

    const out = ws.path('moi/invites.xlsx');
    await invitesCommand.run(['export', '--out', out], cli);
    expect(tg.sent.some((c) => c.method === 'getMe')).toBe(true);
    expect(cli.lines.join('\n')).toMatch(/40 đơn vị/);

    const [header, ...rows] = sheetValues((await loadXlsx(out)).worksheets[0]!);
    expect(header).toEqual(['code', 'name', 'type', 'district', 'invite_code', 'link', 'expires']);
    expect(rows).toHaveLength(40);
    expect(rows.map((r) => r[0])).not.toContain('CU');
    const codeShape = new RegExp(`^[${INVITE_ALPHABET}]{4}-[${INVITE_ALPHABET}]{4}$`);
    for (const [code, name, , , invite, link] of rows) {
      expect(invite).toMatch(codeShape);
      // Telegram passes a deep-link parameter of 1-64 characters of A-Z, a-z, 0-9, _ and - only.
      expect(new URL(String(link)).searchParams.get('start')).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(link).toBe(`https://t.me/sogd_baocao_bot?start=${String(invite).replace('-', '')}`);
      expect(findUnitByCode(cli.db, String(code))!.name).toBe(name);
    }
    expect(new Set(rows.map((r) => r[4])).size).toBe(40);

    // Every principal taps their link: Telegram sends "/start <parameter>" to the bot, which links the unit.
    const deps = appDeps(cli.db, () => NOW);
    for (const [i, row] of rows.entries()) {
      const parameter = new URL(String(row[5])).searchParams.get('start')!;
      const replies = await say(deps, `55500${i}`, `/start ${parameter}`, 'Hiệu trưởng');
      expect(texts(replies)).toContain(`Đã liên kết tài khoản với ${row[1]}`);
      const contact = findContact(cli.db, 'console', `55500${i}`)!;
      expect(contact).toMatchObject({ active: true, role: 'contact', unitId: findUnitByCode(cli.db, String(row[0]))!.id });
    }

    // A second export hands out the same still-valid codes (what was mailed keeps working).
    const again = ws.path('invites-2.xlsx');
    await invitesCommand.run(['export', '--out', again], cli);
    const [, ...rows2] = sheetValues((await loadXlsx(again)).worksheets[0]!);
    expect(rows2.map((r) => r[4])).toEqual(rows.map((r) => r[4]));
  });

  it('without a token it takes --bot-username', async () => {
    cli = cliContext(ws.path('baocao.db'));
    upsertUnit(cli.db, { code: 'PGD-DL', name: 'Phòng Giáo dục và Đào tạo thành phố Đà Lạt', type: 'phong-gddt' });
    await expect(invitesCommand.run(['export', '--out', ws.path('a.xlsx'), '--bot-username', 'x y'], cli)).rejects.toThrow(/không phải tên bot Telegram/);
    await invitesCommand.run(['export', '--out', ws.path('a.csv'), '--bot-username', '@baocao_lamdong_bot'], cli);
    const code = currentInviteForUnit(cli.db, findUnitByCode(cli.db, 'PGD-DL')!.id, new Date()).code;
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(ws.path('a.csv'), 'utf8')).toContain(`Phòng Giáo dục và Đào tạo thành phố Đà Lạt,phong-gddt,,${code.slice(0, 4)}-${code.slice(4)},https://t.me/baocao_lamdong_bot?start=${code},`);
  });
});

describe('brute-force slow-down on invite codes', () => {
  it('after 5 wrong codes in 10 minutes even the right code is refused, and accepted again once the window has passed', async () => {
    cli = cliContext(ws.path('baocao.db'));
    const unit = upsertUnit(cli.db, { code: 'THPT-BTX', name: 'Trường THPT Bùi Thị Xuân', type: 'thpt' }).unit;
    const right = currentInviteForUnit(cli.db, unit.id, NOW).code;
    let now = NOW;
    const deps = appDeps(cli.db, () => now);
    const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);

    for (let i = 0; i < 5; i++) {
      now = minutes(i);
      expect(texts(await say(deps, 'doan', `/start ABCD-EFG${'HJKMN'[i]}`))).toMatch(/không đúng/);
    }
    now = minutes(5);
    // Locked for 15 minutes after the 5th wrong code (minute 4): 14 minutes left at minute 5.
    expect(texts(await say(deps, 'doan', `/start ${right}`))).toMatch(/nhập sai mã quá nhiều lần.*14 phút/);
    now = minutes(14);
    expect(texts(await say(deps, 'doan', right))).toMatch(/quá nhiều lần/);
    expect(findContact(cli.db, 'console', 'doan')!.active).toBe(false);
    // Another account is not affected.
    now = minutes(14);
    expect(texts(await say(deps, 'nguoikhac', '/start WXYZ-2345'))).toMatch(/không đúng/);

    now = new Date(minutes(4).getTime() + 15 * 60_000 + 1000);
    expect(texts(await say(deps, 'doan', `/start ${right}`))).toContain('Đã liên kết tài khoản với Trường THPT Bùi Thị Xuân');
    expect(findContact(cli.db, 'console', 'doan')).toMatchObject({ active: true, unitId: unit.id });
    const failures = cli.db.select().from(auditLog).all().filter((a) => a.action === 'invite_failed');
    expect(failures).toHaveLength(6);
  });

  it('5 wrong codes spread over more than 10 minutes do not lock the account', async () => {
    cli = cliContext(ws.path('baocao.db'));
    const unit = upsertUnit(cli.db, { code: 'THPT-BTX', name: 'Trường THPT Bùi Thị Xuân', type: 'thpt' }).unit;
    const right = currentInviteForUnit(cli.db, unit.id, NOW).code;
    let now = NOW;
    const deps = appDeps(cli.db, () => now);
    for (let i = 0; i < 5; i++) {
      now = new Date(NOW.getTime() + i * 3 * 60_000); // minutes 0, 3, 6, 9, 12
      expect(texts(await say(deps, 'doan', `/start ABCD-EFG${'HJKMN'[i]}`))).toMatch(/không đúng/);
    }
    now = new Date(NOW.getTime() + 13 * 60_000);
    expect(texts(await say(deps, 'doan', `/start ${right}`))).toContain('Đã liên kết tài khoản với Trường THPT Bùi Thị Xuân');
  });
});

describe('office accounts', () => {
  it('cli office invite makes a one-time code; an office account invites another, lists units, unbinds a contact', async () => {
    cli = cliContext(ws.path('baocao.db'));
    const deps = appDeps(cli.db, () => NOW);
    const bl = upsertUnit(cli.db, { code: 'PGD-BL', name: 'Phòng Giáo dục và Đào tạo thành phố Bảo Lộc', type: 'phong-gddt', district: 'Bảo Lộc' }).unit;
    upsertUnit(cli.db, { code: 'THPT-TL', name: 'Trường THPT Chuyên Thăng Long', type: 'thpt', district: 'Đà Lạt' });
    await say(deps, 'hieutruong', `/start ${currentInviteForUnit(cli.db, bl.id, NOW).code}`, 'Thầy Quang');

    await officeCommand.run(['invite'], cli);
    const code = codeIn(cli.lines.join('\n'))!;
    expect(cli.lines.join('\n')).toMatch(/dùng một lần/i);
    expect(texts(await say(deps, 'vp1', `/start ${code}`, 'Chị Lan'))).toContain('Đã liên kết tài khoản Văn phòng Sở');
    expect(texts(await say(deps, 'ke-khac', `/start ${code}`))).toMatch(/đã được dùng hết/);

    // Office-only commands are refused to a unit contact.
    expect(texts(await say(deps, 'hieutruong', '/donvi'))).toBe('Lệnh này chỉ dành cho tài khoản Văn phòng Sở.');

    const moi = texts(await say(deps, 'vp1', '/moi'));
    const code2 = codeIn(moi)!;
    expect(moi).toMatch(/Dùng được một lần, hết hạn ngày 08\/5\/2026/);
    expect(texts(await say(deps, 'vp2', `/start ${code2}`, 'Anh Minh'))).toContain('Văn phòng Sở');
    expect(findContact(cli.db, 'console', 'vp2')).toMatchObject({ role: 'office', active: true, unitId: null });

    const list = texts(await say(deps, 'vp1', '/donvi'));
    expect(list).toContain('DANH SÁCH ĐƠN VỊ: 2 đơn vị, 1 đơn vị đã có người liên hệ, 1 đơn vị chưa có.');
    expect(list).toContain('PGD-BL · Phòng Giáo dục và Đào tạo thành phố Bảo Lộc — 1 người liên hệ · hoạt động 01/5/2026');
    expect(list).toContain('THPT-TL · Trường THPT Chuyên Thăng Long — chưa có người liên hệ');
    expect(list).toMatch(/Tài khoản Văn phòng Sở:\n#\d+ · Chị Lan/);

    const teacher = findContact(cli.db, 'console', 'hieutruong')!;
    const detail = texts(await say(deps, 'vp1', '/donvi bao loc'));
    expect(detail).toContain(`#${teacher.id} · Thầy Quang (màn hình thử) · lần cuối`);
    expect(detail).toContain(`/huylienket ${teacher.id}`);

    expect(texts(await say(deps, 'vp1', '/huylienket abc'))).toMatch(/Cách dùng: gõ \/huylienket và số tài khoản, ví dụ \/huylienket 12\./);
    expect(texts(await say(deps, 'vp1', `/huylienket ${findContact(cli.db, 'console', 'vp1')!.id}`))).toMatch(/Không thể tự hủy/);
    expect(texts(await say(deps, 'vp1', `/huylienket ${teacher.id}`))).toContain(`Đã hủy liên kết tài khoản #${teacher.id} (Thầy Quang) khỏi Phòng Giáo dục và Đào tạo thành phố Bảo Lộc`);
    expect(findContact(cli.db, 'console', 'hieutruong')).toMatchObject({ active: false, unitId: null });
    expect(texts(await say(deps, 'hieutruong', '/nhap'))).toMatch(/chưa được liên kết/);
    expect(texts(await say(deps, 'vp1', `/huylienket ${teacher.id}`))).toMatch(/Không có tài khoản số/);
    expect(cli.db.select().from(auditLog).all().some((a) => a.action === 'contact_unbound')).toBe(true);
    expect(texts(await say(deps, 'vp1', '/trogiup'))).toMatch(/\/donvi[\s\S]*\/moi[\s\S]*\/huylienket 12 — [\s\S]*\/xuat/);
  });
});

describe('the office manages a large province from chat', () => {
  it('/donvi sends the whole list as a workbook, shows a unit’s code; /moi MÃ renews a leaked code; /huylienket says how to stop a relink', async () => {
    cli = cliContext(ws.path('baocao.db'));
    const deps = appDeps(cli.db, () => NOW);
    for (const u of generateUnits(80)) upsertUnit(cli.db, u, NOW);
    const unit = findUnitByCode(cli.db, 'DV0007')!;
    const old = currentInviteForUnit(cli.db, unit.id, NOW).code;
    await say(deps, 'thay-binh', `/start ${old}`, 'Thầy Bình');
    await officeCommand.run(['invite'], cli);
    await say(deps, 'vp', `/start ${codeIn(cli.lines.join('\n'))}`, 'Chị Lan');

    const [list] = await say(deps, 'vp', '/donvi');
    expect(list!.text).toContain('DANH SÁCH ĐƠN VỊ: 80 đơn vị, 1 đơn vị đã có người liên hệ, 79 đơn vị chưa có.');
    expect(list!.text).toContain('Trường trung học phổ thông: 52 đơn vị, 51 chưa có người liên hệ');
    expect(list!.document?.filename).toBe('danh-sach-don-vi.xlsx');
    const [head, ...rows] = sheetValues((await loadXlsx(list!.document!.bytes)).worksheets[0]!);
    expect(head).toEqual(['Mã đơn vị', 'Tên đơn vị', 'Loại đơn vị', 'Quận/huyện', 'Số người liên hệ', 'Hoạt động gần nhất', 'Người liên hệ']);
    expect(rows).toHaveLength(80);
    const binh = findContact(cli.db, 'console', 'thay-binh')!;
    expect(rows.find((r) => r[0] === 'DV0007')).toEqual(['DV0007', unit.name, 'Trường trung học phổ thông', unit.district, 1, '10:00 ngày 01/5/2026', `#${binh.id} Thầy Bình (màn hình thử)`]);
    expect(rows.find((r) => r[0] === 'DV0008')!.slice(4)).toEqual([0, null, null]);

    // A principal lost the letter: the office reads the current code out from /donvi.
    expect(texts(await say(deps, 'vp', '/donvi dv0007'))).toContain(`Mã mời của đơn vị: ${old.slice(0, 4)}-${old.slice(4)} (còn 9 lượt, hết hạn ngày 01/5/2027). Đổi mã (mã cũ hết hiệu lực): /moi DV0007`);
    expect(texts(await say(deps, 'vp', '/donvi DV0008'))).toContain('Đơn vị chưa có mã mời còn hiệu lực. Tạo mã: /moi DV0008');

    // A code leaked: /moi MÃ-ĐƠN-VỊ gives a new one; the old one links nobody any more, linked accounts stay.
    expect(texts(await say(deps, 'thay-binh', '/moi DV0007'))).toBe('Lệnh này chỉ dành cho tài khoản Văn phòng Sở.');
    const renewed = texts(await say(deps, 'vp', '/moi dv0007'));
    expect(renewed).toMatch(new RegExp(`^Mã mời mới của ${unit.name}: [A-Z2-9]{4}-[A-Z2-9]{4}\\nDùng được 10 lần, hết hạn ngày 01/5/2027`));
    expect(renewed).toContain('Mã cũ của đơn vị không dùng được nữa; các tài khoản đã liên kết vẫn giữ nguyên.');
    const fresh = codeIn(renewed)!;
    expect(texts(await say(deps, 'nguoi-la', `/start ${old}`))).toMatch(/thu hồi|không còn|không dùng/i);
    expect(findContact(cli.db, 'console', 'nguoi-la')!.active).toBe(false);
    expect(findContact(cli.db, 'console', 'thay-binh')!.active).toBe(true);
    expect(texts(await say(deps, 'co-mai', fresh))).toContain(`Đã liên kết tài khoản với ${unit.name}`);
    expect(texts(await say(deps, 'vp', '/moi KHONG-CO'))).toBe('Không có đơn vị mã “KHONG-CO”. Tìm mã đơn vị bằng /donvi kèm tên đơn vị, ví dụ /donvi Bảo Lộc.');
    expect(cli.db.select().from(auditLog).all().filter((a) => a.action === 'unit_invite_renewed')).toHaveLength(1);

    const unbound = texts(await say(deps, 'vp', `/huylienket ${binh.id}`));
    expect(unbound).toContain('muốn chặn, đổi mã của đơn vị bằng /moi DV0007');
  });
});
