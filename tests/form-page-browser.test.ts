import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { appendAnswer, confirmSubmission, createSubmission, findSubmission } from '../storage/repositories/submissions';
import { findContact } from '../storage/repositories/contacts';
import { ensurePeriod } from '../storage/repositories/periods';
import { answers, auditLog, outbox } from '../storage/schema';
import { outboxSend } from '../storage/repositories/outbox';
import { H1_CLOCK } from './helpers/harness';
import { PERIOD_ID, SCRIPT_ANSWERS, startApp, telegramChat, zaloChat, type App } from './helpers/channels';
import { PUBLIC, tokenIn } from './helpers/form-page';

/**
 * The Mini App in a real browser (Debian's chromium, headless, no network beyond 127.0.0.1): opened the
 * way Telegram opens it (initData in the URL fragment), every field filled as a principal would, one bad
 * value explained, a reload keeping everything, a refused then an accepted confirmation, the rows in
 * SQLite and the chat's confirmation message at the fake Bot API.
 */

const CHROMIUM = '/usr/bin/chromium';
const OUT_DIR = resolve('.tmp/form-page');
const TG_USER = 5201;
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for the browser tests`);

/** What is typed per field: phrases the chat accepts, giving SCRIPT_ANSWERS once read. */
const TYPED: Record<string, string> = {
  profile_institutions: '560',
  profile_pupils: '285 nghìn',
  profile_classes: '8.600',
  profile_staff: '17,5 nghìn',
  portal_news_events: '45',
  portal_party_ideology: '13',
  portal_role_models: '0',
  portal_admin_reform: '14 tin, bài',
  portal_grassroots: '10',
  portal_legal_education: '7',
  portal_education_reform: '6',
  portal_exams: '5',
  portal_other: '3',
  digital_posts: '1.080',
  digital_views: '2,1 triệu',
  digital_interactions: '1tr9',
  press_info_provided: '3',
  press_articles: '6',
  press_false_info_handled: '1',
  training_sessions: '2',
  training_participants: '120 lượt người',
  intl_delegations_received: 'không',
  intl_delegations_sent: '0',
  intl_agreements: 'ko',
  intl_foreign_students: '6',
  intl_support_money: '1 triệu rưỡi',
  intl_activities_text: 'không có',
  campaign_activities: '5',
  campaign_text: 'Tổ chức cuộc thi tìm hiểu về biển, đảo Việt Nam cho học sinh.',
  assess_results_text: 'Duy trì chuyên mục gương điển hình trên trang thông tin điện tử.',
  assess_shortcomings_text: 'không có',
  assess_causes_text: 'không có',
  assess_proposals_text: 'Đề nghị Sở tổ chức tập huấn kỹ năng sản xuất video ngắn.',
};

let app: App;
let context: BrowserContext;
let profileDir: string;
const problems: string[] = [];

beforeAll(async () => {
  if (!haveChromium) return;
  mkdirSync(OUT_DIR, { recursive: true });
  app = await startApp({ telegram: 'polling', zalo: 'polling', clock: () => H1_CLOCK, env: { PUBLIC_URL: PUBLIC } });
  const chat = telegramChat(app, TG_USER);
  await chat.send(`/start ${app.codeOf('PGD-DALAT')}`);
  await chat.expectReply('Đã liên kết');
  await chat.settle();
  profileDir = mkdtempSync(join(tmpdir(), 'baocao-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: 'vi-VN',
    timeout: 30_000,
  });
  // Nothing may come from another origin (the page must work with no Internet access).
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${app.baseUrl}/`)) return route.continue();
    problems.push(`request to another origin: ${url}`);
    return route.abort();
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await app?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

function watch(page: Page): void {
  page.on('console', (m) => {
    // A refused answer or confirmation (422) and a newer answer found (409) are answers on purpose; Chromium logs every 4xx.
    if (m.type() === 'error' && !/status of (422|409)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}

/** Waits until an element matching `selector` contains `text` (Playwright's own expect is not vitest's). */
async function waitText(page: Page, selector: string, text: string, timeout = 5000): Promise<void> {
  try {
    await page.locator(selector, { hasText: text }).first().waitFor({ timeout });
  } catch {
    const seen = await page.locator(selector).allTextContents();
    throw new Error(`no ${selector} containing ${JSON.stringify(text)}; found ${JSON.stringify(seen)}`);
  }
}

const field = (key: string) => `.field[data-key="${key}"]`;

async function typeAndLeave(page: Page, key: string, text: string): Promise<void> {
  const input = page.locator(`${field(key)} input, ${field(key)} textarea`);
  await input.fill(text);
  await input.press('Tab');
}

describe.skipIf(!haveChromium)('the form page in headless Chromium', () => {
  test('filled, reloaded, confirmed: the rows in SQLite and the confirmation in the chat', async () => {
    // The chat offers the page as a Mini App button on /nhap, next to the first question.
    const chat = telegramChat(app, TG_USER);
    await chat.send('/nhap');
    await chat.expectReply('Câu 1/33');
    const withButton = app.tg!.botMessages(TG_USER).find((m) => m.text.includes('Câu 1/33'))!;
    const button = withButton.inlineKeyboard!.flat().find((b) => b.text === 'Mở biểu mẫu')!;
    expect(button.web_app).toEqual({ url: `${PUBLIC}/form/tg?period=${PERIOD_ID}` });

    const initData = app.tg!.webAppInitData(TG_USER, { authDate: Math.floor(H1_CLOCK.getTime() / 1000) });
    const page = await context.newPage();
    watch(page);
    const url = `${app.baseUrl}/form/tg?period=${PERIOD_ID}#tgWebAppData=${encodeURIComponent(initData)}&tgWebAppVersion=8.0&tgWebAppPlatform=android`;
    await page.goto(url);
    await page.waitForSelector('#form', { timeout: 10_000 });
    await waitText(page, '#status', 'đã trả lời 0/33');
    await page.screenshot({ path: join(OUT_DIR, 'form-360-top.png') });

    // Confirming too early is refused with the list of what is missing, and the fields are marked.
    await page.click('#confirm');
    await waitText(page, '#confirm-msg.error', 'Chưa thể xác nhận');
    expect(await page.locator('.field.missing').count()).toBeGreaterThan(20);

    // Answers given in the chat meanwhile appear when the person comes back to the page.
    await chat.send('555');
    await chat.expectReply('Câu 2/33');
    await chat.settle();
    // The person switches to the chat and back: the page is hidden, then shown again.
    for (const state of ['hidden', 'visible']) {
      await page.evaluate(`Object.defineProperty(document, 'visibilityState', { value: '${state}', configurable: true }); document.dispatchEvent(new Event('visibilitychange'))`);
    }
    await page.locator(`${field('profile_institutions')}.answered`).waitFor({ timeout: 5000 });
    expect(await page.locator(`${field('profile_institutions')} input`).inputValue()).toBe('555');
    // An answer given in the chat after the page was drawn is not overwritten by the older screen.
    await chat.send('111');
    await chat.expectReply('Câu 3/33');
    await chat.settle();
    await typeAndLeave(page, 'profile_pupils', '200');
    await waitText(page, `${field('profile_pupils')} .msg.warn`, 'vừa được trả lời ở nơi khác');
    expect(await page.locator(`${field('profile_pupils')} input`).inputValue()).toBe('111');
    expect(app.answersOf('PGD-DALAT').profile_pupils).toBe(111);

    // One bad value: the chat's message appears under the field and nothing is stored.
    await typeAndLeave(page, 'profile_classes', 'nhiều lắm');
    await waitText(page, `${field('profile_classes')} .msg.error`, 'Cần một số chính xác');
    await page.locator(field('profile_classes')).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUT_DIR, 'form-360-bad-value.png') });
    expect(app.answersOf('PGD-DALAT').profile_classes).toBeUndefined();

    for (const [key, text] of Object.entries(TYPED)) {
      await typeAndLeave(page, key, text);
      await waitText(page, `${field(key)} .msg.ok`, '✓');
    }
    await waitText(page, '#status', 'đã trả lời 33/33');
    await page.screenshot({ path: join(OUT_DIR, 'form-360-filled.png'), fullPage: true });

    // Closing and opening again loses nothing.
    await page.reload();
    await page.waitForSelector('#form', { timeout: 10_000 });
    expect(await page.locator(`${field('profile_pupils')} input`).inputValue()).toBe('285.000');
    expect(await page.locator(`${field('intl_support_money')} input`).inputValue()).toBe('1.500.000');
    expect(await page.locator(`${field('campaign_text')} textarea`).inputValue()).toBe(TYPED.campaign_text!);
    expect(await page.locator(`${field('intl_activities_text')} textarea`).inputValue()).toBe('không có');

    await page.click('#confirm');
    await waitText(page, '#confirm-msg.ok', 'Đã xác nhận báo cáo');
    await waitText(page, '#status', 'Đã xác nhận');
    await page.screenshot({ path: join(OUT_DIR, 'form-360-confirmed.png'), fullPage: false });

    // The rows: exactly what the chat script stores, confirmed by this account, with the chat's audit trail.
    const unitId = app.unitIdOf('PGD-DALAT');
    expect(app.answersOf('PGD-DALAT')).toEqual(SCRIPT_ANSWERS);
    const sub = findSubmission(app.deps.db, unitId, PERIOD_ID)!;
    expect(sub.status).toBe('confirmed');
    expect(sub.revision).toBe(1);
    const audit = app.deps.db.select().from(auditLog).all();
    expect(audit.filter((a) => a.action === 'submission_confirmed')).toHaveLength(1);
    // A draft answer's own row is its trail (who, when, what was typed); the audit log holds no copy of it.
    // 33 from the page, 2 from the chat (555 and 111, both replaced on the page since).
    expect(audit.filter((a) => a.action === 'answer_set' || a.action === 'answer_skipped')).toHaveLength(0);
    expect(app.deps.db.select().from(answers).all().filter((a) => a.submissionId === sub.id && a.contactId !== null)).toHaveLength(35);
    // The chat hears of it as after /xacnhan.
    await app.tg!.waitForMessage(TG_USER, (t) => t.includes('✅ Đã xác nhận báo cáo 6 tháng đầu năm 2026 của Phòng Giáo dục và Đào tạo thành phố Đà Lạt'));
    // …through the reply queue, committed with the confirmation (a crash cannot keep one without the other), and marked sent once.
    await vi.waitFor(() => {
      const queued = app!.deps.db.select().from(outbox).all().filter((r) => r.chatId === String(TG_USER) && r.text?.includes('✅ Đã xác nhận báo cáo'));
      expect(queued).toHaveLength(1);
      expect(outboxSend(app!.deps.db, queued[0]!.id)).toBeDefined();
    });

    // After confirmation the page still takes corrections, each a new revision.
    await typeAndLeave(page, 'portal_exams', '8');
    await waitText(page, `${field('portal_exams')} .msg.ok`, '8 tin, bài');
    await waitText(page, `${field('portal_exams')} .msg.ok`, 'lần sửa thứ 1');
    expect(findSubmission(app.deps.db, unitId, PERIOD_ID)!.revision).toBe(2);

    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  test('a Zalo personal link in the browser: last period’s figure kept with one tap, an unlikely figure asked back', async () => {
    const zalo = zaloChat(app, 'zalo-browser-1');
    await zalo.send(`/start ${app.codeOf('PGD-BAOLOC')}`);
    await zalo.expectReply('Đã liên kết');
    // The unit's confirmed report of the same half-year last year.
    const { db } = app.deps;
    const contact = findContact(db, 'zalo', 'zalo-browser-1')!;
    const at = new Date('2025-05-01T03:00:00Z');
    const past = createSubmission(db, app.unitIdOf('PGD-BAOLOC'), '2025-H1', ensurePeriod(db, '2025-H1').formVersionId, at);
    for (const [key, value] of [['profile_pupils', 1593], ['portal_news_events', 45]] as const) {
      appendAnswer(db, { submissionId: past.id, key, value, raw: String(value), revision: 0, contactId: contact.id, now: at });
    }
    confirmSubmission(db, past.id, contact.id, at);
    await zalo.send('/nhap');
    const token = tokenIn(await zalo.expectReply('/form/l/'));

    const page = await context.newPage();
    watch(page);
    // Zalo's in-app browser opens the link as it is (the base is PUBLIC_URL; the test serves it locally).
    await page.goto(`${app.baseUrl}/form/l/${token}`);
    await page.waitForSelector('#form');
    await waitText(page, field('profile_pupils'), 'Kỳ trước: 1.593 học sinh');
    await page.click(`${field('profile_pupils')} .keep`);
    await waitText(page, `${field('profile_pupils')} .msg.ok`, '1.593 học sinh');
    expect(await page.locator(`${field('profile_pupils')} input`).inputValue()).toBe('1.593');

    await typeAndLeave(page, 'portal_news_events', '450');
    await waitText(page, `${field('portal_news_events')} .msg.warn`, 'Đúng không?');
    await page.locator(field('portal_news_events')).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUT_DIR, 'link-360-asked-back.png') });
    expect(app.answersOf('PGD-BAOLOC').portal_news_events).toBeUndefined();
    await page.locator(`${field('portal_news_events')} .choices button`, { hasText: 'Đúng' }).click();
    await waitText(page, `${field('portal_news_events')} .note`, 'số liệu khác thường');
    expect(app.answersOf('PGD-BAOLOC')).toMatchObject({ profile_pupils: 1593, portal_news_events: 450 });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
