import { afterEach, describe, expect, test } from 'vitest';
import { H1_CLOCK } from './helpers/harness';
import { startApp, telegramChat, type App } from './helpers/channels';
import { SCHOOL_PREVIOUS, seedConfirmedReport } from './fixtures/quick-scripts';
import { estimateMinutes } from '../domain/estimate';
import { applicableQuestions, DEFAULT_FORM } from '../domain/form';

/**
 * The welcome tells a principal, before anything is asked, how many questions of this period's form apply
 * to the unit and about how long they take: a school is not asked the district office's "cơ sở giáo dục
 * thuộc đơn vị", and last period's figures kept with "=" make a returning unit quicker.
 */

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The welcome (or any reply) that mentions the form's size, through the fake Telegram server. */
async function welcome(a: App, chat: number, text: string): Promise<string> {
  const c = telegramChat(a, chat);
  await c.send(text);
  const got = await c.expectReply('Biểu mẫu kỳ này có');
  await c.settle();
  return got;
}

describe('the welcome says how many questions apply and how long they take', () => {
  test('a school, a district office and a returning school, after linking and on /start again', async () => {
    app = await startApp({
      telegram: 'polling',
      clock: () => H1_CLOCK,
      beforeStart: (deps, demo) => {
        const unit = demo.units.find((u) => u.unit.code === 'THPT-BUITHIXUAN')!.unit;
        seedConfirmedReport(deps.db, unit.id, '2025-H1', SCHOOL_PREVIOUS, new Date('2025-05-04T03:00:00Z'));
      },
    });

    // First-time school: 32 questions at about 10 seconds each → 320 s, i.e. about 6 minutes.
    const school = await welcome(app, 7101, `/start ${app.codeOf('THPT-THANGLONG')}`);
    expect(school).toContain('Đã liên kết tài khoản với Trường THPT Chuyên Thăng Long');
    expect(school).toContain('Biểu mẫu kỳ này có 32 câu hỏi dành cho đơn vị, mất khoảng 6 phút.');

    // First-time district office: one question more (institutions under the office).
    const office = await welcome(app, 7102, `/start ${app.codeOf('PGD-DALAT')}`);
    expect(office).toContain('Đã liên kết tài khoản với Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    expect(office).toContain('Biểu mẫu kỳ này có 33 câu hỏi dành cho đơn vị, mất khoảng 6 phút.');

    // Returning school: 26 figures can be kept (about 3 s each), 6 texts to write → 138 s, about 3 minutes.
    const returning = await welcome(app, 7103, `/start ${app.codeOf('THPT-BUITHIXUAN')}`);
    expect(returning).toContain('Biểu mẫu kỳ này có 32 câu hỏi dành cho đơn vị, mất khoảng 3 phút.');

    // /start again on a linked account: the same facts, and progress once answering has begun.
    expect(await welcome(app, 7102, '/start')).toContain('Chào mừng trở lại! Tài khoản đang liên kết với Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    const c = telegramChat(app, 7102);
    await c.send('/nhap');
    await c.expectReply('Câu 1/33');
    await c.settle();
    await c.send('186');
    await c.expectReply('Câu 2/33');
    await c.settle();
    expect(await welcome(app, 7102, '/start')).toContain('Biểu mẫu kỳ này có 33 câu hỏi dành cho đơn vị, đã trả lời 1 câu; phần còn lại mất khoảng 6 phút.');
    expect(app.tg!.rejected).toEqual([]);
  }, 60_000);
});

describe('estimateMinutes', () => {
  const school = applicableQuestions(DEFAULT_FORM, 'thpt');
  const previous = { sameKind: { periodId: '2025-H1', title: '6 tháng đầu năm 2025', answers: SCHOOL_PREVIOUS }, latest: null };

  test('about 10 s a question, rounded up to whole minutes', () => {
    expect(school).toHaveLength(32);
    expect(estimateMinutes(school, null)).toBe(Math.ceil((32 * 10) / 60));
  });

  test('figures that last period already gave count as a few seconds each', () => {
    expect(estimateMinutes(school, previous)).toBe(3);
    expect(estimateMinutes(school, previous)).toBeLessThan(estimateMinutes(school, null));
  });

  test('only what is left counts, and never less than a minute', () => {
    const allButOne = Object.fromEntries(school.slice(1).map((q) => [q.key, 1]));
    expect(estimateMinutes(school, null, allButOne)).toBe(1);
  });
});
