import { describe, expect, it } from 'vitest';
import { FLOW_COMMANDS, IDLE, type ConversationState, type CurrentAnswers, type FlowCommand, type FlowInput } from '../domain/conversation';
import { step, type FlowContext } from '../handlers/conversation';
import type { FormDefinition } from '../domain/form';
import { engineTestForm } from './fixtures/engine-form';

/**
 * Audit of the pure engine against what a principal on a phone actually does: text typed under the
 * review, answers after confirming, "không có" and emoji for texts, keeping an answer after going back,
 * re-sending the same figure, a deadline already past.
 */

const FORM: FormDefinition = engineTestForm([{ key: 'opinion', label: 'Ý kiến', type: 'text', required: true }]);

const PERIOD = '2026-H1';
const DEADLINE = new Date('2026-05-05T16:59:59.999Z');
const COMPLETE: CurrentAnswers = { posts: 12, views: null, money: 10_300_000, results: 'Tổ chức tốt các hoạt động', notes: null, opinion: 'Không' };

function ctx(over: { answers?: CurrentAnswers; confirmed?: number; now?: Date } = {}): FlowContext {
  return {
    form: FORM,
    timeZone: 'Asia/Ho_Chi_Minh',
    period: { id: PERIOD, title: '6 tháng đầu năm 2026', deadline: DEADLINE, open: true },
    unitName: 'Trường THPT Bùi Thị Xuân',
    submission:
      over.confirmed !== undefined
        ? { status: 'confirmed', revision: over.confirmed, confirmedAt: new Date('2026-05-02T02:30:00Z') }
        : { status: 'draft', revision: 0, confirmedAt: null },
    answers: over.answers ?? {},
    now: over.now,
  };
}

function input(raw: string): FlowInput {
  const m = /^\/(\w+)(?:\s+(.*))?$/s.exec(raw);
  if (m && (FLOW_COMMANDS as readonly string[]).includes(m[1]!)) return { kind: 'command', name: m[1] as FlowCommand, arg: m[2] ?? '' };
  return { kind: 'text', text: raw };
}

const Q = (key: string, extra: Partial<ConversationState> = {}): ConversationState => ({ mode: 'question', periodId: PERIOD, key, ...extra });
const text = (r: ReturnType<typeof step>) => r.replies.map((x) => x.text).join('\n---\n');

describe('text typed under the review', () => {
  it('with required answers missing: one short line pointing to /nhap and the question to resume, not the review again', () => {
    const state: ConversationState = { mode: 'review', periodId: PERIOD, key: 'money' };
    const r = step(state, input('186'), ctx({ answers: { posts: 12, views: null } }));
    expect(r.state).toEqual(state);
    expect(r.effects).toEqual([]);
    expect(r.replies).toHaveLength(1);
    expect(r.replies[0]!.text).toBe('Báo cáo còn 3 câu bắt buộc chưa trả lời. Gõ /nhap để tiếp tục nhập từ câu 3. Để sửa một câu đã trả lời, gõ /sua và số thứ tự câu, ví dụ /sua 5.');
    expect(r.replies[0]!.text).not.toContain('Trả lời 1 để xác nhận');
  });

  it('complete and unconfirmed: the confirm/edit choice, in one message', () => {
    const r = step({ mode: 'review', periodId: PERIOD }, input('ok'), ctx({ answers: COMPLETE }));
    expect(r.replies).toHaveLength(1);
    expect(r.replies[0]!.text).toContain('Trả lời 1 để xác nhận, 2 để sửa một câu');
  });

  it('confirmed: how to correct, and no talk of confirming', () => {
    const r = step({ mode: 'review', periodId: PERIOD }, input('xong'), ctx({ answers: COMPLETE, confirmed: 1 }));
    expect(r.replies).toHaveLength(1);
    expect(r.replies[0]!.text).toContain('đã được xác nhận');
    expect(r.replies[0]!.text).toContain('gõ /sua và số thứ tự câu trong bản xem lại, ví dụ /sua 5');
    expect(r.replies[0]!.text).not.toContain('1 để xác nhận');
  });
});

describe('after confirming', () => {
  it('a figure typed while idle says the report is confirmed and how to correct it; nothing changes', () => {
    const state: ConversationState = { mode: 'idle', periodId: PERIOD };
    const r = step(state, input('200'), ctx({ answers: COMPLETE, confirmed: 1 }));
    expect(r.state).toEqual(state);
    expect(r.effects).toEqual([]);
    expect(text(r)).toContain('Báo cáo 6 tháng đầu năm 2026 của đơn vị đã được xác nhận');
    expect(text(r)).toContain('gõ /sua và số thứ tự câu, ví dụ /sua 5');
    expect(text(r)).not.toContain('Gõ /nhap để nhập');
  });

  it('a correction reached with /quaylai shows the review counting it, without "trước khi xác nhận"', () => {
    const r = step(Q('opinion'), input('Đề nghị tập huấn'), ctx({ answers: COMPLETE, confirmed: 1 }));
    expect(r.effects).toEqual([{ type: 'answer_set', key: 'opinion', value: 'Đề nghị tập huấn', raw: 'Đề nghị tập huấn', note: null, none: false, flag: null }]);
    expect(text(r)).toContain('lần sửa thứ 1');
    expect(text(r)).toContain('đã sửa 1 lần');
    expect(text(r)).not.toContain('trước khi xác nhận');
    expect(r.state.mode).toBe('review');
  });

  it('the review after /sua counts the correction too (ack and review agree)', () => {
    const r = step(Q('posts', { returnToReview: true }), input('15'), ctx({ answers: COMPLETE, confirmed: 3 }));
    expect(text(r)).toContain('lần sửa thứ 3');
    // Only the changed line and the way back, not the whole review.
    expect(text(r)).not.toContain('Trạng thái');
  });

  it('the same figure again is no correction: no effect, no revision', () => {
    const r = step(Q('posts', { returnToReview: true }), input('12 tin, bài'), ctx({ answers: COMPLETE, confirmed: 1 }));
    expect(r.effects).toEqual([]);
    expect(text(r)).toContain('✓ Câu 1 · Số tin bài: giữ nguyên 12 tin, bài');
    expect(text(r)).not.toContain('lần sửa');
    expect(r.state.mode).toBe('review');
  });
});

describe('keeping an answer after going back', () => {
  it('/boqua on an answered required question keeps it and moves on', () => {
    const r = step(Q('posts'), input('/boqua'), ctx({ answers: { posts: 12 } }));
    expect(r.effects).toEqual([]);
    expect(r.state).toEqual(Q('views'));
    expect(text(r)).toContain('Giữ nguyên câu trả lời của câu 1.');
  });

  it('an answered question offers "Giữ nguyên" (/boqua) and says so; an unanswered required one offers neither', () => {
    const answered = step({ mode: 'idle', periodId: PERIOD, key: 'money' }, input('/nhap'), ctx({ answers: { posts: 1, views: 2, money: 3 } })).replies.at(-1)!;
    expect(answered.actions).toContainEqual({ label: 'Giữ nguyên', command: '/boqua' });
    expect(answered.text).toContain('Câu trả lời hiện tại: 3 đồng. Gửi câu trả lời mới để thay, hoặc /boqua để giữ nguyên.');
    const fresh = step({ mode: 'idle', periodId: PERIOD, key: 'money' }, input('/nhap'), ctx({ answers: { posts: 1, views: 2 } })).replies.at(-1)!;
    expect(fresh.actions!.map((a) => a.command)).not.toContain('/boqua');
  });

  it('/boqua on an unanswered required text asks for content, not for a 0', () => {
    const r = step(Q('results'), input('/boqua'), ctx());
    expect(r.effects).toEqual([]);
    expect(text(r)).toContain('Câu 4 là câu bắt buộc, không thể bỏ qua. Vui lòng nhập nội dung.');
    expect(text(r)).not.toContain('nhập 0');
  });
});

describe('text answers', () => {
  it.each(['không có', 'Không có.', 'Ko có ạ', 'ko', 'k', 'chưa có', 'Không có gì', '-', 'không'])('"%s" to an optional text is recorded as nothing to report', (said) => {
    const r = step(Q('notes'), input(said), ctx({ answers: { posts: 1, views: 2, money: 3, results: 'Tổ chức tốt' } }));
    expect(r.effects).toEqual([{ type: 'answer_set', key: 'notes', value: null, raw: said, note: null, none: true, flag: null }]);
    expect(text(r)).toContain('✓ Không có');
  });

  it('"không có" to a required text without a minimum is an explicit "nothing to report", which answers it', () => {
    const r = step(Q('opinion'), input('Không có'), ctx({ answers: { posts: 1, views: 2, money: 3, results: 'Tổ chức tốt', notes: null } }));
    expect(r.effects).toEqual([{ type: 'answer_set', key: 'opinion', value: null, raw: 'Không có', note: null, none: true, flag: null }]);
    expect(r.state.mode).toBe('review');
    expect(text(r)).toContain('6. Ý kiến: Không có');
  });

  it('"không có" to a required text with a minimum length is refused as too short', () => {
    const r = step(Q('results'), input('Không có'), ctx());
    expect(r.effects).toEqual([]);
    expect(text(r)).toContain('quá ngắn');
  });

  it('"không có hoạt động nào nổi bật" is a real text, kept as typed', () => {
    const r = step(Q('notes'), input('Không có hoạt động nào nổi bật'), ctx());
    expect(r.effects).toEqual([{ type: 'answer_set', key: 'notes', value: 'Không có hoạt động nào nổi bật', raw: 'Không có hoạt động nào nổi bật', note: null, none: false, flag: null }]);
  });

  it.each(['👍', '😀😀', '🙏 ...', '!!!'])('"%s" is no answer to a text question', (said) => {
    const r = step(Q('notes'), input(said), ctx());
    expect(r.effects).toEqual([]);
    expect(r.state).toEqual(Q('notes'));
    expect(text(r)).toContain('cần có chữ hoặc số');
    expect(text(r)).toContain('Câu 5/6');
  });

  it('a quoted text that ends a sentence is not followed by a second full stop', () => {
    const r = step(Q('results'), input('Tổ chức tốt hội nghị.'), ctx());
    expect(text(r)).toContain('✓ “Tổ chức tốt hội nghị.”\n');
    expect(text(r)).not.toContain('”.');
  });

  it('the prompt of an optional text names the command instead of a button only Telegram has', () => {
    const r = step({ mode: 'idle', periodId: PERIOD, key: 'notes' }, input('/nhap'), ctx());
    expect(text(r)).toContain('Nếu không có, gửi “không có” hoặc /boqua.');
    expect(text(r)).not.toContain('bấm');
  });
});

describe('numbers', () => {
  it('the money prompt says what to type when there is none', () => {
    const r = step({ mode: 'idle', periodId: PERIOD, key: 'money' }, input('/nhap'), ctx());
    expect(text(r)).toContain('Không có thì nhập 0.');
  });

  it('"không có" to a money question is 0 đồng', () => {
    const r = step(Q('money'), input('không có'), ctx({ answers: { posts: 1, views: 2 } }));
    expect(r.effects).toEqual([{ type: 'answer_set', key: 'money', value: 0, raw: 'không có', note: null, none: true, flag: null }]);
    expect(text(r)).toContain('✓ Không có');
  });

  it('a very long number is refused with a readable message, nothing stored', () => {
    const r = step(Q('money'), input('9'.repeat(30)), ctx());
    expect(r.effects).toEqual([]);
    expect(text(r)).toContain('quá lớn');
    expect(text(r)).toContain('Vui lòng nhập lại câu 3');
    const absurd = step(Q('money'), input('9'.repeat(400)), ctx());
    expect(absurd.effects).toEqual([]);
    expect(absurd.state).toEqual(Q('money'));
    expect(text(absurd).length).toBeLessThan(400);
  });
});

describe('the deadline and cancelling', () => {
  it('the intro says the deadline has passed when it has', () => {
    const late = step(IDLE, input('/nhap'), ctx({ now: new Date('2026-05-20T03:00:00Z') }));
    expect(text(late)).toContain('Hạn gửi: 05/5/2026, đã quá hạn, đề nghị hoàn thành sớm.');
    const early = step(IDLE, input('/nhap'), ctx({ now: new Date('2026-05-05T10:00:00Z') }));
    expect(text(early)).toContain('Hạn gửi: 05/5/2026.');
    expect(text(early)).not.toContain('quá hạn');
  });

  it('"/sua" typed while answering, then "/huy": back to that question, not to the review', () => {
    const picking = step(Q('money'), input('/sua'), ctx({ answers: { posts: 1, views: 2 } }));
    expect(picking.state).toEqual({ mode: 'pick_edit', periodId: PERIOD, key: 'money' });
    const back = step(picking.state, input('/huy'), ctx({ answers: { posts: 1, views: 2 } }));
    expect(back.state).toEqual(Q('money'));
    expect(text(back)).toContain('Câu 3/6');
    expect(text(back)).not.toContain('BÁO CÁO');
  });

  it('"2" under the review, then "/huy": back to the review', () => {
    const picking = step({ mode: 'review', periodId: PERIOD }, input('2'), ctx({ answers: COMPLETE }));
    const back = step(picking.state, input('/huy'), ctx({ answers: COMPLETE }));
    expect(back.state).toEqual({ mode: 'review', periodId: PERIOD });
    // The review is the message right above: one line, and how to see it again.
    expect(text(back)).toContain('Đã hủy sửa');
    expect(text(back)).toContain('/xem');
  });
});
