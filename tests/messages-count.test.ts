import { afterEach, describe, expect, test } from 'vitest';
import { H1_CLOCK } from './helpers/harness';
import { zaloTextUpdate } from './fakes/zalo-server';
import { startApp, type App } from './helpers/channels';
import { FIRST_TIME_OFFICE, RETURNING_SCHOOL, SCHOOL_PREVIOUS, seedConfirmedReport, type QuickStep } from './fixtures/quick-scripts';
import { findSubmission } from '../storage/repositories/submissions';
import { answers } from '../storage/schema';
import { eq } from 'drizzle-orm';

/**
 * Issue 10's key figures, counted on the wire: a returning school whose profile is unchanged, pasting
 * each section in one message, finishes the default form with at most 12 messages or button taps and
 * at most 15 bot messages; a district office reporting for the first time needs at most 20. The same
 * steps run through the fake Telegram server (buttons tapped) and the Zalo adapter (digits typed).
 */

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const SCHOOL = { code: 'THPT-BUITHIXUAN', name: 'Trường THPT Bùi Thị Xuân' };
const OFFICE = { code: 'PGD-BAOLOC', name: 'Phòng Giáo dục và Đào tạo thành phố Bảo Lộc' };

interface Counts {
  sent: number;
  received: number;
}

const fill = (s: string, vars: Record<string, string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');

async function playTelegram(a: App, chat: number, steps: readonly QuickStep[], vars: Record<string, string>): Promise<Counts> {
  const tg = a.tg!;
  const before = tg.botMessages(chat).length;
  for (const step of steps) {
    if (step.tap) tg.clickButton(chat, step.tap);
    else tg.pushText(chat, fill(step.send, vars));
    await tg.waitForMessage(chat, (t) => t.includes(fill(step.expect, vars)), 5000);
    await a.runtime.idle();
    await tg.waitForIdle(30);
    tg.skipMessages(chat);
  }
  return { sent: steps.length, received: tg.botMessages(chat).length - before };
}

async function playZalo(a: App, chatId: string, steps: readonly QuickStep[], vars: Record<string, string>): Promise<Counts> {
  const fake = a.zalo!;
  const mine = () => fake.sent.filter((c) => c.method === 'sendMessage' && c.body.chat_id === chatId);
  const before = mine().length;
  for (const step of steps) {
    // Zalo has no deep links: the code alone links the account.
    const text = fill(step.send, vars).replace(/^\/start /, '');
    fake.pushUpdate(zaloTextUpdate({ chatId, text, fromName: 'Nguyễn Văn An' }));
    const from = fake.sent.length;
    await fake.waitFor((c) => c.method === 'sendMessage' && c.body.chat_id === chatId && fake.sent.indexOf(c) >= from && String(c.body.text).includes(fill(step.expect, vars)), 5000);
    await a.runtime.idle();
  }
  return { sent: steps.length, received: mine().length - before };
}

function seedSchool(a: App): void {
  seedConfirmedReport(a.deps.db, a.unitIdOf(SCHOOL.code), '2025-H1', SCHOOL_PREVIOUS, new Date('2025-05-04T03:00:00Z'));
}

describe('a principal finishes the report in a handful of messages', () => {
  test('Telegram: a returning school ≤ 12 sent / ≤ 15 received; a first-time district office ≤ 20 sent', async () => {
    app = await startApp({ telegram: 'polling', clock: () => H1_CLOCK });
    seedSchool(app);
    const tg = app.tg!;
    tg.pushText(6101, `/start ${app.codeOf(SCHOOL.code)}`);
    await tg.waitForMessage(6101, (t) => t.includes('Đã liên kết'));
    await app.runtime.idle();
    tg.skipMessages(6101);

    const school = await playTelegram(app, 6101, RETURNING_SCHOOL, {});
    const office = await playTelegram(app, 6102, FIRST_TIME_OFFICE, { CODE: app.codeOf(OFFICE.code), UNIT: OFFICE.name });
    console.log(`[messages] telegram returning school: ${school.sent} sent, ${school.received} received; first-time district office: ${office.sent} sent, ${office.received} received`);
    expect(school.sent).toBeLessThanOrEqual(12);
    expect(school.received).toBeLessThanOrEqual(15);
    expect(office.sent).toBeLessThanOrEqual(20);
    checkStored(app);
    expect(tg.rejected).toEqual([]);
  }, 60_000);

  test('Zalo: the same figures with digits typed instead of buttons', async () => {
    app = await startApp({ zalo: 'polling', clock: () => H1_CLOCK });
    seedSchool(app);
    await playZalo(app, 'zl-school', [{ send: app.codeOf(SCHOOL.code), expect: 'Đã liên kết' }], {});
    const school = await playZalo(app, 'zl-school', RETURNING_SCHOOL, {});
    const office = await playZalo(app, 'zl-office', FIRST_TIME_OFFICE, { CODE: app.codeOf(OFFICE.code), UNIT: OFFICE.name });
    console.log(`[messages] zalo returning school: ${school.sent} sent, ${school.received} received; first-time district office: ${office.sent} sent, ${office.received} received`);
    expect(school.sent).toBeLessThanOrEqual(12);
    expect(school.received).toBeLessThanOrEqual(15);
    expect(office.sent).toBeLessThanOrEqual(20);
    checkStored(app);
  }, 60_000);
});

/** What the short conversations stored: every figure, the kept ones, the note, nothing asked that does not apply. */
function checkStored(a: App): void {
  const school = a.answersOf(SCHOOL.code);
  expect(findSubmission(a.deps.db, a.unitIdOf(SCHOOL.code), '2026-H1')!.status).toBe('confirmed');
  expect(school).toMatchObject({ profile_pupils: 1_180, profile_classes: 30, profile_staff: 85, portal_role_models: 4, digital_views: 52_000, campaign_activities: 4 });
  expect(school).not.toHaveProperty('profile_institutions');
  expect(school.intl_activities_text).toBeNull();
  const office = a.answersOf(OFFICE.code);
  expect(findSubmission(a.deps.db, a.unitIdOf(OFFICE.code), '2026-H1')!.status).toBe('confirmed');
  expect(office).toMatchObject({ profile_institutions: 186, profile_pupils: 52_300, intl_delegations_received: 2, intl_support_money: 1_500_000, campaign_activities: 12 });
  expect(office.assess_results_text).toBe('Các trường duy trì chuyên mục gương điển hình trên trang thông tin điện tử.');
  expect(office).not.toHaveProperty('assess_shortcomings_text');
  expect(school).not.toHaveProperty('assess_results_text');
  const sub = findSubmission(a.deps.db, a.unitIdOf(OFFICE.code), '2026-H1')!;
  const note = a.deps.db.select().from(answers).where(eq(answers.submissionId, sub.id)).all().find((r) => r.questionKey === 'intl_delegations_received')!;
  expect(note.note).toBe('Hàn Quốc và Nhật Bản');
}
