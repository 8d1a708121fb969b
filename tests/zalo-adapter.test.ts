import { afterEach, describe, expect, test } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../log';
import { ZaloClient } from '../bot/zalo/client';
import type { ZaloUpdate } from '../bot/zalo/types';
import { zaloToIncoming, zaloUpdateKey } from '../bot/zalo/adapter';
import { startZaloPolling } from '../bot/zalo/polling';
import { parseZaloUpdatePayload } from '../bot/zalo/client';
import { startFakeZalo, zaloImageUpdate, zaloStickerUpdate, zaloTextUpdate, type FakeZalo } from './fakes/zalo-server';
import { ZALO_TOKEN, startApp, zaloChat, type App } from './helpers/channels';

const parse = (u: unknown): ZaloUpdate => parseZaloUpdatePayload(u)!;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function app(opts: Parameters<typeof startApp>[0]): Promise<App> {
  const a = await startApp(opts);
  cleanups.push(() => a.close());
  return a;
}

describe('zaloToIncoming', () => {
  test('maps the documented events; the key is event_name + message_id', () => {
    const text = parse(zaloTextUpdate({ chatId: 'u1', text: 'Xin chào', messageId: 'm1', fromName: 'Lan' }));
    expect(zaloToIncoming(text)).toEqual({ channel: 'zalo', updateKey: 'message.text.received:m1', userId: 'u1', displayName: 'Lan', event: { kind: 'text', text: 'Xin chào' } });
    expect(zaloUpdateKey(text)).toBe('message.text.received:m1');
    expect(zaloToIncoming(parse(zaloImageUpdate({ chatId: 'u1' })))?.event).toEqual({ kind: 'unsupported', what: 'photo' });
    expect(zaloToIncoming(parse(zaloStickerUpdate({ chatId: 'u1' })))?.event).toEqual({ kind: 'unsupported', what: 'sticker' });
    const unsupported = { ...zaloTextUpdate({ chatId: 'u1', text: 'x' }), event_name: 'message.unsupported.received' };
    expect(zaloToIncoming(parse(unsupported))?.event).toEqual({ kind: 'unsupported', what: 'other' });
    // An event the platform adds later is answered politely, not dropped or crashed on.
    const future = { ...zaloTextUpdate({ chatId: 'u1', text: 'x' }), event_name: 'message.location.received' };
    expect(zaloToIncoming(parse(future))?.event).toEqual({ kind: 'unsupported', what: 'other' });
  });

  test('the same event has the same key in the flat and the wrapped shape', () => {
    const flat = zaloTextUpdate({ chatId: 'u1', text: 'a', messageId: 'same' });
    expect(zaloUpdateKey(parse(flat))).toBe(zaloUpdateKey(parse({ ok: true, result: flat })));
  });

  test('ignores bots and group chats', () => {
    const fromBot = zaloTextUpdate({ chatId: 'u1', text: 'hi' });
    (fromBot.message.from as { is_bot?: boolean }).is_bot = true;
    expect(zaloToIncoming(parse(fromBot))).toBeNull();
    expect(zaloToIncoming(parse(zaloTextUpdate({ chatId: 'g1', fromId: 'u1', text: '/nhap', chatType: 'GROUP' })))).toBeNull();
  });
});

describe('the Zalo channel through the fake platform', () => {
  test('images, stickers and unsupported messages are answered with what is expected', async () => {
    const a = await app({ zalo: 'polling' });
    const chat = zaloChat(a, 'zl-media');
    a.zalo!.pushUpdate(zaloImageUpdate({ chatId: 'zl-media', caption: '12' }));
    expect(await chat.expectReply('Bot chưa đọc được hình ảnh')).toContain('mã mời');
    a.zalo!.pushUpdate(zaloStickerUpdate({ chatId: 'zl-media' }));
    await chat.expectReply('Bot chưa đọc được nhãn dán');
    a.zalo!.pushUpdate({ ...zaloTextUpdate({ chatId: 'zl-media', text: '' }), event_name: 'message.unsupported.received' });
    await chat.expectReply('Bot chưa đọc được loại tin nhắn này');
    // Once bound and answering, the hint says so.
    await chat.send(`/start ${a.codeOf('PGD-DALAT')}`);
    await chat.expectReply('Đã liên kết');
    await chat.send('/nhap');
    await chat.expectReply('Câu 1/33');
    a.zalo!.pushUpdate(zaloImageUpdate({ chatId: 'zl-media' }));
    await chat.expectReply('Vui lòng trả lời câu hỏi hiện tại bằng tin nhắn chữ');
    await chat.settle();
    expect(a.answersOf('PGD-DALAT')).toEqual({});
  });

  test('an update without event_name is understood from its fields and answered, by polling and by webhook', async () => {
    for (const mode of ['polling', 'webhook'] as const) {
      const a = await app({ zalo: mode });
      const chat = zaloChat(a, `zl-bare-${mode}`);
      const { event_name: _none, ...bare } = zaloTextUpdate({ chatId: `zl-bare-${mode}`, text: `/start ${a.codeOf('PGD-DALAT')}` });
      if (mode === 'webhook') expect((await a.zalo!.deliverWebhook(bare)).status).toBe(200);
      else a.zalo!.pushUpdate(bare);
      expect(await chat.expectReply('Đã liên kết')).toContain('Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    }
  });

  test('an unknown chat_type is handled as a group: the short "nhắn riêng" answer, not dropped', async () => {
    const a = await app({ zalo: 'polling' });
    const update = zaloTextUpdate({ chatId: 'zl-kind', fromId: 'u-kind', text: '/nhap' });
    (update.message.chat as { chat_type: string }).chat_type = 'COMMUNITY';
    a.zalo!.pushUpdate(update);
    const sent = await a.zalo!.waitFor((c) => c.method === 'sendMessage' && c.body.chat_id === 'zl-kind', 10_000);
    expect(String(sent.body.text)).toMatch(/nhắn riêng/i);
  });

  test('in a group, a command or a code gets a short "nhắn riêng" answer; chatter gets none; nothing binds', async () => {
    const a = await app({ zalo: 'polling' });
    const fake = a.zalo!;
    fake.pushUpdate(zaloTextUpdate({ chatId: 'grp-1', fromId: 'u-9', chatType: 'GROUP', text: 'chào cả nhà' }));
    fake.pushUpdate(zaloTextUpdate({ chatId: 'grp-1', fromId: 'u-9', chatType: 'GROUP', text: `/start ${a.codeOf('PGD-DALAT')}` }));
    fake.pushUpdate(zaloTextUpdate({ chatId: 'grp-1', fromId: 'u-9', chatType: 'GROUP', text: a.codeOf('PGD-BAOLOC') }));
    const call = await fake.waitFor((c) => c.method === 'sendMessage' && c.body.chat_id === 'grp-1');
    expect(call.body.text).toBe('Vui lòng nhắn riêng cho bot để báo cáo.');
    while (fake.pendingUpdates() > 0) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    await a.runtime.idle();
    expect(fake.sent.filter((c) => c.method === 'sendMessage')).toHaveLength(2);
    expect(a.deps.db.$client.prepare('select count(*) as n from contacts').get()).toEqual({ n: 0 });
  });

  test('a long reply is split at line breaks into messages of at most 2000 characters', async () => {
    const a = await app({ zalo: 'polling' });
    const lines = Array.from({ length: 120 }, (_, i) => `${i + 1}. Trường Tiểu học số ${i + 1}: đã gửi báo cáo đầy đủ, đúng hạn.`);
    const text = lines.join('\n');
    expect(text.length).toBeGreaterThan(4000);
    await a.runtime.zalo!.channel.sendText('zl-long', text);
    const parts = a.zalo!.sent.filter((c) => c.method === 'sendMessage').map((c) => String(c.body.text));
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    // Every cut is at a line break: rejoining gives the original, no line is broken in two.
    expect(parts.join('\n')).toBe(text);
  });

  test('a send that fails on a 5xx is retried; a refused one is not', async () => {
    const a = await app({ zalo: 'polling' });
    const fake = a.zalo!;
    fake.failNext('sendMessage', '5xx');
    await a.runtime.zalo!.channel.sendText('zl-retry', 'Lần hai mới tới');
    expect(fake.sent.filter((c) => c.method === 'sendMessage').map((c) => c.body.text)).toEqual(['Lần hai mới tới']);
    fake.failNext('sendMessage', 'ok_false', { error_code: 403, description: 'Forbidden: user blocked the bot' });
    await expect(a.runtime.zalo!.channel.sendText('zl-retry', 'Không tới')).rejects.toThrow(/403/);
    expect(fake.requests.filter((r) => r.method === 'sendMessage')).toHaveLength(3);
  });

  test('start-up: polling deletes the webhook, webhook mode sets it with a secret on PUBLIC_URL', async () => {
    const polling = await app({ zalo: 'polling' });
    expect(polling.zalo!.sent.map((c) => c.method).slice(0, 2)).toEqual(['getMe', 'deleteWebhook']);
    const hooked = await app({ zalo: 'webhook', env: { ZALO_WEBHOOK_SECRET: 'a-configured-secret-0123456789' } });
    const set = hooked.zalo!.sent.find((c) => c.method === 'setWebhook')!;
    expect(set.body).toEqual({ url: `${hooked.baseUrl}/webhook/zalo`, secret_token: 'a-configured-secret-0123456789' });
  });
});

describe('Zalo long polling', () => {
  let fake: FakeZalo;
  let client: ZaloClient;

  async function setup(): Promise<void> {
    fake = await startFakeZalo({ token: ZALO_TOKEN, maxPollMs: 300 });
    client = new ZaloClient({ token: ZALO_TOKEN, apiRoot: fake.apiRoot, timeoutMs: 2000 });
    cleanups.push(() => fake.close(), () => client.close());
  }

  test('keeps going after errors, backing off, and resets after a success', async () => {
    await setup();
    fake.failNext('getUpdates', '5xx');
    fake.failNext('getUpdates', 'destroy');
    fake.failNext('getUpdates', 'ok_false', { error_code: 409, description: 'Conflict: webhook is active' });
    const got: string[] = [];
    const failuresSeen: number[] = [];
    const poller = startZaloPolling({
      client,
      log: silentLogger,
      pollTimeoutS: 1,
      backoffMs: { initial: 20, max: 80 },
      onUpdates: (updates) => {
        for (const u of updates) {
          failuresSeen.push(poller.failures);
          got.push(u.message.text ?? '');
        }
      },
    });
    cleanups.push(() => poller.stop());
    fake.pushUpdate(zaloTextUpdate({ chatId: 'u1', text: 'sau ba lỗi' }));
    const t0 = Date.now();
    while (got.length === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(['sau ba lỗi']);
    expect(failuresSeen).toEqual([0]);
    const outcomes = fake.requests.filter((r) => r.method === 'getUpdates').map((r) => r.outcome);
    expect(outcomes.slice(0, 4)).toEqual(['5xx', 'destroy', 'ok_false', 'ok']);
    // The waits between failures grew: 20, 40, 80 ms (at least).
    const times = fake.requests.filter((r) => r.method === 'getUpdates').map((r) => r.at);
    expect(times[3]! - times[0]!).toBeGreaterThanOrEqual(20 + 40 + 80 - 15);
  });

  test('a platform answering "nothing" at once is not polled in a tight loop', async () => {
    // Answers every getUpdates immediately with an empty result, ignoring the long-poll timeout.
    let polls = 0;
    const instant = http.createServer((req, res) => {
      polls++;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result: null }));
    });
    await new Promise<void>((r) => instant.listen(0, '127.0.0.1', r));
    const c = new ZaloClient({ token: ZALO_TOKEN, apiRoot: `http://127.0.0.1:${(instant.address() as AddressInfo).port}` });
    cleanups.push(() => new Promise<void>((r) => instant.close(() => r())), () => c.close());
    const poller = startZaloPolling({ client: c, log: silentLogger, pollTimeoutS: 30, minEmptyPollMs: 200, onUpdates: () => undefined });
    await new Promise((r) => setTimeout(r, 1000));
    await poller.stop();
    // One poll per 200 ms at most: a tight loop would have made thousands.
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(6);
    expect(poller.failures).toBe(0);

    // stop() also cuts such a wait short.
    const slow = startZaloPolling({ client: c, log: silentLogger, pollTimeoutS: 30, minEmptyPollMs: 60_000, onUpdates: () => undefined });
    const before = polls;
    while (polls === before) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    await slow.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(polls).toBe(before + 1);
  });

  test('stop() ends a pending long poll at once and no poll follows', async () => {
    await setup();
    const poller = startZaloPolling({ client, log: silentLogger, pollTimeoutS: 30, onUpdates: () => undefined });
    await new Promise((r) => setTimeout(r, 100));
    expect(poller.running).toBe(true);
    const t0 = Date.now();
    await poller.stop();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(poller.running).toBe(false);
    const polls = fake.requests.filter((r) => r.method === 'getUpdates').length;
    await new Promise((r) => setTimeout(r, 400));
    expect(fake.requests.filter((r) => r.method === 'getUpdates').length).toBe(polls);
  });
});
