import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allCommands, menuCommands } from '../handlers/commands';
import { parseCommand } from '../handlers/parse-command';
import { handleIncoming } from '../handlers/router';
import type { AppDeps, Incoming } from '../handlers/types';
import { loadConfig } from '../config';
import { silentLogger } from '../log';
import { closeDatabase, openDatabase } from '../storage/db';
import { seedDemo, type DemoSeed } from '../storage/demo-seed';
import { FLOW_COMMANDS } from '../domain/conversation';

const NOW = new Date('2026-05-01T03:00:00Z'); // 2026-H1 open
const VIETNAMESE = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;

describe('the command table', () => {
  const specs = allCommands();

  it('has unique names, each with a usage starting with its name and a Vietnamese description', () => {
    expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
    for (const s of specs) {
      expect(s.usage.startsWith(`/${s.name}`), s.name).toBe(true);
      expect(s.description.trim().length, s.name).toBeGreaterThan(0);
      expect(s.description, s.name).toMatch(VIETNAMESE);
      expect(Boolean(s.run) !== Boolean(s.runAsync), `${s.name}: exactly one of run/runAsync`).toBe(true);
    }
  });

  it('contains every command of the issue, and every flow command of the engine', () => {
    const names = specs.map((s) => s.name);
    for (const n of ['start', 'nhap', 'xem', 'sua', 'boqua', 'quaylai', 'xacnhan', 'huy', 'trogiup']) expect(names).toContain(n);
    for (const n of FLOW_COMMANDS) expect(names).toContain(n);
    expect(names.at(-1)).toBe('trogiup');
  });

  it.each(['contact', 'office'] as const)("menuCommands('%s') passes Telegram's setMyCommands rules", (audience) => {
    const menu = menuCommands(audience);
    expect(menu.length).toBeGreaterThan(0);
    expect(menu.length).toBeLessThanOrEqual(100);
    for (const c of menu) {
      expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(c.description.length).toBeGreaterThanOrEqual(1);
      expect(c.description.length).toBeLessThanOrEqual(256);
    }
  });

  it("menuCommands('contact') leaves out office commands; 'office' has them all", () => {
    const office = specs.filter((s) => s.audience === 'office').map((s) => s.name);
    const contact = menuCommands('contact').map((c) => c.command);
    for (const n of office) expect(contact).not.toContain(n);
    expect(contact).toEqual(specs.filter((s) => s.audience !== 'office').map((s) => s.name));
    expect(menuCommands('office').map((c) => c.command)).toEqual(specs.map((s) => s.name));
  });
});

describe('parseCommand', () => {
  it.each([
    ['/sua@bot 5', { name: 'sua', arg: '5' }],
    ['/sua@baocao_so_bot   12 ', { name: 'sua', arg: '12' }],
    ['/NHAP', { name: 'nhap', arg: '' }],
    ['/start  abcd-efgh', { name: 'start', arg: 'abcd-efgh' }],
    ['  /start ABCD EFGH  ', { name: 'start', arg: 'ABCD EFGH' }],
    ['/start\nABCD-EFGH', { name: 'start', arg: 'ABCD-EFGH' }],
    ['/nhap 2026-h1', { name: 'nhap', arg: '2026-h1' }],
    // Phone keyboards add accents: still the command, never an answer.
    ['/nhập', { name: 'nhap', arg: '' }],
    ['/Sửa 3', { name: 'sua', arg: '3' }],
    ['/xác', { name: 'xac', arg: '' }],
    ['/nha\u0323p', { name: 'nhap', arg: '' }], // decomposed (NFD) input
  ])('%j → %j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });

  it.each(['12', 'không', '1/2', '/', '/ nhap', 'nhap', '', '   ', 'a /nhap', '/nhap@', `/${'a'.repeat(33)}`])('%j is not a command', (text) => {
    expect(parseCommand(text)).toBeNull();
  });
});

describe('/trogiup and the router', () => {
  let dir: string;
  let deps: AppDeps;
  let seed: DemoSeed;
  let update = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baocao-commands-'));
    const config = loadConfig({ DATABASE_PATH: join(dir, 'bot.db') });
    deps = { db: openDatabase(config.databasePath), config, log: silentLogger, clock: () => NOW };
    seed = seedDemo(deps.db, NOW, config.calendar);
  });
  afterAll(() => {
    closeDatabase(deps.db);
    rmSync(dir, { recursive: true, force: true });
  });

  const send = async (userId: string, text: string) => {
    const msg: Incoming = { channel: 'telegram', updateKey: String(++update), userId, displayName: 'Cô Lan', event: { kind: 'text', text } };
    return (await handleIncoming(deps, msg)).map((r) => r.text).join('\n');
  };

  it('lists the usage and description of every non-office command, for a stranger too', async () => {
    const text = await send('stranger', '/trogiup');
    expect(text).toContain('HƯỚNG DẪN SỬ DỤNG');
    for (const s of allCommands().filter((c) => c.audience !== 'office')) expect(text).toContain(`${s.usage} — ${s.description}`);
    for (const s of allCommands().filter((c) => c.audience === 'office')) expect(text).not.toContain(`${s.usage} —`);
  });

  it('a bound contact sees the same help; an office account also sees the office commands', async () => {
    const code = seed.units[0]!.invite.code;
    expect(await send('principal', `/start ${code.toLowerCase()}`)).toContain('Đã liên kết tài khoản với');
    const contactHelp = await send('principal', '/trogiup');
    for (const s of allCommands().filter((c) => c.audience !== 'office')) expect(contactHelp).toContain(s.usage);

    expect(await send('office', `/start ${seed.officeInvite.code}`)).toContain('Văn phòng Sở');
    const officeHelp = await send('office', '/trogiup');
    const office = allCommands().filter((c) => c.audience === 'office');
    for (const s of office) expect(officeHelp).toContain(`${s.usage} — ${s.description}`);
    if (office.length) expect(officeHelp).toContain('Lệnh dành cho Văn phòng Sở');
  });

  it('an unknown command gets a short Vietnamese explanation', async () => {
    expect(await send('principal', '/abc')).toContain('Không có lệnh /abc. Gõ /trogiup');
  });

  it('a command typed with accents works like the plain one', async () => {
    const text = await send('principal', '/nhập');
    expect(text).toContain('Câu 1/');
    // ...and an accented unknown command is refused, not taken as the answer to the question now asked.
    expect(await send('principal', '/xác_nhận')).toContain('Không có lệnh /xac_nhan');
    expect(await send('principal', '/Xém')).toContain('BÁO CÁO 6 THÁNG ĐẦU NĂM 2026');
  });

  it('contact commands need a bound account', async () => {
    expect(await send('stranger2', '/nhap')).toContain('chưa được liên kết');
  });
});

describe('the README user guide', () => {
  it('lists every command of the table in the Vietnamese "Hướng dẫn sử dụng"', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const guide = readme.slice(readme.indexOf('## Hướng dẫn sử dụng'));
    expect(guide.length).toBeGreaterThan(100);
    const missing = allCommands().filter((c) => !new RegExp(`\`/${c.name}[\\s\`]`).test(guide)).map((c) => c.name);
    expect(missing).toEqual([]);
  });
});
