import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setPeriodOverride } from '../storage/repositories/periods';
import { findContact, unbindContact } from '../storage/repositories/contacts';
import { appendAnswer, confirmSubmission, createSubmission } from '../storage/repositories/submissions';
import { ensurePeriod } from '../storage/repositories/periods';
import { answers } from '../storage/schema';
import { validateInitData } from '../bot/http/telegram-init-data';
import { H1_CLOCK } from './helpers/harness';
import { PERIOD_ID, startApp, telegramChat, zaloChat, type App } from './helpers/channels';
import { callApi, PUBLIC, rowCounts, tokenIn } from './helpers/form-page';

/**
 * The form page's API as the Internet sees it: only a Telegram user whose initData Telegram signed for
 * this bot, recently, and who is linked to a unit, or the holder of a live personal link, reaches one
 * unit's report for one period; every refused request leaves the database as it was.
 */

let app: App;
let now = H1_CLOCK;
const secs = () => Math.floor(now.getTime() / 1000);
const TG_USER = 4101;
const TG_STRANGER = 4102;
const ZALO_A = 'zalo-user-a';
const ZALO_B = 'zalo-user-b';
let tokenA = '';
let tokenB = '';

const tgAuth = (initData: string) => ({ kind: 'telegram', initData });

beforeAll(async () => {
  app = await startApp({ telegram: 'polling', zalo: 'polling', clock: () => now, env: { PUBLIC_URL: PUBLIC } });
  const tg = telegramChat(app, TG_USER);
  await tg.send(`/start ${app.codeOf('THPT-THANGLONG')}`);
  await tg.expectReply('Đã liên kết');
  await tg.settle();
  const a = zaloChat(app, ZALO_A);
  await a.send(`/start ${app.codeOf('THPT-BUITHIXUAN')}`);
  await a.expectReply('Đã liên kết');
  await a.send('/nhap');
  tokenA = tokenIn(await a.expectReply('/form/l/'));
  const b = zaloChat(app, ZALO_B);
  await b.send(`/start ${app.codeOf('PGD-DALAT')}`);
  await b.expectReply('Đã liên kết');
  await b.send('/nhap');
  tokenB = tokenIn(await b.expectReply('/form/l/'));
  await app.runtime.idle();
}, 30_000);

afterAll(async () => {
  await app?.close();
});

describe('Telegram initData (validated as Telegram specifies)', () => {
  test('a valid initData opens the unit’s form for the open period, with a strict Content-Security-Policy', async () => {
    const r = await callApi(app, 'load', { auth: tgAuth(app.tg!.webAppInitData(TG_USER, { authDate: secs() })) });
    expect(r.status).toBe(200);
    expect(String(r.json.html)).toContain('Trường THPT Chuyên Thăng Long');
    // The questions that apply to a school (XLSForm's "relevant"): 32, without the district's count of institutions.
    expect(String(r.json.html)).toContain('Câu 32.');
    expect(String(r.json.html)).not.toContain('Câu 33.');
    expect(String(r.json.html)).not.toContain('data-key="profile_institutions"');
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('frame-ancestors https://web.telegram.org');
    expect(csp).not.toContain('unsafe-inline');
  });

  test('forged, expired, future, other-bot and other-user initData are refused and store nothing', async () => {
    const before = rowCounts(app);
    const valid = app.tg!.webAppInitData(TG_USER, { authDate: secs() });
    const save = (initData: string) => callApi(app, 'save', { auth: tgAuth(initData), key: 'profile_institutions', text: '12', seen: null });

    // Forged: the user changed after Telegram signed (someone else's id), or the hash made up.
    const params = new URLSearchParams(valid);
    params.set('user', JSON.stringify({ id: TG_STRANGER, first_name: 'X' }));
    expect((await save(params.toString())).status).toBe(401);
    const madeUp = new URLSearchParams(valid);
    madeUp.set('hash', '0'.repeat(64));
    expect((await save(madeUp.toString())).status).toBe(401);
    // Replayed from another bot: a correct signature, with another bot's token.
    const otherBot = app.tg!.webAppInitData(TG_USER, { authDate: secs(), token: '987654321:AAOtherBotTokenOtherBotTokenXYZ' });
    expect((await save(otherBot)).status).toBe(401);
    // Replayed later: signed more than WEBAPP_AUTH_MAX_AGE_SECONDS (1 h) ago.
    expect((await save(app.tg!.webAppInitData(TG_USER, { authDate: secs() - 3601 }))).status).toBe(401);
    // Signed "in the future" (a clock trick).
    expect((await save(app.tg!.webAppInitData(TG_USER, { authDate: secs() + 3600 }))).status).toBe(401);
    // A genuine Telegram user who is not linked to any unit.
    const stranger = await save(app.tg!.webAppInitData(TG_STRANGER, { authDate: secs() }));
    expect(stranger.status).toBe(403);
    expect(String(stranger.json.message)).toContain('/start');
    // Garbage.
    expect((await save('user=1&hash=abc')).status).toBe(401);
    expect(rowCounts(app)).toEqual(before);
  });

  test('initData just inside the age limit works; an account unlinked since is refused with the same initData', async () => {
    const initData = app.tg!.webAppInitData(TG_USER, { authDate: secs() - 3500 });
    const ok = await callApi(app, 'load', { auth: tgAuth(initData) });
    expect(ok.status).toBe(200);
    const contact = findContact(app.deps.db, 'telegram', String(TG_USER))!;
    const unitId = contact.unitId!;
    unbindContact(app.deps.db, contact.id);
    try {
      const before = rowCounts(app);
      const replay = await callApi(app, 'save', { auth: tgAuth(initData), key: 'profile_pupils', text: '100', seen: null });
      expect(replay.status).toBe(403);
      expect(rowCounts(app)).toEqual(before);
    } finally {
      app.deps.db.$client.prepare('update contacts set active = 1, unit_id = ? where id = ?').run(unitId, contact.id);
    }
  });

  test('the validator follows the documented algorithm (key = HMAC("WebAppData", token), sorted check string)', () => {
    const initData = app.tg!.webAppInitData(TG_USER, { authDate: secs() });
    expect(validateInitData(initData, app.tg!.token, now, 3600)).toMatchObject({ ok: true, userId: String(TG_USER) });
    expect(validateInitData(initData, app.tg!.token.replace(/.$/, 'x'), now, 3600)).toEqual({ ok: false, reason: 'bad_signature' });
    // The order of the fields in the string does not matter; a field given twice does.
    const shuffled = new URLSearchParams([...new URLSearchParams(initData).entries()].reverse()).toString();
    expect(validateInitData(shuffled, app.tg!.token, now, 3600).ok).toBe(true);
    expect(validateInitData(`${initData}&auth_date=1`, app.tg!.token, now, 3600)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('saving one field through the chat’s engine', () => {
  test('a Vietnamese number phrase is stored as the number, with the chat’s acknowledgement, revision and audit', async () => {
    const initData = app.tg!.webAppInitData(TG_USER, { authDate: secs() });
    const r = await callApi(app, 'save', { auth: tgAuth(initData), key: 'intl_support_money', text: '10,3 triệu', seen: null });
    expect(r.status).toBe(200);
    expect(r.json.outcome).toBe('saved');
    expect(String(r.json.message)).toContain('10.300.000 đồng');
    expect(app.answersOf('THPT-THANGLONG').intl_support_money).toBe(10_300_000);
    const row = app.deps.db.select().from(answers).all().at(-1)!;
    expect(row).toMatchObject({ questionKey: 'intl_support_money', rawText: '10,3 triệu', revision: 0 });
    expect((r.json.field as { input: string }).input).toBe('10.300.000');
  });

  test('a bad value gets the chat’s message and changes nothing', async () => {
    const before = rowCounts(app);
    const initData = app.tg!.webAppInitData(TG_USER, { authDate: secs() });
    const r = await callApi(app, 'save', { auth: tgAuth(initData), key: 'profile_pupils', text: 'nhiều lắm', seen: null });
    expect(r.status).toBe(422);
    expect(String(r.json.message)).toContain('Cần một số chính xác');
    // A question that does not apply to the unit is not there to be answered.
    const na = await callApi(app, 'save', { auth: tgAuth(initData), key: 'profile_institutions', text: '3', seen: null });
    expect(na.status).toBe(422);
    expect(rowCounts(app)).toEqual(before);
  });

  test('oversized, wrongly typed, malformed or over-specified requests are refused before anything is read into the database', async () => {
    const before = rowCounts(app);
    const initData = app.tg!.webAppInitData(TG_USER, { authDate: secs() });
    const url = `${app.baseUrl}/form/api/save`;
    const big = JSON.stringify({ auth: tgAuth(initData), key: 'campaign_text', text: 'x'.repeat(20_000), seen: null });
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big })).status).toBe(413);
    const body = JSON.stringify({ auth: tgAuth(initData), key: 'profile_pupils', text: '5', seen: null });
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body })).status).toBe(415);
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"auth":' })).status).toBe(400);
    // The page can only send text for the server to read: a value, a unit or a contact is not accepted.
    for (const extra of [{ value: 5 }, { unitId: 1 }, { contactId: 1 }]) {
      const r = await callApi(app, 'save', { auth: tgAuth(initData), key: 'profile_pupils', text: '5', seen: null, ...extra });
      expect(r.status).toBe(400);
    }
    expect((await callApi(app, 'save', { auth: tgAuth(initData), key: 'Robert"); drop', text: '5', seen: null })).status).toBe(400);
    expect(rowCounts(app)).toEqual(before);
  });
});

describe('last period’s figures and questions back, as in the chat', () => {
  test('"Kỳ trước" beside the field, "=" keeps it, and an unlikely figure is asked back, then kept with its flag', async () => {
    const { db } = app.deps;
    // The unit's confirmed report of the same half-year last year.
    const unitId = app.unitIdOf('THPT-THANGLONG');
    const contact = findContact(db, 'telegram', String(TG_USER))!;
    const past = createSubmission(db, unitId, '2025-H1', ensurePeriod(db, '2025-H1').formVersionId, new Date('2025-05-01T03:00:00Z'));
    for (const [key, value] of [['profile_pupils', 1593], ['portal_news_events', 45]] as const) {
      appendAnswer(db, { submissionId: past.id, key, value, raw: String(value), revision: 0, contactId: contact.id, now: new Date('2025-05-01T03:00:00Z') });
    }
    confirmSubmission(db, past.id, contact.id, new Date('2025-05-02T03:00:00Z'));

    const auth = tgAuth(app.tg!.webAppInitData(TG_USER, { authDate: secs() }));
    const html = String((await callApi(app, 'load', { auth })).json.html);
    expect(html).toContain('Kỳ trước: 1.593 học sinh');
    expect(html).toContain('Kỳ trước: 45 tin, bài');

    const keep = await callApi(app, 'save', { auth, key: 'profile_pupils', text: '=', seen: null });
    expect(keep.status).toBe(200);
    expect((keep.json.field as { input: string }).input).toBe('1.593');

    const before = rowCounts(app);
    const asked = await callApi(app, 'save', { auth, key: 'portal_news_events', text: '450', seen: null });
    expect(asked.status).toBe(422);
    expect(asked.json.outcome).toBe('unlikely');
    expect(String(asked.json.message)).toMatch(/45 tin, bài; nay 450 tin, bài\. Đúng không\?/);
    expect(rowCounts(app).answers).toBe(before.answers);
    const kept = await callApi(app, 'save', { auth, key: 'portal_news_events', text: '450', seen: null, confirmUnlikely: true });
    expect(kept.status).toBe(200);
    expect(kept.json.field).toMatchObject({ input: '450', flagged: true });
    expect(app.answersOf('THPT-THANGLONG').portal_news_events).toBe(450);
  });
});

describe('personal links (Zalo, console)', () => {
  test('a link reaches only its own contact’s unit: another contact’s link writes to that unit, never to the first', async () => {
    const r = await callApi(app, 'save', { auth: { kind: 'link', token: tokenA }, key: 'profile_classes', text: '42', seen: null });
    expect(r.status).toBe(200);
    expect(app.answersOf('THPT-BUITHIXUAN').profile_classes).toBe(42);
    expect(app.answersOf('PGD-DALAT').profile_classes).toBeUndefined();
    const page = await fetch(`${app.baseUrl}/form/l/${tokenB}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    expect(html).not.toContain('Bùi Thị Xuân');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });

  test('names from the database are escaped: a unit renamed with markup shows as text', async () => {
    const { db } = app.deps;
    const unitId = app.unitIdOf('THPT-BUITHIXUAN');
    const name = (db.$client.prepare('select name from units where id = ?').get(unitId) as { name: string }).name;
    db.$client.prepare('update units set name = ? where id = ?').run('Trường <img src=x onerror=alert(1)> "A"', unitId);
    try {
      const html = await (await fetch(`${app.baseUrl}/form/l/${tokenA}`)).text();
      expect(html).toContain('Trường &lt;img src=x onerror=alert(1)&gt; &quot;A&quot;');
      expect(html).not.toContain('<img');
    } finally {
      db.$client.prepare('update units set name = ? where id = ?').run(name, unitId);
    }
  });

  test('the token is stored only as its sha256', () => {
    const rows = app.deps.db.$client.prepare('select token_hash from form_links').all() as { token_hash: string }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect([tokenA, tokenB]).not.toContain(r.token_hash);
    }
  });

  test('an unknown, revoked (a newer /nhap) or expired link answers a Vietnamese page pointing to /nhap, and stores nothing', async () => {
    const before = rowCounts(app);
    const unknown = await fetch(`${app.baseUrl}/form/l/${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('/nhap');

    const b = zaloChat(app, ZALO_B);
    await b.settle();
    await b.send('/nhap');
    const newer = tokenIn(await b.expectReply('/form/l/'));
    expect(newer).not.toBe(tokenB);
    await app.runtime.idle();
    const revoked = await fetch(`${app.baseUrl}/form/l/${tokenB}`);
    expect(revoked.status).toBe(410);
    expect(await revoked.text()).toContain('đường dẫn mới');
    expect((await callApi(app, 'save', { auth: { kind: 'link', token: tokenB }, key: 'profile_staff', text: '9', seen: null })).status).toBe(410);

    const saved = now;
    now = new Date(now.getTime() + 24 * 3_600_000 + 1000);
    try {
      const expired = await fetch(`${app.baseUrl}/form/l/${newer}`);
      expect(expired.status).toBe(410);
      const text = await expired.text();
      expect(text).toContain('Đường dẫn đã hết hạn');
      expect(text).toContain('/nhap');
      expect((await callApi(app, 'save', { auth: { kind: 'link', token: newer }, key: 'profile_staff', text: '9', seen: null })).status).toBe(410);
    } finally {
      now = saved;
    }
    expect(rowCounts(app).answers).toBe(before.answers);
  });
});

describe('a closed period', () => {
  test('is shown read-only and saying so; saving and confirming are refused and store nothing', async () => {
    setPeriodOverride(app.deps.db, PERIOD_ID, 'closed', null, now);
    try {
      const before = rowCounts(app);
      const initData = app.tg!.webAppInitData(TG_USER, { authDate: secs() });
      const load = await callApi(app, 'load', { auth: tgAuth(initData), period: PERIOD_ID });
      expect(load.status).toBe(200);
      expect(String(load.json.html)).toContain('Kỳ báo cáo đã khóa');
      expect(String(load.json.html)).toContain('readonly');
      expect(String(load.json.html)).not.toContain('id="confirm"');
      const save = await callApi(app, 'save', { auth: tgAuth(initData), period: PERIOD_ID, key: 'profile_pupils', text: '7', seen: null });
      expect(save.status).toBe(409);
      expect(String(save.json.message)).toContain('đã khóa');
      const confirm = await callApi(app, 'confirm', { auth: tgAuth(initData), period: PERIOD_ID });
      expect(confirm.status).toBe(422);
      expect(rowCounts(app).answers).toBe(before.answers);
      // A unit that never reported in another period cannot open it at all.
      const other = await callApi(app, 'load', { auth: tgAuth(initData), period: '2025-Q3' });
      expect(other.status).toBe(409);
    } finally {
      setPeriodOverride(app.deps.db, PERIOD_ID, 'calendar', null, now);
    }
  });
});
