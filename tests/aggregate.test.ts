import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate, compareUnits, type AggregateSubmission } from '../domain/aggregate';
import { DEFAULT_FORM, FormDefinitionSchema, type FormDefinition } from '../domain/form';
import {
  approxPrefix,
  formatApprox,
  formatApproxPhrase,
  formatCount,
  formatMoney,
  formatNumber,
  formatPadded,
} from '../domain/format';
import { periodInfo } from '../domain/periods';
import type { UnitRef } from '../domain/units';
import {
  SEED_ANSWERS,
  SEED_MISSING_CODES,
  SEED_PERIOD_ID,
  SEED_TOTALS,
  SEED_UNITS,
  seedSubmissions,
} from './fixtures/seed-h1';

const period = periodInfo(SEED_PERIOD_ID);

describe('format', () => {
  it('formats vi-VN integers', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(7)).toBe('7');
    expect(formatNumber(999)).toBe('999');
    expect(formatNumber(1000)).toBe('1.000');
    expect(formatNumber(1593)).toBe('1.593');
    expect(formatNumber(818588)).toBe('818.588');
    expect(formatNumber(510_500_000)).toBe('510.500.000');
    expect(formatNumber(-1234)).toBe('-1.234');
    expect(formatNumber(1_000_000_000_000)).toBe('1.000.000.000.000');
    expect(formatNumber(12.6)).toBe('13');
  });

  it('round-trips: removing the dots gives the integer back', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const s = formatNumber(n);
        expect(s.replaceAll('.', '')).toBe(String(n));
        expect(s).toMatch(/^-?\d{1,3}(\.\d{3})*$/);
      }),
    );
  });

  it('pads small counts like the seed ("06 sinh viên", "09 phòng")', () => {
    expect(formatPadded(6)).toBe('06');
    expect(formatPadded(9)).toBe('09');
    expect(formatPadded(0)).toBe('00');
    expect(formatPadded(12)).toBe('12');
    expect(formatPadded(1593)).toBe('1.593');
    expect(formatPadded(5, 3)).toBe('005');
    expect(formatCount(6)).toBe('06');
    expect(formatCount(14)).toBe('14');
    expect(formatCount(1593)).toBe('1.593');
  });

  it('formats money', () => {
    expect(formatMoney(510_500_000)).toBe('510.500.000 đồng');
    expect(formatMoney(0)).toBe('0 đồng');
  });

  it("rounds large figures down the seed's way", () => {
    expect(formatApprox(10_345_678)).toBe('10,3 triệu');
    expect(approxPrefix(10_345_678)).toBe('hơn ');
    expect(formatApproxPhrase(10_345_678)).toBe('hơn 10,3 triệu');
    expect(formatApprox(9_234_567)).toBe('9,2 triệu');
    expect(formatApprox(10_000_000)).toBe('10 triệu');
    expect(approxPrefix(10_000_000)).toBe('');
    expect(formatApproxPhrase(10_000_000)).toBe('10 triệu');
    expect(formatApprox(10_099_999)).toBe('10 triệu');
    expect(approxPrefix(10_099_999)).toBe('hơn ');
    expect(formatApprox(1_000_000)).toBe('1 triệu');
    expect(formatApprox(999_999)).toBe('990.000');
    expect(formatApprox(1_080)).toBe('1.000');
    expect(formatApprox(1_048)).toBe('1.000');
    expect(approxPrefix(1_048)).toBe('hơn ');
    expect(formatApprox(1_000)).toBe('1.000');
    expect(approxPrefix(1_000)).toBe('');
    expect(formatApprox(12_345)).toBe('12.000');
    expect(formatApprox(123_456)).toBe('120.000');
    expect(formatApprox(999)).toBe('999');
    expect(approxPrefix(999)).toBe('');
    expect(formatApprox(0)).toBe('0');
    expect(formatApprox(1_234_567_890)).toBe('1,2 tỷ');
    expect(formatApprox(1_000_000_000)).toBe('1 tỷ');
    expect(approxPrefix(1_000_000_000)).toBe('');
    expect(formatApprox(25_000_000_000)).toBe('25 tỷ');
  });

  it('never shows more than the exact figure, and says "hơn" exactly when it shows less', () => {
    const parse = (s: string): number => {
      const m = /^([\d.]+)(?:,(\d))?(?: (triệu|tỷ))?$/.exec(s);
      if (!m) throw new Error(`unexpected ${s}`);
      const base = Number((m[1] ?? '').replaceAll('.', '')) + Number(m[2] ?? 0) / 10;
      const mult = m[3] === 'tỷ' ? 1e9 : m[3] === 'triệu' ? 1e6 : 1;
      return Math.round(base * mult);
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e13 }), (n) => {
        const shown = parse(formatApprox(n));
        expect(shown).toBeLessThanOrEqual(n);
        expect(approxPrefix(n)).toBe(shown < n ? 'hơn ' : '');
        // Never off by more than 10 % (two significant digits).
        expect(n - shown).toBeLessThanOrEqual(Math.max(0, n * 0.1));
      }),
    );
  });
});

describe('aggregate: seed fixture', () => {
  const data = aggregate({ period, units: SEED_UNITS, submissions: seedSubmissions() });

  it('sums the numeric answers to the seed figures', () => {
    for (const [key, total] of Object.entries(SEED_TOTALS.portal)) expect(data.totals[key]).toBe(total);
    expect(data.portalTotal).toBe(622);
    expect(data.portalOtherTotal).toBe(25);
    expect(data.digital).toEqual({ posts: 1048, views: 10_345_678, interactions: 9_234_567 });
    expect(data.profile).toEqual({ institutions: 1593, pupils: 818_588, classes: 24_494, staff: 50_271 });
    expect(data.international.foreignStudents).toBe(6);
    expect(data.international.supportMoney).toBe(510_500_000);
    expect(data.press).toEqual({
      infoProvided: SEED_TOTALS.press_info_provided,
      articles: SEED_TOTALS.press_articles,
      falseInfoHandled: SEED_TOTALS.press_false_info_handled,
    });
    expect(data.training.sessions).toBe(SEED_TOTALS.training_sessions);
    expect(data.campaigns.activities).toBe(SEED_TOTALS.campaign_activities);
  });

  it('breaks the portal down in descending order with labels, "other" left out', () => {
    expect(data.portalBreakdown.map((c) => [c.label, c.total])).toEqual([
      ['Tin tức - Sự kiện', 186],
      ['Bảo vệ nền tảng tư tưởng của Đảng', 137],
      ['Gương điển hình', 61],
      ['Cải cách hành chính', 57],
      ['Tin hoạt động của đơn vị cơ sở', 52],
      ['Tuyên truyền, phổ biến giáo dục pháp luật', 43],
      ['Đổi mới giáo dục và đào tạo', 31],
      ['Thông tin các kỳ thi', 30],
    ]);
    expect(data.labels.portal_news_events).toMatchObject({ label: 'Tin tức - Sự kiện', unit: 'tin, bài', sectionKey: 'portal' });
  });

  it('counts who reported and lists the missing units sorted by type then name', () => {
    expect(data.counts.expected).toBe(10);
    expect(data.counts.reported).toBe(8);
    expect(data.counts.missing.map((u) => u.code)).toEqual(SEED_MISSING_CODES);
    expect(data.counts.extra).toEqual([]);
    expect(data.byType.map((t) => [t.type, t.reported, t.expected])).toEqual([
      ['phong-gddt', 3, 4],
      ['thpt', 2, 3],
      ['gdnn-gdtx', 1, 1],
      ['truc-thuoc', 1, 1],
      ['phong-so', 1, 1],
    ]);
    expect(data.byType[0]?.label).toBe('Phòng Giáo dục và Đào tạo');
    expect(data.byType[0]?.missing.map((u) => u.code)).toEqual(['PGD-DILINH']);
  });

  it('keeps one row per reporting unit, sorted, with its own values', () => {
    expect(data.unitRows).toHaveLength(8);
    const sorted = [...data.unitRows].sort((a, b) => compareUnits(a.unit, b.unit));
    expect(data.unitRows.map((r) => r.unit.code)).toEqual(sorted.map((r) => r.unit.code));
    const vp = data.unitRows.find((r) => r.unit.code === 'VP-SO');
    expect(vp?.values.intl_support_money).toBe(340_000_000);
    expect(vp?.values.assess_results_text).toBeUndefined();
  });

  it('gathers texts per question, attributed to their unit, empty answers left out', () => {
    const byKey = Object.fromEntries(data.texts.map((g) => [g.key, g]));
    expect(Object.keys(byKey)).toEqual([
      'intl_activities_text',
      'campaign_text',
      'assess_results_text',
      'assess_shortcomings_text',
      'assess_causes_text',
      'assess_proposals_text',
    ]);
    expect(byKey.assess_results_text?.items).toHaveLength(8);
    expect(byKey.assess_shortcomings_text?.items.map((i) => i.unitCode).sort()).toEqual(['PGD-BAOLOC', 'PGD-DALAT']);
    const dalat = byKey.assess_proposals_text?.items.find((i) => i.unitCode === 'PGD-DALAT');
    expect(dalat).toEqual({
      unitName: 'Phòng Giáo dục và Đào tạo thành phố Đà Lạt',
      unitCode: 'PGD-DALAT',
      text: SEED_ANSWERS['PGD-DALAT']?.assess_proposals_text,
    });
    expect(byKey.assess_results_text?.sectionKey).toBe('assessment');
  });

  it('fixture answers satisfy the default form (required keys present, within bounds)', () => {
    for (const [code, answers] of Object.entries(SEED_ANSWERS)) {
      for (const section of DEFAULT_FORM.sections) {
        for (const q of section.questions) {
          const v = answers[q.key];
          if (q.required) expect(v, `${code}.${q.key}`).toBeDefined();
          if (v === undefined) continue;
          if (q.type === 'text') {
            expect(typeof v).toBe('string');
            expect((v as string).length).toBeGreaterThanOrEqual(q.min ?? 0);
            expect((v as string).length).toBeLessThanOrEqual(q.max ?? Infinity);
          } else {
            expect(Number.isInteger(v), `${code}.${q.key}`).toBe(true);
            expect(v as number).toBeGreaterThanOrEqual(q.min ?? 0);
            expect(v as number).toBeLessThanOrEqual(q.max ?? Infinity);
          }
        }
      }
    }
  });
});

describe('aggregate: edge cases', () => {
  const unit = (id: number, name: string, type: UnitRef['type'] = 'thpt'): UnitRef => ({ id, code: `U${id}`, name, type });
  const sub = (u: UnitRef, answers: Record<string, number | string>, form: FormDefinition = DEFAULT_FORM, formVersion = 1, at = 0): AggregateSubmission => ({
    unit: u,
    form,
    formVersion,
    answers,
    confirmedAt: new Date(Date.UTC(2026, 4, 1) + at),
  });

  it('leaves zero categories out and breaks ties by form order', () => {
    const a = unit(1, 'A');
    const data = aggregate({
      period,
      units: [a],
      submissions: [sub(a, { portal_exams: 5, portal_news_events: 5, portal_role_models: 0, portal_grassroots: 9, portal_other: 3 })],
    });
    expect(data.portalBreakdown.map((c) => c.key)).toEqual(['portal_grassroots', 'portal_news_events', 'portal_exams']);
    expect(data.portalTotal).toBe(22);
    expect(data.portalOtherTotal).toBe(3);
  });

  it('handles a mix of form versions (a v2 that drops portal_exams and adds questions)', () => {
    const v2 = FormDefinitionSchema.parse({
      ...DEFAULT_FORM,
      sections: [
        ...DEFAULT_FORM.sections.map((s) =>
          s.key !== 'portal'
            ? s
            : {
                ...s,
                questions: [
                  ...s.questions
                    .filter((q) => q.key !== 'portal_exams')
                    .map((q) => (q.key === 'portal_news_events' ? { ...q, label: 'Tin tức, sự kiện' } : q)),
                  { key: 'portal_digital_transformation', label: 'Chuyển đổi số', type: 'count', unit: 'tin, bài', min: 0, max: 100000 },
                ],
              },
        ),
        {
          key: 'youth',
          title: 'Hoạt động Đoàn, Đội',
          questions: [{ key: 'youth_events', label: 'Số hoạt động Đoàn, Đội', type: 'count', unit: 'hoạt động' }],
        },
      ],
    });
    const a = unit(1, 'A');
    const b = unit(2, 'B');
    const c = unit(3, 'C');
    const data = aggregate({
      period,
      units: [a, b, c],
      submissions: [
        sub(a, { portal_news_events: 10, portal_exams: 4, portal_other: 1 }, DEFAULT_FORM, 1),
        // b answered v2; a stale portal_exams answer (not in its form) must not be counted.
        sub(b, { portal_news_events: 7, portal_exams: 100, portal_digital_transformation: 6, youth_events: 3 }, v2, 2),
        sub(c, { portal_news_events: 'nhiều', portal_digital_transformation: 2, youth_events: 2 }, v2, 2),
      ],
    });
    expect(data.totals.portal_exams).toBe(4);
    expect(data.answeredBy.portal_exams).toBe(1);
    expect(data.totals.portal_news_events).toBe(17);
    expect(data.totals.portal_digital_transformation).toBe(8);
    expect(data.totals.youth_events).toBe(5);
    expect(data.labels.portal_news_events?.label).toBe('Tin tức, sự kiện');
    expect(data.labels.portal_news_events?.formVersion).toBe(2);
    expect(data.labels.portal_exams).toMatchObject({ label: 'Thông tin các kỳ thi', formVersion: 1 });
    expect(data.portalBreakdown.map((c) => [c.key, c.total])).toEqual([
      ['portal_news_events', 17],
      ['portal_digital_transformation', 8],
      ['portal_exams', 4],
    ]);
    expect(data.portalTotal).toBe(17 + 8 + 4 + 1);
    const youth = data.sections.find((s) => s.key === 'youth');
    expect(youth).toEqual({ key: 'youth', title: 'Hoạt động Đoàn, Đội', keys: ['youth_events'] });
    expect(data.keyOrder.indexOf('portal_exams')).toBeGreaterThan(data.keyOrder.indexOf('youth_events'));
    expect(data.unitRows.find((r) => r.unit.code === 'U2')?.values).toEqual({
      portal_news_events: 7,
      portal_digital_transformation: 6,
      youth_events: 3,
    });
  });

  it('builds an empty result for a period with no submissions', () => {
    const data = aggregate({ period, units: SEED_UNITS, submissions: [] });
    expect(data.counts).toEqual({ expected: 10, reported: 0, missing: expect.any(Array), extra: [] });
    expect(data.counts.missing).toHaveLength(10);
    expect(data.totals).toEqual({});
    expect(data.portalBreakdown).toEqual([]);
    expect(data.portalTotal).toBe(0);
    expect(data.digital).toEqual({ posts: 0, views: 0, interactions: 0 });
    expect(data.texts).toEqual([]);
    expect(data.unitRows).toEqual([]);
    expect(data.byType.every((t) => t.reported === 0)).toBe(true);
  });

  it('keeps the latest confirmed submission of a unit and counts unlisted units as extra', () => {
    const a = unit(1, 'A');
    const gone = unit(9, 'Đơn vị đã giải thể', 'truc-thuoc');
    const data = aggregate({
      period,
      units: [a],
      submissions: [
        sub(a, { portal_news_events: 1 }, DEFAULT_FORM, 1, 0),
        sub(a, { portal_news_events: 5 }, DEFAULT_FORM, 1, 1000),
        sub(gone, { portal_news_events: 2 }),
      ],
    });
    expect(data.totals.portal_news_events).toBe(7);
    expect(data.counts).toMatchObject({ expected: 1, reported: 1, missing: [] });
    expect(data.counts.extra.map((u) => u.code)).toEqual(['U9']);
  });

  it('ignores blank texts and trims the others', () => {
    const a = unit(1, 'A');
    const b = unit(2, 'B');
    const data = aggregate({
      period,
      units: [a, b],
      submissions: [sub(a, { assess_proposals_text: '   ' }), sub(b, { assess_proposals_text: '  Cần thêm kinh phí.  ' })],
    });
    expect(data.texts).toEqual([
      {
        key: 'assess_proposals_text',
        label: 'Kiến nghị, đề xuất với Sở',
        sectionKey: 'assessment',
        items: [{ unitName: 'B', unitCode: 'U2', text: 'Cần thêm kinh phí.' }],
      },
    ]);
  });

  it('sorts units by type order then Vietnamese name', () => {
    const us: UnitRef[] = [
      unit(1, 'Trường THPT Đống Đa'),
      unit(2, 'Trường THPT Yersin'),
      unit(3, 'Văn phòng Sở', 'phong-so'),
      unit(4, 'Phòng GD&ĐT Bảo Lâm', 'phong-gddt'),
      unit(5, 'Trường THPT Bảo Lộc'),
    ];
    expect([...us].sort(compareUnits).map((u) => u.id)).toEqual([4, 5, 1, 2, 3]);
  });
});
