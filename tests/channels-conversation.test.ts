import { afterEach, describe, expect, test } from 'vitest';
import { eq } from 'drizzle-orm';
import { contacts, inbox, submissions } from '../storage/schema';
import { findSubmission } from '../storage/repositories/submissions';
import { SCRIPT_ANSWERS, PERIOD_ID, playScript, startApp, telegramChat, zaloChat, type App } from './helpers/channels';

/**
 * The whole submission conversation of the first slice (bind with a code, answer every question with
 * Vietnamese number phrases, a bad input or two, back, skip, review, edit, confirm), as one scripted list
 * of steps, played through the fake Zalo server (polling and webhook) and the fake Telegram server:
 * every channel must store exactly the same answers.
 */

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const DALAT = { code: 'PGD-DALAT', name: 'Phòng Giáo dục và Đào tạo thành phố Đà Lạt' };
const BAOLOC = { code: 'PGD-BAOLOC', name: 'Phòng Giáo dục và Đào tạo thành phố Bảo Lộc' };

function expectConfirmed(a: App, unitCode: string): void {
  const sub = findSubmission(a.deps.db, a.unitIdOf(unitCode), PERIOD_ID)!;
  expect(sub.status).toBe('confirmed');
  expect(sub.revision).toBe(1);
}

describe('the submission conversation on Zalo', () => {
  test('polling: bind, answer, back, skip, review, edit, confirm', async () => {
    app = await startApp({ zalo: 'polling' });
    const replies = await playScript(zaloChat(app, 'zl-user-1'), { CODE: app.codeOf(DALAT.code), UNIT: DALAT.name });

    expect(app.answersOf(DALAT.code)).toEqual(SCRIPT_ANSWERS);
    expectConfirmed(app, DALAT.code);
    // Choices are numbered options answered by the digit.
    expect(replies.find((r) => r.includes('Đơn vị muốn ghi số nào'))).toContain('Trả lời 1 để chọn 12 tin, bài; 2 để chọn 13 tin, bài.');
    const fake = app.zalo!;
    const texts = fake.sent.filter((c) => c.method === 'sendMessage').map((c) => String(c.body.text));
    expect(texts.some((t) => t.includes('Trả lời 1 để xác nhận, 2 để sửa.'))).toBe(true);
    // Every message fits Zalo's limit, and the long review really was split.
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThanOrEqual(2000);
    expect(texts.filter((t) => t.startsWith('BÁO CÁO 6 THÁNG ĐẦU NĂM 2026')).length).toBeGreaterThan(0);
    // Polling removed any webhook, and every polled update went through the inbox and was handled.
    expect(fake.sent.some((c) => c.method === 'deleteWebhook')).toBe(true);
    const rows = app.deps.db.select().from(inbox).all();
    expect(rows.length).toBeGreaterThanOrEqual(47);
    expect(rows.every((r) => r.channel === 'zalo' && r.processedAt !== null && /^message\.text\.received:/.test(r.updateKey))).toBe(true);
    const contact = app.deps.db.select().from(contacts).where(eq(contacts.externalId, 'zl-user-1')).get()!;
    expect(contact).toMatchObject({ channel: 'zalo', unitId: app.unitIdOf(DALAT.code), displayName: 'Nguyễn Thị Lan', active: true });
  });

  test('webhook: the same conversation, delivered by webhook calls', async () => {
    app = await startApp({ zalo: 'webhook' });
    const fake = app.zalo!;
    // Registered at start, with a secret, on our public URL.
    expect(fake.webhook.url).toBe(`${app.baseUrl}/webhook/zalo`);
    expect(fake.webhook.secret_token?.length).toBeGreaterThanOrEqual(16);
    await playScript(zaloChat(app, 'zl-user-2'), { CODE: app.codeOf(BAOLOC.code), UNIT: BAOLOC.name });

    expect(app.answersOf(BAOLOC.code)).toEqual(SCRIPT_ANSWERS);
    expectConfirmed(app, BAOLOC.code);
    expect(fake.requests.some((r) => r.method === 'getUpdates')).toBe(false);
  });

  test('binding by just sending the code (Zalo has no deep links)', async () => {
    app = await startApp({ zalo: 'polling' });
    const chat = zaloChat(app, 'zl-user-3');
    await chat.send('xin chào');
    await chat.expectReply('chưa được liên kết');
    await chat.send(app.codeOf(DALAT.code).toLowerCase());
    await chat.expectReply(`Đã liên kết tài khoản với ${DALAT.name}`);
  });
});

describe('the same script on Telegram', () => {
  test('Telegram polling and Zalo webhook in one process store the same answers', async () => {
    app = await startApp({ telegram: 'polling', zalo: 'webhook' });
    const a = app;
    await Promise.all([
      playScript(telegramChat(a, 4242), { CODE: a.codeOf(DALAT.code), UNIT: DALAT.name }),
      playScript(zaloChat(a, 'zl-user-4'), { CODE: a.codeOf(BAOLOC.code), UNIT: BAOLOC.name }),
    ]);
    // Read back from the one SQLite file: two submissions, identical current answers.
    const rows = a.deps.db.select().from(submissions).where(eq(submissions.periodId, PERIOD_ID)).all();
    expect(rows).toHaveLength(2);
    const onTelegram = a.answersOf(DALAT.code);
    const onZalo = a.answersOf(BAOLOC.code);
    expect(onTelegram).toEqual(onZalo);
    expect(onTelegram).toEqual(SCRIPT_ANSWERS);
    expectConfirmed(a, DALAT.code);
    expectConfirmed(a, BAOLOC.code);
    expect(a.tg!.rejected).toEqual([]);
  });

  test('Telegram webhook mode: the same answers', async () => {
    app = await startApp({ telegram: 'webhook' });
    const tg = app.tg!;
    expect(tg.webhook?.url).toBe(`${app.baseUrl}/webhook/telegram`);
    expect(tg.webhook?.secret_token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    await playScript(telegramChat(app, 5151), { CODE: app.codeOf(DALAT.code), UNIT: DALAT.name });
    expect(app.answersOf(DALAT.code)).toEqual(SCRIPT_ANSWERS);
    expectConfirmed(app, DALAT.code);
    expect(tg.rejected).toEqual([]);
  });
});
