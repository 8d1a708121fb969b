import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { FakeTelegram } from './fakes/telegram-server';
import { seed, startTelegramTestApp, type TelegramTestApp } from './helpers/harness';
import type { AppDeps } from '../handlers/types';
import type { DemoSeed } from '../storage/demo-seed';
import { answers, auditLog, contacts, conversations, inbox, submissions, units } from '../storage/schema';
import { currentAnswers, findSubmission } from '../storage/repositories/submissions';
import { setUnitActive } from '../storage/repositories/units';
import { displayInviteCode } from '../domain/invite-code';

/**
 * The contact's side end to end: the real grammY bot long-polls a fake Bot API server over HTTP and
 * stores into a real SQLite file; assertions read that file back.
 */

let app: TelegramTestApp;
let fake: FakeTelegram;
let deps: AppDeps;
let demo: DemoSeed;

const PRINCIPAL = 1001;

beforeEach(async () => {
  app = await startTelegramTestApp({ botUsername: 'baocao_test_bot', prepare: (d) => (demo = seed(d)) });
  ({ fake, deps } = app);
});

afterEach(() => app.close());

const codeOf = (unitCode: string) => demo.units.find((u) => u.unit.code === unitCode)!.invite.code;
const unitIdOf = (unitCode: string) => demo.units.find((u) => u.unit.code === unitCode)!.unit.id;

const say = (chat: number, text: string, expected: string | RegExp) => app.say(chat, text, expected);

async function click(chat: number, label: string | RegExp, expectText: string): Promise<string> {
  fake.clickButton(chat, label);
  return fake.waitForMessage(chat, (t) => t.includes(expectText));
}


describe('a whole submission through Telegram', () => {
  test('bind, answer every question, back, skip, review, edit, confirm, correct', async () => {
    await say(PRINCIPAL, `/start ${displayInviteCode(codeOf('THPT-THANGLONG'))}`, 'Đã liên kết tài khoản với Trường THPT Chuyên Thăng Long');
    // A school answers 32 questions: the number of institutions is asked of district offices only.
    await say(PRINCIPAL, '/nhap', 'Câu 1/32');

    const steps: [string, string][] = [
      ['1.593', 'Câu 2/32'], // pupils
      ['45', 'Câu 3/32'], // classes
      ['/quaylai', 'Câu 2/32'], // back to classes, shows the current answer
      ['46', 'Câu 3/32'],
      ['2 nghìn', 'Câu 4/32'], // staff = 2000
      ['40', 'Câu 5/32'], // portal_news_events
      ['1,593', 'Câu 6/32'], // party ideology = 1593 (thousands separator)
      ['không', 'Câu 7/32'], // role models: "không" = nothing to report, 0
      ['12 tin', 'Câu 8/32'],
      ['7', 'Câu 9/32'],
      ['6', 'Câu 10/32'],
      ['5', 'Câu 11/32'],
      ['4', 'Câu 12/32'],
      ['3', 'Câu 13/32'], // portal_other
      ['1.080', 'Câu 14/32'], // digital_posts
      ['10,3 triệu', 'Câu 15/32'], // views
      ['9.2tr', 'Câu 16/32'], // interactions
      ['3', 'Câu 17/32'],
      ['6', 'Câu 18/32'],
      ['1', 'Câu 19/32'],
      ['2', 'Câu 20/32'],
      ['120', 'Câu 21/32'],
      ['1', 'Câu 22/32'],
      ['0', 'Câu 23/32'],
      ['2', 'Câu 24/32'],
      ['6', 'Câu 25/32'],
      ['510.500.000 đồng', 'Câu 26/32'],
      ['/boqua', 'Câu 27/32'], // optional text skipped
      // The last required answer (no text is required): the review comes with "confirm" and "answer the
      // optional questions left".
      ['3', 'BÁO CÁO 6 THÁNG ĐẦU NĂM 2026'],
    ];
    for (const [text, expectNext] of steps) await say(PRINCIPAL, text, expectNext);
    await click(PRINCIPAL, 'Trả lời tiếp câu không bắt buộc', 'Câu 28/32');
    await say(PRINCIPAL, 'Tuyên truyền chủ quyền biển đảo cho học sinh', 'Câu 29/32');
    await say(PRINCIPAL, 'Đăng tải đều đặn tin, bài về hoạt động của nhà trường.', 'Câu 30/32');
    await say(PRINCIPAL, 'Đội ngũ truyền thông còn kiêm nhiệm.', 'Câu 31/32');

    // Skip with the inline button (answered with answerCallbackQuery).
    await click(PRINCIPAL, 'Bỏ qua', 'Câu 32/32');
    expect(fake.callbackQueries.every((q) => q.answered)).toBe(true);
    const review = await say(PRINCIPAL, 'Đề nghị Sở tổ chức tập huấn viết tin, bài.', 'BÁO CÁO 6 THÁNG ĐẦU NĂM 2026');
    expect(review).toContain('14. Tổng số lượt xem: 10.300.000 lượt xem');
    expect(review).toContain('6. Gương điển hình: Không có');
    expect(review).toContain('26. Hoạt động hợp tác quốc tế nổi bật (tóm tắt): bỏ qua');
    expect(review).toContain('31. Nguyên nhân của tồn tại, hạn chế: bỏ qua');
    expect(review).not.toContain('Số cơ sở giáo dục');

    // Edit answer 14: only the changed line and the way back.
    await say(PRINCIPAL, '/sua 14', 'Câu 14/32');
    const edited = await say(PRINCIPAL, '10.400.000', '✓ Câu 14 · Tổng số lượt xem: 10.400.000 lượt xem (trước đây: 10.300.000 lượt xem)');
    expect(edited).not.toContain('BÁO CÁO');

    // Confirm with the button under that line.
    await click(PRINCIPAL, 'Xác nhận', 'Đã xác nhận báo cáo 6 tháng đầu năm 2026');

    // Correct after confirmation: a new revision.
    await say(PRINCIPAL, '/sua 1', 'Câu 1/32');
    await say(PRINCIPAL, '1.600', 'lần sửa thứ 1');

    const unitId = unitIdOf('THPT-THANGLONG');
    const sub = findSubmission(deps.db, unitId, '2026-H1')!;
    expect(sub.status).toBe('confirmed');
    expect(sub.revision).toBe(2);
    const current = currentAnswers(deps.db, sub.id);
    expect(current).toMatchObject({
      profile_pupils: 1600,
      profile_classes: 46,
      profile_staff: 2000,
      portal_party_ideology: 1593,
      portal_role_models: 0,
      portal_admin_reform: 12,
      digital_posts: 1080,
      digital_views: 10_400_000,
      digital_interactions: 9_200_000,
      intl_support_money: 510_500_000,
      intl_activities_text: null,
      assess_causes_text: null,
      assess_proposals_text: 'Đề nghị Sở tổ chức tập huấn viết tin, bài.',
    });
    expect(Object.keys(current)).toHaveLength(32);

    // Every answer given is kept with its raw text, author and revision.
    const history = deps.db.select().from(answers).where(and(eq(answers.submissionId, sub.id), eq(answers.questionKey, 'digital_views'))).all();
    expect(history.map((h) => [h.rawText, JSON.parse(h.value), h.revision])).toEqual([
      ['10,3 triệu', 10_300_000, 0],
      ['10.400.000', 10_400_000, 0],
    ]);
    const correction = deps.db.select().from(answers).where(and(eq(answers.submissionId, sub.id), eq(answers.questionKey, 'profile_pupils'))).all().at(-1)!;
    expect(correction.revision).toBe(2);
    const contact = deps.db.select().from(contacts).where(eq(contacts.externalId, String(PRINCIPAL))).get()!;
    expect(correction.contactId).toBe(contact.id);
    expect(contact.unitId).toBe(unitId);
    const actions = deps.db.select().from(auditLog).all().map((a) => a.action);
    expect(actions).toContain('contact_bound');
    expect(actions).toContain('submission_confirmed');
    expect(actions).toContain('answer_corrected');
    // Every message the bot sent was accepted by the (validating) fake API.
    expect(fake.rejected).toHaveLength(0);
    // The command menu was set from the command table.
    const menu = [...fake.commands.values()][0]!.map((c) => c.command);
    expect(menu).toEqual(expect.arrayContaining(['start', 'nhap', 'xem', 'sua', 'boqua', 'quaylai', 'xacnhan', 'huy', 'trogiup']));
  });
});

describe('resume after a restart', () => {
  test('a new bot instance on the same database continues at the exact question', async () => {
    await say(PRINCIPAL, `/start ${codeOf('PGD-DALAT')}`, 'Đã liên kết');
    await say(PRINCIPAL, '/nhap', 'Câu 1/33');
    await say(PRINCIPAL, '560', 'Câu 2/33');
    await say(PRINCIPAL, '285.000', 'Câu 3/33');
    await say(PRINCIPAL, '8500', 'Câu 4/33');

    // Stop the bot and close the database, then start a new instance on the same file.
    await app.restart(() => new Date('2026-05-01T09:00:00Z'));
    deps = app.deps;
    const resumed = await say(PRINCIPAL, '/nhap', 'Câu 4/33');
    expect(resumed).toContain('Số cán bộ quản lý, giáo viên, nhân viên');
    // Plain text after the restart is the answer to that question.
    await say(PRINCIPAL, '17.500', 'Câu 5/33');
    const sub = findSubmission(deps.db, unitIdOf('PGD-DALAT'), '2026-H1')!;
    expect(currentAnswers(deps.db, sub.id)).toEqual({ profile_institutions: 560, profile_pupils: 285_000, profile_classes: 8500, profile_staff: 17_500 });
  });
});

describe('duplicate delivery', () => {
  test('the same update delivered twice changes nothing the second time', async () => {
    await say(PRINCIPAL, `/start ${codeOf('PGD-BAOLOC')}`, 'Đã liên kết');
    await say(PRINCIPAL, '/nhap', 'Câu 1/33');
    const update = fake.makeTextUpdate(PRINCIPAL, '77');
    fake.pushRaw(update);
    fake.pushRaw(update);
    await fake.waitForMessage(PRINCIPAL, (t) => t.includes('Câu 2/33'));
    await fake.waitForIdle(300);
    const sub = findSubmission(deps.db, unitIdOf('PGD-BAOLOC'), '2026-H1')!;
    expect(deps.db.select().from(answers).where(eq(answers.submissionId, sub.id)).all()).toHaveLength(1);
    expect(fake.messagesTo(PRINCIPAL).filter((t) => t.includes('Câu 2/33'))).toHaveLength(1);
    const marks = deps.db.select().from(inbox).where(eq(inbox.updateKey, String(update.update_id))).all();
    expect(marks).toHaveLength(1);
    expect(marks[0]!.processedAt).not.toBeNull();
  });
});

describe('bad input gets a clear message and changes nothing', () => {
  /** Everything a contact's actions can change, to compare before and after. */
  const snapshot = () => ({
    answers: deps.db.select().from(answers).all(),
    submissions: deps.db.select().from(submissions).all(),
    conversations: deps.db.select().from(conversations).all(),
    bound: deps.db.select({ id: contacts.id, unitId: contacts.unitId, active: contacts.active }).from(contacts).all(),
  });

  test('wrong code and a code of a disabled unit', async () => {
    const before = snapshot();
    const wrong = await say(PRINCIPAL, '/start ZZZZ-ZZZZ', 'không đúng');
    expect(wrong).toContain('ZZZZ-ZZZZ');
    const garbage = await say(PRINCIPAL, '/start <script>', 'không đúng');
    expect(garbage).toContain('<script>');
    setUnitActive(deps.db, unitIdOf('GDNN-DUCTRONG'), false);
    await say(PRINCIPAL, `/start ${codeOf('GDNN-DUCTRONG')}`, 'tạm ngừng báo cáo');
    const after = snapshot();
    expect(after.answers).toEqual(before.answers);
    expect(after.bound.every((c) => !c.active && c.unitId === null)).toBe(true);
    // Unbound contacts are told what to do.
    await say(PRINCIPAL, '/nhap', 'chưa được liên kết');
  });

  test('text for a number, negative, fraction, too long, sticker, early confirm', async () => {
    await say(PRINCIPAL, `/start ${codeOf('THPT-BUITHIXUAN')}`, 'Đã liên kết');
    await say(PRINCIPAL, '/nhap', 'Câu 1/32');
    await say(PRINCIPAL, '3', 'Câu 2/32');
    const before = snapshot();

    await say(PRINCIPAL, 'nhiều lắm', 'Vui lòng nhập lại câu 2');
    await say(PRINCIPAL, '-5', 'Vui lòng nhập lại câu 2');
    await say(PRINCIPAL, '2,5', 'Vui lòng nhập lại câu 2');
    await say(PRINCIPAL, '99999999999', 'Vui lòng nhập lại câu 2');
    fake.pushSticker(PRINCIPAL);
    await fake.waitForMessage(PRINCIPAL, (t) => t.includes('nhãn dán') && t.includes('trả lời câu hỏi hiện tại'));
    fake.pushPhoto(PRINCIPAL);
    await fake.waitForMessage(PRINCIPAL, (t) => t.includes('hình ảnh'));
    await say(PRINCIPAL, '/xacnhan', 'Chưa thể xác nhận');
    await say(PRINCIPAL, '/lenhla', 'Không có lệnh /lenhla');
    await say(PRINCIPAL, '/sua 999', 'không phải số thứ tự câu');
    await say(PRINCIPAL, '/boqua', 'bắt buộc');
    expect(snapshot()).toEqual(before);

    // A 5,000-character text where a text is expected.
    await say(PRINCIPAL, '/sua 29', 'Câu 29/32');
    const mid = snapshot();
    // Telegram delivers a 5,000-character paste as two messages: 4,096 characters, then the rest.
    await say(PRINCIPAL, 'a'.repeat(4096), 'quá dài (4.096 ký tự)');
    // The tail alone would fit, but it is only the end of what the principal wrote: not stored.
    await say(PRINCIPAL, 'b'.repeat(904), 'phần tiếp theo của đoạn văn bản quá dài');
    expect(snapshot().answers).toEqual(mid.answers);
    // The question is still waiting for its answer.
    const state = (rows: { state: string }[]) => rows.map((r) => (({ mode, key }) => ({ mode, key }))(JSON.parse(r.state) as { mode: string; key?: string }));
    expect(state(snapshot().conversations)).toEqual(state(mid.conversations));
    expect(state(snapshot().conversations)[0]).toMatchObject({ mode: 'question', key: 'assess_results_text' });
    expect(fake.rejected).toHaveLength(0);
  });

  test("a contact of unit A cannot touch unit B's submission", async () => {
    const OTHER = 2002;
    await say(OTHER, `/start ${codeOf('PGD-DALAT')}`, 'Đã liên kết');
    await say(OTHER, '/nhap', 'Câu 1/33');
    await say(OTHER, '560', 'Câu 2/33');
    const bSub = findSubmission(deps.db, unitIdOf('PGD-DALAT'), '2026-H1')!;
    const bBefore = currentAnswers(deps.db, bSub.id);

    await say(PRINCIPAL, `/start ${codeOf('PGD-BAOLOC')}`, 'Đã liên kết');
    const review = await say(PRINCIPAL, '/xem', 'BÁO CÁO');
    expect(review).toContain('Phòng Giáo dục và Đào tạo thành phố Bảo Lộc');
    expect(review).not.toContain('560');
    await say(PRINCIPAL, '/nhap', 'Câu 1/33');
    await say(PRINCIPAL, '/sua 1', 'Câu 1/33');
    await say(PRINCIPAL, '1', '✓ Câu 1 ·');
    expect(currentAnswers(deps.db, bSub.id)).toEqual(bBefore);
    const aSub = findSubmission(deps.db, unitIdOf('PGD-BAOLOC'), '2026-H1')!;
    expect(aSub.id).not.toBe(bSub.id);
    expect(deps.db.select().from(units).all().length).toBeGreaterThan(1);
  });
});


describe('what the bot sends is accepted by the Bot API', () => {
  test('a reply longer than 4096 characters is split at line breaks, buttons on the last part', async () => {
    const { Api } = await import('grammy');
    const { sendReplies } = await import('../bot/telegram/bot');
    const api = new Api(fake.token, { apiRoot: fake.apiRoot });
    const line = 'Trường THPT Chuyên Thăng Long: đăng tải đều đặn tin, bài <b>&</b> hình ảnh.';
    const text = Array.from({ length: 150 }, (_, i) => `${i + 1}. ${line}`).join('\n');
    fake.registerChat(PRINCIPAL);
    await sendReplies(api, PRINCIPAL, [{ text, actions: [{ label: 'Xác nhận', command: '/xacnhan' }] }]);
    const sent = fake.botMessages(PRINCIPAL);
    expect(sent.length).toBeGreaterThan(2);
    expect(sent.every((m) => m.text.length <= 4096)).toBe(true);
    expect(sent.map((m) => m.text).join('\n')).toBe(text);
    expect(sent.at(-1)!.inlineKeyboard?.flat().map((b) => b.text)).toEqual(['Xác nhận']);
    expect(sent.slice(0, -1).every((m) => m.inlineKeyboard === undefined)).toBe(true);
    expect(fake.rejected).toHaveLength(0);
  });
});
