import { afterEach, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { displayInviteCode } from '../domain/invite-code';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-server';
import { startFakeZalo, zaloTextUpdate, type FakeZalo } from './fakes/zalo-server';
import { freePort, ZALO_TOKEN } from './helpers/channels';
import { closeDeps, makeDeps, seed, tempDir } from './helpers/harness';

/**
 * bot/main.ts as an operator runs it: a real process (node with the tsx loader, as `npm start` runs it)
 * against the fake Telegram and Zalo servers, in each combination of polling and webhook. People chat
 * with it on both channels; then it gets SIGTERM while long polls are pending and must stop by itself,
 * promptly, with exit code 0, its HTTP port closed, and no token anywhere in its output.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));

let tg: FakeTelegram | undefined;
let zalo: FakeZalo | undefined;
let child: ChildProcess | undefined;
let tmp: ReturnType<typeof tempDir> | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await tg?.close();
  await zalo?.close();
  tmp?.cleanup();
  tg = zalo = child = tmp = undefined;
});

async function until(cond: () => boolean, what: string, output: () => string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function runMain(modes: { telegram: 'polling' | 'webhook'; zalo: 'polling' | 'webhook' }): Promise<void> {
  tmp = tempDir('baocao-main-');
  const dbPath = `${tmp.dir}/bot.db`;
  // Seeded on the machine's clock, the one the bot process runs on (invite codes expire).
  const deps = makeDeps(dbPath, () => new Date());
  const demo = seed(deps);
  closeDeps(deps);
  const codeOf = (unit: string) => displayInviteCode(demo.units.find((u) => u.unit.code === unit)!.invite.code);

  // Long polls held for 30 s: SIGTERM must cut them short rather than wait for them.
  tg = await startFakeTelegram({ longPollCapMs: 30_000 });
  zalo = await startFakeZalo({ token: ZALO_TOKEN, requireHttpsWebhook: false, maxPollMs: 30_000 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_PATH: dbPath,
    OUTPUT_DIR: `${tmp.dir}/out`,
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.apiRoot,
    TELEGRAM_MODE: modes.telegram,
    ZALO_BOT_TOKEN: ZALO_TOKEN,
    ZALO_API_ROOT: zalo.apiRoot,
    ZALO_MODE: modes.zalo,
    PUBLIC_URL: base,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    LOG_LEVEL: 'debug',
  };
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const output = () => out;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));

  const ready = [
    'http server listening',
    'reminder scheduler started',
    modes.telegram === 'webhook' ? 'telegram webhook set' : 'telegram polling started',
    modes.zalo === 'webhook' ? 'zalo webhook set' : 'zalo polling started',
  ];
  await until(() => ready.every((m) => out.includes(m)), 'start-up', output);
  expect((await fetch(`${base}/healthz`)).status).toBe(200);

  // A principal on each channel links their account.
  const tgStart = tg.makeTextUpdate(9101, `/start ${codeOf('PGD-DALAT')}`);
  if (modes.telegram === 'webhook') expect((await tg.postUpdateToWebhook(tg.webhook!.url, tgStart, tg.webhook!.secret_token)).status).toBe(200);
  else tg.pushRaw(tgStart);
  expect(await tg.waitForMessage(9101, (t) => t.includes('Đã liên kết'), 10_000)).toContain('Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
  const zStart = zaloTextUpdate({ chatId: 'zl-main', text: codeOf('THPT-THANGLONG') });
  if (modes.zalo === 'webhook') expect((await zalo.deliverWebhook(zStart)).status).toBe(200);
  else zalo.pushUpdate(zStart);
  const linked = await zalo.waitFor((c) => c.method === 'sendMessage' && c.body.chat_id === 'zl-main', 10_000);
  expect(String(linked.body.text)).toContain('Đã liên kết tài khoản với Trường THPT Chuyên Thăng Long');

  // Let the pollers settle into a pending long poll, then stop the bot as a service manager would.
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  proc.kill('SIGTERM');
  const result = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 8_000))]);
  expect(result, output()).toEqual({ code: 0, signal: null });
  expect(Date.now() - t0).toBeLessThan(5_000);
  expect(out).toContain('"msg":"stopping"');
  await expect(fetch(`${base}/healthz`)).rejects.toThrow();

  for (const secret of [tg.token, ZALO_TOKEN, ZALO_TOKEN.split(':')[1]!, tg.token.split(':')[1]!]) expect(out).not.toContain(secret);
  expect(out).not.toMatch(/"level":"error"/);
}

describe('bot/main.ts in a real process', () => {
  test('Telegram polling + Zalo webhook: starts, serves both, stops on SIGTERM with exit 0', async () => {
    await runMain({ telegram: 'polling', zalo: 'webhook' });
  }, 60_000);

  test('Telegram webhook + Zalo polling: starts, serves both, stops on SIGTERM with exit 0', async () => {
    await runMain({ telegram: 'webhook', zalo: 'polling' });
  }, 60_000);
});
