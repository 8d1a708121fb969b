import { describe, expect, it } from 'vitest';
import { schoolFlowContext } from './helpers/flow-context';
import type { AnswerContext, PastReports } from '../domain/answer';
import { countRemaining, IDLE, type ConversationState, type CurrentAnswers, type FlowInput } from '../domain/conversation';
import { validateAnswer } from '../handlers/answer';
import { step, type Effect } from '../handlers/conversation';
import { aggregate } from '../domain/aggregate';
import { buildExportTables } from '../domain/export-layout';
import { applicableQuestions, DEFAULT_FORM, flattenForm, FormDefinitionSchema, type AnswerMeta } from '../domain/form';
import { periodInfo, pickComparable } from '../domain/periods';
import { computeProgress } from '../domain/progress';
import type { UnitRef } from '../domain/units';

/**
 * Issue 10 as data: answers checked alone (numbers in words, notes, "không có", money with a comma, "="),
 * sections sent in one message, questions back on unlikely figures, the unit profile kept in one message,
 * and questions by unit type, through validateAnswer and the pure engine; then what the office sees.
 */

const PERIOD = '2026-H1';
const past = (periodId: string, answers: CurrentAnswers): PastReports['sameKind'] => ({ periodId, title: periodInfo(periodId).shortTitle, answers });
const LAST_YEAR: PastReports = {
  sameKind: past('2025-H1', { portal_news_events: 45, portal_party_ideology: 4, digital_posts: 120, digital_views: 45_000, profile_pupils: 1_180, profile_classes: 30, profile_staff: 85 }),
  latest: past('2025-H1', { portal_news_events: 45, portal_party_ideology: 4, digital_posts: 120, digital_views: 45_000, profile_pupils: 1_180, profile_classes: 30, profile_staff: 85 }),
};

const ctx = schoolFlowContext;

const text = (t: string): FlowInput => ({ kind: 'text', text: t });
const Q = (key: string, extra: Partial<ConversationState> = {}): ConversationState => ({ mode: 'question', periodId: PERIOD, key, ...extra });
const sets = (effects: Effect[]) => Object.fromEntries(effects.flatMap((e) => (e.type === 'answer_set' ? [[e.key, e.value]] : [])));

describe('one answer, checked alone (validateAnswer)', () => {
  const base: AnswerContext = { form: DEFAULT_FORM, unitType: 'phong-gddt', answers: {}, previous: LAST_YEAR };
  const cases: [string, string, string, Record<string, unknown>][] = [
    ['a number in words', 'portal_exams', 'mười hai', { ok: true, value: 12 }],
    ['tens in words', 'portal_exams', 'hai mươi lăm', { ok: true, value: 25 }],
    ['hundreds with "linh"', 'portal_exams', 'một trăm linh năm', { ok: true, value: 105 }],
    ['"1 triệu 2" for money', 'intl_support_money', '1 triệu 2', { ok: true, value: 1_200_000 }],
    ['words after a number are its note', 'intl_delegations_received', '2 đoàn (Hàn Quốc và Nhật Bản)', { ok: true, value: 2, note: 'Hàn Quốc và Nhật Bản' }],
    ['the unit of the question is no note', 'portal_exams', '12 tin, bài', { ok: true, value: 12, note: null }],
    ['a note after the unit', 'portal_exams', '12 tin, bài trong đó 3 bài về tuyển sinh', { ok: true, value: 12, note: 'trong đó 3 bài về tuyển sinh' }],
    ['"không có" to a number: 0, nothing to report', 'portal_exams', 'không có', { ok: true, value: 0, none: true }],
    ['"không có" to an optional text: nothing to report', 'intl_activities_text', 'Không có ạ', { ok: true, value: null, none: true }],
    ['a real text is kept', 'intl_activities_text', 'Không có hoạt động nào nổi bật trong kỳ', { ok: true, value: 'Không có hoạt động nào nổi bật trong kỳ', none: false }],
    ['"2,500" for money asks 2.500 or 2,5 triệu', 'intl_support_money', '2,500', { ok: false, reason: 'ambiguous', candidates: [2_500, 2_500_000] }],
    ['"2,500" for a count is 2.500', 'digital_posts', '2,500', { ok: false, reason: 'unlikely' }],
    ['"2.500.000" for money is no question', 'intl_support_money', '2.500.000', { ok: true, value: 2_500_000 }],
    ['"=" keeps last period figure', 'portal_news_events', '=', { ok: true, value: 45 }],
    ['"=" without a last period figure', 'portal_exams', '=', { ok: false, reason: 'no_previous' }],
    ['an estimate is refused, not noted', 'portal_exams', '12 trở lên', { ok: false, reason: 'invalid' }],
    ['two readings are asked back, not noted', 'portal_exams', '12 hoặc 13', { ok: false, reason: 'ambiguous', candidates: [12, 13] }],
    ['letters glued to digits are a code, not a figure', 'portal_exams', '3BAUNFPB', { ok: false, reason: 'invalid' }],
    ['an unknown question', 'nope', '1', { ok: false, reason: 'unknown_question' }],
  ];
  it.each(cases)('%s', (_name, key, typed, expected) => {
    expect(validateAnswer(key, typed, base)).toMatchObject(expected);
  });

  it('a question that does not apply to the unit is refused', () => {
    expect(validateAnswer('profile_institutions', '1', { ...base, unitType: 'thpt' })).toMatchObject({ ok: false, reason: 'not_applicable' });
  });

  it('"confirmUnlikely" accepts the figure with its flag', () => {
    expect(validateAnswer('portal_news_events', '450', base)).toMatchObject({ ok: false, reason: 'unlikely', flag: { kind: 'change', previous: 45, periodId: '2025-H1' } });
    expect(validateAnswer('portal_news_events', '450', base, { confirmUnlikely: true })).toMatchObject({ ok: true, value: 450, flag: { kind: 'change', previous: 45 } });
  });
});

describe('questions back on unlikely figures', () => {
  const q1: PastReports = { sameKind: past('2026-Q1', { portal_news_events: 45, portal_party_ideology: 4 }), latest: past('2026-Q1', {}) };
  const cases: [string, PastReports | null, string, string, boolean][] = [
    ['10× the previous quarter', q1, 'portal_news_events', '450', true],
    ['a third of the same period last year', LAST_YEAR, 'portal_news_events', '15', true],
    ['2× is plausible', LAST_YEAR, 'portal_news_events', '90', false],
    ['3× but under the minimum difference (4 → 12)', q1, 'portal_party_ideology', '12', false],
    ['3× and over the minimum difference (4 → 14)', q1, 'portal_party_ideology', '14', true],
    ['no previous report: nothing to compare', null, 'portal_news_events', '450', false],
  ];
  it.each(cases)('%s', (_name, previous, key, typed, asked) => {
    const r = step(Q(key), text(typed), ctx({ previous }));
    if (asked) {
      expect(r.effects).toEqual([]);
      expect(r.state.pending).toMatchObject({ kind: 'unlikely' });
      expect(r.replies[0]!.text).toMatch(/Kỳ trước \(.+\) đơn vị báo .+; nay .+\. Đúng không\?/);
      expect(r.replies[0]!.actions!.map((a) => a.label)).toEqual(['Đúng', 'Nhập lại']);
    } else {
      expect(sets(r.effects)).toEqual({ [key]: Number(typed) });
    }
  });

  it('"1" keeps the figure with its flag; "2" asks again and stores nothing', () => {
    const asked = step(Q('portal_news_events'), text('450'), ctx({ previous: LAST_YEAR }));
    const yes = step(asked.state, text('1'), ctx({ previous: LAST_YEAR }));
    expect(yes.effects).toEqual([{ type: 'answer_set', key: 'portal_news_events', value: 450, raw: '450', note: null, none: false, flag: { kind: 'change', previous: 45, periodId: '2025-H1' } }]);
    expect(yes.replies[0]!.text).toContain('đã xác nhận số liệu khác thường');
    const no = step(asked.state, text('2'), ctx({ previous: LAST_YEAR }));
    expect(no.effects).toEqual([]);
    expect(no.state).toMatchObject({ mode: 'question', key: 'portal_news_events' });
    expect(no.state.pending).toBeUndefined();
  });

  it('a rule of the form: interactions with no views', () => {
    const r = step(Q('digital_interactions'), text('300'), ctx({ answers: { digital_posts: 4, digital_views: 0 } }));
    expect(r.effects).toEqual([]);
    expect(r.replies[0]!.text).toContain('Có lượt tương tác nhưng không có lượt xem nào.');
    const yes = step(r.state, text('1'), ctx({ answers: { digital_posts: 4, digital_views: 0 } }));
    expect(yes.effects[0]).toMatchObject({ key: 'digital_interactions', value: 300, flag: { kind: 'rule' } });
  });

  it('a form written before the check (no plausibility, no rules) asks nothing back', () => {
    const old = FormDefinitionSchema.parse({ ...DEFAULT_FORM, plausibility: undefined, rules: undefined });
    expect(sets(step(Q('portal_news_events'), text('450'), ctx({ form: old, previous: LAST_YEAR })).effects)).toEqual({ portal_news_events: 450 });
  });
});

describe('a section in one message', () => {
  const portal = applicableQuestions(DEFAULT_FORM, 'thpt').filter((q) => q.sectionKey === 'portal');
  const nine = ['12', '3', '0', '5', '7', '1', '2', '4', '6'];
  it.each([
    ['one per line (a column from Excel)', nine.join('\n')],
    ['separated by ";"', nine.join('; ')],
    ['separated by tabs (a row from Excel)', nine.join('\t')],
    ['Windows line ends and a trailing line break', `${nine.join('\r\n')}\r\n`],
  ])('%s: all nine stored, one message, on to the next section', (_name, pasted) => {
    const r = step(Q('portal_news_events'), text(pasted), ctx());
    expect(sets(r.effects)).toEqual(Object.fromEntries(portal.map((q, i) => [q.key, Number(nine[i])])));
    expect(r.replies).toHaveLength(1);
    expect(r.replies[0]!.text).toContain('✓ Đã ghi 9 số của mục');
    expect(r.state).toMatchObject({ mode: 'question', key: 'digital_posts' });
  });

  it('"1 593" and "1,593" stay one number each', () => {
    const r = step(Q('digital_posts'), text('1 593\n1,593\n12'), ctx());
    expect(sets(r.effects)).toEqual({ digital_posts: 1593, digital_views: 1593, digital_interactions: 12 });
  });

  it('a wrong count stores nothing and lists the order', () => {
    const r = step(Q('portal_news_events'), text('1\n2\n3'), ctx());
    expect(r.effects).toEqual([]);
    expect(r.replies[0]!.text).toContain('Mục này có 9 số nhưng tin nhắn có 3 giá trị');
    expect(r.state).toEqual(Q('portal_news_events'));
  });

  it('one bad value among good ones: the good ones kept, the bad one named by position and label, then asked', () => {
    const r = step(Q('digital_posts'), text('130\nnhiều lắm\n3.900'), ctx());
    expect(sets(r.effects)).toEqual({ digital_posts: 130, digital_interactions: 3900 });
    expect(r.replies[0]!.text).toContain('✗ 2. Tổng số lượt xem: chưa ghi.');
    expect(r.replies[0]!.text).toContain('Vui lòng nhập lại số 2: Tổng số lượt xem.');
    expect(r.state).toMatchObject({ mode: 'question', key: 'digital_views' });
  });

  it('a value that needs a question back: the others stored, the question asked', () => {
    const r = step(Q('intl_delegations_received'), text('2 đoàn (Hàn Quốc)\n0\n1\n6\n2,500'), ctx());
    expect(sets(r.effects)).toEqual({ intl_delegations_received: 2, intl_delegations_sent: 0, intl_agreements: 1, intl_foreign_students: 6 });
    expect(r.effects[0]).toMatchObject({ note: 'Hàn Quốc' });
    expect(r.replies[0]!.text).toContain('“2,500” là 2.500 đồng hay 2,5 triệu đồng?');
    expect(r.state).toMatchObject({ key: 'intl_support_money', pending: { candidates: [2_500, 2_500_000] } });
    const picked = step(r.state, text('2'), ctx({ answers: sets(r.effects) }));
    expect(sets(picked.effects)).toEqual({ intl_support_money: 2_500_000 });
  });

  it('the first question of a section says the whole section may be sent at once', () => {
    const r = step({ mode: 'idle', periodId: PERIOD, key: 'portal_news_events' }, { kind: 'command', name: 'nhap', arg: '' }, ctx());
    expect(r.replies[0]!.text).toContain('Mục này có 9 số. Có thể gửi cả 9 số trong một tin nhắn');
  });
});

describe('the unit profile kept in one message, and one bot message per answer', () => {
  it('"Giữ nguyên cả 3 số của kỳ trước?" then "=" keeps all three', () => {
    const asked = step(IDLE, { kind: 'command', name: 'nhap', arg: '' }, ctx({ previous: LAST_YEAR }));
    expect(asked.replies).toHaveLength(1);
    expect(asked.replies[0]!.text).toContain('Giữ nguyên cả 3 số của kỳ trước?');
    expect(asked.state).toMatchObject({ block: 'stable', key: 'profile_pupils' });
    for (const keep of ['=', '1', 'giữ nguyên']) {
      const kept = step(asked.state, text(keep), ctx({ previous: LAST_YEAR }));
      expect(sets(kept.effects)).toEqual({ profile_pupils: 1_180, profile_classes: 30, profile_staff: 85 });
      expect(kept.replies).toHaveLength(1);
      expect(kept.replies[0]!.text).toContain('✓ Giữ nguyên 3 số của kỳ trước.');
      expect(kept.replies[0]!.text).toContain('Câu 4/32');
    }
  });

  it('"2" answers them one by one; new figures may come at once', () => {
    const asked = step(IDLE, { kind: 'command', name: 'nhap', arg: '' }, ctx({ previous: LAST_YEAR }));
    const one = step(asked.state, text('2'), ctx({ previous: LAST_YEAR }));
    expect(one.state).toMatchObject({ mode: 'question', key: 'profile_pupils' });
    expect(one.state.block).toBeUndefined();
    const pasted = step(asked.state, text('1.200\n31\n86'), ctx({ previous: LAST_YEAR }));
    expect(sets(pasted.effects)).toEqual({ profile_pupils: 1_200, profile_classes: 31, profile_staff: 86 });
  });

  it('after "2" the block is not offered again in this period, even after a pause; a new period offers it again', () => {
    const c = ctx({ previous: LAST_YEAR });
    const nhap: FlowInput = { kind: 'command', name: 'nhap', arg: '' };
    const asked = step(IDLE, nhap, c);
    const declined = step(asked.state, text('2'), c);
    expect(declined.replies[0]!.text).not.toContain('Giữ nguyên cả 3 số');
    // A pause before the first figure, then /nhap: the first profile question alone, not the block.
    const paused = step(declined.state, { kind: 'command', name: 'huy', arg: '' }, c);
    const resumed = step(paused.state, nhap, c);
    expect(resumed.state).toMatchObject({ mode: 'question', key: 'profile_pupils' });
    expect(resumed.state.block).toBeUndefined();
    expect(resumed.replies[0]!.text).not.toContain('Giữ nguyên cả 3 số');
    expect(resumed.replies[0]!.text).toContain('1. Số học sinh · kỳ trước 1.180');
    // Going back to the first question after answering one: still one at a time.
    const first = step(resumed.state, text('1.200'), c);
    expect(sets(first.effects)).toEqual({ profile_pupils: 1_200 });
    const back = step(first.state, { kind: 'command', name: 'quaylai', arg: '' }, { ...c, answers: { profile_pupils: 1_200 } });
    expect(back.replies[0]!.text).not.toContain('Giữ nguyên cả 3 số');
    // The next period starts afresh: the block is offered again.
    const nextPeriod = ctx({ previous: LAST_YEAR, period: { id: '2026-Y', title: 'năm 2026', deadline: new Date('2026-11-05T16:59:59.999Z'), open: true } });
    const again = step(paused.state, nhap, nextPeriod);
    expect(again.replies[0]!.text).toContain('Giữ nguyên cả 3 số của kỳ trước?');
    expect(again.state).toMatchObject({ block: 'stable', periodId: '2026-Y' });
  });

  it('a number question shows last period figure, and Telegram gets a button with it', () => {
    const r = step(Q('portal_news_events'), text('42'), ctx({ previous: LAST_YEAR }));
    expect(r.replies[0]!.text).toContain('Kỳ trước (6 tháng đầu năm 2025): 4 tin, bài. Gửi dấu = để giữ nguyên.');
    expect(r.replies[0]!.actions).toContainEqual({ label: 'Giữ 4 tin, bài', command: '=' });
  });

  it('the acknowledgement and the next question are one message', () => {
    const r = step(Q('portal_news_events'), text('42'), ctx());
    expect(r.replies).toHaveLength(1);
    expect(r.replies[0]!.text).toMatch(/^✓ 42 tin, bài\n\nCâu 5\/32 · /);
  });

  it('the default form asks no text of everyone; a text an office form requires says so up front, with its length', () => {
    const at = { mode: 'idle', periodId: PERIOD, key: 'assess_results_text' } as const;
    const optional = step(at, { kind: 'command', name: 'nhap', arg: '' }, ctx());
    expect(optional.replies[0]!.text).toContain('Không bắt buộc, tối đa 2.000 ký tự. Nếu không có, gửi “không có” hoặc /boqua.');
    expect(flattenForm(DEFAULT_FORM).filter((q) => q.type === 'text' && q.required)).toEqual([]);
    // An office that wants the text every time imports a form that requires it.
    const strict = FormDefinitionSchema.parse({
      ...DEFAULT_FORM,
      sections: DEFAULT_FORM.sections.map((s) => ({ ...s, questions: s.questions.map((q) => (q.key === 'assess_results_text' ? { ...q, required: true, min: 10 } : q)) })),
    });
    const required = step(at, { kind: 'command', name: 'nhap', arg: '' }, ctx({ form: strict }));
    expect(required.replies[0]!.text).toContain('Câu bắt buộc: viết ít nhất 10 ký tự, tối đa 2.000 ký tự.');
  });

  it('the welcome says how many questions apply and about how long it takes', () => {
    const r = step(IDLE, { kind: 'command', name: 'nhap', arg: '' }, ctx());
    expect(r.replies[0]!.text).toMatch(/Đơn vị trả lời 32 câu, mất khoảng \d+ phút\./);
  });
});

describe('questions by unit type', () => {
  it('a school is not asked the number of institutions; a district office is', () => {
    const school = applicableQuestions(DEFAULT_FORM, 'thpt').map((q) => q.key);
    const office = applicableQuestions(DEFAULT_FORM, 'phong-gddt').map((q) => q.key);
    expect(school).not.toContain('profile_institutions');
    expect(office).toContain('profile_institutions');
    expect(office).toHaveLength(33);
    expect(school).toHaveLength(32);
    expect(applicableQuestions(DEFAULT_FORM, 'phong-so').map((q) => q.key)).not.toContain('profile_pupils');
    expect(countRemaining(DEFAULT_FORM, {}, 'thpt')).toBe(32);
  });

  it('an old form version without relevance asks everything of everyone', () => {
    const old = FormDefinitionSchema.parse(JSON.parse(JSON.stringify(DEFAULT_FORM).replace(/"relevant":\[[^\]]*\],?/g, '')));
    expect(applicableQuestions(old, 'thpt')).toHaveLength(33);
    expect(step(IDLE, { kind: 'command', name: 'nhap', arg: '' }, ctx({ form: old })).replies[0]!.text).toContain('Câu 1/33');
  });

  const units: UnitRef[] = [
    { id: 1, code: 'PGD-A', name: 'Phòng GD&ĐT A', type: 'phong-gddt' },
    { id: 2, code: 'THPT-B', name: 'Trường THPT B', type: 'thpt' },
  ];
  const full = (type: string, base: number) =>
    Object.fromEntries(applicableQuestions(DEFAULT_FORM, type).map((q) => [q.key, q.type === 'text' ? 'Hoàn thành tốt các nhiệm vụ.' : base]));

  it('report totals count not-applicable questions as neither missing nor zero; /tiendo counts the school as done', () => {
    const period = periodInfo(PERIOD);
    const data = aggregate({
      period,
      units,
      submissions: [
        { unit: units[0]!, form: DEFAULT_FORM, formVersion: 1, answers: full('phong-gddt', 10), confirmedAt: new Date() },
        { unit: units[1]!, form: DEFAULT_FORM, formVersion: 1, answers: full('thpt', 1), confirmedAt: new Date() },
      ],
    });
    expect(data.totals.profile_institutions).toBe(10);
    expect(data.answeredBy.profile_institutions).toBe(1);
    expect(data.totals.profile_pupils).toBe(11);
    expect(data.unitRows.find((r) => r.unit.code === 'THPT-B')!.notApplicable).toEqual(['profile_institutions']);
    const progress = computeProgress(units, new Set([1, 2]), new Set());
    expect(progress).toMatchObject({ expected: 2, confirmed: 2, inProgress: 0, notStarted: 0 });
  });

  it('the flag and the note reach the appendix data and the export', () => {
    const meta: Record<string, AnswerMeta> = {
      portal_news_events: { flag: { kind: 'change', previous: 45, periodId: '2025-H1' } },
      intl_delegations_received: { note: 'Hàn Quốc và Nhật Bản' },
      intl_activities_text: { none: true },
    };
    const answers: Record<string, number | string | null> = { ...full('thpt', 1), portal_news_events: 450, intl_activities_text: null };
    const nonNull = Object.fromEntries(Object.entries(answers).filter((e): e is [string, number | string] => e[1] !== null));
    const data = aggregate({ period: periodInfo(PERIOD), units, submissions: [{ unit: units[1]!, form: DEFAULT_FORM, formVersion: 1, answers: nonNull, meta, confirmedAt: new Date() }] });
    expect(data.annotated).toEqual([
      { unit: units[1], key: 'portal_news_events', label: 'Tin tức - Sự kiện', unitOfMeasure: 'tin, bài', value: 450, flag: meta.portal_news_events!.flag },
      { unit: units[1], key: 'intl_delegations_received', label: 'Số đoàn nước ngoài đến làm việc', unitOfMeasure: 'đoàn', value: 1, note: 'Hàn Quốc và Nhật Bản' },
    ]);
    const [figures, texts] = buildExportTables({
      form: DEFAULT_FORM,
      units: units.map((u) => ({ code: u.code, name: u.name, type: u.type, district: null })),
      submissions: [{ unitCode: 'THPT-B', status: 'confirmed', source: 'chat', confirmedAt: new Date(), answers, meta }],
      history: [],
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    const header = figures!.columns.map((c) => c.header);
    const school = figures!.rows.find((r) => r[0] === 'THPT-B')!;
    expect(school[header.indexOf('Số cơ sở giáo dục trực thuộc (tính cả đơn vị mình)')]).toBe('Không áp dụng');
    const textHeader = texts!.columns.map((c) => c.header);
    const schoolTexts = texts!.rows.find((r) => r[0] === 'THPT-B')!;
    expect(schoolTexts[textHeader.indexOf('Hoạt động hợp tác quốc tế nổi bật (tóm tắt)')]).toBe('Không có');
    const notes = String(schoolTexts[textHeader.indexOf('Ghi chú và số liệu cần lưu ý')]);
    expect(notes).toContain('Tin tức - Sự kiện: 450 — Đơn vị xác nhận đúng; kỳ trước (6 tháng đầu năm 2025) báo 45');
    expect(notes).toContain('Số đoàn nước ngoài đến làm việc: 1 — ghi chú: Hàn Quốc và Nhật Bản');
  });
});

describe('the comparable report', () => {
  it.each([
    ['a quarter: the previous quarter', '2026-Q2', ['2026-Q1', '2025-Q2', '2025-Y'], '2026-Q1', '2026-Q1'],
    ['Q1: last year Q4', '2026-Q1', ['2025-Q4', '2025-Y', '2025-H1'], '2025-Q4', '2025-Y'],
    ['the half-year: last year', '2026-H1', ['2026-Q1', '2025-H1', '2025-Y'], '2025-H1', '2026-Q1'],
    ['the year: last year', '2026-Y', ['2026-H1', '2025-Y', '2026-Q3'], '2025-Y', '2026-Q3'],
    ['nothing earlier', '2026-H1', ['2026-Y', '2026-Q3'], null, null],
  ] as const)('%s', (_name, current, candidates, sameKind, latest) => {
    expect(pickComparable(current, candidates)).toEqual({ sameKind, latest });
  });
});

