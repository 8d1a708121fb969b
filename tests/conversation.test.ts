import { describe, expect, it } from 'vitest';
import { countRemaining, FLOW_COMMANDS, IDLE, readState, type ConversationState, type CurrentAnswers, type FlowCommand, type FlowInput } from '../domain/conversation';
import { step, type Effect, type FlowContext } from '../handlers/conversation';
import { DEFAULT_FORM, flattenForm, type FormDefinition } from '../domain/form';
import { engineTestForm } from './fixtures/engine-form';

/**
 * The pure form engine, driven as data: each case is (state, input, context) → expected state, effects
 * and reply fragments, run by one loop. A second part drives whole conversations, feeding the effects
 * back into the context the way handlers/flow.ts does with the database.
 */

const FORM: FormDefinition = engineTestForm();

const PERIOD = '2026-H1';
const CONFIRMED_AT = new Date('2026-05-02T02:30:00Z'); // 09:30 in Hà Nội / TP.HCM

function makeCtx(over: { answers?: CurrentAnswers; open?: boolean; confirmed?: number; form?: FormDefinition } = {}): FlowContext {
  return {
    form: over.form ?? FORM,
    timeZone: 'Asia/Ho_Chi_Minh',
    period: { id: PERIOD, title: '6 tháng đầu năm 2026', deadline: new Date('2026-05-05T16:59:59.999Z'), open: over.open ?? true },
    unitName: 'Trường THPT Bùi Thị Xuân',
    submission:
      over.confirmed !== undefined
        ? { status: 'confirmed', revision: over.confirmed, confirmedAt: CONFIRMED_AT }
        : { status: over.answers && Object.keys(over.answers).length ? 'draft' : 'none', revision: 0, confirmedAt: null },
    answers: over.answers ?? {},
  };
}

/** "/sua 3" → a command input, anything else → a text input (what the router hands the engine). */
function input(raw: string): FlowInput {
  const m = /^\/(\w+)(?:\s+(.*))?$/s.exec(raw);
  if (m && (FLOW_COMMANDS as readonly string[]).includes(m[1]!)) return { kind: 'command', name: m[1] as FlowCommand, arg: m[2] ?? '' };
  return { kind: 'text', text: raw };
}

const Q = (key: string, extra: Partial<ConversationState> = {}): ConversationState => ({ mode: 'question', periodId: PERIOD, key, ...extra });
const REVIEW: ConversationState = { mode: 'review', periodId: PERIOD };
const COMPLETE: CurrentAnswers = { posts: 12, views: null, money: 10_300_000, results: 'Tổ chức tốt các hoạt động', notes: null };
const PARTIAL: CurrentAnswers = { posts: 12, views: null };
const set = (key: string, value: number | string | null, raw: string | null, extra: { note?: string | null; none?: boolean } = {}): Effect => ({ type: 'answer_set', key, value, raw, note: extra.note ?? null, none: extra.none ?? false, flag: null });

interface Case {
  name: string;
  state: ConversationState;
  input: string;
  ctx?: Parameters<typeof makeCtx>[0];
  expect: {
    /** Exactly this state (the strictest check; use it for "changes nothing"). */
    state?: ConversationState | 'unchanged';
    mode?: ConversationState['mode'];
    key?: string | undefined;
    returnToReview?: boolean;
    effects?: Effect[];
    replyIncludes?: string[];
    replyExcludes?: string[];
  };
}

const cases: Case[] = [
  // Starting and resuming
  {
    name: '/nhap from idle shows the intro and question 1',
    state: IDLE,
    input: '/nhap',
    expect: {
      state: Q('posts', { returnToReview: undefined }),
      effects: [],
      replyIncludes: ['6 tháng đầu năm 2026 của Trường THPT Bùi Thị Xuân', 'Hạn gửi: 05/5/2026', 'trả lời 5 câu', 'Câu 1/5 · Phần A', 'Số tin bài · tính bằng tin, bài'],
    },
  },
  {
    name: '/nhap with answers already given starts at the first unanswered question',
    state: IDLE,
    input: '/nhap',
    ctx: { answers: PARTIAL },
    expect: { mode: 'question', key: 'money', effects: [], replyIncludes: ['Câu 3/5'] },
  },
  {
    name: '/nhap when everything is answered shows the review',
    state: IDLE,
    input: '/nhap',
    ctx: { answers: COMPLETE },
    expect: { mode: 'review', effects: [], replyIncludes: ['BÁO CÁO 6 THÁNG ĐẦU NĂM 2026', 'Trạng thái: Chưa xác nhận'] },
  },
  {
    name: '/huy while answering pauses and keeps the question',
    state: Q('money'),
    input: '/huy',
    ctx: { answers: PARTIAL },
    expect: { state: { mode: 'idle', periodId: PERIOD, key: 'money' }, effects: [], replyIncludes: ['Đã tạm dừng', '/nhap'] },
  },
  {
    name: '/nhap after /huy resumes at the same question, without the intro',
    state: { mode: 'idle', periodId: PERIOD, key: 'money' },
    input: '/nhap',
    ctx: { answers: PARTIAL },
    expect: { mode: 'question', key: 'money', effects: [], replyIncludes: ['Câu 3/5'], replyExcludes: ['Hạn gửi'] },
  },
  {
    name: '/huy when idle says there is nothing to cancel',
    state: IDLE,
    input: '/huy',
    expect: { state: 'unchanged', effects: [], replyIncludes: ['Không có thao tác nào'] },
  },
  {
    name: 'a state of another period is reset: /nhap starts this period from question 1',
    state: { mode: 'question', periodId: '2025-Y', key: 'money', pending: { raw: '2 hoặc 3', candidates: [2, 3] } },
    input: '/nhap',
    expect: { state: Q('posts', { returnToReview: undefined }), effects: [], replyIncludes: ['trả lời 5 câu', 'Câu 1/5'] },
  },
  {
    name: 'a state of another period is reset: a figure is not taken as an answer',
    state: { mode: 'question', periodId: '2025-Y', key: 'money' },
    input: '5 triệu',
    expect: { state: IDLE, effects: [], replyIncludes: ['Gõ /nhap để nhập báo cáo 6 tháng đầu năm 2026'] },
  },
  {
    name: 'a state naming a question the form does not have becomes idle',
    state: Q('gone_question'),
    input: '12',
    expect: { mode: 'idle', effects: [], replyIncludes: ['Gõ /nhap'] },
  },
  {
    name: 'a question state without a key (corrupt row) does not crash',
    state: { mode: 'question', periodId: PERIOD },
    input: '12',
    expect: { mode: 'idle', effects: [], replyIncludes: ['Gõ /nhap'] },
  },
  {
    name: 'free text while idle points to /nhap',
    state: IDLE,
    input: 'xin chào',
    expect: { state: 'unchanged', effects: [], replyIncludes: ['Gõ /nhap để nhập báo cáo 6 tháng đầu năm 2026'] },
  },

  // Numbers as people type them
  ...(
    [
      ['posts', '12 tin, bài', 12, 'views', '✓ 12 tin, bài'],
      ['posts', '0', 0, 'views', '✓ 0 tin, bài'],
      ['views', '1.593', 1593, 'money', '✓ 1.593 lượt'],
      ['views', '1,593', 1593, 'money', '✓ 1.593 lượt'],
      ['views', '2 nghìn', 2000, 'money', '✓ 2.000 lượt'],
      ['views', '2k', 2000, 'money', '✓ 2.000 lượt'],
      ['money', '10,3 triệu', 10_300_000, 'results', '✓ 10.300.000 đồng'],
      ['money', '10.3tr', 10_300_000, 'results', '✓ 10.300.000 đồng'],
      ['money', '510.500.000 đồng', 510_500_000, 'results', '✓ 510.500.000 đồng'],
      ['money', '1tr2', 1_200_000, 'results', '✓ 1.200.000 đồng'],
    ] as const
  ).map(
    ([key, text, value, next, ack]): Case => ({
      name: `"${text}" for ${key} is saved as ${value} with the raw text`,
      state: Q(key),
      input: text,
      expect: { state: Q(next), effects: [set(key, value, text)], replyIncludes: [ack, `Câu ${flattenForm(FORM).find((q) => q.key === next)!.number}/5`] },
    }),
  ),
  ...(
    [
      ['abc', 'Không đọc được số'],
      ['-5', 'không thể là số âm'],
      ['khoảng 12', 'Vui lòng nhập lại câu 1'],
      ['1,5', 'Vui lòng nhập lại câu 1'],
      ['5000', 'quá lớn'],
    ] as const
  ).map(
    ([text, why]): Case => ({
      name: `"${text}" for a count is refused and changes nothing`,
      state: Q('posts'),
      input: text,
      expect: { state: 'unchanged', effects: [], replyIncludes: [why, 'Vui lòng nhập lại câu 1'] },
    }),
  ),
  {
    name: 'an ambiguous figure asks back with one choice per reading',
    state: Q('posts'),
    input: '12 hoặc 13',
    expect: {
      state: Q('posts', { pending: { raw: '12 hoặc 13', candidates: [12, 13] } }),
      effects: [],
      replyIncludes: ['Chưa rõ “12 hoặc 13” là bao nhiêu', 'Đơn vị muốn ghi số nào?'],
    },
  },
  {
    name: 'readings that look like choice numbers ("2 hoặc 3") are asked for by value, not by number',
    state: Q('posts'),
    input: '2 hoặc 3',
    expect: {
      state: Q('posts', { pending: { raw: '2 hoặc 3', candidates: [2, 3] } }),
      effects: [],
      replyIncludes: ['Chưa rõ “2 hoặc 3” là bao nhiêu', 'Vui lòng gửi lại đúng một số: 2 hoặc 3.'],
    },
  },
  {
    name: 'readings outside the bounds are not offered',
    state: Q('posts'),
    input: '500 hoặc 5000',
    expect: { state: Q('posts', { pending: { raw: '500 hoặc 5000', candidates: [500] } }), effects: [] },
  },
  {
    name: 'an ambiguous figure with no reading in bounds is refused',
    state: Q('posts'),
    input: '1.500 triệu',
    expect: { state: 'unchanged', effects: [], replyIncludes: ['Vui lòng nhập lại câu 1'] },
  },
  {
    name: '"1" picks the first reading, with the typed text as raw',
    state: Q('posts', { pending: { raw: '12 hoặc 13', candidates: [12, 13] } }),
    input: '1',
    expect: { state: Q('views'), effects: [set('posts', 12, '12 hoặc 13')], replyIncludes: ['✓ 12 tin, bài'] },
  },
  {
    name: '"2" picks the second reading',
    state: Q('posts', { pending: { raw: '12 hoặc 13', candidates: [12, 13] } }),
    input: '2',
    expect: { state: Q('views'), effects: [set('posts', 13, '12 hoặc 13')] },
  },
  {
    name: 'typing the full reading also picks it, keeping the first text as raw',
    state: Q('posts', { pending: { raw: '12 hoặc 13', candidates: [12, 13] } }),
    input: '13',
    expect: { state: Q('views'), effects: [set('posts', 13, '12 hoặc 13')] },
  },
  {
    name: 'after "2 hoặc 3", "2" means 2 (not option 2 = 3)',
    state: Q('posts', { pending: { raw: '2 hoặc 3', candidates: [2, 3] } }),
    input: '2',
    expect: { state: Q('views'), effects: [set('posts', 2, '2 hoặc 3')], replyIncludes: ['✓ 2 tin, bài'] },
  },
  {
    name: 'after "2 hoặc 3", "3" means 3',
    state: Q('posts', { pending: { raw: '2 hoặc 3', candidates: [2, 3] } }),
    input: '3',
    expect: { state: Q('views'), effects: [set('posts', 3, '2 hoặc 3')] },
  },
  {
    name: 'a digit that is no choice is a new answer',
    state: Q('posts', { pending: { raw: '2 hoặc 3', candidates: [2, 3] } }),
    input: '7',
    expect: { state: Q('views'), effects: [set('posts', 7, '7')] },
  },

  // Texts
  {
    name: 'a required text is saved with its raw text',
    state: Q('results'),
    input: 'Hoàn thành 100% kế hoạch',
    ctx: { answers: { posts: 1, views: 2, money: 3 } },
    // Nothing required is left: the review comes with the choice to confirm or to answer the optional rest.
    expect: { mode: 'review', key: 'notes', effects: [set('results', 'Hoàn thành 100% kế hoạch', 'Hoàn thành 100% kế hoạch')], replyIncludes: ['✓ “Hoàn thành 100% kế hoạch”', 'Kiểm tra kỹ rồi xác nhận'] },
  },
  {
    name: 'control characters are stripped from a text answer',
    state: Q('results'),
    input: 'Tốt\u0000 lắm\u0007, rất\u001b tốt',
    expect: { effects: [set('results', 'Tốt lắm, rất tốt', 'Tốt\u0000 lắm\u0007, rất\u001b tốt')] },
  },
  {
    name: 'a text of control characters only is no answer',
    state: Q('notes'),
    input: '\u0001\u0002',
    expect: { state: 'unchanged', effects: [], replyIncludes: ['Tin nhắn chưa có nội dung'] },
  },
  {
    name: 'a text shorter than min is refused',
    state: Q('results'),
    input: 'Tốt',
    expect: { state: 'unchanged', effects: [], replyIncludes: ['Nội dung quá ngắn', 'ít nhất 10 ký tự'] },
  },
  {
    name: 'a text longer than max is refused',
    state: Q('notes'),
    input: 'x'.repeat(51),
    expect: { state: 'unchanged', effects: [], replyIncludes: ['Nội dung quá dài (51 ký tự); tối đa 50 ký tự'] },
  },
  {
    name: 'a 5.000-character text on the default form is refused',
    state: Q('assess_results_text'),
    input: 'ạ'.repeat(5000),
    ctx: { form: DEFAULT_FORM },
    expect: { state: 'unchanged', effects: [], replyIncludes: ['Nội dung quá dài (5.000 ký tự); tối đa 2.000 ký tự'] },
  },

  // Skip and back
  {
    name: '/boqua on an optional question records a skip (null) and moves on',
    state: Q('views'),
    input: '/boqua',
    ctx: { answers: { posts: 12 } },
    expect: { state: Q('money'), effects: [set('views', null, null)], replyIncludes: ['Đã bỏ qua câu 2.', 'Câu 3/5'] },
  },
  {
    name: '/boqua on an answered optional question keeps the answer',
    state: Q('views'),
    input: '/boqua',
    ctx: { answers: { posts: 12, views: 40 } },
    expect: { state: Q('money'), effects: [] },
  },
  {
    name: '/boqua on a required question is refused',
    state: Q('posts'),
    input: '/boqua',
    expect: { state: 'unchanged', effects: [], replyIncludes: ['Câu 1 là câu bắt buộc, không thể bỏ qua', 'Câu 1/5'] },
  },
  {
    name: '/boqua with no question asked',
    state: REVIEW,
    input: '/boqua',
    expect: { state: 'unchanged', effects: [], replyIncludes: ['không có câu hỏi nào để bỏ qua'] },
  },
  {
    name: '/quaylai from question 3 goes to question 2, showing its answer',
    state: Q('money'),
    input: '/quaylai',
    ctx: { answers: { posts: 12, views: 40 } },
    expect: { state: Q('views'), effects: [], replyIncludes: ['Câu 2/5', 'Câu trả lời hiện tại: 40 lượt'] },
  },
  {
    name: '/quaylai to a skipped question says it was skipped',
    state: Q('money'),
    input: '/quaylai',
    ctx: { answers: PARTIAL },
    expect: { state: Q('views'), replyIncludes: ['Câu này đã được bỏ qua'] },
  },
  {
    name: '/quaylai at question 1 stays there',
    state: Q('posts'),
    input: '/quaylai',
    expect: { state: 'unchanged', effects: [], replyIncludes: ['Đây là câu đầu tiên', 'Câu 1/5'] },
  },
  {
    name: '/quaylai while paused at question 3 goes to question 2',
    state: { mode: 'idle', periodId: PERIOD, key: 'money' },
    input: '/quaylai',
    expect: { state: Q('views'), effects: [] },
  },
  {
    name: '/quaylai from the final review goes to the last question',
    state: REVIEW,
    input: '/quaylai',
    ctx: { answers: COMPLETE },
    expect: { state: Q('notes'), effects: [] },
  },

  // Review, edit, confirm
  {
    name: '/xem lists every question with its state and the missing required numbers',
    state: Q('money'),
    input: '/xem',
    ctx: { answers: PARTIAL },
    expect: {
      state: { mode: 'review', periodId: PERIOD, key: 'money' },
      effects: [],
      replyIncludes: [
        'Phần A',
        '1. Số tin bài: 12 tin, bài',
        '2. Lượt xem: bỏ qua',
        'Phần B',
        '3. Kinh phí: chưa trả lời',
        '4. Kết quả nổi bật: chưa trả lời',
        '5. Ghi chú: chưa trả lời, không bắt buộc',
        'Còn 2 câu bắt buộc chưa trả lời: 3, 4',
      ],
    },
  },
  {
    name: '/sua 3 asks question 3 and will return to the review',
    state: REVIEW,
    input: '/sua 3',
    ctx: { answers: COMPLETE },
    expect: { state: Q('money', { returnToReview: true }), effects: [], replyIncludes: ['Câu 3/5', 'Câu trả lời hiện tại: 10.300.000 đồng'] },
  },
  {
    name: 'answering after /sua N shows the review again',
    state: Q('money', { returnToReview: true }),
    input: '5 triệu',
    ctx: { answers: COMPLETE },
    expect: { state: REVIEW, effects: [set('money', 5_000_000, '5 triệu')], replyIncludes: ['✓ Câu 3 · Kinh phí: 5.000.000 đồng (trước đây: 10.300.000 đồng)', 'Gõ /xem để xem lại cả báo cáo'] },
  },
  {
    name: '/huy while editing returns to the review without a change',
    state: Q('money', { returnToReview: true }),
    input: '/huy',
    ctx: { answers: COMPLETE },
    expect: { state: REVIEW, effects: [], replyIncludes: ['Đã hủy sửa', 'Gõ /xem'] },
  },
  ...['9', '0', 'abc', '0x2', '1e0', '2.0', '-1'].map(
    (arg): Case => ({
      name: `/sua ${arg} is refused`,
      state: REVIEW,
      input: `/sua ${arg}`,
      ctx: { answers: COMPLETE },
      expect: { state: 'unchanged', effects: [], replyIncludes: [`“${arg}” không phải số thứ tự câu`, 'từ 1 đến 5'] },
    }),
  ),
  {
    name: 'in the review, "1" confirms',
    state: REVIEW,
    input: '1',
    ctx: { answers: COMPLETE },
    expect: { state: { mode: 'idle', periodId: PERIOD }, effects: [{ type: 'submission_confirmed' }], replyIncludes: ['✅ Đã xác nhận báo cáo 6 tháng đầu năm 2026 của Trường THPT Bùi Thị Xuân'] },
  },
  {
    name: 'in the review, "2" asks which question to edit',
    state: REVIEW,
    input: '2',
    ctx: { answers: COMPLETE },
    expect: { state: { mode: 'pick_edit', periodId: PERIOD, returnToReview: true }, effects: [], replyIncludes: ['Đơn vị muốn sửa câu nào?', 'từ 1 đến 5'] },
  },
  {
    name: 'in the review, other text explains the choice',
    state: REVIEW,
    input: 'ok',
    ctx: { answers: COMPLETE },
    expect: { state: 'unchanged', effects: [], replyIncludes: ['Trả lời 1 để xác nhận, 2 để sửa'] },
  },
  {
    name: 'a number after "2" opens that question',
    state: { mode: 'pick_edit', periodId: PERIOD },
    input: '4',
    ctx: { answers: COMPLETE },
    expect: { state: Q('results', { returnToReview: true }), effects: [], replyIncludes: ['Câu 4/5'] },
  },
  {
    name: 'a bad number after "2" is refused and still waits for one',
    state: { mode: 'pick_edit', periodId: PERIOD },
    input: 'câu năm',
    ctx: { answers: COMPLETE },
    expect: { state: 'unchanged', effects: [], replyIncludes: ['không phải số thứ tự câu'] },
  },
  {
    name: '/huy while picking returns to the review',
    state: { mode: 'pick_edit', periodId: PERIOD },
    input: '/huy',
    ctx: { answers: COMPLETE },
    expect: { state: REVIEW, effects: [], replyIncludes: ['Đã hủy sửa'] },
  },
  {
    name: '/xacnhan with required answers missing lists their numbers',
    state: Q('money'),
    input: '/xacnhan',
    ctx: { answers: PARTIAL },
    expect: { state: 'unchanged', effects: [], replyIncludes: ['Chưa thể xác nhận: còn 2 câu bắt buộc chưa trả lời (câu 3, 4)'] },
  },
  {
    name: '/xacnhan with every required answer confirms (optional ones may stay empty)',
    state: REVIEW,
    input: '/xacnhan',
    ctx: { answers: { posts: 0, money: 0, results: 'Không có gì nổi bật' } },
    expect: { state: { mode: 'idle', periodId: PERIOD }, effects: [{ type: 'submission_confirmed' }] },
  },
  {
    name: '/xacnhan again after confirmation changes nothing',
    state: REVIEW,
    input: '/xacnhan',
    ctx: { answers: COMPLETE, confirmed: 1 },
    expect: { state: 'unchanged', effects: [], replyIncludes: ['đã được xác nhận lúc 09:30 ngày 02/5/2026'] },
  },
  {
    name: 'after confirmation an answer is a correction with the next revision',
    state: Q('money', { returnToReview: true }),
    input: '7 triệu',
    ctx: { answers: COMPLETE, confirmed: 1 },
    expect: {
      state: REVIEW,
      effects: [set('money', 7_000_000, '7 triệu')],
      replyIncludes: ['✓ Câu 3 · Kinh phí: 7.000.000 đồng (trước đây: 10.300.000 đồng)', 'lần sửa thứ 1'],
    },
  },
  {
    name: 'a third correction says so',
    state: Q('posts', { returnToReview: true }),
    input: '15',
    ctx: { answers: COMPLETE, confirmed: 3 },
    expect: { effects: [set('posts', 15, '15')], replyIncludes: ['lần sửa thứ 3'] },
  },
  {
    name: '/nhap after confirmation shows the confirmed review',
    state: { mode: 'idle', periodId: PERIOD },
    input: '/nhap',
    ctx: { answers: COMPLETE, confirmed: 2 },
    expect: { mode: 'review', effects: [], replyIncludes: ['đã được xác nhận', 'đã sửa 1 lần', 'Để sửa một câu, gõ /sua'] },
  },
];

function runCase(c: Case) {
  const result = step(c.state, input(c.input), makeCtx(c.ctx));
  const e = c.expect;
  if (e.state === 'unchanged') expect(result.state).toEqual(c.state);
  else if (e.state) expect(result.state).toEqual(JSON.parse(JSON.stringify(e.state)));
  if (e.mode) expect(result.state.mode).toBe(e.mode);
  if ('key' in e) expect(result.state.key).toBe(e.key);
  if (e.returnToReview !== undefined) expect(result.state.returnToReview).toBe(e.returnToReview);
  if (e.effects) expect(result.effects).toEqual(e.effects);
  const text = result.replies.map((r) => r.text).join('\n---\n');
  for (const s of e.replyIncludes ?? []) expect(text).toContain(s);
  for (const s of e.replyExcludes ?? []) expect(text).not.toContain(s);
  expect(result.replies.length).toBeGreaterThan(0);
  return result;
}

describe('step: cases as data', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    runCase(c);
  });
});

describe('step: replies for channels', () => {
  it('an ambiguous figure offers numbered choices "1", "2" with the unit', () => {
    const { replies } = step(Q('posts'), input('12 hoặc 13'), makeCtx());
    const r = replies.at(-1)!;
    expect(r.choice).toBe(true);
    expect(r.actions).toEqual([
      { label: 'Chọn 12 tin, bài', command: '1' },
      { label: 'Chọn 13 tin, bài', command: '2' },
    ]);
  });

  it('readings that could be read as choice numbers get buttons sending the number itself, not numbered options', () => {
    const { replies } = step(Q('posts'), input('2 hoặc 3'), makeCtx());
    const r = replies.at(-1)!;
    expect(r.choice).toBeFalsy();
    expect(r.actions).toEqual([
      { label: 'Chọn 2 tin, bài', command: '2' },
      { label: 'Chọn 3 tin, bài', command: '3' },
    ]);
  });

  it('a question offers skip only when optional, back only after question 1, and always review', () => {
    const ask = (state: ConversationState, answers: CurrentAnswers = {}) =>
      step(state, input('/nhap'), makeCtx({ answers })).replies.at(-1)!.actions!.map((a) => a.command);
    expect(ask(IDLE)).toEqual(['/xem']);
    expect(ask({ mode: 'idle', periodId: PERIOD, key: 'views' })).toEqual(['/boqua', '/quaylai', '/xem']);
    expect(ask({ mode: 'idle', periodId: PERIOD, key: 'money' })).toEqual(['/quaylai', '/xem']);
    const editing = step(REVIEW, input('/sua 5'), makeCtx({ answers: COMPLETE })).replies.at(-1)!.actions!.map((a) => a.command);
    expect(editing).toEqual(['/boqua', '/huy', '/xem']);
  });

  it('a complete, unconfirmed review is a choice between confirm and edit', () => {
    const r = step(Q('notes'), input('/xem'), makeCtx({ answers: COMPLETE })).replies[0]!;
    expect(r.choice).toBe(true);
    expect(r.actions!.map((a) => a.command)).toEqual(['/xacnhan', '/sua']);
    expect(r.text).toContain('Kiểm tra kỹ rồi xác nhận.');
  });

  it('the review numbers every question of the default form, unanswered ones marked', () => {
    const questions = flattenForm(DEFAULT_FORM);
    const { replies } = step(IDLE, input('/xem'), makeCtx({ form: DEFAULT_FORM }));
    const text = replies[0]!.text;
    for (const q of questions) expect(text).toContain(`${q.number}. ${q.label}: chưa trả lời`);
    for (const s of DEFAULT_FORM.sections) expect(text).toContain(s.title);
  });

  it('the review shortens long texts', () => {
    const long = 'Nội dung dài '.repeat(40);
    const text = step(REVIEW, input('/xem'), makeCtx({ answers: { ...COMPLETE, results: long } })).replies[0]!.text;
    const line = text.split('\n').find((l) => l.startsWith('4. '))!;
    expect(line.length).toBeLessThan(200);
    expect(line).toMatch(/^4\. Kết quả nổi bật: “Nội dung dài .*…”$/);
  });
});

describe('step: a closed period', () => {
  const closedCases: [string, ConversationState, string, CurrentAnswers][] = [
    ['an answer', Q('posts'), '12', {}],
    ['a text answer', Q('results'), 'Hoàn thành tốt nhiệm vụ', {}],
    ['/boqua', Q('views'), '/boqua', { posts: 1 }],
    ['a pick among readings', Q('posts', { pending: { raw: '2 hoặc 3', candidates: [2, 3] } }), '1', {}],
    ['/sua N', REVIEW, '/sua 2', COMPLETE],
    ['/sua', REVIEW, '/sua', COMPLETE],
    ['"2" in the review', REVIEW, '2', COMPLETE],
    ['/quaylai', Q('money'), '/quaylai', PARTIAL],
    ['/xacnhan', REVIEW, '/xacnhan', COMPLETE],
    ['"1" in the review', REVIEW, '1', COMPLETE],
    ['/nhap', IDLE, '/nhap', {}],
  ];
  it.each(closedCases)('%s is refused with no effect', (_name, state, raw, answers) => {
    const result = step(state, input(raw), makeCtx({ open: false, answers }));
    expect(result.effects).toEqual([]);
    expect(result.replies.map((r) => r.text).join('\n')).toContain('Kỳ báo cáo 6 tháng đầu năm 2026 đã khóa');
    expect(['idle', state.mode]).toContain(result.state.mode);
  });

  it('/xem still shows the answers, marked closed, without actions', () => {
    const result = step(IDLE, input('/xem'), makeCtx({ open: false, answers: COMPLETE }));
    expect(result.effects).toEqual([]);
    expect(result.replies[0]!.text).toContain('Kỳ báo cáo đã khóa.');
    expect(result.replies[0]!.actions).toBeUndefined();
  });
});

describe('step: whole conversations', () => {
  /** Feeds effects back into the answers, like handlers/flow.ts does through the database. */
  function conversation(form: FormDefinition) {
    let state: ConversationState = IDLE;
    let answers: Record<string, number | string | null> = {};
    let confirmed: number | undefined;
    const log: Effect[] = [];
    return {
      send(raw: string) {
        const r = step(state, input(raw), makeCtx({ form, answers, confirmed }));
        for (const e of r.effects) {
          log.push(e);
          if (e.type === 'answer_set') {
            answers = { ...answers, [e.key]: e.value };
            if (confirmed !== undefined) confirmed++;
          } else confirmed = 1;
        }
        state = r.state;
        return { ...r, text: r.replies.map((x) => x.text).join('\n') };
      },
      get state() {
        return state;
      },
      get answers() {
        return answers;
      },
      log,
    };
  }

  it('walks the default form: every question answered or skipped, reviewed, confirmed', () => {
    const questions = flattenForm(DEFAULT_FORM);
    const c = conversation(DEFAULT_FORM);
    expect(c.send('/nhap').text).toContain(`trả lời ${questions.length} câu`);
    for (const q of questions) {
      // Once nothing required is left the review offers to confirm; "3" goes on with the optional questions.
      if (c.state.mode === 'review') expect(c.send('3').state).toMatchObject({ mode: 'question', more: true });
      expect(c.state).toMatchObject({ mode: 'question', key: q.key });
      const answer =
        q.type === 'money' ? '10,3 triệu' : q.key === 'profile_pupils' ? '1.593' : q.type === 'count' ? '12' : q.required ? 'Hoàn thành tốt các nhiệm vụ' : '/boqua';
      const r = c.send(answer);
      expect(r.effects, `${q.key} ← ${answer}: ${r.text}`).toHaveLength(1);
    }
    expect(c.state.mode).toBe('review');
    expect(c.send('/xacnhan').effects).toEqual([{ type: 'submission_confirmed' }]);
    expect(countRemaining(DEFAULT_FORM, c.answers)).toBe(0);
    expect(c.answers.intl_support_money).toBe(10_300_000);
    expect(c.answers.profile_pupils).toBe(1593);
    expect(c.answers.campaign_text).toBeNull();
  });

  it('back, skip, review, edit, confirm, then correct', () => {
    const c = conversation(FORM);
    c.send('/nhap');
    c.send('12');
    c.send('/quaylai');
    expect(c.state).toMatchObject({ mode: 'question', key: 'posts' });
    expect(c.send('13').effects).toEqual([set('posts', 13, '13')]);
    c.send('/boqua');
    c.send('2 hoặc 3 triệu');
    c.send('2');
    expect(c.answers.money).toBe(3_000_000);
    c.send('/huy');
    expect(c.send('/nhap').text).toContain('Câu 4/5');
    expect(c.send('Đạt giải nhất cấp tỉnh').text).toContain('Kiểm tra kỹ rồi xác nhận');
    expect(c.send('3').text).toContain('Câu 5/5');
    const review = c.send('/boqua');
    expect(review.state.mode).toBe('review');
    expect(review.text).toContain('Đơn vị đã trả lời hết các câu hỏi');
    c.send('2');
    c.send('1');
    expect(c.state).toMatchObject({ mode: 'question', key: 'posts', returnToReview: true });
    c.send('14');
    expect(c.send('1').effects).toEqual([{ type: 'submission_confirmed' }]);
    c.send('/sua 2');
    const fix = c.send('40');
    expect(fix.text).toContain('lần sửa thứ 1');
    expect(c.answers).toEqual({ posts: 14, views: 40, money: 3_000_000, results: 'Đạt giải nhất cấp tỉnh', notes: null });
    // 12, 13, skip, 3 triệu, text, skip, 14, 40: every answer given is an effect (nothing is lost).
    expect(c.log.filter((e) => e.type === 'answer_set')).toHaveLength(8);
  });
});

describe('readState', () => {
  it.each([
    ['null', null],
    ['empty', ''],
    ['corrupt JSON', '{"mode": "question", '],
    ['JSON null', 'null'],
    ['an unknown mode', '{"mode":"asking"}'],
    ['a wrong field type', '{"mode":"question","key":5}'],
    ['an array', '[1,2]'],
  ])('%s → idle', (_name, json) => {
    expect(readState(json)).toEqual(IDLE);
  });

  it('round-trips a stored state', () => {
    const s: ConversationState = Q('posts', { returnToReview: true, pending: { raw: '2 hoặc 3', candidates: [2, 3] } });
    expect(readState(JSON.stringify(s))).toEqual(s);
  });
});

describe('countRemaining', () => {
  it.each([
    [{}, 5],
    [{ posts: 1 }, 4],
    [{ posts: 1, views: null }, 3],
    [COMPLETE, 0],
    [{ unknown_key: 3 }, 5],
  ] as [CurrentAnswers, number][])('%j → %i', (answers, n) => {
    expect(countRemaining(FORM, answers)).toBe(n);
  });

  it('counts every question of the default form when nothing is answered', () => {
    expect(countRemaining(DEFAULT_FORM, {})).toBe(flattenForm(DEFAULT_FORM).length);
  });
});

describe('a long paste split into several messages', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 4, 1, 3, 0, s));
  const notes = Q('notes');

  // Telegram splits only texts over 4,096 characters: only a refused text that long can have a tail.
  const split = 'x'.repeat(4_100);

  it('refuses the tail that arrives right after a refused part, and accepts a new answer later', () => {
    const first = step(notes, input(split), { ...makeCtx(), now: at(0) });
    expect(first.effects).toEqual([]);
    expect(first.replies[0]!.text).toContain('quá dài');
    const tail = step(first.state, input('đoạn cuối'), { ...makeCtx(), now: at(2) });
    expect(tail.effects).toEqual([]);
    expect(tail.replies[0]!.text).toContain('phần tiếp theo');
    const later = step(tail.state, input('Ghi chú ngắn'), { ...makeCtx(), now: at(40) });
    expect(later.effects).toEqual([set('notes', 'Ghi chú ngắn', 'Ghi chú ngắn')]);
    expect(later.state.tooLongAt).toBeUndefined();
  });

  it('a corrected short answer right after a refused text too short to have been split is stored', () => {
    const first = step(notes, input('x'.repeat(60)), { ...makeCtx(), now: at(0) });
    expect(first.replies[0]!.text).toContain('quá dài');
    const fixed = step(first.state, input('Ghi chú ngắn'), { ...makeCtx(), now: at(5) });
    expect(fixed.effects).toEqual([set('notes', 'Ghi chú ngắn', 'Ghi chú ngắn')]);
  });

  it('refusing the tail does not restart the window', () => {
    const first = step(notes, input(split), { ...makeCtx(), now: at(0) });
    const tail = step(first.state, input('đoạn cuối'), { ...makeCtx(), now: at(10) });
    expect(tail.effects).toEqual([]);
    const fixed = step(tail.state, input('Ghi chú ngắn'), { ...makeCtx(), now: at(16) });
    expect(fixed.effects).toEqual([set('notes', 'Ghi chú ngắn', 'Ghi chú ngắn')]);
  });

  it('without a time in the context nothing is held back', () => {
    const first = step(notes, input('x'.repeat(60)), makeCtx());
    const next = step(first.state, input('Ghi chú ngắn'), makeCtx());
    expect(next.effects).toEqual([set('notes', 'Ghi chú ngắn', 'Ghi chú ngắn')]);
  });
});

describe('the acknowledgement of a long text answer', () => {
  // 190 characters: within the question's 200, longer than what an acknowledgement repeats.
  const long = 'Tổ chức tốt các hoạt động tuyên truyền về đổi mới giáo dục tại các trường trong toàn tỉnh, '.repeat(2).trim();

  it('repeats it shortened, while the whole text is stored', () => {
    const result = step(Q('results'), input(long), makeCtx({ answers: { posts: 12, views: null, money: 10_300_000 } }));
    expect(result.effects).toEqual([set('results', long, long)]);
    const ack = result.replies[0]!.text;
    expect(ack).not.toContain(long);
    expect(ack).toContain(`“${long.slice(0, 100)}`);
    expect(ack).toMatch(/…”/);
  });

  it('also when a confirmed report is corrected from the review', () => {
    const result = step(Q('results', { returnToReview: true }), input(long), makeCtx({ answers: COMPLETE, confirmed: 1 }));
    expect(result.effects).toEqual([set('results', long, long)]);
    const text = result.replies.map((r) => r.text).join('\n');
    expect(text).not.toContain(long);
    expect(text).toMatch(/…”/);
  });
});
