import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { FakeTelegram } from './fakes/telegram-server';
import { seed, startTelegramTestApp, type TelegramTestApp } from './helpers/harness';
import type { AppDeps } from '../handlers/types';
import type { DemoSeed } from '../storage/demo-seed';
import { answers, auditLog, contacts, conversations, inviteCodes } from '../storage/schema';
import { currentAnswers, findSubmission } from '../storage/repositories/submissions';
import { displayInviteCode } from '../domain/invite-code';

/**
 * Audit of the contact's side on Telegram, as a principal on a phone uses it: links tapped twice,
 * an account moved to another unit (or an office account tapping a unit's link), double taps on
 * buttons, edited messages. Real bot, fake Bot API over HTTP, rows read back from the SQLite file.
 */

let app: TelegramTestApp;
let fake: FakeTelegram;
let deps: AppDeps;
let demo: DemoSeed;

const PRINCIPAL = 3101;
const OFFICE = 3102;

beforeEach(async () => {
  app = await startTelegramTestApp({ botUsername: 'baocao_audit_bot', prepare: (d) => (demo = seed(d)) });
  ({ fake, deps } = app);
});

afterEach(() => app.close());

const codeOf = (unitCode: string) => demo.units.find((u) => u.unit.code === unitCode)!.invite.code;
const unitIdOf = (unitCode: string) => demo.units.find((u) => u.unit.code === unitCode)!.unit.id;
const usesOf = (code: string) => deps.db.select().from(inviteCodes).where(eq(inviteCodes.code, code)).get()!.uses;
const contactOf = (chat: number) => deps.db.select().from(contacts).where(eq(contacts.externalId, String(chat))).get()!;
const stateOf = (chat: number) => deps.db.select().from(conversations).where(eq(conversations.contactId, contactOf(chat).id)).get()?.state;

const say = (chat: number, text: string, expected: string | RegExp) => app.say(chat, text, expected);

describe('invite links tapped again, and accounts moved', () => {
  test('the same link twice: nothing changes, no use of the code is counted, the place in the form is kept', async () => {
    const code = codeOf('PGD-DALAT');
    await say(PRINCIPAL, `/start ${code}`, 'Đã liên kết tài khoản với Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    expect(usesOf(code)).toBe(1);
    await say(PRINCIPAL, '/nhap', 'Câu 1/33');
    await say(PRINCIPAL, '560', 'Câu 2/33');
    const state = stateOf(PRINCIPAL);

    const again = await say(PRINCIPAL, `/start ${code}`, 'đã liên kết với Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    expect(again).toContain('không cần nhập lại mã');
    expect(usesOf(code)).toBe(1);
    expect(stateOf(PRINCIPAL)).toBe(state);
    // Still at question 2, with the first answer kept.
    await say(PRINCIPAL, '/nhap', 'Câu 2/33');
    expect(deps.db.select().from(auditLog).where(eq(auditLog.action, 'contact_bound')).all()).toHaveLength(1);
  });

  test('a code of another unit asks first; confirming moves the account, the old unit keeps its answers', async () => {
    await say(PRINCIPAL, `/start ${codeOf('PGD-DALAT')}`, 'Đã liên kết');
    await say(PRINCIPAL, '/nhap', 'Câu 1/33');
    await say(PRINCIPAL, '560', 'Câu 2/33');

    const other = codeOf('PGD-BAOLOC');
    const ask = await say(PRINCIPAL, `/start ${displayInviteCode(other)}`, 'Tài khoản này đang liên kết với Phòng Giáo dục và Đào tạo thành phố Đà Lạt');
    expect(ask).toContain('Phòng Giáo dục và Đào tạo thành phố Bảo Lộc');
    expect(ask).toContain(`/start ${displayInviteCode(other)} chuyen`);
    // Asking changed nothing and counted no use.
    expect(contactOf(PRINCIPAL).unitId).toBe(unitIdOf('PGD-DALAT'));
    expect(usesOf(other)).toBe(0);

    fake.clickButton(PRINCIPAL, 'Đồng ý chuyển');
    const moved = await fake.waitForMessage(PRINCIPAL, (t) => t.includes('Đã chuyển tài khoản'));
    expect(moved).toContain('từ Phòng Giáo dục và Đào tạo thành phố Đà Lạt sang Phòng Giáo dục và Đào tạo thành phố Bảo Lộc');
    expect(contactOf(PRINCIPAL)).toMatchObject({ unitId: unitIdOf('PGD-BAOLOC'), role: 'contact', active: true });
    expect(usesOf(other)).toBe(1);
    const bound = deps.db.select().from(auditLog).where(eq(auditLog.action, 'contact_bound')).all().at(-1)!;
    expect(JSON.parse(bound.details!)).toMatchObject({ previous: { unitId: unitIdOf('PGD-DALAT'), role: 'contact' } });
    // The old unit's draft is untouched; the new unit starts at question 1.
    const dalat = findSubmission(deps.db, unitIdOf('PGD-DALAT'), '2026-H1')!;
    expect(currentAnswers(deps.db, dalat.id)).toEqual({ profile_institutions: 560 });
    await say(PRINCIPAL, '/nhap', 'Câu 1/33');
    expect(fake.callbackQueries.every((q) => q.answered)).toBe(true);
    expect(fake.rejected).toHaveLength(0);
  });

  test('an office account tapping a unit link keeps its office rights unless it confirms', async () => {
    const officeCode = demo.officeInvite.code;
    await say(OFFICE, `/start ${officeCode}`, 'Đã liên kết tài khoản Văn phòng Sở');
    const usedOffice = usesOf(officeCode);
    await say(OFFICE, `/start ${officeCode}`, 'đã là tài khoản Văn phòng Sở');
    expect(usesOf(officeCode)).toBe(usedOffice);

    const ask = await say(OFFICE, `/start ${codeOf('THPT-THANGLONG')}`, 'Tài khoản này đang là tài khoản Văn phòng Sở');
    expect(ask).toContain('không còn dùng được các lệnh của Văn phòng Sở');
    expect(contactOf(OFFICE)).toMatchObject({ role: 'office', unitId: null, active: true });
    // /start alone greets an office account with office commands, not with /nhap.
    const hello = await say(OFFICE, '/start', 'Chào mừng trở lại');
    expect(hello).toContain('/tiendo');
    expect(hello).not.toContain('/nhap');
  });
});

describe('buttons and edits on a phone', () => {
  test('a double tap on "Bỏ qua" skips one question, the second tap is refused on the button', async () => {
    await say(PRINCIPAL, `/start ${codeOf('THPT-BUITHIXUAN')}`, 'Đã liên kết');
    // From a fresh start, "back" goes to the last question.
    await say(PRINCIPAL, '/quaylai', 'Câu 32/32');
    await say(PRINCIPAL, '/quaylai', 'Câu 31/32');
    await say(PRINCIPAL, '/quaylai', 'Câu 30/32');
    const question = fake.botMessages(PRINCIPAL).at(-1)!;
    fake.clickButton(PRINCIPAL, 'Bỏ qua', question.messageId);
    fake.clickButton(PRINCIPAL, 'Bỏ qua', question.messageId);
    await fake.waitForMessage(PRINCIPAL, (t) => t.includes('Câu 31/32'));
    await fake.waitForIdle(300);
    const sub = findSubmission(deps.db, unitIdOf('THPT-BUITHIXUAN'), '2026-H1')!;
    expect(currentAnswers(deps.db, sub.id)).toEqual({ assess_shortcomings_text: null });
    expect(JSON.parse(stateOf(PRINCIPAL)!)).toMatchObject({ mode: 'question', key: 'assess_causes_text' });
    const presses = fake.callbackQueries.slice(-2);
    expect(presses.every((q) => q.answered)).toBe(true);
    expect(presses[0]!.answer?.text).toBeUndefined();
    expect(presses[1]!.answer?.text).toContain('không còn dùng được');
    expect(fake.rejected).toHaveLength(0);
  });

  test('a button on the newest question, pressed the moment the question arrives, is taken every time', async () => {
    // Without the outgoing spacing (30 messages a second) each question leaves as soon as it is made, so
    // the presses below come within the 20 ms in which the bot records its sends together: the state a
    // busy machine reaches when that timer runs late.
    await app.close();
    app = await startTelegramTestApp({ botUsername: 'baocao_audit_bot', env: { OUTGOING_THROTTLE: 'off' }, prepare: (d) => (demo = seed(d)) });
    ({ fake, deps } = app);
    await say(PRINCIPAL, `/start ${codeOf('THPT-BUITHIXUAN')}`, 'Đã liên kết');
    await say(PRINCIPAL, '/quaylai', 'Câu 32/32');
    // Each question is sent "back" the moment the Bot API receives it, while the one before it and often
    // this one are sent but not recorded yet. Each press is on the newest question and must be taken, not
    // refused as a double tap.
    let presses = 0;
    fake.onSent = (call) => {
      const messageId = (call.result as { message_id?: number } | undefined)?.message_id;
      if (call.method !== 'sendMessage' || Number(call.chat_id) !== PRINCIPAL || messageId === undefined || presses >= 3) return;
      presses++;
      fake.pushCallback(PRINCIPAL, '/quaylai', messageId);
    };
    fake.clickButton(PRINCIPAL, 'Quay lại');
    await fake.waitForMessage(PRINCIPAL, (t) => t.includes('Câu 28/32'));
    await fake.waitForIdle(300);
    fake.onSent = null;
    expect(presses).toBe(3);
    const asked = fake.messagesTo(PRINCIPAL).slice(-4).map((t) => /Câu (\d+)\/32/.exec(t)?.[1]);
    expect(asked).toEqual(['31', '30', '29', '28']);
    const taps = fake.callbackQueries.slice(-4);
    expect(taps.every((q) => q.answered && q.answer?.text === undefined)).toBe(true);
    expect(JSON.parse(stateOf(PRINCIPAL)!)).toMatchObject({ mode: 'question', key: 'campaign_text' });
    expect(fake.rejected).toHaveLength(0);
  });

  test('"Giữ nguyên" after going back keeps a required answer and moves on', async () => {
    await say(PRINCIPAL, `/start ${codeOf('PGD-BAOLOC')}`, 'Đã liên kết');
    await say(PRINCIPAL, '/nhap', 'Câu 1/33');
    await say(PRINCIPAL, '12', 'Câu 2/33');
    const back = await say(PRINCIPAL, '/quaylai', 'Câu 1/33');
    expect(back).toContain('hoặc /boqua để giữ nguyên');
    fake.clickButton(PRINCIPAL, 'Giữ nguyên');
    // One message: what was done, and the next question.
    await fake.waitForMessage(PRINCIPAL, (t) => t.includes('Giữ nguyên câu trả lời của câu 1') && t.includes('Câu 2/33'));
    const sub = findSubmission(deps.db, unitIdOf('PGD-BAOLOC'), '2026-H1')!;
    expect(deps.db.select().from(answers).where(eq(answers.submissionId, sub.id)).all()).toHaveLength(1);
  });

  test('an edited message is not taken as an answer, and the contact is told so', async () => {
    await say(PRINCIPAL, `/start ${codeOf('PGD-DALAT')}`, 'Đã liên kết');
    await say(PRINCIPAL, '/nhap', 'Câu 1/33');
    const update = fake.makeTextUpdate(PRINCIPAL, '186');
    fake.pushRaw(update);
    await fake.waitForMessage(PRINCIPAL, (t) => t.includes('Câu 2/33'));
    const edited = { update_id: update.update_id + 1000, edited_message: { ...update.message!, text: '168', edit_date: update.message!.date + 5 } };
    fake.pushRaw(edited as unknown as typeof update);
    const told = await fake.waitForMessage(PRINCIPAL, (t) => t.includes('tin nhắn đã chỉnh sửa'));
    expect(told).toContain('gõ /sua và số thứ tự câu (xem bằng /xem), ví dụ /sua 5');
    const sub = findSubmission(deps.db, unitIdOf('PGD-DALAT'), '2026-H1')!;
    expect(currentAnswers(deps.db, sub.id)).toEqual({ profile_institutions: 186 });
    expect(JSON.parse(stateOf(PRINCIPAL)!)).toMatchObject({ mode: 'question', key: 'profile_pupils' });
    expect(fake.rejected).toHaveLength(0);
  });
});

describe('corrections after confirming', () => {
  test('the review counts the correction just made; re-sending the same figure makes no revision', async () => {
    await say(PRINCIPAL, `/start ${codeOf('TT-HOANHAP')}`, 'Đã liên kết');
    await say(PRINCIPAL, '/nhap', 'Câu 1/32');
    for (let n = 1; n <= 25; n++) await say(PRINCIPAL, n === 25 ? '0' : '1', `Câu ${n + 1}/32`);
    await say(PRINCIPAL, 'không có', 'Câu 27/32'); // optional text: nothing to report
    // The last required answer (no text is required) brings the review; "3" goes on with the optional questions left.
    await say(PRINCIPAL, '2', 'Kiểm tra kỹ rồi xác nhận');
    await say(PRINCIPAL, '3', 'Câu 28/32');
    await say(PRINCIPAL, '👍', 'cần có chữ hoặc số');
    await say(PRINCIPAL, '/boqua', 'Câu 29/32');
    await say(PRINCIPAL, 'Tổ chức tốt các hoạt động thông tin đối ngoại.', 'Câu 30/32');
    await say(PRINCIPAL, '/boqua', 'Câu 31/32');
    await say(PRINCIPAL, '/boqua', 'Câu 32/32');
    await say(PRINCIPAL, 'Ko có ạ', 'Kiểm tra kỹ rồi xác nhận');
    await say(PRINCIPAL, '/xacnhan', 'Đã xác nhận báo cáo');
    const unitId = unitIdOf('TT-HOANHAP');
    const sub = () => findSubmission(deps.db, unitId, '2026-H1')!;
    expect(currentAnswers(deps.db, sub().id)).toMatchObject({ intl_activities_text: null, campaign_text: null, assess_proposals_text: null });

    // Typing a figure after confirming says how to correct, and changes nothing.
    const hint = await say(PRINCIPAL, '200', 'đã được xác nhận');
    expect(hint).toContain('gõ /sua và số thứ tự câu, ví dụ /sua 5');
    // A correction through "back" (not /sua): no "trước khi xác nhận", and the review counts it.
    await say(PRINCIPAL, '/quaylai', 'Câu 32/32');
    const before = fake.messagesTo(PRINCIPAL).length;
    const review = await say(PRINCIPAL, 'Đề nghị Sở tập huấn thêm.', 'lần sửa thứ 1');
    expect(review).toContain('đã sửa 1 lần');
    expect(fake.messagesTo(PRINCIPAL).slice(before).some((t) => t.includes('trước khi xác nhận'))).toBe(false);
    expect(sub().revision).toBe(2);
    // The same figure again is no new revision.
    await say(PRINCIPAL, '/sua 1', 'Câu 1/32');
    await say(PRINCIPAL, '1', 'Câu 1 · Số học sinh: giữ nguyên 1 học sinh');
    expect(sub().revision).toBe(2);
    const rows = deps.db.select().from(answers).where(and(eq(answers.submissionId, sub().id), eq(answers.questionKey, 'profile_pupils'))).all();
    expect(rows).toHaveLength(1);
    expect(fake.rejected).toHaveLength(0);
  });
});
