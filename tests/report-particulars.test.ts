import { describe, expect, it } from 'vitest';
import { aggregate } from '../domain/aggregate';
import { changePhrase, compareFigures, comparedPeriodName, previousPeriodId } from '../domain/comparison';
import { dataWindowOf, dataWindowSentenceOf, ND09_WINDOW, parseVietnameseDate, parseWindowRule, PERIOD_OWN_WINDOW } from '../domain/data-window';
import { DEFAULT_FORM } from '../domain/form';
import { knownPeriods } from '../domain/known-periods';
import { DEFAULT_CALENDAR, periodInfo } from '../domain/periods';
import { changeParticulars, EMPTY_PARTICULARS, requestCitation } from '../domain/report-particulars';
import { parseReturnRequest, unitStateOf } from '../domain/review';
import { loadConfig } from '../config';
import { parseReportConfig } from '../templates/report';
import { bodyBlocks } from '../templates/report/sections';
import { placeFootnotes } from '../templates/report/footnotes';
import { SEED_UNITS, seedSubmissions } from './fixtures/seed-h1';

/** The pure parts of issue 12: particulars, footnote placement, comparisons, data windows, known periods, review. */

describe('report particulars set by the office', () => {
  it('reads the request, date, addressee, footnotes, signer, appendix and data window typed in chat', () => {
    let p = EMPTY_PARTICULARS;
    const set = (field: Parameters<typeof changeParticulars>[1], value: string) => {
      const r = changeParticulars(p, field, value);
      if (!r.ok) throw new Error(r.problem);
      p = r.next;
    };
    set('vanban', '2193/SVHTTDL-QLTTBCXB | 8/5/2026 | Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng | về việc phối hợp báo cáo tình hình triển khai hoạt động thông tin đối ngoại.');
    set('ngay', '12/05/2026');
    set('kinhgui', 'Ủy ban nhân dân tỉnh Lâm Đồng');
    set('chuthich', 'II.2 | Kế hoạch số 34/KH-SGDĐT ngày 10/02/2026');
    set('chuthich', '"đối tác quốc tế khác" | Tiêu biểu, ngày 05/5, đoàn công tác CMA (Cộng hòa Pháp)');
    set('nguoiky', 'KT. GIÁM ĐỐC | PHÓ GIÁM ĐỐC | Phan Đức Thái');
    set('phuluc', 'không');
    set('chotso', '15/12/2025 - 14/6/2026');
    expect(p).toEqual({
      request: { number: '2193/SVHTTDL-QLTTBCXB', date: '2026-05-08', issuer: 'Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng', subject: 'về việc phối hợp báo cáo tình hình triển khai hoạt động thông tin đối ngoại.' },
      reportDate: '2026-05-12',
      addressee: 'Ủy ban nhân dân tỉnh Lâm Đồng',
      footnotes: [
        { at: 'II.2', text: 'Kế hoạch số 34/KH-SGDĐT ngày 10/02/2026' },
        { at: '"đối tác quốc tế khác"', text: 'Tiêu biểu, ngày 05/5, đoàn công tác CMA (Cộng hòa Pháp)' },
      ],
      signer: { authority: 'KT. GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Phan Đức Thái' },
      appendix: false,
      dataWindow: { from: '2025-12-15', to: '2026-06-14' },
    });
    expect(requestCitation(p.request!, 'Sở Giáo dục và Đào tạo')).toBe(
      'Thực hiện Văn bản số 2193/SVHTTDL-QLTTBCXB ngày 08/5/2026 của Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng về việc phối hợp báo cáo tình hình triển khai hoạt động thông tin đối ngoại, Sở Giáo dục và Đào tạo báo cáo kết quả thực hiện như sau:',
    );
    // "không" removes the line even when the environment sets one; "xoa" gives a field back to the default.
    const none = changeParticulars(p, 'kinhgui', 'không');
    expect(none.ok && none.next.addressee).toBeNull();
    const reset = changeParticulars(p, 'xoa', 'vanban');
    expect(reset.ok && reset.next.request).toBeUndefined();
    const dropped = changeParticulars(p, 'xoachuthich', '1');
    expect(dropped.ok && dropped.next.footnotes.map((f) => f.at)).toEqual(['"đối tác quốc tế khác"']);
  });

  it('refuses what it cannot read with a Vietnamese sentence, changing nothing', () => {
    for (const [field, value] of [
      ['vanban', '2193 | 31/02/2026 | Sở | việc'],
      ['vanban', 'chỉ một phần'],
      ['ngay', 'hôm qua'],
      ['chuthich', 'mục X | nội dung'],
      ['chuthich', 'II.2'],
      ['xoachuthich', '3'],
      ['nguoiky', 'PHÓ GIÁM ĐỐC'],
      ['phuluc', 'có lẽ'],
      ['chotso', '14/6/2026 - 15/12/2025'],
      ['xoa', 'tatca'],
    ] as const) {
      const r = changeParticulars(EMPTY_PARTICULARS, field, value);
      expect(r.ok, `${field} ${value}`).toBe(false);
      if (!r.ok) expect(r.problem).toMatch(/[ăâđêôơư]/u);
    }
  });
});

describe('footnotes in the body', () => {
  const data = aggregate({ period: periodInfo('2026-H1'), units: SEED_UNITS, submissions: seedSubmissions() });
  const blocks = bodyBlocks(data, parseReportConfig());
  const text = (b: (typeof blocks)[number]) => (b.kind === 'p' || b.kind === 'item' ? b.runs.map((r) => (r.footnote ? `[${r.footnote}]` : r.text)).join('') : '');

  it('at the end of the paragraph of the section named (before its full stop), after a phrase, or by paragraph number', () => {
    const placed = placeFootnotes(blocks, [
      { at: 'II.2', text: 'Kế hoạch số 34/KH-SGDĐT' },
      { at: '“đối tác quốc tế khác”', text: 'Đoàn công tác CMA' },
      { at: 'V', text: 'Văn bản của Sở VHTTDL' },
      { at: 'III.2/2', text: 'Nguyên nhân' },
    ]);
    expect(placed.unplaced).toEqual([]);
    const all = placed.blocks.map(text).join('\n');
    expect(all).toContain('định hướng của cơ quan chuyên môn về thông tin, truyền thông[1].');
    expect(all).toContain('hợp tác giáo dục với các đối tác quốc tế khác[2].');
    expect(all).toContain('đồng bộ, hiệu quả[3]./.');
    expect(all).toMatch(/Nguyên nhân chủ yếu[^\n]*kịp thời\[4\]\./);
    expect(placed.notes).toEqual([
      { id: 1, text: 'Kế hoạch số 34/KH-SGDĐT' },
      { id: 2, text: 'Đoàn công tác CMA' },
      { id: 3, text: 'Văn bản của Sở VHTTDL' },
      { id: 4, text: 'Nguyên nhân' },
    ]);
  });

  it('a place not found goes to the end of the opening paragraph and is reported', () => {
    const placed = placeFootnotes(blocks, [{ at: '"cụm từ không có"', text: 'x' }, { at: 'II.4/9', text: 'y' }]);
    expect(placed.unplaced).toEqual([1, 2]);
    expect(text(placed.blocks[0]!)).toMatch(/như sau\[1\]\[2\]:$/);
  });
});

describe('comparisons with the period before', () => {
  it('names the period compared with: the same period last year for H1 and Y, the previous quarter for a quarter', () => {
    expect(previousPeriodId('2026-H1')).toBe('2025-H1');
    expect(previousPeriodId('2026-Y')).toBe('2025-Y');
    expect(previousPeriodId('2026-Q1')).toBe('2025-Q4');
    expect(previousPeriodId('2026-Q3')).toBe('2026-Q2');
    expect(comparedPeriodName('2025-H1')).toBe('cùng kỳ năm 2025');
    expect(comparedPeriodName('2025-Q4')).toBe('quý IV năm 2025');
  });

  it('says tăng, giảm or tương đương the vi-VN way, and what a zero before means', () => {
    expect(changePhrase(compareFigures(622, 553), 'cùng kỳ năm 2025')).toBe('tăng 12,5% so với cùng kỳ năm 2025');
    expect(changePhrase(compareFigures(500, 800), 'cùng kỳ năm 2025')).toBe('giảm 37,5% so với cùng kỳ năm 2025');
    expect(changePhrase(compareFigures(120, 100), 'quý IV năm 2025')).toBe('tăng 20% so với quý IV năm 2025');
    expect(changePhrase(compareFigures(1002, 1000), 'cùng kỳ năm 2025')).toBe('tương đương cùng kỳ năm 2025');
    expect(changePhrase(compareFigures(5, 0), 'cùng kỳ năm 2025')).toBe('cùng kỳ năm 2025 không có');
    expect(changePhrase(compareFigures(0, 0), 'cùng kỳ năm 2025')).toBe('tương đương cùng kỳ năm 2025');
  });

  it('puts the change after the key totals of the body; none without a period to compare with', () => {
    const data = aggregate({ period: periodInfo('2026-H1'), units: SEED_UNITS, submissions: seedSubmissions() });
    const previous = aggregate({
      period: periodInfo('2025-H1'),
      units: SEED_UNITS,
      submissions: seedSubmissions().map((s) => ({ ...s, answers: { ...s.answers, digital_views: 0 } })),
    });
    const cfg = parseReportConfig();
    const joined = (opts = {}) =>
      bodyBlocks(data, cfg, opts)
        .map((b) => (b.kind === 'p' ? b.runs.map((r) => r.text).join('') : ''))
        .join('\n');
    const withComparison = joined({ comparison: { name: 'cùng kỳ năm 2025', data: previous } });
    expect(withComparison).toContain('toàn ngành đã đăng tải 622 tin, bài trên các chuyên mục (tương đương cùng kỳ năm 2025).');
    expect(withComparison).toContain('hơn 10,3 triệu lượt xem (cùng kỳ năm 2025 không có)');
    expect(joined()).not.toContain('cùng kỳ');
  });
});

describe('the data window', () => {
  it('is the period itself by default, and Nghị định 09/2019 Điều 12 with the preset', () => {
    expect(dataWindowOf('2026-H1', PERIOD_OWN_WINDOW)).toEqual({ from: '2026-01-01', to: '2026-06-30' });
    expect(dataWindowOf('2026-Q1', PERIOD_OWN_WINDOW)).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(dataWindowOf('2024-Q1', PERIOD_OWN_WINDOW)).toEqual({ from: '2024-01-01', to: '2024-03-31' });
    expect(dataWindowOf('2026-Q1', ND09_WINDOW)).toEqual({ from: '2025-12-15', to: '2026-03-14' });
    expect(dataWindowOf('2026-Q3', ND09_WINDOW)).toEqual({ from: '2026-06-15', to: '2026-09-14' });
    expect(dataWindowOf('2026-H1', ND09_WINDOW)).toEqual({ from: '2025-12-15', to: '2026-06-14' });
    expect(dataWindowOf('2026-Y', ND09_WINDOW)).toEqual({ from: '2025-12-15', to: '2026-12-14' });
    expect(dataWindowSentenceOf(dataWindowOf('2026-H1', ND09_WINDOW))).toBe('Số liệu tính từ ngày 15/12/2025 đến ngày 14/6/2026.');
  });

  it('is configured per period kind from the environment', () => {
    expect(loadConfig({ DATA_WINDOW: 'nd09' }).dataWindows.half).toEqual(ND09_WINDOW);
    const mixed = loadConfig({ DATA_WINDOW_QUARTER: '1@0..last@0', DATA_WINDOW_YEAR: '1@-2..last@-2' }).dataWindows;
    expect(dataWindowOf('2026-Y', mixed.year)).toEqual({ from: '2025-11-01', to: '2026-10-31' });
    expect(mixed.half).toEqual(PERIOD_OWN_WINDOW);
    expect(() => loadConfig({ DATA_WINDOW_HALF: 'tháng 6' })).toThrow(/DATA_WINDOW_HALF/);
    expect(parseWindowRule('15@-1..14@0')).toEqual(ND09_WINDOW);
    expect(parseVietnameseDate('29/02/2025')).toBeNull();
    expect(parseVietnameseDate('29/2/2024')).toBe('2024-02-29');
  });
});

describe('known periods', () => {
  it('those opened lately, the next to open and the stored ones; never 2099-Q1 or 1999-Y', () => {
    const now = new Date('2026-05-08T02:00:00Z');
    const ids = knownPeriods(now, DEFAULT_CALENDAR, ['2023-Y']).map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['2023-Y', '2024-Y', '2025-H1', '2025-Q4', '2026-Q1', '2026-H1', '2026-Q2']));
    expect(ids).not.toContain('2099-Q1');
    expect(ids).not.toContain('1999-Y');
    expect(ids).not.toContain('2030-Q2');
    expect(ids).not.toContain('2026-Q3');
  });
});

describe('review', () => {
  it('names the five states', () => {
    expect(unitStateOf(undefined)).toBe('not_started');
    expect(unitStateOf({ status: 'draft', acceptedAt: null, hasAnswers: false })).toBe('not_started');
    expect(unitStateOf({ status: 'draft', acceptedAt: null, hasAnswers: true })).toBe('in_progress');
    expect(unitStateOf({ status: 'confirmed', acceptedAt: null, hasAnswers: true })).toBe('submitted');
    expect(unitStateOf({ status: 'returned', acceptedAt: null, hasAnswers: true })).toBe('returned');
    expect(unitStateOf({ status: 'confirmed', acceptedAt: new Date(), hasAnswers: true })).toBe('accepted');
  });

  it('reads the questions named and the reason of a return', () => {
    const r = parseReturnRequest(DEFAULT_FORM, '14, 15-16 Số lượt xem quá lớn so với trang');
    expect(r).toEqual({ ok: true, numbers: [14, 15, 16], keys: ['digital_posts', 'digital_views', 'digital_interactions'], reason: 'Số lượt xem quá lớn so với trang' });
    expect(parseReturnRequest(DEFAULT_FORM, 'Số lượt xem quá lớn')).toMatchObject({ ok: false, problem: 'no_questions' });
    expect(parseReturnRequest(DEFAULT_FORM, '99 quá lớn')).toMatchObject({ ok: false, problem: 'bad_number' });
    expect(parseReturnRequest(DEFAULT_FORM, '12')).toMatchObject({ ok: false, problem: 'no_reason' });
  });
});
