import http from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { answers, contacts, inbox, processedUpdates } from '../storage/schema';
import { zaloTextUpdate } from './fakes/zalo-server';
import { startApp, telegramChat, zaloChat, type App } from './helpers/channels';

/**
 * Forged webhook calls are refused before they can change anything: the inbox, the answers, the contacts
 * and the de-duplication marks stay exactly as they were, and the bot says nothing. A repeated delivery
 * is acknowledged and handled once.
 */

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const ONE_MB = 1024 * 1024;

function snapshot(a: App) {
  const { db } = a.deps;
  return {
    inbox: db.select().from(inbox).all().length,
    answers: db.select().from(answers).all().length,
    contacts: db.select().from(contacts).all().length,
    processed: db.select().from(inbox).all().filter((r) => r.processedAt !== null).length + db.select().from(processedUpdates).all().length,
    zaloSends: a.zalo?.sent.filter((c) => c.method === 'sendMessage').length ?? 0,
    telegramSends: a.tg?.sent.filter((c) => c.method === 'sendMessage').length ?? 0,
  };
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}

/** A body streamed without Content-Length (chunked), so the cap must hold while reading. */
function postChunked(url: string, headers: Record<string, string>, chunks: number, chunk: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    let i = 0;
    const write = (): void => {
      while (i < chunks) {
        i++;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

/**
 * Sends the headers of a POST announcing a body, and never the body: the answer can only come from the
 * headers. Resolves with the status, or 'no answer' when none came within `ms`.
 */
function headersOnly(url: string, headers: Record<string, string>, ms = 3000): Promise<number | 'no answer'> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': '4096' } }, (res) => {
      res.resume();
      clearTimeout(timer);
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    const timer = setTimeout(() => {
      resolve('no answer');
      req.destroy();
    }, ms);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.flushHeaders();
  });
}

/** A bound Zalo contact who answered question 1, so "answers unchanged" means something. */
async function boundZaloUser(a: App, chatId: string): Promise<void> {
  const chat = zaloChat(a, chatId);
  await chat.send(`/start ${a.codeOf('PGD-DALAT')}`);
  await chat.expectReply('Đã liên kết');
  await chat.send('/nhap');
  await chat.expectReply('Câu 1/33');
  await chat.send('560');
  await chat.expectReply('Câu 2/33');
  await chat.settle();
}

describe('Zalo webhook: forged calls are refused and change nothing', () => {
  test('no secret, wrong secret, wrong content type, malformed JSON, a 1 MB body, not an update', async () => {
    app = await startApp({ zalo: 'webhook' });
    const a = app;
    await boundZaloUser(a, 'zl-victim');
    const url = `${a.baseUrl}/webhook/zalo`;
    const secret = a.zalo!.webhook.secret_token!;
    const json = { 'content-type': 'application/json' };
    // What an attacker would like to slip in: an answer on behalf of the bound contact.
    const forged = JSON.stringify(zaloTextUpdate({ chatId: 'zl-victim', text: '999' }));
    const before = snapshot(a);

    expect((await post(url, json, forged)).status).toBe(401);
    expect((await post(url, { ...json, 'x-bot-api-secret-token': 'not-the-secret' }, forged)).status).toBe(403);
    // Same length as the real secret, one character off.
    const nearMiss = (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);
    expect((await post(url, { ...json, 'x-bot-api-secret-token': nearMiss }, forged)).status).toBe(403);
    expect((await post(url, { ...json, 'x-bot-api-secret-token': '' }, forged)).status).toBe(403);
    const authed = { 'x-bot-api-secret-token': secret };
    expect((await post(url, { ...authed, 'content-type': 'text/plain' }, forged)).status).toBe(415);
    expect((await post(url, { ...authed, 'content-type': 'application/x-www-form-urlencoded' }, `payload=${encodeURIComponent(forged)}`)).status).toBe(415);
    expect((await post(url, authed, forged)).status).toBe(415); // fetch's default for a string: text/plain
    expect((await post(url, { ...authed, ...json }, forged.slice(0, -3))).status).toBe(400);
    expect((await post(url, { ...authed, ...json }, '{"ok":true,"result":{"hello":"world"}}')).status).toBe(400);
    expect((await post(url, { ...authed, ...json }, '[]')).status).toBe(400);

    const huge = JSON.stringify(zaloTextUpdate({ chatId: 'zl-victim', text: 'x'.repeat(ONE_MB) }));
    expect((await post(url, { ...authed, ...json }, huge)).status).toBe(413);
    expect(await postChunked(url, { ...authed, ...json }, 64, 'x'.repeat(16 * 1024))).toBe(413);
    // Without the secret, even a huge body is refused on the headers alone.
    expect((await post(url, json, huge)).status).toBe(401);
    // Only POST.
    expect((await fetch(url)).status).toBe(405);

    await a.runtime.idle();
    await new Promise((r) => setTimeout(r, 100));
    expect(snapshot(a)).toEqual(before);
    expect(a.answersOf('PGD-DALAT')).toEqual({ profile_institutions: 560 });

    // The real secret still works after all that.
    const ok = await post(url, { ...authed, ...json }, JSON.stringify(zaloTextUpdate({ chatId: 'zl-victim', text: '285 nghìn' })));
    expect(ok.status).toBe(200);
    await a.runtime.idle();
    expect(a.answersOf('PGD-DALAT')).toEqual({ profile_institutions: 560, profile_pupils: 285_000 });
  });

  test('a wrong secret or content type is refused on the headers alone, before any byte of the body', async () => {
    app = await startApp({ zalo: 'webhook' });
    const url = `${app.baseUrl}/webhook/zalo`;
    const secret = app.zalo!.webhook.secret_token!;
    const json = { 'content-type': 'application/json' };
    expect(await headersOnly(url, json)).toBe(401);
    expect(await headersOnly(url, { ...json, 'x-bot-api-secret-token': 'not-the-secret' })).toBe(403);
    expect(await headersOnly(url, { 'content-type': 'text/plain', 'x-bot-api-secret-token': secret })).toBe(415);
    // With everything right the server does wait for the body: the refusals above did not.
    expect(await headersOnly(url, { ...json, 'x-bot-api-secret-token': secret }, 500)).toBe('no answer');
  });

  test('a duplicated event (flat, then wrapped, then three at once) is handled once', async () => {
    app = await startApp({ zalo: 'webhook' });
    const a = app;
    await boundZaloUser(a, 'zl-dup');
    const fake = a.zalo!;
    const update = zaloTextUpdate({ chatId: 'zl-dup', text: '285 nghìn', messageId: 'dup-msg-0001' });
    const first = await fake.deliverWebhook(update);
    const second = await fake.deliverWebhook(update, { wrapped: true });
    const more = await Promise.all([1, 2, 3].map(() => fake.deliverWebhook(update)));
    expect([first, second, ...more].map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(JSON.parse(second.body)).toEqual({ ok: true, duplicate: true });
    await a.runtime.idle();

    const rows = a.deps.db.select().from(inbox).all().filter((r) => r.updateKey === 'message.text.received:dup-msg-0001');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.processedAt).not.toBeNull();
    expect(a.deps.db.select().from(answers).all().filter((r) => r.questionKey === 'profile_pupils')).toHaveLength(1);
    const asked = fake.sent.filter((c) => c.method === 'sendMessage' && String(c.body.text).includes('Câu 3/33'));
    expect(asked).toHaveLength(1);
  });

  test('a duplicated event by polling is handled once', async () => {
    app = await startApp({ zalo: 'polling' });
    const a = app;
    await boundZaloUser(a, 'zl-dup-poll');
    const fake = a.zalo!;
    const update = zaloTextUpdate({ chatId: 'zl-dup-poll', text: '285 nghìn', messageId: 'dup-msg-0002' });
    fake.pushUpdate(update);
    fake.pushUpdate(update);
    await zaloChat(a, 'zl-dup-poll').expectReply('Câu 3/33');
    while (fake.pendingUpdates() > 0) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    await a.runtime.idle();
    expect(a.deps.db.select().from(answers).all().filter((r) => r.questionKey === 'profile_pupils')).toHaveLength(1);
    expect(fake.sent.filter((c) => c.method === 'sendMessage' && String(c.body.text).includes('Câu 3/33'))).toHaveLength(1);
  });
});

describe('Telegram webhook: forged calls are refused and change nothing', () => {
  test('no secret, wrong secret, wrong content type, malformed JSON, a 1 MB body, not an update', async () => {
    app = await startApp({ telegram: 'webhook' });
    const a = app;
    const tg = a.tg!;
    const chat = telegramChat(a, 777);
    await chat.send(`/start ${a.codeOf('PGD-BAOLOC')}`);
    await chat.expectReply('Đã liên kết');
    await chat.settle();
    const url = `${a.baseUrl}/webhook/telegram`;
    const secret = tg.webhook!.secret_token!;
    const json = { 'content-type': 'application/json' };
    const forged = JSON.stringify(tg.makeTextUpdate(777, '/nhap'));
    const before = snapshot(a);

    expect((await post(url, json, forged)).status).toBe(401);
    expect((await post(url, { ...json, 'x-telegram-bot-api-secret-token': `${secret}x` }, forged)).status).toBe(401);
    const authed = { 'x-telegram-bot-api-secret-token': secret };
    expect((await post(url, { ...authed, 'content-type': 'text/plain' }, forged)).status).toBe(415);
    expect((await post(url, { ...authed, ...json }, '{"update_id": 12, "message": ')).status).toBe(400);
    expect((await post(url, { ...authed, ...json }, '{"message":{}}')).status).toBe(400);
    const huge = JSON.stringify(tg.makeTextUpdate(777, 'x'.repeat(ONE_MB)));
    expect((await post(url, { ...authed, ...json }, huge)).status).toBe(413);
    expect(await postChunked(url, { ...authed, ...json }, 64, 'x'.repeat(16 * 1024))).toBe(413);
    expect((await fetch(url)).status).toBe(405);

    await a.runtime.idle();
    await new Promise((r) => setTimeout(r, 100));
    expect(snapshot(a)).toEqual(before);
  });

  test('a wrong secret or content type is refused on the headers alone, before any byte of the body', async () => {
    app = await startApp({ telegram: 'webhook' });
    const url = `${app.baseUrl}/webhook/telegram`;
    const secret = app.tg!.webhook!.secret_token!;
    const json = { 'content-type': 'application/json' };
    expect(await headersOnly(url, json)).toBe(401);
    expect(await headersOnly(url, { ...json, 'x-telegram-bot-api-secret-token': `${secret}x` })).toBe(401);
    expect(await headersOnly(url, { 'content-type': 'text/plain', 'x-telegram-bot-api-secret-token': secret })).toBe(415);
    expect(await headersOnly(url, { ...json, 'x-telegram-bot-api-secret-token': secret }, 500)).toBe('no answer');
  });

  test('a duplicated update_id is handled once', async () => {
    app = await startApp({ telegram: 'webhook' });
    const a = app;
    const tg = a.tg!;
    const update = tg.makeTextUpdate(778, `/start ${a.codeOf('PGD-BAOLOC')}`);
    const url = tg.webhook!.url;
    const secret = tg.webhook!.secret_token;
    const results = await Promise.all([1, 2, 3].map(() => tg.postUpdateToWebhook(url, update, secret)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await a.runtime.idle();
    await tg.waitForIdle(50);
    expect(tg.messagesTo(778).filter((t) => t.includes('Đã liên kết'))).toHaveLength(1);
    expect(a.deps.db.select().from(inbox).all()).toHaveLength(1);
  });
});

/**
 * Posts with the right secret and trickles the body a byte every half second, as a slow or hostile client
 * would. Resolves with the status and how long after the first byte it came, and whether the server then
 * closed the connection.
 */
function trickle(url: string, headers: Record<string, string>): Promise<{ status: number; ms: number; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': '4096' } });
    const timer = setInterval(() => req.write('{'), 500);
    req.on('response', (res) => {
      const ms = Date.now() - started;
      clearInterval(timer);
      res.resume();
      const closed = new Promise<boolean>((r) => {
        req.socket?.once('close', () => r(true));
        setTimeout(() => r(req.socket?.destroyed ?? true), 2000);
      });
      void closed.then((c) => resolve({ status: res.statusCode ?? 0, ms, closed: c }));
    });
    req.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    req.flushHeaders();
  });
}

describe('a body that trickles in is cut off at the limit the README states', () => {
  test('Telegram and Zalo: 408 ten seconds after the request began, and the connection closed', async () => {
    app = await startApp({ telegram: 'webhook', zalo: 'webhook' });
    const before = snapshot(app);
    const json = { 'content-type': 'application/json' };
    const [tg, zl] = await Promise.all([
      trickle(`${app.baseUrl}/webhook/telegram`, { ...json, 'x-telegram-bot-api-secret-token': app.tg!.webhook!.secret_token! }),
      trickle(`${app.baseUrl}/webhook/zalo`, { ...json, 'x-bot-api-secret-token': app.zalo!.webhook.secret_token! }),
    ]);
    for (const r of [tg, zl]) {
      expect(r.status).toBe(408);
      expect(r.ms).toBeGreaterThanOrEqual(9_500);
      expect(r.ms).toBeLessThan(13_000);
      expect(r.closed).toBe(true);
    }
    expect(snapshot(app)).toEqual(before);
  }, 30_000);
});
