import { afterEach, describe, expect, test } from 'vitest';
import { schoolFlowContext } from './helpers/flow-context';
import { H1_CLOCK } from './helpers/harness';
import { startApp, telegramChat, type App } from './helpers/channels';
import type { CurrentAnswers } from '../domain/conversation';
import { applicableQuestions, DEFAULT_FORM, type AnswerMeta } from '../domain/form';
import { REVIEW_ONE_MESSAGE_MAX, step } from '../handlers/conversation';
import { ensurePeriod } from '../storage/repositories/periods';
import { appendAnswer, createSubmission } from '../storage/repositories/submissions';

/**
 * The full review (/xem, and before confirming) is one message when it fits in about one screen
 * (REVIEW_ONE_MESSAGE_MAX characters); a longer one goes one section per message, the buttons on the
 * last, so no channel cuts a section in the middle. Decided in the engine, not in a channel adapter.
 */

const PERIOD = '2026-H1';
const SCHOOL = applicableQuestions(DEFAULT_FORM, 'thpt');
const SECTIONS = [...new Set(SCHOOL.map((q) => q.sectionTitle))];

const answersOf = (): CurrentAnswers => Object.fromEntries(SCHOOL.map((q) => [q.key, q.type === 'text' ? `Nội dung báo cáo của câu ${q.number}, đủ dài để đọc.` : 12]));
/** A note on every figure: the kind of review that no longer fits in one message. */
const LONG_NOTE = 'Số liệu tổng hợp từ sổ theo dõi của tổ văn phòng nhà trường, đã đối chiếu với trang thông tin điện tử và fanpage của trường trong kỳ báo cáo.';
const notesOf = (): Record<string, AnswerMeta> => Object.fromEntries(SCHOOL.filter((q) => q.type !== 'text').map((q) => [q.key, { note: LONG_NOTE }]));

const ctx = schoolFlowContext;

describe('the review in the engine', () => {
  test('a review that fits is one message with every section and the choice', () => {
    const r = step({ mode: 'idle', periodId: PERIOD }, { kind: 'command', name: 'xem', arg: '' }, ctx({ answers: answersOf() }));
    expect(r.replies).toHaveLength(1);
    const only = r.replies[0]!;
    expect(only.text.length).toBeLessThanOrEqual(REVIEW_ONE_MESSAGE_MAX);
    for (const title of SECTIONS) expect(only.text).toContain(title);
    expect(only.choice).toBe(true);
    expect(only.actions!.map((a) => a.label)).toEqual(['Xác nhận', 'Sửa']);
  });

  test('a review too long for one message goes one section per message, the heading first and the choice last', () => {
    const c = ctx({ answers: answersOf(), meta: notesOf() });
    const r = step({ mode: 'idle', periodId: PERIOD }, { kind: 'command', name: 'xem', arg: '' }, c);
    expect(r.replies).toHaveLength(SECTIONS.length);
    r.replies.forEach((m, i) => {
      expect(m.text.length).toBeLessThanOrEqual(REVIEW_ONE_MESSAGE_MAX);
      // Each message holds exactly its own section.
      expect(SECTIONS.filter((s) => m.text.includes(s))).toEqual([SECTIONS[i]]);
      if (i < r.replies.length - 1) expect(m.actions).toBeUndefined();
    });
    expect(r.replies[0]!.text).toMatch(/^BÁO CÁO 6 THÁNG ĐẦU NĂM 2026 · Trường THPT Bùi Thị Xuân\nTrạng thái: Chưa xác nhận/);
    const last = r.replies[r.replies.length - 1]!;
    expect(last.text).toContain('Kiểm tra kỹ rồi xác nhận.');
    expect(last.choice).toBe(true);
    // Every question is still there, once.
    const all = r.replies.map((m) => m.text).join('\n');
    for (const q of SCHOOL) expect(all.split('\n').filter((l) => l.startsWith(`${q.number}. `))).toHaveLength(1);
  });

  test('the answer that completes the form leads the first part of a long review', () => {
    const answers = answersOf();
    const last = SCHOOL[SCHOOL.length - 1]!;
    const { [last.key]: _, ...before } = answers;
    const r = step({ mode: 'question', periodId: PERIOD, key: last.key }, { kind: 'text', text: 'Đề nghị Sở tổ chức thêm lớp bồi dưỡng.' }, ctx({ answers: before, meta: notesOf() }));
    expect(r.replies.length).toBe(SECTIONS.length);
    expect(r.replies[0]!.text).toMatch(/^✓ “Đề nghị Sở tổ chức thêm lớp bồi dưỡng.”\nĐơn vị đã trả lời hết các câu hỏi/);
    expect(r.state).toMatchObject({ mode: 'review' });
  });
});

describe('the review on Telegram', () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  test('/xem of a long review: one message per section, the buttons under the last; a short one: one message', async () => {
    app = await startApp({
      telegram: 'polling',
      clock: () => H1_CLOCK,
      beforeStart: (deps, demo) => {
        // Two schools with every answer stored; one of them wrote a note on every figure.
        for (const [code, withNotes] of [['THPT-BUITHIXUAN', true], ['THPT-THANGLONG', false]] as const) {
          const unit = demo.units.find((u) => u.unit.code === code)!.unit;
          const period = ensurePeriod(deps.db, PERIOD);
          const sub = createSubmission(deps.db, unit.id, PERIOD, period.formVersionId, H1_CLOCK);
          for (const [key, value] of Object.entries(answersOf())) {
            const note = withNotes && typeof value === 'number' ? LONG_NOTE : null;
            appendAnswer(deps.db, { submissionId: sub.id, key, value, raw: String(value), revision: 0, contactId: null, now: H1_CLOCK, note });
          }
        }
      },
    });
    const tg = app.tg!;

    const long = telegramChat(app, 8101);
    await long.send(`/start ${app.codeOf('THPT-BUITHIXUAN')}`);
    await long.expectReply('Đã liên kết');
    await long.settle();
    await long.send('/xem');
    await long.expectReply('Kiểm tra kỹ rồi xác nhận');
    await app.runtime.idle();
    await tg.waitForIdle(30);
    const parts = tg.botMessages(8101).slice(-SECTIONS.length);
    expect(parts.map((m) => SECTIONS.find((s) => m.text.includes(s)))).toEqual(SECTIONS);
    expect(parts[0]!.text).toContain('BÁO CÁO 6 THÁNG ĐẦU NĂM 2026');
    for (const m of parts) expect(m.text.length).toBeLessThanOrEqual(REVIEW_ONE_MESSAGE_MAX);
    expect(parts.slice(0, -1).every((m) => m.inlineKeyboard === undefined)).toBe(true);
    expect(parts[parts.length - 1]!.inlineKeyboard!.flat().map((b) => b.text)).toEqual(['Xác nhận', 'Sửa']);

    const short = telegramChat(app, 8102);
    await short.send(`/start ${app.codeOf('THPT-THANGLONG')}`);
    await short.expectReply('Đã liên kết');
    await short.settle();
    await short.send('/xem');
    const one = await short.expectReply('Kiểm tra kỹ rồi xác nhận');
    await app.runtime.idle();
    await tg.waitForIdle(30);
    for (const title of SECTIONS) expect(one).toContain(title);
    expect(tg.botMessages(8102).slice(-1)[0]!.text).toBe(one);
    expect(tg.rejected).toEqual([]);
  }, 60_000);
});
