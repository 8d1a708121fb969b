import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-server';
import { freePort } from './helpers/channels';
import { tempDir } from './helpers/harness';

/**
 * The compiled program run the way the README says: `npm run build` once (the test's set-up; `npm start`
 * runs it as its prestart step on a real machine), then `npm start` on a fresh database, with plain node
 * and no transpiler. It must answer through the fake Bot API, stop with exit code 0 on SIGTERM and on
 * SIGINT sent to npm (npm passes them on to the bot), also in console mode, and let the CLI take a
 * consistent backup while it answers, and refuse a restore under it.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

let tg: FakeTelegram | undefined;
let child: ChildProcess | undefined;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  await run('npm', ['run', 'build', '--silent'], { cwd: ROOT, timeout: 240_000 });
}, 250_000);
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await tg?.close();
  tmp?.cleanup();
  tg = child = undefined;
});
afterAll(() => undefined);

function baseEnv(dir: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_PATH: `${dir}/data/baocao.db`, OUTPUT_DIR: `${dir}/out`, LOG_LEVEL: 'info' };
}

/** `npm run cli -- …` without its prestart build (done once above). */
async function cli(env: Record<string, string>, ...args: string[]) {
  return run('npm', ['run', 'cli', '--ignore-scripts', '--silent', '--', ...args], { cwd: ROOT, env, timeout: 60_000 });
}

interface Started {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  write: (line: string) => void;
}

/** `npm start` as the README runs it (its prestart build skipped: the build is this file's set-up). */
function npmStart(env: Record<string, string>): Started {
  const proc = spawn('npm', ['start', '--ignore-scripts', '--silent'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  child = proc;
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  return { proc, output: () => out, exited, write: (line) => proc.stdin!.write(line + '\n') };
}

async function until(cond: () => boolean, what: string, output: () => string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sends the signal to npm, as a service manager or Ctrl-C would reach it, and expects a clean stop. */
async function stopWith(s: Started, signal: NodeJS.Signals): Promise<void> {
  s.proc.kill(signal);
  const result = await Promise.race([s.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
  expect(result, s.output()).toEqual({ code: 0, signal: null });
}

async function telegramBot(dir: string): Promise<Record<string, string>> {
  tg = await startFakeTelegram({ longPollCapMs: 30_000 });
  const port = await freePort();
  return { ...baseEnv(dir), TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) };
}

describe('the compiled program, started the README’s way', () => {
  test('the README’s run command is npm install && npm start; start runs the compiled bot with plain node after a build', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(readFileSync(`${ROOT}/README.md`, 'utf8')).toContain('```sh\nnpm install && npm start\n```');
    expect(pkg.scripts.prestart).toBe('node scripts/build.mjs');
    expect(pkg.scripts.start).toBe('exec node --max-semi-space-size=8 --heap-growing-percent=50 dist/bot/main.js');
    expect(pkg.dependencies.tsx).toBeUndefined();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`Telegram, fresh database: answers /start CODE, exits 0 on ${signal}`, async () => {
      tmp = tempDir('baocao-prod-');
      const env = await telegramBot(tmp.dir);
      const invite = await cli(env, 'office', 'invite');
      const code = /Mã mời Văn phòng Sở: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(invite.stdout)![1]!;
      const bot = npmStart(env);
      await until(() => bot.output().includes('telegram polling started'), 'start-up', bot.output);
      tg!.pushText(7001, `/start ${code}`);
      expect(await tg!.waitForMessage(7001, (t) => t.includes('Văn phòng Sở'), 15_000)).toMatch(/liên kết/);
      // The compiled program finds the files that sit beside its compiled code (the form page's script).
      const script = await fetch(`http://127.0.0.1:${env.HTTP_PORT}/form/static/form.js`);
      expect(script.status).toBe(200);
      expect(await script.text()).toBe(readFileSync(`${ROOT}/bot/http/static/form.js`, 'utf8'));
      await stopWith(bot, signal);
      expect(bot.output()).toContain('"msg":"stopping"');
    }, 90_000);

    test(`console, fresh database: answers /start CODE, exits 0 on ${signal}`, async () => {
      tmp = tempDir('baocao-prod-');
      const bot = npmStart(baseEnv(tmp.dir));
      await until(() => bot.output().includes('[hieutruong]>'), 'the console prompt', bot.output);
      const code = /^ {2}([A-Z0-9]{4}-[A-Z0-9]{4}) {2}Trường THPT Bùi Thị Xuân$/m.exec(bot.output())![1]!;
      bot.write(`/start ${code}`);
      await until(() => bot.output().includes('Đã liên kết'), 'the answer', bot.output);
      await stopWith(bot, signal);
    }, 90_000);
  }

  test('a Zalo webhook with an http:// PUBLIC_URL is refused at start, naming the variable', async () => {
    tmp = tempDir('baocao-prod-');
    const env = { ...baseEnv(tmp.dir), ZALO_BOT_TOKEN: '1234567890:abcdefghijklmnop', ZALO_MODE: 'webhook', PUBLIC_URL: 'http://baocao.sogd.example.vn' };
    const failed = await run(process.execPath, ['dist/bot/main.js'], { cwd: ROOT, env, timeout: 30_000 }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/PUBLIC_URL: (ZALO_MODE=webhook needs an https:\/\/ address|must be https)/);
  });

  test('backup while the bot answers: the copy is sound and holds every answer committed before it began; restore refuses', async () => {
    tmp = tempDir('baocao-prod-');
    const env = await telegramBot(tmp.dir);
    // The demo province always has an open period to fill in.
    const demo = await cli(env, 'demo');
    const code = /^PGD-DALAT\t([A-Z0-9]{4}-[A-Z0-9]{4})\t/m.exec(demo.stdout)![1]!;
    const bot = npmStart(env);
    await until(() => bot.output().includes('telegram polling started'), 'start-up', bot.output);
    tg!.pushText(7002, `/start ${code}`);
    await tg!.waitForMessage(7002, (t) => t.includes('Đã liên kết'), 15_000);
    tg!.pushText(7002, '/nhap');
    await tg!.waitForMessage(7002, () => true, 15_000);

    // The principal keeps answering during the backup.
    let answering = true;
    const answered = (async () => {
      for (let i = 0; answering && i < 200; i++) {
        tg!.pushText(7002, String(10 + i));
        await tg!.waitForMessage(7002, () => true, 15_000).catch(() => undefined);
      }
    })();
    const dbPath = env.DATABASE_PATH!;
    const count = () => {
      const db = new Database(dbPath, { readonly: true });
      try {
        return db.prepare('select id from answers').all().map((r) => (r as { id: number }).id);
      } finally {
        db.close();
      }
    };
    await until(() => count().length >= 3, 'a few answers', bot.output);
    const before = count();
    const copy = `${tmp.dir}/sao-luu/ban.db`;
    const backup = await cli(env, 'backup', '--out', copy);
    expect(backup.stdout).toMatch(/^Đã sao lưu lúc \d{2}:\d{2} ngày/);

    const refused = await cli(env, 'restore', copy).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^Lỗi: bot đang chạy trên cơ sở dữ liệu này \(tiến trình \d+/);
    answering = false;
    await answered;

    const db = new Database(copy, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const inCopy = new Set(db.prepare('select id from answers').all().map((r) => (r as { id: number }).id));
      expect(before.every((id) => inCopy.has(id))).toBe(true);
    } finally {
      db.close();
    }
    expect(count().length).toBeGreaterThan(before.length);
    await stopWith(bot, 'SIGTERM');
  }, 120_000);
});
