import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { answers } from '../storage/schema';
import { findSubmission } from '../storage/repositories/submissions';
import { H1_CLOCK } from './helpers/harness';
import { PERIOD_ID, startApp, telegramChat, type App, type Chat } from './helpers/channels';
import { callApi, PUBLIC } from './helpers/form-page';

/**
 * One submission answered from the chat and from the page at the same time: every answer given is kept,
 * the newest one wins, an older screen never overwrites a newer answer, and the chat never takes a
 * message as the answer to a question the page already answered. A district office answers every
 * question of the default form, so the chat and the page number them alike.
 */

let app: App;
let chat: Chat;
const USER = 6301;
const auth = () => ({ kind: 'telegram', initData: app.tg!.webAppInitData(USER, { authDate: Math.floor(H1_CLOCK.getTime() / 1000) }) });
const seenIn = (html: string, key: string): number | null => {
  const m = new RegExp(`data-key="${key}" data-seen="(\\d*)"`).exec(html);
  if (!m) throw new Error(`no field ${key}`);
  return m[1] ? Number(m[1]) : null;
};

beforeAll(async () => {
  app = await startApp({ telegram: 'polling', clock: () => H1_CLOCK, env: { PUBLIC_URL: PUBLIC } });
  chat = telegramChat(app, USER);
  await chat.send(`/start ${app.codeOf('PGD-DALAT')}`);
  await chat.expectReply('Đã liên kết');
  await chat.settle();
}, 30_000);

afterAll(async () => {
  await app?.close();
});

describe('chat and page on one submission', () => {
  test('no answer lost, none overwritten out of order', async () => {
    await chat.send('/nhap');
    await chat.expectReply('Câu 1/33');
    const first = await callApi(app, 'load', { auth: auth(), period: PERIOD_ID });
    expect(seenIn(String(first.json.html), 'profile_institutions')).toBeNull();

    // The chat answers question 1 while the page is open on an empty form.
    await chat.send('560');
    await chat.expectReply('Câu 2/33');
    await chat.settle();

    // The page answers question 2, the one the chat is asking now.
    const q2 = await callApi(app, 'save', { auth: auth(), period: PERIOD_ID, key: 'profile_pupils', text: '285 nghìn', seen: null });
    expect(q2.status).toBe(200);
    // So the chat does not take its next message as question 2 again: it says how to go on.
    await chat.send('999');
    await chat.expectReply('/nhap');
    await chat.settle();
    expect(app.answersOf('PGD-DALAT').profile_pupils).toBe(285_000);

    // The page, still showing question 1 empty, tries to write it: refused, brought up to date.
    const stale = await callApi(app, 'save', { auth: auth(), period: PERIOD_ID, key: 'profile_institutions', text: '7', seen: null });
    expect(stale.status).toBe(409);
    expect(String(stale.json.message)).toContain('560 cơ sở');
    expect((stale.json.field as { input: string }).input).toBe('560');
    expect(app.answersOf('PGD-DALAT').profile_institutions).toBe(560);

    // The page now shows the chat's answer; a change made on it is the newest and wins.
    const reloaded = await callApi(app, 'load', { auth: auth(), period: PERIOD_ID });
    expect(String(reloaded.json.html)).toContain('value="560"');
    const seen = seenIn(String(reloaded.json.html), 'profile_institutions');
    expect((await callApi(app, 'save', { auth: auth(), period: PERIOD_ID, key: 'profile_institutions', text: '561', seen })).status).toBe(200);

    // The chat resumes at the first question still unanswered, and shows the page's answers.
    await chat.send('/nhap');
    await chat.expectReply('Câu 3/33');
    await chat.settle();

    // Both at once: the chat answers questions 3 and 4 while the page sends questions 5 to 13.
    const portal = ['portal_news_events', 'portal_party_ideology', 'portal_role_models', 'portal_admin_reform', 'portal_grassroots', 'portal_legal_education', 'portal_education_reform', 'portal_exams', 'portal_other'];
    const pageSaves = Promise.all(portal.map((key, i) => callApi(app, 'save', { auth: auth(), period: PERIOD_ID, key, text: String(i + 1), seen: null })));
    await chat.send('8.600');
    await chat.expectReply('Câu 4/33');
    await chat.send('17,5 nghìn');
    const results = await pageSaves;
    expect(results.map((r) => r.status)).toEqual(portal.map(() => 200));
    // The chat's last answer is stored once its acknowledgement is out (settle alone does not wait for it).
    await chat.expectReply('17.500');
    await chat.settle();

    const now = app.answersOf('PGD-DALAT');
    expect(now).toMatchObject({ profile_institutions: 561, profile_pupils: 285_000, profile_classes: 8600, profile_staff: 17_500 });
    portal.forEach((key, i) => expect(now[key]).toBe(i + 1));
    // Every answer given is a row, in the order given: the chat's 560 is kept under the page's 561.
    const sub = findSubmission(app.deps.db, app.unitIdOf('PGD-DALAT'), PERIOD_ID)!;
    const rows = app.deps.db.select().from(answers).all().filter((r) => r.submissionId === sub.id);
    expect(rows.filter((r) => r.questionKey === 'profile_institutions').map((r) => JSON.parse(r.value))).toEqual([560, 561]);
    expect(rows).toHaveLength(2 + 1 + 2 + portal.length);
    // The page never wrote question 2 twice, and the chat's "999" is nowhere.
    expect(rows.some((r) => r.rawText === '999')).toBe(false);
  }, 30_000);
});
