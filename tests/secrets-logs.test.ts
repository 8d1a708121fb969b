import { afterEach, describe, expect, test } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { displayInviteCode } from '../domain/invite-code';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-server';
import { startFakeZalo, zaloTextUpdate, type FakeZalo } from './fakes/zalo-server';
import { freePort, ZALO_TOKEN } from './helpers/channels';
import { closeDeps, makeDeps, seed, tempDir } from './helpers/harness';
import { killAllBotProcesses, startBotProcess, until } from './helpers/bot-process';

/**
 * bot/main.ts in a real process, with one platform failing in the ways that used to print the token
 * (connection refused, a 502 page quoting the request path, invalid JSON quoting it, a Zalo API down at
 * start): no byte of stdout or stderr holds a token or a webhook secret in any spelling, every stderr line
 * is one JSON object, and the other channel keeps answering.
 */

const TG_TOKEN = '7012345678:AAH-SecretTelegramTokenForLogTests_0123';
const TG_SECRET = 'tg-webhook-secret-for-log-tests-0123456789';
const ZALO_SECRET = 'zalo-webhook-secret-for-log-tests-9876543210';

const spellings = (s: string) => {
  const half = s.includes(':') ? [s.split(':')[1]!] : [];
  return [s, encodeURIComponent(s), ...half, ...half.map(encodeURIComponent)];
};

let tmp: ReturnType<typeof tempDir> | undefined;
let tg: FakeTelegram | undefined;
let zalo: FakeZalo | undefined;
let broken: http.Server | undefined;

afterEach(async () => {
  await killAllBotProcesses();
  await tg?.close();
  await zalo?.close();
  await new Promise<void>((r) => (broken ? broken.close(() => r()) : r()));
  tmp?.cleanup();
  tmp = tg = zalo = broken = undefined;
});

/** A Bot API that answers every call badly, quoting the request path (token included), as a proxy would. */
async function brokenApi(kind: '502' | 'invalid-json'): Promise<string> {
  broken = http.createServer((req, res) => {
    req.resume();
    if (kind === '502') {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(`<html><body>502 Bad Gateway: upstream failed for ${req.url} (${decodeURIComponent(req.url ?? '')})</body></html>`);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"ok":tru, "path": "${req.url}" ${decodeURIComponent(req.url ?? '')}`);
    }
  });
  await new Promise<void>((r) => broken!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
}

/** An address where nothing listens: every call is refused. */
async function refusedRoot(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

interface Case {
  name: string;
  failing: 'telegram' | 'zalo';
  api: () => Promise<string>;
}

const CASES: Case[] = [
  { name: 'the Telegram API refuses connections; Zalo keeps answering', failing: 'telegram', api: refusedRoot },
  { name: 'the Telegram API answers 502 quoting the token; Zalo keeps answering', failing: 'telegram', api: () => brokenApi('502') },
  { name: 'the Telegram API answers invalid JSON quoting the token; Zalo keeps answering', failing: 'telegram', api: () => brokenApi('invalid-json') },
  { name: 'the Zalo API is down at start; Telegram keeps answering', failing: 'zalo', api: refusedRoot },
];

describe('no secret in any output byte, whatever fails; the other channel goes on', () => {
  test.each(CASES)('$name', async (c) => {
    tmp = tempDir('baocao-secrets-');
    const dbPath = `${tmp.dir}/bot.db`;
    const deps = makeDeps(dbPath, () => new Date());
    const demo = seed(deps);
    closeDeps(deps);
    const code = displayInviteCode(demo.units[0]!.invite.code);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      DATABASE_PATH: dbPath,
      OUTPUT_DIR: `${tmp.dir}/out`,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      PUBLIC_URL: base,
      LOG_LEVEL: 'debug',
      TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
      ZALO_WEBHOOK_SECRET: ZALO_SECRET,
      ZALO_BOT_TOKEN: ZALO_TOKEN,
      ZALO_MODE: 'webhook',
    };
    if (c.failing === 'telegram') {
      zalo = await startFakeZalo({ token: ZALO_TOKEN, requireHttpsWebhook: false, maxPollMs: 500 });
      Object.assign(env, { TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_API_ROOT: await c.api(), TELEGRAM_MODE: 'polling', ZALO_API_ROOT: zalo.apiRoot });
    } else {
      tg = await startFakeTelegram({ token: TG_TOKEN });
      Object.assign(env, { TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'webhook', ZALO_API_ROOT: await c.api() });
    }
    const bot = startBotProcess(env);
    // The failing channel has failed, said so, and is retrying.
    await bot.waitFor(`${c.failing} set-up failed, retrying`, 90_000);

    // The other channel answers.
    if (c.failing === 'telegram') {
      await until(() => zalo!.webhook.url !== undefined, 'the Zalo webhook', 60_000, bot.output);
      expect((await zalo!.deliverWebhook(zaloTextUpdate({ chatId: 'zl-sec', text: code }))).status).toBe(200);
      const reply = await zalo!.waitFor((x) => x.method === 'sendMessage' && x.body.chat_id === 'zl-sec', 30_000);
      expect(String(reply.body.text)).toContain('Đã liên kết');
    } else {
      await until(() => tg!.webhook !== null, 'the Telegram webhook', 60_000, bot.output);
      const res = await tg!.postUpdateToWebhook(tg!.webhook!.url, tg!.makeTextUpdate(5151, `/start ${code}`), TG_SECRET);
      expect(res.status).toBe(200);
      expect(await tg!.waitForMessage(5151, (t) => t.includes('Đã liên kết'), 30_000)).toContain('Đã liên kết');
    }
    const health = (await (await fetch(`${base}/healthz`)).json()) as { ok: boolean; channels: Record<string, { state: string; failures: number }> };
    expect(health.ok).toBe(true);
    expect(health.channels[c.failing]!.state).toBe('retrying');
    expect(health.channels[c.failing === 'telegram' ? 'zalo' : 'telegram']!.state).toBe('running');

    bot.kill('SIGTERM');
    expect((await bot.exited).code, bot.output()).toBe(0);
    const out = bot.output();
    for (const secret of [TG_TOKEN, ZALO_TOKEN, TG_SECRET, ZALO_SECRET]) for (const s of spellings(secret)) expect(out, `a spelling of a secret: ${s.slice(0, 6)}…`).not.toContain(s);
    expect(bot.stdout()).toBe('');
    const lines = bot.stderr().split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
  }, 180_000);
});
