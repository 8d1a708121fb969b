import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../bot/cli/run';
import { holdRunMark } from '../bot/run-lock';
import { workspace, type Workspace } from './fixtures/admin-helpers';
import type { AppDeps } from '../handlers/types';
import { closeDatabase, inTransaction, openDatabase } from '../storage/db';
import { bindContact, findContact, setReachable, touchContact } from '../storage/repositories/contacts';
import { makeDeps, startTelegramApp } from './helpers/harness';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-server';
import { storeSeedFixture } from './helpers/seed-fixture';

/**
 * The command line as the office meets it: each case is the arguments, the exit code and what is
 * printed. Run in process through runCli (the same function cli.ts calls) on a real SQLite file; the
 * compiled program itself is run as a child process in tests/production.test.ts.
 */

let ws: Workspace;
let env: Record<string, string>;

beforeAll(async () => {
  ws = workspace();
  env = { DATABASE_PATH: ws.path('baocao.db'), OUTPUT_DIR: ws.path('out'), LOG_LEVEL: 'silent' };
  expect(await cli(['demo'])).toMatchObject({ code: 0 });
  writeFileSync(ws.path('donvi-loi.csv'), 'code,name,type\nMOI-1,Trường Mới,thpt\nPGD-DALAT,Phòng Giáo dục và Đào tạo thành phố Đà Lạt (mới),phong-gddt\nX-2,,thpt\n');
  writeFileSync(ws.path('donvi-tot.csv'), 'code,name,type\nMOI-2,Trường Mới Hai,thpt\n');
  writeFileSync(
    ws.path('mau-sai.csv'),
    'section,key,label,type,unit,required,min,max,help\nprofile,,Hồ sơ,section,,,,,\nprofile,profile_classes,Số lớp,count,,yes,500,100,\nprofile,profile_name,Tên,ngày,,yes,,,\n',
  );
  writeFileSync(ws.path('khong-phai.db'), 'đây không phải cơ sở dữ liệu');
});
afterAll(() => ws.cleanup());

async function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { env: { ...env, ...extraEnv }, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const UTC_STAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

interface Case {
  args: string[];
  code: number;
  stdout?: RegExp;
  stderr?: RegExp;
  env?: Record<string, string>;
}

const cases: Record<string, Case> = {
  'help lists every command': { args: ['help'], code: 0, stdout: /Các lệnh:[\s\S]*invite --unit[\s\S]*backup[\s\S]*restore/ },
  '--help too': { args: ['--help'], code: 0, stdout: /Cách dùng: npm run cli -- <lệnh>/ },
  'help of one command': { args: ['help', 'invite'], code: 0, stdout: /^Cách dùng: npm run cli -- invite --unit MÃ/ },
  'a command with --help prints its usage and does nothing': { args: ['restore', '--help'], code: 0, stdout: /restore TỆP\.db/ },
  'no command: the list, exit 2': { args: [], code: 2, stderr: /Các lệnh:/ },
  'unknown command': { args: ['xoa-het'], code: 2, stderr: /^Lỗi: không có lệnh “xoa-het”\. Xem danh sách lệnh: npm run cli -- help$/ },
  'negative number refused in words': { args: ['invite', '--unit', 'PGD-DALAT', '--days', '-3'], code: 2, stderr: /^Lỗi: --days phải là một số nguyên dương, không phải “-3”/ },
  'malformed number refused in words': { args: ['invite', '--unit', 'PGD-DALAT', '--uses', '1.5'], code: 2, stderr: /^Lỗi: --uses phải là một số nguyên dương, không phải “1\.5”/ },
  'zero refused': { args: ['office', 'invite', '--days', '0'], code: 2, stderr: /--days phải là một số nguyên dương, không phải “0”/ },
  'option without its value': { args: ['invite', '--unit', 'PGD-DALAT', '--days'], code: 2, stderr: /^Lỗi: tùy chọn --days cần một giá trị/ },
  'unknown option': { args: ['invite', '--unit', 'PGD-DALAT', '--bogus'], code: 2, stderr: /^Lỗi: lệnh này không có tùy chọn --bogus/ },
  'flag given a value': { args: ['units', 'import', 'a.csv', '--dry-run=yes'], code: 2, stderr: /tùy chọn --dry-run không nhận giá trị/ },
  'a stray word': { args: ['backup', 'ngay'], code: 2, stderr: /^Lỗi: backup: thừa tham số “ngay”/ },
  'unknown unit': { args: ['invite', '--unit', 'NOPE'], code: 1, stderr: /^Lỗi: không có đơn vị nào có mã “NOPE”/ },
  'invite says the earlier code stops working, like /moi': {
    args: ['invite', '--unit', 'pgd-baoloc'],
    code: 0,
    stdout: /Mã mời mới của Phòng Giáo dục và Đào tạo thành phố Bảo Lộc \(PGD-BAOLOC\): [A-Z0-9]{4}-[A-Z0-9]{4}\nDùng được 10 lần, hết hạn ngày \d{2}\/\d{1,2}\/\d{4}\. [^\n]*\nCác mã cũ của đơn vị \(1 mã\) không dùng được nữa/,
  },
  'invite --keep-old says the earlier codes stay valid': {
    args: ['invite', '--unit', 'THPT-THANGLONG', '--keep-old', '--uses', '1', '--days', '2'],
    code: 0,
    stdout: /Dùng được 1 lần[\s\S]*Các mã cũ của đơn vị vẫn dùng được \(1 mã\)/,
  },
  'report: wrong extension': { args: ['report', '--period', '2026-H1', '--out', 'bao-cao.pdf'], code: 2, stderr: /--out bao-cao\.pdf: lệnh này ghi tệp Word, tên tệp phải có đuôi \.docx/ },
  'report: not a period': { args: ['report', '--period', 'H1'], code: 2, stderr: /--period H1: không phải mã kỳ báo cáo/ },
  'report: missing period': { args: ['report'], code: 2, stderr: /report cần kỳ báo cáo: --period KỲ/ },
  'export: csv refused': { args: ['export', '--period', '2026-H1', '--out', 'so-lieu.csv'], code: 2, stderr: /đuôi \.xlsx/ },
  'invites export: wrong extension': { args: ['invites', 'export', '--out', 'ma.docx'], code: 2, stderr: /đuôi \.xlsx hoặc \.csv/ },
  'backup: wrong extension': { args: ['backup', '--out', 'sao-luu.txt'], code: 2, stderr: /đuôi \.db/ },
  'units import with a rejected row exits 1 but keeps the good rows': {
    args: ['units', 'import', '{dir}/donvi-loi.csv'],
    code: 1,
    stdout: /Thêm mới:    1\n  Cập nhật:    1\n  Không đổi:   0\n  Bị từ chối:  1[\s\S]*Dòng 4: thiếu tên đơn vị/,
    stderr: /^Lỗi: 1 dòng bị từ chối \(xem ở trên\); các dòng khác đã được nhập\.$/,
  },
  '--dry-run lists the units that would change': {
    args: ['units', 'import', '{dir}/donvi-tot.csv', '--dry-run'],
    code: 0,
    stdout: /Các đơn vị sẽ thay đổi nếu nhập thật:\n  thêm mới: MOI-2 · Trường Mới Hai[\s\S]*chưa ghi gì/,
  },
  'form import reports every error in one pass': {
    args: ['form', 'import', '{dir}/mau-sai.csv'],
    code: 1,
    stderr: /^Lỗi: Mẫu báo cáo trong tệp [^\n]* không hợp lệ, không có gì thay đổi:(?=[\s\S]*Dòng 4 \(cột type\): loại “ngày” không hợp lệ)(?=[\s\S]*Dòng 3: min phải nhỏ hơn hoặc bằng max)/,
  },
  'restore needs a file': { args: ['restore'], code: 2, stderr: /restore cần tệp sao lưu/ },
  'restore: missing file changes nothing': { args: ['restore', '{dir}/khong-co.db'], code: 1, stderr: /không tìm thấy tệp .*khong-co\.db\. Không có gì thay đổi\./ },
  'restore: not a database': { args: ['restore', '{dir}/khong-phai.db'], code: 1, stderr: /không phải cơ sở dữ liệu SQLite\. Không có gì thay đổi/ },
  'invalid configuration: one line naming the variable': { args: ['demo'], env: { TIMEZONE: 'Sao/Hoa' }, code: 2, stderr: /^Lỗi: cấu hình không hợp lệ: TIMEZONE: / },
};

describe('cli: arguments → exit code and message', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const r = await cli(c.args.map((a) => a.replace('{dir}', ws.dir)), c.env);
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toMatchObject({ code: c.code });
      if (c.stdout) expect(r.stdout).toMatch(c.stdout);
      if (c.stderr) expect(r.stderr).toMatch(c.stderr);
      // Errors are one line: no stack trace, no Node error text.
      if (c.code !== 0 && !c.args.includes('form') && c.args.length > 0) expect(r.stderr.split('\n')).toHaveLength(1);
      expect(r.stdout + r.stderr).not.toMatch(UTC_STAMP);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

describe('cli: files and invites', () => {
  it('writes under OUTPUT_DIR unless --out says otherwise', async () => {
    const r = await cli(['report', '--period', '2026-H1']);
    expect(r.code).toBe(0);
    const path = join(ws.path('out'), 'Bao-cao-TTDN-2026-H1-du-thao.docx');
    expect(r.stdout).toContain(`Đã ghi dự thảo báo cáo: ${path}`);
    expect(existsSync(path)).toBe(true);
    const own = await cli(['report', '--period', '2026-H1', '--out', ws.path('rieng/bc.docx')]);
    expect(own.stdout).toContain(ws.path('rieng/bc.docx'));
    expect(existsSync(ws.path('rieng/bc.docx'))).toBe(true);
  });

  it('invites export: each unit’s longest-valid code, never a short single-person one; no Telegram link without a Telegram bot', async () => {
    // A code made for one person, valid two days (like `invite --uses 1 --days 2`), must not be mailed to the unit.
    const short = await cli(['invite', '--unit', 'TT-HOANHAP', '--uses', '1', '--days', '2']);
    const shortCode = /: ([A-Z0-9]{4}-[A-Z0-9]{4})\n/.exec(short.stdout)![1]!;
    const r = await cli(['invites', 'export', '--out', ws.path('ma-moi.csv')], { ZALO_BOT_TOKEN: '1234567890:abcdefghijkl' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mỗi đơn vị một mã mời \(không có đường link Telegram/);
    const csv = readFileSync(ws.path('ma-moi.csv'), 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^\uFEFF?code,name,type,district,invite_code,expires\r?$/);
    expect(csv).not.toContain('t.me');
    expect(csv).not.toContain(shortCode);
    const row = csv.split('\n').find((l) => l.startsWith('TT-HOANHAP'))!;
    // A year's validity: the standard unit code, not the two-day one.
    expect(row).toMatch(/,\d{2}\/\d{1,2}\/\d{4}\r?$/);
    expect(Number(row.slice(-5).trim())).toBeGreaterThanOrEqual(new Date().getFullYear() + 1);
  });

  it('backup: a sound copy; restore refuses while a bot holds the database, then puts the copy back', async () => {
    const copy = ws.path('sao-luu/ban-1.db');
    const b = await cli(['backup', '--out', copy]);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/^Đã sao lưu lúc \d{2}:\d{2} ngày \d{2}\/\d{1,2}\/\d{4}: .*ban-1\.db \([\d.]+ KB; \d+ đơn vị, \d+ báo cáo\)\./);
    const db = new Database(copy, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    // A bot on the same host: its live pid in the mark refuses the restore (here the mark of a child-free
    // fake: the test process's parent, which is alive).
    const mark = holdRunMark(env.DATABASE_PATH!);
    const markFile = `${env.DATABASE_PATH}.pid`;
    writeFileSync(markFile, JSON.stringify({ ...JSON.parse(readFileSync(markFile, 'utf8')), pid: process.ppid }));
    const refused = await cli(['restore', copy]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Lỗi: bot đang chạy trên cơ sở dữ liệu này \(tiến trình \d+ trên máy .*\); dừng bot trước rồi chạy lại restore\. Không có gì thay đổi\.$/);
    writeFileSync(markFile, readFileSync(markFile, 'utf8').replace(/"pid":\d+/, `"pid":${process.pid}`));
    mark.release();
    expect(existsSync(markFile)).toBe(false);

    const restored = await cli(['restore', copy]);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/Đã khôi phục .* từ .*ban-1\.db[\s\S]*Tệp cũ được giữ lại: .*baocao\.db\.truoc-khoi-phuc-/);
  });
});

describe('cli: review (as /duyet and /tralai)', () => {
  // Its own database: the seed's half-year figures confirmed by 8 units, two Telegram accounts per unit
  // for two of them, and the fake Bot API the command line sends through.
  let rws: Workspace;
  let renv: Record<string, string>;
  let fake: FakeTelegram;
  let units: Map<string, number>;
  const DALAT = 7102;
  const BAOLOC = [7103, 7104];

  // The running bot on the same database file: the command line only queues the notices, the bot's
  // sender finds them in the queue (it reads it every few seconds) and sends them.
  let bot: { deps: AppDeps; stop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    rws = workspace();
    fake = await startFakeTelegram();
    renv = { DATABASE_PATH: rws.path('baocao.db'), OUTPUT_DIR: rws.path('out'), LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot };
    const db = openDatabase(renv.DATABASE_PATH!);
    const now = new Date();
    units = storeSeedFixture({ db, clock: () => now } as AppDeps, { draftUnitCode: 'PGD-DILINH' });
    inTransaction(db, (tx) => {
      for (const [chat, code] of [[DALAT, 'PGD-DALAT'], [BAOLOC[0]!, 'PGD-BAOLOC'], [BAOLOC[1]!, 'PGD-BAOLOC']] as const) {
        bindContact(tx, touchContact(tx, 'telegram', String(chat), null, now).id, units.get(code)!, 'contact');
      }
    });
    closeDatabase(db);
    const deps = makeDeps(renv.DATABASE_PATH!, () => new Date());
    bot = { deps, ...(await startTelegramApp(deps, fake)) };
  });
  afterAll(async () => {
    await bot?.stop();
    if (bot) closeDatabase(bot.deps.db);
    await fake.close();
    rws.cleanup();
  });

  const review = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['review', ...args], { env: renv, out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  };
  const auditRows = (action: string) => {
    const db = new Database(renv.DATABASE_PATH!, { readonly: true });
    try {
      return db.prepare('select actor_contact_id as actor, subject, details from audit_log where action = ? order by id').all(action) as { actor: number | null; subject: string; details: string }[];
    } finally {
      db.close();
    }
  };

  it('lists the reports waiting, returns one with a reason (the unit is told at once), accepts another; audited', async () => {
    const list = await review('list', '--period', '2026-H1');
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toContain('BÁO CÁO 6 THÁNG ĐẦU NĂM 2026 CHỜ DUYỆT: 8');
    expect(list.stdout).toContain('- PGD-DALAT · Phòng Giáo dục và Đào tạo thành phố Đà Lạt (gửi ');
    expect(list.stdout).toContain('Chưa gửi: 1 · Đang nhập: 1 · Đã gửi: 8 · Bị trả lại: 0 · Đã duyệt: 0');
    expect(list.stdout).toContain('Trả lại: review return --period 2026-H1 --unit MÃ --reason "LÝ DO" [--questions 3,5]');

    const reason = 'Số lượt xem lớn hơn số liệu của trang fanpage, đề nghị kiểm tra lại';
    const returned = await review('return', '--period', '2026-h1', '--unit', 'pgd-dalat', '--questions', '15', '--reason', reason);
    expect(returned).toMatchObject({ code: 0, stderr: '' });
    expect(returned.stdout).toBe('Đã trả lại báo cáo 6 tháng đầu năm 2026 của Phòng Giáo dục và Đào tạo thành phố Đà Lạt để sửa câu 15. Đã gửi lý do cho 1 người liên hệ của đơn vị.');
    // Queued with the return itself and sent by the running bot, with the same text and button as from /tralai.
    const told = await fake.waitForMessage(DALAT, (t) => t.includes('Văn phòng Sở đề nghị đơn vị sửa báo cáo'), 15_000);
    expect(told).toContain('(câu 15)');
    expect(told).toContain(`Lý do: ${reason}`);
    const call = fake.callsOf('sendMessage').find((c) => String(c.chat_id) === String(DALAT));
    expect(JSON.stringify(call?.body.reply_markup)).toContain('/nhap');

    const db = new Database(renv.DATABASE_PATH!, { readonly: true });
    const sub = db.prepare("select status, return_reason as reason, return_keys as keys from submissions where unit_id = ? and period_id = '2026-H1'").get(units.get('PGD-DALAT')) as { status: string; reason: string; keys: string };
    db.close();
    expect(sub).toMatchObject({ status: 'returned', reason });
    expect(JSON.parse(sub.keys)).toHaveLength(1);
    const [ret] = auditRows('submission_returned');
    expect(ret).toMatchObject({ actor: null });
    expect(JSON.parse(ret!.details)).toMatchObject({ periodId: '2026-H1', reason, numbers: [15], via: 'cli' });

    // A returned report waits for the unit: it cannot be accepted now.
    const early = await review('accept', '--period', '2026-H1', '--unit', 'PGD-DALAT');
    expect(early.code).toBe(1);
    expect(early.stderr).toBe('Lỗi: Báo cáo của Phòng Giáo dục và Đào tạo thành phố Đà Lạt đang ở trạng thái “bị trả lại”: chỉ duyệt hoặc trả lại được báo cáo đơn vị đã gửi.');

    const accepted = await review('accept', '--period', '2026-H1', '--unit', 'THPT-BUITHIXUAN');
    expect(accepted).toMatchObject({ code: 0, stderr: '' });
    expect(accepted.stdout).toMatch(/^Đã duyệt báo cáo 6 tháng đầu năm 2026 của Trường THPT Bùi Thị Xuân\.$/);
    expect(JSON.parse(auditRows('submission_accepted')[0]!.details)).toMatchObject({ periodId: '2026-H1', via: 'cli' });
    const again = await review('accept', '--period', '2026-H1', '--unit', 'THPT-BUITHIXUAN');
    expect(again).toMatchObject({ code: 1, stderr: 'Lỗi: Báo cáo của Trường THPT Bùi Thị Xuân đã được duyệt trước đó; không có gì thay đổi.' });

    const after = await review('list', '--period', '2026-H1');
    expect(after.stdout).toContain('CHỜ DUYỆT: 6');
    expect(after.stdout).toContain('Đã gửi: 6 · Bị trả lại: 1 · Đã duyệt: 1');
  });

  it('a unit one of whose accounts blocked the bot: returned all the same, exit 1 and a line saying who to phone', async () => {
    // The bot learnt earlier that this account blocked it (a refused send marks it unreachable).
    setReachable(bot!.deps.db, findContact(bot!.deps.db, 'telegram', String(BAOLOC[1]!))!.id, false);
    const r = await review('return', '--period', '2026-H1', '--unit', 'PGD-BAOLOC', '--reason', 'Thiếu số liệu hợp tác quốc tế');
    expect(r.code).toBe(1);
    // No question named: the whole report goes back, the unit sees its review.
    expect(r.stdout).toBe('Đã trả lại báo cáo 6 tháng đầu năm 2026 của Phòng Giáo dục và Đào tạo thành phố Bảo Lộc để sửa. Đã gửi lý do cho 1/2 người liên hệ của đơn vị; những người còn lại chưa nhận được tin (bot không gửi được).');
    expect(r.stderr.split('\n').at(-1)).toBe('Lỗi: 1/2 người liên hệ không nhận được lý do qua tin nhắn; báo cáo đã được trả lại, vui lòng báo cho đơn vị bằng điện thoại.');
    await fake.waitForMessage(BAOLOC[0]!, (t) => t.includes('Lý do: Thiếu số liệu hợp tác quốc tế'), 15_000);
    expect(fake.messagesTo(BAOLOC[1]!)).toEqual([]);
    expect(JSON.parse(auditRows('submission_returned').at(-1)!.details)).toMatchObject({ numbers: [], keys: [], via: 'cli' });
  });

  const refusals: Record<string, { args: string[]; code: number; stderr: RegExp }> = {
    'an unknown period, with the known ones': { args: ['list', '--period', '2030-Q2'], code: 2, stderr: /^Lỗi: --period 2030-Q2: kỳ này chưa có \(chưa đến hoặc không có dữ liệu nào\); các kỳ hiện có: .*2026-H1/ },
    'no period': { args: ['list'], code: 2, stderr: /^Lỗi: review list cần kỳ báo cáo: --period KỲ/ },
    'no subcommand': { args: ['--period', '2026-H1'], code: 2, stderr: /^Lỗi: review cần lệnh con: review list, review accept hoặc review return/ },
    'an unknown unit': { args: ['accept', '--period', '2026-H1', '--unit', 'KHONG-CO'], code: 1, stderr: /^Lỗi: không có đơn vị nào có mã “KHONG-CO”/ },
    'accept without a unit': { args: ['accept', '--period', '2026-H1'], code: 2, stderr: /^Lỗi: --unit cần mã đơn vị/ },
    'return without a reason': { args: ['return', '--period', '2026-H1', '--unit', 'PGD-DUCTRONG'], code: 2, stderr: /^Lỗi: --reason cần lý do trả lại/ },
    'a reason too short': { args: ['return', '--period', '2026-H1', '--unit', 'PGD-DUCTRONG', '--reason', 'x'], code: 2, stderr: /^Lỗi: --reason cần lý do trả lại \(ít nhất 3 ký tự\)/ },
    'a question the form does not have': { args: ['return', '--period', '2026-H1', '--unit', 'PGD-DUCTRONG', '--questions', '3,99', '--reason', 'Sai số'], code: 2, stderr: /^Lỗi: --questions: “99” không phải số câu trong biểu mẫu \(từ 1 đến \d+\)/ },
    'questions that are not numbers': { args: ['return', '--period', '2026-H1', '--unit', 'PGD-DUCTRONG', '--questions', 'câu 3', '--reason', 'Sai số'], code: 2, stderr: /^Lỗi: --questions: “câu 3” không phải số câu/ },
    'a report not sent': { args: ['return', '--period', '2026-H1', '--unit', 'PGD-DILINH', '--reason', 'Sai số'], code: 1, stderr: /^Lỗi: Báo cáo của Phòng Giáo dục và Đào tạo huyện Di Linh đang ở trạng thái “đang nhập”/ },
  };
  for (const [name, c] of Object.entries(refusals)) {
    it(`refused: ${name}`, async () => {
      const r = await review(...c.args);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: c.code, stdout: '' });
      expect(r.stderr).toMatch(c.stderr);
      expect(r.stderr.split('\n')).toHaveLength(1);
    });
  }
});
