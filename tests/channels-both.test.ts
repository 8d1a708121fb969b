import { afterEach, describe, expect, test } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { answers, contacts, submissions } from '../storage/schema';
import { findSubmission } from '../storage/repositories/submissions';
import { PERIOD_ID, startApp, telegramChat, zaloChat, type App } from './helpers/channels';

/**
 * One process serves Telegram and Zalo together; one person may link both accounts to the same unit and
 * carry on a report from one to the other (contacts are per channel, the submission is per unit).
 */

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('Telegram and Zalo at once', () => {
  test('a principal links both accounts to one unit and continues the same report across channels', async () => {
    app = await startApp({ telegram: 'polling', zalo: 'polling' });
    const a = app;
    const unit = 'THPT-BUITHIXUAN';
    const tg = telegramChat(a, 9001);
    const zl = zaloChat(a, 'zl-9001');

    await tg.send(`/start ${a.codeOf(unit)}`);
    await tg.expectReply('Đã liên kết tài khoản với Trường THPT Bùi Thị Xuân');
    await zl.send(a.codeOf(unit)); // on Zalo, just the code
    await zl.expectReply('Đã liên kết tài khoản với Trường THPT Bùi Thị Xuân');

    // A school answers 32 questions (the number of institutions is for district offices).
    await zl.send('/nhap');
    await zl.expectReply('Câu 1/32');
    await zl.send('1.593');
    await zl.expectReply('Câu 2/32');
    await zl.settle();

    // On Telegram the report resumes at the first question nobody answered yet.
    await tg.send('/nhap');
    await tg.expectReply('Câu 2/32');
    await tg.send('45');
    await tg.expectReply('Câu 3/32');
    await tg.settle();

    // Back on Zalo, the review shows the answer given on Telegram.
    await zl.send('/xem');
    await zl.expectReply('2. Số lớp học: 45 lớp');

    const rows = a.deps.db.select().from(contacts).where(eq(contacts.unitId, a.unitIdOf(unit))).all();
    expect(rows.map((r) => r.channel).sort()).toEqual(['telegram', 'zalo']);
    const sub = findSubmission(a.deps.db, a.unitIdOf(unit), PERIOD_ID)!;
    expect(a.deps.db.select().from(submissions).where(eq(submissions.unitId, a.unitIdOf(unit))).all()).toHaveLength(1);
    expect(a.answersOf(unit)).toEqual({ profile_pupils: 1593, profile_classes: 45 });
    // Who answered what is kept per account.
    const byContact = (key: string) =>
      a.deps.db.select().from(answers).where(and(eq(answers.submissionId, sub.id), eq(answers.questionKey, key))).get()!.contactId;
    const tgContact = rows.find((r) => r.channel === 'telegram')!.id;
    const zlContact = rows.find((r) => r.channel === 'zalo')!.id;
    expect(byContact('profile_pupils')).toBe(zlContact);
    expect(byContact('profile_classes')).toBe(tgContact);
  });

  test('both channels by webhook on the one HTTP server', async () => {
    app = await startApp({ telegram: 'webhook', zalo: 'webhook' });
    const a = app;
    expect(a.tg!.webhook?.url).toBe(`${a.baseUrl}/webhook/telegram`);
    expect(a.zalo!.webhook.url).toBe(`${a.baseUrl}/webhook/zalo`);
    // Each channel has its own secret: one channel's secret opens nothing on the other.
    expect(a.tg!.webhook?.secret_token).not.toBe(a.zalo!.webhook.secret_token);
    const crossed = await fetch(`${a.baseUrl}/webhook/zalo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bot-api-secret-token': a.tg!.webhook!.secret_token! },
      body: '{}',
    });
    expect(crossed.status).toBe(403);

    const tg = telegramChat(a, 9100);
    const zl = zaloChat(a, 'zl-9100');
    await Promise.all([tg.send(`/start ${a.codeOf('PGD-DALAT')}`), zl.send(`/start ${a.codeOf('PGD-BAOLOC')}`)]);
    await tg.expectReply('Đã liên kết tài khoản với Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    await zl.expectReply('Đã liên kết tài khoản với Phòng Giáo dục và Đào tạo thành phố Bảo Lộc');
    const health = (await (await fetch(`${a.baseUrl}/healthz`)).json()) as { channels: unknown };
    expect(health.channels).toMatchObject({ telegram: { mode: 'webhook', state: 'running' }, zalo: { mode: 'webhook', state: 'running' } });
  });
});
