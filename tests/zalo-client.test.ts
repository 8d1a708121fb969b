import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ZaloApiError,
  ZaloClient,
  ZaloHttpError,
  ZaloValidationError,
  normaliseZaloUpdates,
  parseZaloUpdatePayload,
  scrubToken,
  splitForZalo,
} from '../bot/zalo/client.js';
import { isKnownZaloEvent } from '../bot/zalo/types.js';
import {
  startFakeZalo,
  zaloImageUpdate,
  zaloStickerUpdate,
  zaloTextUpdate,
  type FakeZalo,
} from './fakes/zalo-server.js';

const TOKEN = '8172635445:Zk3fQ9xLmP2vR7tYb8nW4cJ6hD1sA5eG0uK';
const SECRET_HALF = TOKEN.split(':')[1]!;

/** The token (or its secret half, raw or URL-encoded) must not show up anywhere an error could be printed. */
function expectTokenFree(err: unknown): void {
  expect(err).toBeInstanceOf(Error);
  const e = err as Error;
  const texts = [e.message, String(e), e.stack ?? '', inspect(e, { depth: 5 }), JSON.stringify(e), e.toString()];
  for (const t of texts) {
    expect(t).not.toContain(TOKEN);
    expect(t).not.toContain(SECRET_HALF);
    expect(t).not.toContain(encodeURIComponent(TOKEN));
  }
}

async function catchErr(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('ZaloClient against the fake server', () => {
  let fake: FakeZalo;
  let client: ZaloClient;

  beforeEach(async () => {
    fake = await startFakeZalo({ token: TOKEN, maxPollMs: 1000 });
    client = new ZaloClient({ token: TOKEN, apiRoot: fake.apiRoot, timeoutMs: 2000 });
  });
  afterEach(async () => {
    await client.close();
    await fake.close();
  });

  it('getMe', async () => {
    const me = await client.getMe();
    expect(me.id).toBe('8172635445');
    expect(me.account_name).toBe('bot.baocao_fake');
    expect(fake.sent.map((c) => c.method)).toEqual(['getMe']);
  });

  it('sendMessage posts JSON and returns { message_id, date }', async () => {
    const text = 'Xin chào! Báo cáo thông tin đối ngoại quý III đã được tiếp nhận.';
    const res = await client.sendMessage({ chat_id: 'chat-1', text });
    expect(typeof res.message_id).toBe('string');
    expect(res.message_id.length).toBeGreaterThan(0);
    expect(typeof res.date).toBe('number');
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]).toMatchObject({ method: 'sendMessage', body: { chat_id: 'chat-1', text } });
  });

  it('sendMessage: out-of-range texts are refused locally; the fake refuses them too', async () => {
    for (const text of ['', 'a'.repeat(2001)]) {
      const err = await catchErr(client.sendMessage({ chat_id: 'c', text }));
      expect(err).toBeInstanceOf(ZaloValidationError);
      expect((err as ZaloValidationError).method).toBe('sendMessage');
    }
    expect(fake.requests).toHaveLength(0);

    await client.sendMessage({ chat_id: 'c', text: 'a'.repeat(2000) });
    for (const text of ['', 'b'.repeat(2001)]) {
      const raw = await fetch(`${fake.apiRoot}/bot${TOKEN}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: 'c', text }),
      });
      expect(await raw.json()).toMatchObject({ ok: false, error_code: 400 });
    }
    expect(fake.sent).toHaveLength(1);
  });

  it('sendPhoto with and without caption', async () => {
    const a = await client.sendPhoto({ chat_id: 'c', photo: 'https://example.org/a.png', caption: 'Ảnh minh hoạ' });
    await client.sendPhoto({ chat_id: 'c', photo: 'https://example.org/b.png' });
    expect(typeof a.message_id).toBe('string');
    expect(fake.sent.map((c) => c.body)).toEqual([
      { chat_id: 'c', photo: 'https://example.org/a.png', caption: 'Ảnh minh hoạ' },
      { chat_id: 'c', photo: 'https://example.org/b.png' },
    ]);
    await expect(client.sendPhoto({ chat_id: 'c', photo: 'http://example.org/a.png' })).rejects.toBeInstanceOf(
      ZaloValidationError,
    );
  });

  it('sendSticker and sendChatAction', async () => {
    await client.sendChatAction({ chat_id: 'c', action: 'typing' });
    await client.sendSticker({ chat_id: 'c', sticker: 'abc123' });
    expect(fake.sent.map((c) => [c.method, c.body])).toEqual([
      ['sendChatAction', { chat_id: 'c', action: 'typing' }],
      ['sendSticker', { chat_id: 'c', sticker: 'abc123' }],
    ]);
  });

  it('setWebhook / getWebhookInfo / deleteWebhook, and getUpdates refused while a webhook is set', async () => {
    expect((await client.getWebhookInfo()).url).toBe('');
    const set = await client.setWebhook({ url: 'https://bot.example.vn/zalo/hook', secret_token: 'bi-mat-123456' });
    expect(set.url).toBe('https://bot.example.vn/zalo/hook');
    expect(fake.webhook).toMatchObject({ url: 'https://bot.example.vn/zalo/hook', secret_token: 'bi-mat-123456' });
    const info = await client.getWebhookInfo();
    expect(info.url).toBe('https://bot.example.vn/zalo/hook');
    expect(typeof info.updated_at).toBe('number');

    const err = await catchErr(client.getUpdates({ timeout: 1 }));
    expect(err).toBeInstanceOf(ZaloApiError);
    expect((err as ZaloApiError).error_code).toBe(409);

    await client.deleteWebhook();
    expect(fake.webhook.url).toBeUndefined();
    expect(await client.getUpdates({ timeout: 0 })).toEqual([]);

    // Refused locally: not https, secret too short.
    await expect(client.setWebhook({ url: 'http://x.vn/h', secret_token: '12345678' })).rejects.toBeInstanceOf(
      ZaloValidationError,
    );
    await expect(client.setWebhook({ url: 'https://x.vn/h', secret_token: 'short' })).rejects.toBeInstanceOf(
      ZaloValidationError,
    );
  });

  it('getUpdates returns a queued update at once and sends timeout as a string', async () => {
    fake.pushUpdate(zaloTextUpdate({ chatId: 'u1', text: 'Xin chào', messageId: 'mid-1', fromName: 'Cô Lan' }));
    const t0 = Date.now();
    const updates = await client.getUpdates({ timeout: 30 });
    expect(Date.now() - t0).toBeLessThan(500);
    expect(updates).toHaveLength(1);
    const u = updates[0]!;
    expect(u.event_name).toBe('message.text.received');
    expect(u.message.message_id).toBe('mid-1');
    expect(u.message.text).toBe('Xin chào');
    expect(u.message.chat).toEqual({ id: 'u1', chat_type: 'PRIVATE' });
    expect(u.message.from.display_name).toBe('Cô Lan');
    const poll = fake.requests.find((r) => r.method === 'getUpdates')!;
    expect(poll.body).toEqual({ timeout: '30' });
    expect(fake.sent).toHaveLength(0); // getUpdates is not a "sent" call
  });

  it('a long poll is answered as soon as an update is pushed', async () => {
    const poll = client.getUpdates({ timeout: 30 });
    await new Promise((r) => setTimeout(r, 150));
    const t0 = Date.now();
    fake.pushUpdate(zaloStickerUpdate({ chatId: 'u2' }));
    const updates = await poll;
    expect(Date.now() - t0).toBeLessThan(300);
    expect(updates.map((u) => u.event_name)).toEqual(['message.sticker.received']);
    expect(updates[0]!.message.sticker).toBeTruthy();
  });

  it('one update per call, in order', async () => {
    fake.pushUpdate(zaloTextUpdate({ chatId: 'u', text: '1' }));
    fake.pushUpdate(zaloImageUpdate({ chatId: 'u', caption: 'ảnh' }));
    const a = await client.getUpdates({ timeout: 1 });
    const b = await client.getUpdates({ timeout: 1 });
    expect(a.map((u) => u.message.text)).toEqual(['1']);
    expect(b[0]!.event_name).toBe('message.image.received');
    expect(b[0]!.message.photo).toMatch(/^https:/);
    expect(b[0]!.message.caption).toBe('ảnh');
    expect(fake.pendingUpdates()).toBe(0);
  });

  it('an empty long poll (408 from the platform) gives [] after the hold time', async () => {
    const t0 = Date.now();
    expect(await client.getUpdates({ timeout: 30 })).toEqual([]); // fake caps the hold at 1 s
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(2000);
  });

  it('getUpdates gets timeout + 10 s, not the client timeoutMs', async () => {
    const slowFake = await startFakeZalo({ token: TOKEN, maxPollMs: 1200, emptyPoll: 'ok_null' });
    const c = new ZaloClient({ token: TOKEN, apiRoot: slowFake.apiRoot, timeoutMs: 300 });
    try {
      expect(await c.getUpdates({ timeout: 1 })).toEqual([]); // held ~1 s > 300 ms, still fine
      await expect(c.getMe()).resolves.toBeTruthy();
    } finally {
      await c.close();
      await slowFake.close();
    }
  });

  it('waitFor resolves on a matching sent call, past or future', async () => {
    await client.sendMessage({ chat_id: 'a', text: 'một' });
    await expect(fake.waitFor((c) => c.body.text === 'một', 100)).resolves.toMatchObject({ method: 'sendMessage' });
    const later = fake.waitFor((c) => c.method === 'sendMessage' && c.body.chat_id === 'b', 2000);
    setTimeout(() => void client.sendMessage({ chat_id: 'b', text: 'hai' }), 50);
    await expect(later).resolves.toMatchObject({ body: { chat_id: 'b', text: 'hai' } });
    await expect(fake.waitFor((c) => c.body.chat_id === 'zzz', 100)).rejects.toThrow(/no matching call/);
  });

  it('deliverWebhook posts the update with the secret header', async () => {
    const received: Array<{ secret: string | undefined; body: unknown }> = [];
    const hook = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ secret: req.headers['x-bot-api-secret-token'] as string | undefined, body: JSON.parse(data) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const local = await startFakeZalo({ token: TOKEN, requireHttpsWebhook: false });
    const c = new ZaloClient({ token: TOKEN, apiRoot: local.apiRoot, allowInsecureUrls: true });
    try {
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/zalo`;
      await c.setWebhook({ url, secret_token: 'bi-mat-123456' });
      const upd = zaloTextUpdate({ chatId: 'u9', text: 'webhook' });
      expect((await local.deliverWebhook(upd)).status).toBe(200);
      await local.deliverWebhook(upd, { wrapped: true, secret: 'sai-bi-mat' });
      expect(received[0]!.secret).toBe('bi-mat-123456');
      expect(parseZaloUpdatePayload(received[0]!.body)?.message.text).toBe('webhook');
      expect(received[1]!.secret).toBe('sai-bi-mat');
      expect(parseZaloUpdatePayload(received[1]!.body)?.message.text).toBe('webhook');
    } finally {
      await c.close();
      await local.close();
      await new Promise((r) => hook.close(r));
    }
  });
});

describe('error handling (token never leaks)', () => {
  let fake: FakeZalo;
  let client: ZaloClient;

  beforeEach(async () => {
    fake = await startFakeZalo({ token: TOKEN });
    client = new ZaloClient({ token: TOKEN, apiRoot: fake.apiRoot, timeoutMs: 400 });
  });
  afterEach(async () => {
    await client.close();
    await fake.close();
  });

  it('ok:false → ZaloApiError with code and description', async () => {
    fake.failNext('sendMessage', 'ok_false', { error_code: 403, description: 'Forbidden: user blocked the bot' });
    const err = await catchErr(client.sendMessage({ chat_id: 'c', text: 'x' }));
    expect(err).toBeInstanceOf(ZaloApiError);
    const e = err as ZaloApiError;
    expect(e.name).toBe('ZaloApiError');
    expect(e.method).toBe('sendMessage');
    expect(e.error_code).toBe(403);
    expect(e.description).toBe('Forbidden: user blocked the bot');
    expect(e.message).toContain('403');
    expectTokenFree(err);
    expect(fake.sent).toHaveLength(0);
    // the failure was one-shot
    await expect(client.sendMessage({ chat_id: 'c', text: 'x' })).resolves.toBeTruthy();
  });

  it('wrong token → 401 Unauthorized as ZaloApiError; neither token leaks', async () => {
    const wrong = '8172635445:WrongWrongWrongWrongWrong000';
    const c = new ZaloClient({ token: wrong, apiRoot: fake.apiRoot });
    try {
      const err = await catchErr(c.getMe());
      expect(err).toBeInstanceOf(ZaloApiError);
      expect((err as ZaloApiError).error_code).toBe(401);
      expect((err as ZaloApiError).status).toBe(401);
      expect((err as ZaloApiError).description).toBe('Unauthorized');
      expectTokenFree(err);
      expect(String(err)).not.toContain(wrong);
      expect(String(err)).not.toContain('WrongWrongWrong');
    } finally {
      await c.close();
    }
  });

  it('5xx (HTML page) → ZaloHttpError with status', async () => {
    fake.failNext('getMe', '5xx');
    const err = await catchErr(client.getMe());
    expect(err).toBeInstanceOf(ZaloHttpError);
    expect(err).not.toBeInstanceOf(ZaloApiError);
    const e = err as ZaloHttpError;
    expect(e.kind).toBe('http_status');
    expect(e.status).toBe(502);
    expect(e.retryable).toBe(true);
    expectTokenFree(err);
  });

  it('5xx with a JSON ok:false body is still a ZaloHttpError', async () => {
    fake.failNext('sendMessage', '5xx', { status: 503, json: true, description: 'Service Unavailable' });
    const err = await catchErr(client.sendMessage({ chat_id: 'c', text: 'x' }));
    expect(err).toBeInstanceOf(ZaloHttpError);
    expect((err as ZaloHttpError).status).toBe(503);
    expect((err as ZaloHttpError).message).toContain('Service Unavailable');
    expectTokenFree(err);
  });

  it('a hanging server → timeout within the configured time', async () => {
    fake.failNext('sendMessage', 'hang');
    const t0 = Date.now();
    const err = await catchErr(client.sendMessage({ chat_id: 'c', text: 'x' }));
    const elapsed = Date.now() - t0;
    expect(err).toBeInstanceOf(ZaloHttpError);
    expect((err as ZaloHttpError).kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(1500);
    expectTokenFree(err);
    // the pool still works afterwards
    await expect(client.getMe()).resolves.toBeTruthy();
  });

  it('a hanging long poll → timeout after timeout + 10 s (shortened through timeoutMs here)', async () => {
    fake.failNext('getUpdates', 'hang');
    const err = await catchErr(client.getUpdates({ timeout: 0 }, { timeoutMs: 300 }));
    expect((err as ZaloHttpError).kind).toBe('timeout');
    expectTokenFree(err);
  });

  it('a destroyed socket → network error', async () => {
    fake.failNext('sendMessage', 'destroy');
    const err = await catchErr(client.sendMessage({ chat_id: 'c', text: 'x' }));
    expect(err).toBeInstanceOf(ZaloHttpError);
    expect((err as ZaloHttpError).kind).toBe('network');
    expectTokenFree(err);
  });

  it('a closed port → network error', async () => {
    const gone = await startFakeZalo({ token: TOKEN });
    const apiRoot = gone.apiRoot;
    await gone.close();
    const c = new ZaloClient({ token: TOKEN, apiRoot, timeoutMs: 2000 });
    try {
      const err = await catchErr(c.getMe());
      expect(err).toBeInstanceOf(ZaloHttpError);
      expect((err as ZaloHttpError).kind).toBe('network');
      expect((err as ZaloHttpError).causeCode).toBe('ECONNREFUSED');
      expectTokenFree(err);
    } finally {
      await c.close();
    }
  });

  it('a non-JSON 200 answer → ZaloHttpError bad_response', async () => {
    const srv = http.createServer((_req, res) => res.end(`<html>proxy says /bot${TOKEN}/getMe</html>`));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const c = new ZaloClient({ token: TOKEN, apiRoot: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` });
    try {
      const err = await catchErr(c.getMe());
      expect((err as ZaloHttpError).kind).toBe('bad_response');
      expectTokenFree(err);
    } finally {
      await c.close();
      await new Promise((r) => srv.close(r));
    }
  });

  it('aborting through a signal → kind aborted; close() ends a long poll → kind closed', async () => {
    const ac = new AbortController();
    const p = client.getUpdates({ timeout: 30 }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect(((await catchErr(p)) as ZaloHttpError).kind).toBe('aborted');

    const poll = catchErr(client.getUpdates({ timeout: 30 }));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await client.close();
    const err = await poll;
    expect((err as ZaloHttpError).kind).toBe('closed');
    expect(Date.now() - t0).toBeLessThan(500);
    expect(((await catchErr(client.getMe())) as ZaloHttpError).kind).toBe('closed');
  });

  it('the client itself does not print its token', () => {
    expect(inspect(client)).not.toContain(SECRET_HALF);
    expect(JSON.stringify(client)).not.toContain(SECRET_HALF);
  });
});

describe('getUpdates result shapes', () => {
  it('accepts an array of updates and an absent result', async () => {
    const answers: unknown[] = [
      { ok: true, result: [zaloTextUpdate({ chatId: 'a', text: '1' }), zaloTextUpdate({ chatId: 'b', text: '2' })] },
      { ok: true },
      { ok: true, result: null },
      { ok: true, result: [] },
    ];
    const srv = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(JSON.stringify(answers.shift())));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const c = new ZaloClient({ token: TOKEN, apiRoot: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` });
    try {
      expect((await c.getUpdates({ timeout: 1 })).map((u) => u.message.chat.id)).toEqual(['a', 'b']);
      expect(await c.getUpdates({ timeout: 1 })).toEqual([]);
      expect(await c.getUpdates({ timeout: 1 })).toEqual([]);
      expect(await c.getUpdates({ timeout: 1 })).toEqual([]);
    } finally {
      await c.close();
      await new Promise((r) => srv.close(r));
    }
  });

  it('normaliseZaloUpdates drops invalid entries and reports them', () => {
    const bad: unknown[] = [];
    const out = normaliseZaloUpdates([zaloTextUpdate({ chatId: 'a', text: 'x' }), { nope: 1 }], (raw) => bad.push(raw));
    expect(out).toHaveLength(1);
    expect(bad).toEqual([{ nope: 1 }]);
    expect(normaliseZaloUpdates(undefined)).toEqual([]);
  });
});

describe('parseZaloUpdatePayload', () => {
  const flat = {
    event_name: 'message.text.received',
    message: {
      message_id: '2d9a3c9f7c1d4b0e',
      date: 1_750_000_000_000,
      text: 'Báo cáo tháng 9',
      chat: { id: 'c-77', chat_type: 'PRIVATE' },
      from: { id: 'c-77', display_name: 'Thầy Hùng', is_bot: false },
    },
  };

  it('parses the flat and the wrapped shapes identically', () => {
    const a = parseZaloUpdatePayload(flat);
    const b = parseZaloUpdatePayload({ ok: true, result: flat });
    expect(a).not.toBeNull();
    expect(b).toEqual(a);
    expect(a!.message.text).toBe('Báo cáo tháng 9');
    expect(a!.message.from.display_name).toBe('Thầy Hùng');
  });

  it('keeps unknown fields, accepts unknown events, first_name, group chats and numeric ids', () => {
    const u = parseZaloUpdatePayload({
      event_name: 'message.reaction.received',
      extra_top: 1,
      message: {
        ...flat.message,
        message_id: 12345,
        text: undefined,
        chat: { id: 987, chat_type: 'GROUP', title: 'Tổ đối ngoại' },
        from: { id: 'u1', first_name: 'An' },
        future_field: { x: 1 },
      },
    });
    expect(u).not.toBeNull();
    expect(u!.event_name).toBe('message.reaction.received');
    expect(isKnownZaloEvent(u!.event_name)).toBe(false);
    expect(isKnownZaloEvent('message.text.received')).toBe(true);
    expect(u!.message.message_id).toBe('12345');
    expect(u!.message.chat.id).toBe('987');
    expect(u!.message.chat.chat_type).toBe('GROUP');
    expect(u!.message.from.first_name).toBe('An');
    expect((u as Record<string, unknown>).extra_top).toBe(1);
    expect((u!.message as Record<string, unknown>).future_field).toEqual({ x: 1 });
  });

  it('returns null for anything else', () => {
    expect(parseZaloUpdatePayload(null)).toBeNull();
    expect(parseZaloUpdatePayload('x')).toBeNull();
    expect(parseZaloUpdatePayload([flat])).toBeNull();
    expect(parseZaloUpdatePayload({ ok: false, error_code: 408, description: 'Request timeout' })).toBeNull();
    expect(parseZaloUpdatePayload({ ok: true, result: null })).toBeNull();
    expect(parseZaloUpdatePayload({ event_name: 'message.text.received' })).toBeNull();
  });

  it('an unknown chat_type is a group, not a dropped update; a missing event_name is read from the message', () => {
    expect(parseZaloUpdatePayload({ ...flat, message: { ...flat.message, chat: { id: 'x', chat_type: 'X' } } })!.message.chat.chat_type).toBe('GROUP');
    expect(parseZaloUpdatePayload({ ...flat, message: { ...flat.message, chat: { id: 'x' } } })!.message.chat.chat_type).toBe('GROUP');
    const { event_name: _dropped, ...bare } = flat;
    const msg = (fields: Record<string, unknown>) => ({ message_id: 'm', date: 1, chat: { id: 'c', chat_type: 'PRIVATE' }, from: { id: 'c' }, ...fields });
    expect(parseZaloUpdatePayload(bare)!.event_name).toBe(flat.event_name);
    expect(parseZaloUpdatePayload({ message: msg({ text: 'ABCD-EFGH' }) })!.event_name).toBe('message.text.received');
    expect(parseZaloUpdatePayload({ ok: true, result: { message: msg({ photo: 'https://x/y.jpg' }) } })!.event_name).toBe('message.image.received');
    expect(parseZaloUpdatePayload({ message: msg({ sticker: 's1' }) })!.event_name).toBe('message.sticker.received');
    expect(parseZaloUpdatePayload({ message: msg({}) })!.event_name).toBe('message.unsupported.received');
  });

  it('builders produce parseable updates', () => {
    for (const u of [
      zaloTextUpdate({ chatId: 'a', text: 'hi' }),
      zaloStickerUpdate({ chatId: 'a' }),
      zaloImageUpdate({ chatId: 'a', chatType: 'GROUP', fromId: 'u', fromName: 'Bình' }),
    ]) {
      expect(parseZaloUpdatePayload(u)).not.toBeNull();
      expect(parseZaloUpdatePayload({ ok: true, result: u })).not.toBeNull();
    }
  });
});

describe('scrubToken', () => {
  it('removes the token from URLs, encoded forms and the secret half', () => {
    new ZaloClient({ token: TOKEN }).close(); // registers the token
    const texts = [
      `POST https://bot-api.zaloplatforms.com/bot${TOKEN}/sendMessage failed`,
      `url=${encodeURIComponent(TOKEN)}`,
      `url=${encodeURIComponent(TOKEN).replace('%3A', '%3a')}`,
      `secret ${SECRET_HALF} only`,
    ];
    for (const t of texts) {
      const s = scrubToken(t);
      expect(s).not.toContain(SECRET_HALF);
      expect(s).toContain('<redacted>');
    }
    expect(scrubToken('nothing secret: 12:30, 127.0.0.1:8080')).toBe('nothing secret: 12:30, 127.0.0.1:8080');
  });

  it('removes token-shaped strings it was never told about, and explicit secrets', () => {
    expect(scrubToken('/bot123456789:abcdefghIJKLmnop/getMe')).toBe('/bot<redacted>/getMe');
    expect(scrubToken('key=s3cr3t-value', 's3cr3t-value')).toBe('key=<redacted>');
  });
});

describe('splitForZalo', () => {
  const LIMIT = 2000;
  const visible = (s: string): string => s.replace(/\s+/g, '');
  function checkInvariants(text: string, chunks: string[], limit = LIMIT): void {
    for (const c of chunks) {
      expect(c.length).toBeGreaterThanOrEqual(1);
      expect(c.length).toBeLessThanOrEqual(limit);
      expect(/\S/.test(c)).toBe(true);
    }
    expect(visible(chunks.join(''))).toBe(visible(text));
  }

  it('short, empty and blank texts', () => {
    expect(splitForZalo('Xin chào')).toEqual(['Xin chào']);
    expect(splitForZalo('')).toEqual([]);
    expect(splitForZalo(' \n\n  \t')).toEqual([]);
  });

  it('exactly 2000 characters stays one chunk', () => {
    const t = 'a'.repeat(2000);
    expect(splitForZalo(t)).toEqual([t]);
  });

  it('2001 characters without breaks → 2000 + 1', () => {
    const t = 'a'.repeat(2001);
    expect(splitForZalo(t).map((c) => c.length)).toEqual([2000, 1]);
  });

  it('2001 characters with a line break → split at the line break', () => {
    const t = `${'a'.repeat(1500)}\n${'b'.repeat(500)}`;
    expect(t.length).toBe(2001);
    expect(splitForZalo(t)).toEqual(['a'.repeat(1500), 'b'.repeat(500)]);
  });

  it('a line break exactly at the limit is used and dropped', () => {
    const t = `${'a'.repeat(2000)}\n${'b'.repeat(10)}`;
    expect(splitForZalo(t)).toEqual(['a'.repeat(2000), 'b'.repeat(10)]);
  });

  it('prefers a paragraph break in the second half of the window', () => {
    const t = `${'a'.repeat(1200)}\n\n${'b'.repeat(300)}\n${'c'.repeat(700)}`;
    expect(splitForZalo(t)).toEqual(['a'.repeat(1200), `${'b'.repeat(300)}\n${'c'.repeat(700)}`]);
  });

  it('a long line without breaks is cut at spaces', () => {
    const words = Array.from({ length: 700 }, (_, i) => `từ${i}`);
    const t = words.join(' ');
    const chunks = splitForZalo(t);
    expect(chunks.length).toBeGreaterThan(1);
    checkInvariants(t, chunks);
    // no word is cut in half
    expect(chunks.join(' ').split(' ')).toEqual(words);
  });

  it('a long line without any space is cut hard', () => {
    const t = 'x'.repeat(4500);
    expect(splitForZalo(t).map((c) => c.length)).toEqual([2000, 2000, 500]);
  });

  it('Vietnamese text: lines kept whole, diacritics intact', () => {
    const line = 'Sở Giáo dục và Đào tạo báo cáo công tác thông tin đối ngoại quý III năm 2025.';
    const t = Array.from({ length: 80 }, (_, i) => `${i + 1}. ${line}`).join('\n');
    const chunks = splitForZalo(t);
    expect(chunks.length).toBeGreaterThan(1);
    checkInvariants(t, chunks);
    for (const c of chunks) for (const l of c.split('\n')) expect(l).toMatch(/^\d+\. Sở Giáo dục.*2025\.$/);
  });

  it('never splits a surrogate pair or before a combining mark (NFD Vietnamese)', () => {
    const emoji = `${'a'.repeat(1999)}😀${'b'.repeat(10)}`; // the pair straddles the limit
    const e = splitForZalo(emoji);
    expect(e[0]).toBe('a'.repeat(1999));
    expect(e[1]).toBe(`😀${'b'.repeat(10)}`);

    const nfd = 'Việt'.normalize('NFD'); // V i e ̣ ̂ t: marks follow the e
    const t = `${'a'.repeat(1997)}${nfd}`;
    const chunks = splitForZalo(t);
    checkInvariants(t, chunks);
    for (const c of chunks) expect(/^\p{M}/u.test(c)).toBe(false);
    expect(chunks.join('')).toBe(t);
  });

  it('invariants hold for arbitrary texts and limits', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'ệ', ' ', '\n', 'Đ', '😀', '\u0301', '\t', 'b'), maxLength: 400 }),
        fc.integer({ min: 2, max: 60 }),
        (text, limit) => {
          const chunks = splitForZalo(text, limit);
          for (const c of chunks) {
            if (c.length < 1 || c.length > limit || !/\S/.test(c)) return false;
          }
          return visible(chunks.join('')) === visible(text);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects a nonsensical limit', () => {
    expect(() => splitForZalo('abc', 1)).toThrow(RangeError);
  });
});
