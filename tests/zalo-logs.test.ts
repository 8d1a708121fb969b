import { afterEach, describe, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../bot/http/runtime';
import { createLogger, redactInLogs } from '../log';
import type { AppDeps } from '../handlers/types';
import { startFakeZalo, zaloTextUpdate, type FakeZalo } from './fakes/zalo-server';
import { freePort } from './helpers/channels';
import { closeDeps, makeDeps, seed, tempDir } from './helpers/harness';

/**
 * The Zalo token never reaches a log line: the whole runtime (client, poller, intake, channel) runs
 * against a fake platform that fails in every way it can, with messages quoting the token (as a proxy's
 * error page quoting the request path would), and every line written is checked. The logger itself cuts
 * out registered secrets in every spelling, as the last guard.
 */

const TOKEN = '7301928374:Zq8RmT3vLx9KpW2nYc5HbJ6dFs1Ga4Ue';
const SECRET_HALF = TOKEN.split(':')[1]!;

let fake: FakeZalo | undefined;
let runtime: Runtime | undefined;
let deps: AppDeps | undefined;
let tmp: ReturnType<typeof tempDir> | undefined;

afterEach(async () => {
  await runtime?.stop();
  await fake?.close();
  if (deps) closeDeps(deps);
  tmp?.cleanup();
  runtime = fake = deps = tmp = undefined;
});

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the Zalo token in logs', () => {
  test('no log line of the running bot holds the token, whatever the platform answers', async () => {
    tmp = tempDir();
    fake = await startFakeZalo({ token: TOKEN, maxPollMs: 200 });
    const port = await freePort();
    deps = makeDeps(`${tmp.dir}/bot.db`, undefined, {
      ZALO_BOT_TOKEN: TOKEN,
      ZALO_API_ROOT: fake.apiRoot,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ZALO_PER_CHAT_PER_SECOND: '100',
    });
    const lines: string[] = [];
    deps.log = createLogger('debug', (l) => lines.push(l));
    const demo = seed(deps);

    const quoting = `upstream failed for POST /bot${TOKEN}/getUpdates (token ${encodeURIComponent(TOKEN)}, secret ${SECRET_HALF})`;
    // Start-up: deleteWebhook refused (some platforms answer "no webhook set" so), quoting the token.
    fake.failNext('deleteWebhook', 'ok_false', { error_code: 404, description: quoting });
    // Polling: an ok:false quoting the token, then a 502 page quoting it (the poller backs off 1 s, then 2 s).
    fake.failNext('getUpdates', 'ok_false', { error_code: 400, description: quoting });
    fake.failNext('getUpdates', '5xx', { description: quoting });
    runtime = await startRuntime(deps);
    await until(() => lines.some((l) => l.includes('zalo polling started')), 'polling to start');
    await until(() => lines.filter((l) => l.includes('zalo getUpdates failed')).length >= 2, 'two failed polls');

    // A user writes; the reply is refused with a description quoting the token (and retried after a 5xx first).
    fake.failNext('sendMessage', '5xx', { json: true, description: quoting });
    fake.failNext('sendMessage', 'ok_false', { error_code: 400, description: quoting });
    fake.failNext('sendMessage', 'ok_false', { error_code: 400, description: quoting });
    fake.pushUpdate(zaloTextUpdate({ chatId: 'zl-log', text: demo.units[0]!.invite.code }));
    await until(() => lines.some((l) => l.includes('reply refused by the platform')), 'the failed reply to be logged');
    await runtime.idle();

    const text = lines.join('\n');
    expect(text).toContain('zalo deleteWebhook refused, polling anyway');
    expect(text).toContain('<redacted>');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET_HALF);
    expect(text).not.toContain(encodeURIComponent(TOKEN));
  }, 30_000);

  test('the logger cuts a registered secret out of every line, in every spelling', () => {
    const secret = '5550001112:Logger_Secret-Value_0123456789';
    redactInLogs(secret);
    const lines: string[] = [];
    const log = createLogger('debug', (l) => lines.push(l));
    log.error(`GET https://example.invalid/bot${secret}/getMe failed`, {
      err: new Error(`connect ECONNREFUSED for /bot${encodeURIComponent(secret)}/x`),
      half: `...${secret.split(':')[1]}...`,
      nested: { url: `/bot${secret}/sendMessage` },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('Logger_Secret-Value');
    expect(lines[0]).toContain('/bot<redacted>/getMe failed');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', nested: { url: '/bot<redacted>/sendMessage' } });
    // Short or empty values are not registered (they would eat ordinary words).
    redactInLogs('');
    redactInLogs('abc');
    log.info('abc and 12:30 stay');
    expect(lines[1]).toContain('abc and 12:30 stay');
  });
});
