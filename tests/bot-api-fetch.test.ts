import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Api, HttpError, InputFile, type ApiClientOptions } from 'grammy';
import { botApiFetch } from '../bot/telegram/fetch';
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
