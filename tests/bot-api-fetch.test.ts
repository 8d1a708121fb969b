import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Api, HttpError, InputFile, type ApiClientOptions } from 'grammy';
import { botApiFetch, directJsonCalls } from '../bot/telegram/fetch';
import { installTelegramOutbox } from '../bot/outbox/telegram';
import { startFakeTelegram } from './fakes/telegram-server';

/**
 * The bot's Bot API transport (node's http client in place of grammY's node-fetch): the same calls, the
 * same uploads, and every way a call can fail ends as grammY's HttpError, so the sender and the retries
 * treat it as before.
 */

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const apiAt = (apiRoot: string, token = '123456:test-token', timeoutSeconds?: number) =>
  new Api(token, { apiRoot, fetch: botApiFetch as unknown as ApiClientOptions['fetch'], ...(timeoutSeconds ? { timeoutSeconds } : {}) });

/** A server answering every request with `answer`; returns its root and the requests it saw. */
async function server(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ root: string; seen: () => number; closed: () => number }> {
  let seen = 0;
  let closed = 0;
  const sockets = new Set<import('node:net').Socket>();
  const s = http.createServer((req, res) => {
    seen++;
    answer(req, res);
  });
  s.on('connection', (c) => {
    sockets.add(c);
    c.on('close', () => (sockets.delete(c), closed++));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    for (const c of sockets) c.destroy();
    return new Promise((r) => s.close(r));
  });
  return { root: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen: () => seen, closed: () => closed };
}

describe('the Bot API transport', () => {
  it('sends texts with keyboards and uploads files byte for byte', async () => {
    const tg = await startFakeTelegram();
    cleanups.push(() => tg.close());
    const api = apiAt(tg.apiRoot, tg.token);
    const sent = await api.sendMessage(42, 'Câu 3. Số lượt tin bài đã đăng?', { reply_markup: { inline_keyboard: [[{ text: 'Bỏ qua', callback_data: 'skip' }]] } });
    expect(sent.text).toBe('Câu 3. Số lượt tin bài đã đăng?');
    expect(tg.callsOf('sendMessage')[0]?.body.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Bỏ qua', callback_data: 'skip' }]] });

    const bytes = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(300_000, 7), Buffer.from([0, 255, 13, 10])]);
    const doc = await api.sendDocument(42, new InputFile(bytes, 'Báo cáo 6 tháng.docx'), { caption: 'Dự thảo' });
    expect(doc.document?.file_name).toBe('Báo cáo 6 tháng.docx');
    expect(tg.documentsTo(42)[0]?.bytes.equals(bytes)).toBe(true);
    expect(tg.documentsTo(42)[0]?.caption).toBe('Dự thảo');
  });

  it('a call that gets no answer in time is abandoned, its connection closed, and reported as an HttpError', async () => {
    const { root, seen, closed } = await server(() => undefined);
    const started = Date.now();
    const err = await apiAt(root, undefined, 1).getMe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(String((err as HttpError).error)).toMatch(/timed out after 1 seconds/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(seen()).toBe(1);
    await expect.poll(closed).toBe(1);
  });

  it('an answer that is not JSON (a proxy error page), a refused connection: HttpError, nothing thrown elsewhere', async () => {
    const { root } = await server((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    });
    expect(await apiAt(root).getMe().catch((e: unknown) => e)).toBeInstanceOf(HttpError);

    const closed = await server(() => undefined);
    const port = new URL(closed.root).port;
    await cleanups.pop()?.();
    const refused = await apiAt(`http://127.0.0.1:${port}`).getMe().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
  });

  it('Telegram refusing a call is grammY’s GrammyError with its code, as with the default transport', async () => {
    const tg = await startFakeTelegram();
    cleanups.push(() => tg.close());
    const err = await apiAt(tg.apiRoot, tg.token).sendMessage(42, '').catch((e: unknown) => e);
    expect(err).toMatchObject({ error_code: 400 });
  });
});

describe('the calls made for every answer, sent past grammY’s own last step', () => {
  const directApiAt = (apiRoot: string, token = '123456:test-token', timeoutSeconds?: number) => {
    const api = apiAt(apiRoot, token, timeoutSeconds);
    api.config.use(directJsonCalls(apiRoot, token, timeoutSeconds));
    return api;
  };

  it('Telegram receives the same requests as through grammY, and the same answers come back', async () => {
    const tg = await startFakeTelegram();
    cleanups.push(() => tg.close());
    const keyboard = { inline_keyboard: [[{ text: 'Bỏ qua', callback_data: '/boqua' }, { text: 'Quay lại', callback_data: '/quaylai' }], [{ text: 'Mở biểu mẫu', web_app: { url: 'https://so.example/form?t=1' } }]] };
    const text = 'Câu 12/40. Số lượt đoàn vào trong kỳ (kỳ trước: 1.593)?';
    const viaGrammy = await apiAt(tg.apiRoot, tg.token).sendMessage(42, text, { reply_markup: keyboard });
    const direct = await directApiAt(tg.apiRoot, tg.token).sendMessage(42, text, { reply_markup: keyboard });
    const [first, second] = tg.callsOf('sendMessage');
    expect(second?.body).toEqual(first?.body);
    expect(direct.text).toBe(viaGrammy.text);
    expect(direct.reply_markup).toEqual(viaGrammy.reply_markup);
    expect(direct.message_id).toBe(viaGrammy.message_id + 1);
    await directApiAt(tg.apiRoot, tg.token).sendChatAction(42, 'typing');
    expect(tg.callsOf('sendChatAction')).toHaveLength(1);
    // A refusal is still grammY's GrammyError with Telegram's code.
    expect(await directApiAt(tg.apiRoot, tg.token).sendMessage(42, '').catch((e: unknown) => e)).toMatchObject({ error_code: 400 });
  });

  it('a silent server, a refused connection, an answer that is not JSON: HttpError naming the method, never the token', async () => {
    const token = '123456:secret-token-never-logged';
    const silent = await server(() => undefined);
    const started = Date.now();
    const timedOut = await directApiAt(silent.root, token, 1).sendMessage(42, 'x').catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(HttpError);
    expect(String((timedOut as HttpError).error)).toMatch(/timed out after 1 seconds/);
    expect(Date.now() - started).toBeLessThan(5000);
    await expect.poll(silent.closed).toBe(1);

    const proxy = await server((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    });
    const notJson = await directApiAt(proxy.root, token).sendMessage(42, 'x').catch((e: unknown) => e);
    expect(notJson).toBeInstanceOf(HttpError);

    const gone = await server(() => undefined);
    const port = new URL(gone.root).port;
    await cleanups.pop()?.();
    const refused = await directApiAt(`http://127.0.0.1:${port}`, token).sendMessage(42, 'x').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    for (const err of [timedOut, notJson, refused]) {
      expect((err as HttpError).message).toBe("Network request for 'sendMessage' failed!");
      expect(`${String(err)} ${String((err as HttpError).error)} ${JSON.stringify(err)}`).not.toContain('secret-token');
    }
  });

  it('an API root behind a path (a reverse proxy) keeps its path', async () => {
    const paths: string[] = [];
    const proxy = await server((req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result: true }));
    });
    await directApiAt(`${proxy.root}/telegram/api`, '123456:test-token').sendChatAction(42, 'typing');
    expect(paths).toEqual(['/telegram/api/bot123456:test-token/sendChatAction']);
  });

  it('the outgoing queue’s retries still apply: a 429 is waited out, a lost connection tried again', async () => {
    let calls = 0;
    const flaky = await server((req, res) => {
      calls++;
      if (calls === 1) return void res.destroy();
      const body = calls === 2 ? { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } : { ok: true, result: { message_id: 7, date: 0, chat: { id: 42, type: 'private' }, text: 'x' } };
      req.resume();
      res.writeHead(body.ok ? 200 : 429, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    const api = apiAt(flaky.root);
    api.config.use(directJsonCalls(flaky.root, '123456:test-token'));
    installTelegramOutbox(api, undefined, false);
    const sent = await api.sendMessage(42, 'x');
    expect(sent.message_id).toBe(7);
    expect(calls).toBe(3);
  });
});
