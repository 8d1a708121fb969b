import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import { runConsole } from '../bot/console/console';
import { renderAsText, splitText } from '../bot/render-text';
import { loadConfig } from '../config';
import { silentLogger } from '../log';
import { closeDatabase, openDatabase } from '../storage/db';
import { seedDemo, type DemoSeed } from '../storage/demo-seed';
import { answers, contacts, submissions, units } from '../storage/schema';
import { displayInviteCode } from '../domain/invite-code';
import type { AppDeps } from '../handlers/types';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const H1_CLOCK = new Date('2026-05-01T03:00:00Z'); // 2026-H1 open (20/4 → due 05/5)

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baocao-console-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the console on scripted input lines; returns everything it printed. */
async function chat(deps: AppDeps, lines: string[], banner?: string): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const done = runConsole({ deps, input, output, banner });
  input.end(lines.map((l) => l + '\n').join(''));
  await done;
  return out;
}

describe('runConsole', () => {
  let deps: AppDeps;
  let seed: DemoSeed;
  beforeEach(() => {
    const config = loadConfig({ DATABASE_PATH: join(dir, 'bot.db'), OUTPUT_DIR: join(dir, 'out') });
    deps = { db: openDatabase(config.databasePath), config, log: silentLogger, clock: () => H1_CLOCK };
    seed = seedDemo(deps.db, H1_CLOCK, config.calendar);
  });
  afterEach(() => closeDatabase(deps.db));

  it('the office gets /baocao as a file written under OUTPUT_DIR, with its path printed', async () => {
    const out = await chat(deps, ['.as vanphong', `/start ${seed.officeInvite.code}`, '/baocao 2026-H1', '/tiendo 2026-H1', '.thoat']);
    const path = /📄 Đã lưu tệp: (.+\.docx)/.exec(out)?.[1];
    expect(path).toBe(join(dir, 'out', 'Bao-cao-TTDN-2026-H1-du-thao.docx'));
    const { readDocx } = await import('./helpers/docx');
    const doc = await readDocx(readFileSync(path!));
    expect(doc.paragraphs.join('\n')).toContain('Chưa có đơn vị nào gửi báo cáo');
    expect(out).toContain('TIẾN ĐỘ BÁO CÁO 6 THÁNG ĐẦU NĂM 2026');
    // The chart is handed over as a file too, and the console says where it is.
    const chart = /🖼 Đã lưu biểu đồ: (.+\.png)/.exec(out)?.[1];
    expect(chart).toBe(join(dir, 'out', 'tien-do-2026-H1.png'));
    expect(readFileSync(chart!).subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('binds with a demo code, answers questions, switches user, and stops at .thoat', async () => {
    const dalat = seed.units.find((u) => u.unit.code === 'PGD-DALAT')!;
    const out = await chat(
      deps,
      [
        `/start ${displayInviteCode(dalat.invite.code).toLowerCase()}`,
        '/nhap',
        '12',
        '1.593',
        '2 hoặc 3',
        '3',
        '',
        '.as vanphong',
        `/start ${seed.officeInvite.code}`,
        '/nhap',
        '.thoat',
        '/trogiup',
      ],
      'BANNER LINE',
    );

    expect(out.startsWith('BANNER LINE\n')).toBe(true);
    expect(out).toContain('[hieutruong]> ');
    expect(out).toContain('✅ Đã liên kết tài khoản với Phòng Giáo dục và Đào tạo thành phố Đà Lạt.');
    expect(out).toContain('Kỳ báo cáo đang mở: 6 tháng đầu năm 2026 (hạn 05/5/2026)');
    expect(out).toContain('Câu 1/');
    expect(out).toContain('✓ 12 cơ sở\n\nCâu 2/33');
    expect(out).toContain('✓ 1.593 học sinh\n\nCâu 3/33');
    // Readings that look like option numbers are asked for by value ("3" means 3, never option 3).
    expect(out).toContain('Vui lòng gửi lại đúng một số: 2 hoặc 3.');
    expect(out).not.toContain('Trả lời 1 để chọn 2 lớp');
    expect(out).toContain('✓ 3 lớp\n\nCâu 4/33');
    // Other actions are shown as the commands to type.
    expect(out).toMatch(/\/quaylai: quay lại · \/xem: xem lại/);
    expect(out).toContain('(Đang đóng vai người dùng “vanphong”.)');
    expect(out).toContain('[vanphong]> ');
    expect(out).toContain('Đã liên kết tài khoản Văn phòng Sở');
    expect(out).toContain('Tài khoản Văn phòng Sở không nhập báo cáo đơn vị');
    // Nothing after .thoat is read.
    expect(out).not.toContain('HƯỚNG DẪN SỬ DỤNG');

    const { db } = deps;
    const principal = db.select().from(contacts).where(and(eq(contacts.channel, 'console'), eq(contacts.externalId, 'hieutruong'))).get()!;
    expect(principal).toMatchObject({ active: true, role: 'contact', unitId: dalat.unit.id });
    const office = db.select().from(contacts).where(eq(contacts.externalId, 'vanphong')).get()!;
    expect(office).toMatchObject({ active: true, role: 'office', unitId: null });
    const sub = db.select().from(submissions).where(eq(submissions.unitId, dalat.unit.id)).get()!;
    expect(sub).toMatchObject({ periodId: '2026-H1', status: 'draft' });
    const rows = db.select().from(answers).where(eq(answers.submissionId, sub.id)).orderBy(answers.id).all();
    expect(rows.map((r) => [r.questionKey, JSON.parse(r.value), r.rawText, r.contactId])).toEqual([
      ['profile_institutions', 12, '12', principal.id],
      ['profile_pupils', 1593, '1.593', principal.id],
      ['profile_classes', 3, '2 hoặc 3', principal.id],
    ]);
  });

  it('a principal who comes back later continues at the same question', async () => {
    const code = seed.units[2]!.invite.code;
    await chat(deps, [`/start ${code}`, '/nhap', '1', '/huy']);
    const out = await chat(deps, ['/nhap']);
    expect(out).toContain('Câu 2/');
    expect(out).not.toContain('Hạn gửi');
  });

  it('bad input gets a Vietnamese message and changes nothing', async () => {
    const out = await chat(deps, ['/start ABCD-EFGH', 'xin chào', '/nhap']);
    expect(out).toContain('Mã “ABCD-EFGH” không đúng');
    expect(out).toContain('chưa được liên kết');
    expect(deps.db.select().from(submissions).all()).toHaveLength(0);
  });
});

describe('renderAsText and splitText', () => {
  it('sets choices apart with semicolons when a label holds a comma', () => {
    const r = { text: 'Chọn', choice: true, actions: [{ label: 'Chọn 2 tin, bài', command: '1' }, { label: 'Chọn 3 tin, bài', command: '2' }] };
    expect(renderAsText(r)).toBe('Chọn\n\nTrả lời 1 để chọn 2 tin, bài; 2 để chọn 3 tin, bài.');
    const plain = { text: 'Xem', choice: true, actions: [{ label: 'Xác nhận', command: '/xacnhan' }, { label: 'Sửa', command: '/sua' }] };
    expect(renderAsText(plain)).toBe('Xem\n\nTrả lời 1 để xác nhận, 2 để sửa.');
  });

  it('splits at line breaks and never inside an emoji', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `Dòng ${i} ${'x'.repeat(180)}`).join('\n');
    const parts = splitText(lines, 4096);
    expect(parts.length).toBe(2);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join('\n')).toBe(lines);
    const emoji = '😀'.repeat(3000);
    const eparts = splitText(emoji, 4095);
    expect(eparts.every((p) => p.length <= 4095 && !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
    expect(eparts.join('')).toBe(emoji);
  });
});

/** Runs a command in the repository like a user would, with a clean environment. */
function run(cmd: string[], env: Record<string, string>, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, LOG_LEVEL: 'warn' };
  delete childEnv.TELEGRAM_BOT_TOKEN;
  return new Promise((resolvePromise, reject) => {
    const p = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    p.on('error', reject);
    p.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

describe('start-up and CLI (real processes)', () => {
  it('npm start without a token opens the console, says so, and lists the demo invite codes', async () => {
    const dbPath = join(dir, 'x.db');
    const { code, stdout } = await run(['npx', 'tsx', 'bot/main.ts'], { DATABASE_PATH: dbPath }, '.thoat\n');
    expect(code).toBe(0);
    expect(stdout).toContain('CONSOLE MODE');
    expect(stdout).toContain('TELEGRAM_BOT_TOKEN');
    expect(stdout).toContain(dbPath);
    const codes = stdout.match(/^ {2}[A-Z2-9]{4}-[A-Z2-9]{4} {2}.+$/gm) ?? [];
    expect(codes.length).toBeGreaterThanOrEqual(6);
    expect(stdout).toContain('Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    expect(stdout).toContain('(tài khoản Văn phòng Sở)');
    expect(stdout).toContain('Kỳ báo cáo đang mở:');
  }, 60_000);

  it('cli demo is idempotent; invite prints a new code; an unknown unit exits 1', async () => {
    const env = { DATABASE_PATH: join(dir, 'cli.db') };
    const first = await run(['npx', 'tsx', 'cli.ts', 'demo'], env);
    expect(first.code).toBe(0);
    const second = await run(['npx', 'tsx', 'cli.ts', 'demo'], env);
    expect(second.code).toBe(0);
    const codes = (s: string) => s.split('\n').filter((l) => /\t[A-Z2-9]{4}-[A-Z2-9]{4}\t/.test(l));
    expect(codes(first.stdout).length).toBe(8); // 7 demo units + the office account
    expect(codes(second.stdout)).toEqual(codes(first.stdout));

    const db = openDatabase(env.DATABASE_PATH);
    try {
      expect(db.select().from(units).all()).toHaveLength(7);
    } finally {
      closeDatabase(db);
    }

    const demoCode = codes(first.stdout).find((l) => l.startsWith('PGD-DALAT\t'))!.split('\t')[1];
    const invite = await run(['npx', 'tsx', 'cli.ts', 'invite', '--unit', 'PGD-DALAT'], env);
    expect(invite.code).toBe(0);
    const fresh = /\(PGD-DALAT\): ([A-Z2-9]{4}-[A-Z2-9]{4})$/m.exec(invite.stdout)?.[1];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(demoCode);

    const nope = await run(['npx', 'tsx', 'cli.ts', 'invite', '--unit', 'NOPE'], env);
    expect(nope.code).toBe(1);
    expect(nope.stderr).toContain('NOPE');
    expect(nope.stdout).toBe('');
  }, 120_000);
});
