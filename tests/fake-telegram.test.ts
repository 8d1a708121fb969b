import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Bot, GrammyError, InlineKeyboard, InputFile, webhookCallback } from 'grammy';
import { run, type RunnerHandle } from '@grammyjs/runner';
import {
  parseMarkdownV2,
  parseTelegramHtml,
  startFakeTelegram,
  type FakeTelegram,
  type FakeTelegramOptions,
} from './fakes/telegram-server.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  // LIFO: stop bots before closing the fake they talk to
  while (cleanups.length) await cleanups.pop()?.();
});

async function fake(opts?: FakeTelegramOptions): Promise<FakeTelegram> {
  const tg = await startFakeTelegram(opts);
  cleanups.push(() => tg.close());
  return tg;
}

function makeBot(tg: FakeTelegram): Bot {
  const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
  bot.catch((err) => {
    throw err.error;
  });
  return bot;
}

/** bot.start() in the background; resolves once polling began, registers bot.stop() for cleanup. */
async function startPolling(bot: Bot): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    bot.start({ onStart: () => resolve() }).catch(reject);
  });
  cleanups.push(() => bot.stop());
}

function startRunner(bot: Bot): RunnerHandle {
  const handle = run(bot);
  cleanups.push(() => (handle.isRunning() ? handle.stop() : undefined));
  return handle;
}

async function apiError(p: Promise<unknown>): Promise<GrammyError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GrammyError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

function wireStartBot(bot: Bot): void {
  bot.command('start', (ctx) =>
    ctx.reply(`Xin chào! Mã mời: <b>${ctx.match}</b>`, {
      parse_mode: 'HTML',
      reply_markup: new InlineKeyboard().text('Bắt đầu báo cáo', 'begin:1'),
    }),
  );
  bot.callbackQuery(/^begin:(\d+)$/, async (ctx) => {
    await ctx.answerCallbackQuery({ text: 'OK' });
    await ctx.editMessageText('Đã bắt đầu');
    await ctx.reply('Câu 1: Số hoạt động đối ngoại trong kỳ?');
  });
}

describe('fake Telegram server driven by a real grammY bot', () => {
  it('bot.start(): /start reply with button, callback answered, edit, next question', async () => {
    const tg = await fake();
    const bot = makeBot(tg);
    wireStartBot(bot);
    await startPolling(bot);

    tg.pushText(1001, '/start ABC', { first_name: 'Lan', username: 'lan_pgd' });
    const greeting = await tg.waitForMessage(1001, (t) => t.includes('Xin chào'));
    // rendered text: HTML tags stripped
    expect(greeting).toBe('Xin chào! Mã mời: ABC');
    expect(tg.lastMessage(1001)?.rawText).toBe('Xin chào! Mã mời: <b>ABC</b>');
    expect(tg.lastMessage(1001)?.inlineKeyboard?.[0]?.[0]?.callback_data).toBe('begin:1');

    tg.clickButton(1001, 'Bắt đầu báo cáo');
    expect(await tg.waitForMessage(1001, (t) => t.includes('Câu 1'))).toMatch(/^Câu 1/);
    expect(tg.callbackAnswers).toHaveLength(1);
    expect(tg.callbackAnswers[0]).toBe(tg.callbackQueries[0]?.id);
    expect(tg.callbackQueries[0]?.answer?.text).toBe('OK');
    const first = tg.botMessages(1001)[0];
    expect(first?.currentText).toBe('Đã bắt đầu');
    expect(first?.inlineKeyboard).toBeUndefined(); // editMessageText without reply_markup drops it
    expect(tg.messagesTo(1001)).toEqual(['Xin chào! Mã mời: ABC', 'Câu 1: Số hoạt động đối ngoại trong kỳ?']);
    await tg.waitForIdle(100);
    expect(tg.rejected).toEqual([]);
  });

  it('@grammyjs/runner run(): replies and stops cleanly', async () => {
    const tg = await fake();
    const bot = makeBot(tg);
    wireStartBot(bot);
    const handle = startRunner(bot);
    tg.pushText(7, '/start XYZ');
    expect(await tg.waitForMessage(7, (t) => t.includes('XYZ'))).toContain('Mã mời');
    tg.pushCallback(7, 'begin:1');
    await tg.waitForMessage(7, (t) => t.startsWith('Câu 1'));
    expect(tg.callbackAnswers).toHaveLength(1);
    await handle.stop();
  });

  it('waitForMessage uses a per-chat cursor: earlier unconsumed texts are found, consumed ones are not', async () => {
    const tg = await fake();
    const bot = makeBot(tg);
    await bot.api.sendMessage(5, 'một');
    await bot.api.sendMessage(5, 'hai');
    await bot.api.sendMessage(5, 'ba');
    // already delivered before the call, still found
    expect(await tg.waitForMessage(5, (t) => t === 'hai')).toBe('hai');
    expect(tg.messageCursor(5)).toBe(2);
    // 'một' was skipped over (consumed) -> not found any more
    await expect(tg.waitForMessage(5, (t) => t === 'một', 100)).rejects.toThrow(/unconsumed: \["ba"\]/);
    const later = tg.waitForMessage(5, (t) => t.startsWith('b'));
    expect(await later).toBe('ba');
    const pending = tg.waitForMessage(5);
    await bot.api.sendMessage(5, 'bốn');
    expect(await pending).toBe('bốn');
    await bot.api.sendMessage(5, 'năm');
    tg.skipMessages(5);
    await expect(tg.waitForMessage(5, () => true, 50)).rejects.toThrow();
  });

  it('validates sendMessage like the real API', async () => {
    const tg = await fake();
    const bot = makeBot(tg);

    let e = await apiError(bot.api.sendMessage(1, 'x'.repeat(4097)));
    expect(e.error_code).toBe(400);
    expect(e.description).toBe('Bad Request: message is too long');
    await bot.api.sendMessage(1, 'x'.repeat(4096));
    // the limit applies after entity parsing
    await bot.api.sendMessage(1, `<b>${'x'.repeat(4096)}</b>`, { parse_mode: 'HTML' });

    e = await apiError(bot.api.sendMessage(1, '   '));
    expect(e.description).toBe('Bad Request: message text is empty');

    for (const badHtml of ['<b>đậm', 'a < b', 'Tom & Jerry', 'dòng 1<br>dòng 2', '<b><i>x</b></i>', '<span>x</span>', '&nbsp;']) {
      e = await apiError(bot.api.sendMessage(1, badHtml, { parse_mode: 'HTML' }));
      expect(e.error_code, badHtml).toBe(400);
      expect(e.description, badHtml).toMatch(/^Bad Request: can't parse entities/);
    }
    const ok = await bot.api.sendMessage(
      1,
      '<b>Hạn</b> &lt; 15/06 &amp; <a href="https://so.gd/?a=1&amp;b=2">link</a> &#8220;q&#x201D; <tg-spoiler>s</tg-spoiler> <blockquote>t</blockquote> <pre><code class="language-ts">x</code></pre> a > b',
      { parse_mode: 'HTML' },
    );
    expect(ok.text).toBe('Hạn < 15/06 & link “q” s t x a > b');

    e = await apiError(bot.api.sendMessage(1, 'Giá 1.000đ', { parse_mode: 'MarkdownV2' }));
    expect(e.description).toMatch(/can't parse entities: Character '\.' is reserved/);
    await bot.api.sendMessage(1, '*Giá* 1\\.000đ', { parse_mode: 'MarkdownV2' });

    // callback_data is limited to 64 BYTES: 33 × 'ă' is only 33 chars but 66 bytes
    e = await apiError(bot.api.sendMessage(1, 'k', { reply_markup: new InlineKeyboard().text('A', 'ă'.repeat(33)) }));
    expect(e.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    e = await apiError(bot.api.sendMessage(1, 'k', { reply_markup: new InlineKeyboard().text('A', 'x'.repeat(65)) }));
    expect(e.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    await bot.api.sendMessage(1, 'k', { reply_markup: new InlineKeyboard().text('A', 'x'.repeat(64)) });
    e = await apiError(bot.api.sendMessage(1, 'k', { reply_markup: { inline_keyboard: [[{ text: 'no action' } as never]] } }));
    expect(e.description).toMatch(/Text buttons are unallowed/);

    expect(tg.rejected.every((c) => c.error?.error_code === 400)).toBe(true);
    expect(tg.messagesTo(1)).toHaveLength(5); // only delivered messages
  });

  it('editMessageText: not-modified and unknown message errors', async () => {
    const tg = await fake();
    const bot = makeBot(tg);
    const m = await bot.api.sendMessage(3, 'Câu 1', { reply_markup: new InlineKeyboard().text('Có', 'y') });
    let e = await apiError(
      bot.api.editMessageText(3, m.message_id, 'Câu 1', { reply_markup: new InlineKeyboard().text('Có', 'y') }),
    );
    expect(e.description).toMatch(/^Bad Request: message is not modified/);
    const edited = await bot.api.editMessageText(3, m.message_id, 'Câu 1 (đã trả lời)');
    expect(edited).toMatchObject({ text: 'Câu 1 (đã trả lời)' });
    e = await apiError(bot.api.editMessageReplyMarkup(3, m.message_id));
    expect(e.description).toMatch(/message is not modified/);
    e = await apiError(bot.api.editMessageText(3, 999, 'x'));
    expect(e.description).toBe('Bad Request: message to edit not found');
    expect(tg.botMessages(3)[0]?.edits).toEqual(['Câu 1 (đã trả lời)']);
  });

  it('sendDocument: multipart upload captured (file name, bytes, caption)', async () => {
    const tg = await fake();
    const bot = makeBot(tg);
    const bytes = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.from([0, 1, 2, 255, 13, 10, 45, 45]), Buffer.alloc(70_000, 7)]);
    const msg = await bot.api.sendDocument(42, new InputFile(bytes, 'Báo cáo tháng 5.docx'), {
      caption: 'Tổng hợp <b>tháng 5</b>',
      parse_mode: 'HTML',
    });
    expect(msg.document?.file_name).toBe('Báo cáo tháng 5.docx');
    const docs = tg.documentsTo(42);
    expect(docs).toHaveLength(1);
    expect(docs[0]?.filename).toBe('Báo cáo tháng 5.docx');
    expect(docs[0]?.caption).toBe('Tổng hợp tháng 5');
    expect(docs[0]?.bytes.equals(bytes)).toBe(true);
    expect(docs[0]?.mimeType).toMatch(/wordprocessingml/);
    expect((await tg.waitForDocument(42)).filename).toBe('Báo cáo tháng 5.docx');
    expect(tg.callsOf('sendDocument')[0]?.body.chat_id).toBe(42);

    // re-send by file_id
    await bot.api.sendDocument(43, msg.document!.file_id);
    expect(tg.documentsTo(43)[0]?.bytes.equals(bytes)).toBe(true);

    const e = await apiError(bot.api.sendDocument(42, new InputFile(Buffer.from('x'), 'a.txt'), { caption: 'c'.repeat(1025) }));
    expect(e.description).toBe('Bad Request: message caption is too long');
  });

  it('rate limits: 429 with retry_after after the burst, refused calls are not delivered', async () => {
    const tg = await fake({ rateLimit: { global: 5, perChat: 2 } });
    const bot = makeBot(tg);
    await bot.api.sendMessage(1, 'a');
    await bot.api.sendMessage(1, 'b');
    const e = await apiError(bot.api.sendMessage(1, 'c'));
    expect(e.error_code).toBe(429);
    expect(e.description).toBe('Too Many Requests: retry after 1');
    expect(e.parameters.retry_after).toBe(1);
    expect(tg.messagesTo(1)).toEqual(['a', 'b']);
    // global: 2 already counted, 3 more chats fit, the 6th message overall is refused
    for (const chat of [2, 3, 4]) await bot.api.sendMessage(chat, 'x');
    await expect(bot.api.sendDocument(5, new InputFile(Buffer.from('x'), 'x.txt'))).rejects.toMatchObject({ error_code: 429 });
    expect(tg.tooManyRequests).toBe(2);
    expect(tg.rejected.map((c) => c.method)).toEqual(['sendMessage', 'sendDocument']);
    expect(tg.sent.filter((c) => c.method === 'sendMessage')).toHaveLength(5);
    // the window slides
    await new Promise((r) => setTimeout(r, 1050));
    await bot.api.sendMessage(1, 'd');
    expect(tg.messagesTo(1)).toEqual(['a', 'b', 'd']);
  });

  it('offset confirmation: confirmed update ids are never redelivered; unconfirmed duplicates are', async () => {
    const tg = await fake();
    // duplicate delivery: the same id queued twice before the bot confirms it
    const dup = tg.makeTextUpdate(9, 'trùng lặp');
    tg.pushRaw(dup);
    tg.pushRaw(dup);
    const seen: number[] = [];
    const bot = makeBot(tg);
    bot.on('message', (ctx) => {
      seen.push(ctx.update.update_id);
    });
    await startPolling(bot);
    await tg.waitForIdle(150);
    expect(seen).toEqual([dup.update_id, dup.update_id]);

    const id = tg.pushText(9, 'một lần');
    await tg.waitForIdle(150);
    expect(seen).toEqual([dup.update_id, dup.update_id, id]);
    // re-pushing confirmed ids: dropped, never delivered
    tg.pushRaw({ ...dup });
    tg.pushRaw({ update_id: id, message: { message_id: 99, date: 0, chat: { id: 9, type: 'private', first_name: 'x' }, text: 'again' } });
    const id2 = tg.pushText(9, 'mới');
    await tg.waitForIdle(150);
    expect(seen).toEqual([dup.update_id, dup.update_id, id, id2]);
    expect(tg.droppedUpdates.map((u) => u.update_id)).toEqual([dup.update_id, id]);
    expect(tg.polls.some((p) => p.offset === id2 + 1 || p.returned.includes(id2))).toBe(true);
  });

  it('blocked users, failNext, stickers/photos/my_chat_member', async () => {
    const tg = await fake();
    const bot = makeBot(tg);
    tg.setBlocked(11, true);
    let e = await apiError(bot.api.sendMessage(11, 'xin chào'));
    expect(e.error_code).toBe(403);
    expect(e.description).toBe('Forbidden: bot was blocked by the user');
    tg.setBlocked(11, false);
    await bot.api.sendMessage(11, 'xin chào');

    tg.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 3', retry_after: 3 });
    e = await apiError(bot.api.sendMessage(11, 'x'));
    expect(e.parameters.retry_after).toBe(3);
    expect(tg.tooManyRequests).toBe(1);
    await bot.api.sendMessage(11, 'x');

    const kinds: string[] = [];
    bot.on('message:sticker', () => void kinds.push('sticker'));
    bot.on('message:photo', (ctx) => void kinds.push(`photo:${ctx.message.photo.length}`));
    bot.on('my_chat_member', (ctx) => void kinds.push(`member:${ctx.myChatMember.new_chat_member.status}`));
    await startPolling(bot);
    tg.pushSticker(12);
    tg.pushPhoto(12);
    tg.pushMyChatMember(12, 'kicked');
    await tg.waitForIdle(150);
    expect(kinds).toEqual(['sticker', 'photo:2', 'member:kicked']);
    e = await apiError(bot.api.sendMessage(12, 'còn đó không?'));
    expect(e.error_code).toBe(403);
    tg.pushMyChatMember(12, 'member');
    await tg.waitForIdle(100);
    await bot.api.sendMessage(12, 'chào lại');
  });

  it('user-uploaded documents can be fetched with getFile + file URL', async () => {
    const tg = await fake();
    const bot = makeBot(tg);
    const got: Buffer[] = [];
    bot.on('message:document', async (ctx) => {
      const file = await ctx.getFile();
      const res = await fetch(`${tg.apiRoot}/file/bot${tg.token}/${file.file_path}`);
      got.push(Buffer.from(await res.arrayBuffer()));
      await ctx.reply(`Đã nhận ${ctx.message.document.file_name}`);
    });
    await startPolling(bot);
    tg.pushDocument(20, { filename: 'bc.xlsx', bytes: Buffer.from('excel-bytes') });
    expect(await tg.waitForMessage(20, (t) => t.startsWith('Đã nhận'))).toBe('Đã nhận bc.xlsx');
    expect(got[0]?.toString()).toBe('excel-bytes');
  });

  it('commands, getMe, webhook info, 401 and 404', async () => {
    const tg = await fake({ botUsername: 'so_gd_bot' });
    const bot = makeBot(tg);
    const me = await bot.api.getMe();
    expect(me).toMatchObject({ is_bot: true, username: 'so_gd_bot', id: tg.botId });
    await bot.api.setMyCommands([{ command: 'start', description: 'Bắt đầu' }, { command: 'baocao', description: 'Nộp báo cáo' }]);
    expect(await bot.api.getMyCommands()).toEqual([
      { command: 'start', description: 'Bắt đầu' },
      { command: 'baocao', description: 'Nộp báo cáo' },
    ]);
    for (const bad of [
      [{ command: 'BaoCao', description: 'x' }],
      [{ command: 'x'.repeat(33), description: 'x' }],
      [{ command: 'ok', description: '' }],
      [{ command: 'ok', description: 'd'.repeat(257) }],
      Array.from({ length: 101 }, (_, i) => ({ command: `c${i}`, description: 'x' })),
    ]) {
      expect((await apiError(bot.api.setMyCommands(bad))).error_code).toBe(400);
    }
    await bot.api.setMyCommands([{ command: 'hoi', description: 'Hỏi' }], { scope: { type: 'all_private_chats' }, language_code: 'vi' });
    expect(await bot.api.getMyCommands({ scope: { type: 'all_private_chats' }, language_code: 'vi' })).toHaveLength(1);
    expect(await bot.api.getMyCommands()).toHaveLength(2);

    expect(await bot.api.getWebhookInfo()).toMatchObject({ url: '', pending_update_count: 0 });
    await bot.api.setWebhook('https://example.test/hook', { secret_token: 's3cret' });
    expect(tg.webhook).toEqual({ url: 'https://example.test/hook', secret_token: 's3cret' });
    expect((await apiError(bot.api.getUpdates())).error_code).toBe(409);
    await bot.api.deleteWebhook();

    let res = await fetch(`${tg.apiRoot}/bot${tg.token}/sendSticker2`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    res = await fetch(`${tg.apiRoot}/bot123:wrong/getMe`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    // method names are case-insensitive, GET with query parameters works
    res = await fetch(`${tg.apiRoot}/bot${tg.token}/sendmessage?chat_id=77&text=hello`);
    expect(res.status).toBe(200);
    expect(tg.messagesTo(77)).toEqual(['hello']);
  });

  it('close() ends a hanging long poll immediately', async () => {
    const tg = await startFakeTelegram({ longPollCapMs: 60_000 });
    const started = Date.now();
    const poll = fetch(`${tg.apiRoot}/bot${tg.token}/getUpdates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timeout: 50 }),
    }).then(
      (r) => r.json(),
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 50));
    await tg.close();
    expect(await poll).toEqual({ ok: true, result: [] });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('long poll honours longPollCapMs', async () => {
    const tg = await fake({ longPollCapMs: 300 });
    const bot = makeBot(tg);
    const t0 = Date.now();
    expect(await bot.api.getUpdates({ timeout: 30 })).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('long poll returns as soon as an update is pushed; offset and limit', async () => {
    const tg = await fake({ longPollCapMs: 10_000 });
    const bot = makeBot(tg);
    const t0 = Date.now();
    setTimeout(() => tg.pushText(1, 'hi'), 50);
    const ups = await bot.api.getUpdates({ timeout: 30 });
    expect(ups).toHaveLength(1);
    expect(ups[0]?.message?.text).toBe('hi');
    expect(Date.now() - t0).toBeLessThan(5000);
    // limit and offset
    tg.pushText(1, 'a');
    tg.pushText(1, 'b');
    const first = await bot.api.getUpdates({ limit: 1 });
    expect(first.map((u) => u.message?.text)).toEqual(['hi']);
    const rest = await bot.api.getUpdates({ offset: first[0]!.update_id + 1 });
    expect(rest.map((u) => u.message?.text)).toEqual(['a', 'b']);
    expect(tg.pendingUpdates).toBe(2);
    await bot.api.getUpdates({ offset: rest[1]!.update_id + 1 });
    expect(tg.pendingUpdates).toBe(0);
  });

  it('webhook mode: postUpdateToWebhook with secret token', async () => {
    const tg = await fake();
    const bot = makeBot(tg);
    bot.command('start', (ctx) => ctx.reply(`webhook ${ctx.match}`));
    const server = http.createServer(webhookCallback(bot, 'http', { secretToken: 'abc_123' }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await bot.api.setWebhook(url, { secret_token: 'abc_123' });

    const ok = await tg.postUpdateToWebhook(url, tg.makeTextUpdate(30, '/start W1'), 'abc_123');
    expect(ok.status).toBe(200);
    expect(await tg.waitForMessage(30, (t) => t === 'webhook W1')).toBe('webhook W1');
    const denied = await tg.postUpdateToWebhook(url, tg.makeTextUpdate(30, '/start W2'), 'wrong');
    expect(denied.status).toBe(401);
    expect(tg.messagesTo(30)).toEqual(['webhook W1']);
  });

  it('exported validators', () => {
    expect(parseTelegramHtml('<i>a</i> &amp; b')).toBe('a & b');
    expect(() => parseTelegramHtml('<i>a</b>')).toThrow(/Unmatched end tag/);
    expect(parseMarkdownV2('_nghiêng_ \\- [link](https://x.vn/a\\)b) `c.d`')).toBe('nghiêng - link c.d');
    expect(() => parseMarkdownV2('*đậm')).toThrow(/Can't find end of Bold entity/);
  });
});
