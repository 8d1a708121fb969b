import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseVietnameseNumber, type NumberKind, type ParseResult } from '../domain/numbers';

/** Independent of the module's own helper, so the property checks it rather than agreeing with it. */
function group(n: number, sep: string): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

const KINDS: NumberKind[] = ['count', 'money'];

function ok(input: string, kind: NumberKind = 'count'): number {
  const r = parseVietnameseNumber(input, kind);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(input)} to parse, got ${r.reason}: ${r.message}`);
  return r.value;
}

function failure(input: string, kind: NumberKind = 'count', bounds?: { min?: number; max?: number }) {
  const r = parseVietnameseNumber(input, kind, bounds);
  if (r.ok) throw new Error(`expected ${JSON.stringify(input)} to fail, got ${r.value}`);
  return r;
}

describe('parseVietnameseNumber: accepted forms', () => {
  it.each([
    ['0', 0],
    ['12', 12],
    ['  12  ', 12],
    ['1.593', 1593],
    ['1,593', 1593],
    ['1 593', 1593],
    ['818.588', 818588],
    ['12.500', 12500],
    ['10.300', 10300],
    ['1,500', 1500],
    ['1,234,567', 1234567],
    ['1.000.000', 1_000_000],
    ['2 500 000', 2_500_000],
    ['１２', 12],
  ])('plain and grouped digits: %j → %d', (input, value) => {
    for (const kind of KINDS) expect(ok(input, kind)).toBe(value);
  });

  it.each([
    ['10,3 triệu', 10_300_000],
    ['10.3tr', 10_300_000],
    ['10,3tr', 10_300_000],
    ['10,3 trieu', 10_300_000],
    ['1,2 tỷ', 1_200_000_000],
    ['1.2 tỉ', 1_200_000_000],
    ['1,2 ty', 1_200_000_000],
    ['2 nghìn', 2000],
    ['2 nghin', 2000],
    ['2 ngàn', 2000],
    ['2 ngan', 2000],
    ['2k', 2000],
    ['2K', 2000],
    ['1.5tr', 1_500_000],
    ['0.500 triệu', 500_000],
    ['1,2345 tr', 1_234_500],
    ['2 nghìn tỷ', 2_000_000_000_000],
  ])('multiplier words: %j → %d', (input, value) => {
    expect(ok(input, 'money')).toBe(value);
  });

  it.each([
    ['1tr2', 1_200_000],
    ['1 triệu 2', 1_200_000],
    ['1tr05', 1_050_000],
    ['2k5', 2500],
    ['2 nghìn 5', 2500],
    ['1 nghìn 250', 1250],
    ['1 triệu rưỡi', 1_500_000],
    ['5 nghìn rưỡi', 5500],
    ['1 tỷ 200 triệu', 1_200_000_000],
    ['3 triệu 500 nghìn', 3_500_000],
    ['1 tỷ 2', 1_200_000_000],
  ])('spoken shorthand and compounds: %j → %d', (input, value) => {
    expect(ok(input, 'money')).toBe(value);
  });

  it.each([
    ['510.500.000 đồng', 510_500_000],
    ['510.500.000đ', 510_500_000],
    ['510500000 VND', 510_500_000],
    ['510.500.000 vnđ', 510_500_000],
    ['510.500.000 VNĐ', 510_500_000],
    ['510.500.000₫', 510_500_000],
    ['10,3 triệu đồng', 10_300_000],
  ])('currency words: %j → %d', (input, value) => {
    expect(ok(input, 'money')).toBe(value);
  });

  it.each(['không', 'Không', 'không có', 'khong', 'khong co', 'ko', 'k', 'không có ạ', 'ko có gì', 'chưa có', 'không đồng', 'Không.'])(
    'zero words: %j → 0',
    (input) => {
      expect(ok(input)).toBe(0);
    },
  );

  it.each([
    ['12 tin', 12],
    ['12 tin, bài', 12],
    ['12 tin, bài.', 12],
    ['5 lượt', 5],
    ['5 luot', 5],
    ['3 người', 3],
    ['6 sinh viên', 6],
    ['12 (lượt)', 12],
    ['1.593 cơ sở', 1593],
    ['2 nghìn lượt xem', 2000],
  ])('a trailing unit is ignored: %j → %d', (input, value) => {
    expect(ok(input)).toBe(value);
  });

  it('treats "-0" as zero, not as a negative figure', () => {
    expect(ok('-0')).toBe(0);
  });

  it('accepts a decimal with only zeros after the point', () => {
    expect(ok('12.00', 'money')).toBe(12);
    expect(ok('12.000,00 đ', 'money')).toBe(12000);
  });
});

describe('parseVietnameseNumber: failures', () => {
  it.each(['', '   ', '\u200b'])('empty: %j', (input) => {
    expect(failure(input).reason).toBe('empty');
  });

  it.each(['abc', '12 13', '12/15', '12, 13', '1.234.5', '1.2.3', 'không biết', 'tôi có 12', '10²', '12%', '.5', '1 triệu 2000 nghìn', '2 triệu nghìn', '12 tin 5', 'x'.repeat(500)])(
    'not_a_number: %j',
    (input) => {
      const r = failure(input);
      expect(r.reason).toBe('not_a_number');
      expect(r.message).toMatch(/ví dụ/);
    },
  );

  it.each(['khoảng 12-15', 'khoảng 12', 'tầm 100', 'hơn 100', 'trên 1.000', '100+', '~12', '12 trở lên', '1-2-3'])(
    'estimates are not_a_number with a request for one exact figure: %j',
    (input) => {
      const r = failure(input);
      expect(r.reason).toBe('not_a_number');
      expect(r.message).toContain('chính xác');
    },
  );

  it.each(['-5', '- 5', '−5', 'âm 5', '-1,5', '-3 triệu'])('negative: %j', (input) => {
    const r = failure(input, 'money');
    expect(r.reason).toBe('negative');
    expect(r.message).toContain('số âm');
  });

  it.each([
    ['2,5', '2,5'],
    ['1,5', '1,5'],
    ['2.25', '2,25'],
    ['0,5', '0,5'],
    ['12 rưỡi', '12,5'],
    ['1,234.56', '1.234,56'],
    ['1.234,5', '1.234,5'],
    ['1.234,567', '1.234,567'],
    ['1,2345 nghìn', '1.234,5'],
  ])('fraction: %j shows %j', (input, shown) => {
    const r = failure(input);
    expect(r.reason).toBe('fraction');
    expect(r.message).toContain(shown);
    expect(r.message).toContain('số nguyên');
  });

  it('suggests writing the unit when a small decimal may be shorthand for triệu', () => {
    expect(failure('1,5').message).toContain('“1,5 triệu”');
    expect(failure('1.234,5').message).not.toContain('triệu');
  });

  it.each([
    ['2-3', [2, 3]],
    ['2 - 3', [2, 3]],
    ['2 hoặc 3', [2, 3]],
    ['2 hoac 3', [2, 3]],
    ['12 hay 13', [12, 13]],
    ['12 hoặc là 13', [12, 13]],
    ['từ 12 đến 15', [12, 15]],
    ['5-3', [3, 5]],
    ['1.593-1.600', [1593, 1600]],
    ['2-3 triệu', [2_000_000, 3_000_000]],
    ['1,5-2 triệu', [1_500_000, 2_000_000]],
    ['1.500 triệu', [1_500_000, 1_500_000_000]],
    ['1,500k', [1500, 1_500_000]],
    ['1.234,000', [1234, 1_234_000]],
  ])('ambiguous: %j → candidates %j', (input, candidates) => {
    const r = failure(input, 'money');
    expect(r.reason).toBe('ambiguous');
    expect(r.candidates).toEqual(candidates);
    expect(r.message).toContain(' hay ');
  });

  it('formats ambiguous candidates vi-VN in the message', () => {
    expect(failure('1.500 triệu', 'money').message).toContain('1.500.000 hay 1.500.000.000');
  });

  it('a repeated alternative is simply that value', () => {
    expect(ok('12 hoặc 12')).toBe(12);
  });

  it('too_large: above max, with the figure formatted vi-VN', () => {
    const r = failure('200000', 'count', { max: 100_000 });
    expect(r.reason).toBe('too_large');
    expect(r.message).toContain('200.000');
    expect(r.message).toContain('100.000');
    expect(r.message).toMatch(/kiểm tra lại/);
    expect(failure('1,5 tỷ', 'count', { max: 1_000_000_000 }).message).toContain('1.500.000.000');
  });

  it('too_large: beyond Number.MAX_SAFE_INTEGER even without bounds', () => {
    expect(failure('9007199254740992').reason).toBe('too_large');
    expect(ok('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(failure('99999999999999999999').reason).toBe('too_large');
    expect(ok('1 triệu tỷ', 'money')).toBe(1e15);
    expect(failure('10 triệu tỷ', 'money').reason).toBe('too_large');
    expect(failure('9'.repeat(150)).message.length).toBeLessThan(200);
  });

  it('too_small: below min, including a typed zero', () => {
    const r = failure('0', 'count', { min: 1 });
    expect(r.reason).toBe('too_small');
    expect(r.message).toContain('1');
    expect(failure('không', 'count', { min: 5 }).reason).toBe('too_small');
    expect(failure('1.000', 'money', { min: 10_000 }).message).toContain('10.000');
  });

  it('bounds are inclusive', () => {
    expect(parseVietnameseNumber('100.000', 'count', { min: 0, max: 100_000 })).toEqual({ ok: true, value: 100_000 });
    expect(parseVietnameseNumber('5', 'count', { min: 5, max: 5 })).toEqual({ ok: true, value: 5 });
  });

  it('messages name what was wrong in Vietnamese and the kind of figure', () => {
    expect(failure('-5', 'count').message).toMatch(/^Số lượng/);
    expect(failure('-5', 'money').message).toMatch(/^Số tiền/);
    expect(failure('abc', 'money').message).toContain('510.500.000');
  });
});

describe('parseVietnameseNumber: properties', () => {
  const kind = fc.constantFrom<NumberKind>('count', 'money');

  it('every integer in [0, 1e12] round-trips from its usual written forms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), kind, (n, k) => {
        const forms = [group(n, '.'), group(n, ','), String(n), `${group(n, '.')} đồng`, `${String(n)} đồng`, `${group(n, ',')} đồng`];
        for (const form of forms) {
          expect(parseVietnameseNumber(form, k)).toEqual({ ok: true, value: n });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('small integers with the special values near separators round-trip too', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 999, 1000, 1001, 999_999, 1_000_000, 1e12), (n) => {
        expect(parseVietnameseNumber(group(n, '.'), 'money')).toEqual({ ok: true, value: n });
        expect(parseVietnameseNumber(group(n, ','), 'money')).toEqual({ ok: true, value: n });
      }),
    );
  });

  const MULTIPLIER_WORDS: [string, number][] = [
    ['nghìn', 1e3],
    ['ngàn', 1e3],
    ['nghin', 1e3],
    ['k', 1e3],
    ['K', 1e3],
    ['triệu', 1e6],
    ['trieu', 1e6],
    ['tr', 1e6],
    ['tỷ', 1e9],
    ['tỉ', 1e9],
    ['ty', 1e9],
  ];

  it('`${n} ${word}` is n times the multiplier', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(...MULTIPLIER_WORDS), kind, (n, [word, m], k) => {
        const expected = n * m;
        fc.pre(Number.isSafeInteger(expected));
        expect(parseVietnameseNumber(`${n} ${word}`, k)).toEqual({ ok: true, value: expected });
        expect(parseVietnameseNumber(`${n}${word}`, k)).toEqual({ ok: true, value: expected });
      }),
      { numRuns: 500 },
    );
  });

  it('a one-digit decimal with a multiplier is exact ("10,3 triệu")', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom(',', '.'),
        fc.constantFrom(...MULTIPLIER_WORDS),
        (whole, tenth, sep, [word, m]) => {
          expect(parseVietnameseNumber(`${whole}${sep}${tenth} ${word}`, 'money')).toEqual({
            ok: true,
            value: whole * m + (tenth * m) / 10,
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('bounds decide exactly between ok, too_small and too_large', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 1e9 }),
        (n, a, b) => {
          const [min, max] = a <= b ? [a, b] : [b, a];
          const r = parseVietnameseNumber(group(n, '.'), 'count', { min, max });
          if (n > max) expect(r).toMatchObject({ ok: false, reason: 'too_large' });
          else if (n < min) expect(r).toMatchObject({ ok: false, reason: 'too_small' });
          else expect(r).toEqual({ ok: true, value: n });
        },
      ),
    );
  });

  const wellFormed = (r: ParseResult): void => {
    if (r.ok) {
      expect(Number.isSafeInteger(r.value)).toBe(true);
      expect(r.value).toBeGreaterThanOrEqual(0);
    } else {
      expect(r.message.trim().length).toBeGreaterThan(0);
      if (r.reason === 'ambiguous') {
        expect(r.candidates?.length ?? 0).toBeGreaterThanOrEqual(2);
        for (const c of r.candidates ?? []) expect(Number.isSafeInteger(c) && c >= 0).toBe(true);
      } else {
        expect(r.candidates).toBeUndefined();
      }
    }
  };

  it('never throws on arbitrary strings and always answers with a value or a message', () => {
    const anyString = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'binary', maxLength: 400 }),
    );
    fc.assert(
      fc.property(anyString, kind, (s, k) => {
        wellFormed(parseVietnameseNumber(s, k));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on number-like noise built from the grammar pieces', () => {
    const piece = fc.constantFrom(
      '0', '1', '12', '593', '1000', '9999999999', '.', ',', ' ', '-', '−', '+', '~', 'k', 'tr', 'triệu', 'tỷ',
      'nghìn', 'ngàn', 'đ', 'đồng', 'VND', 'hoặc', 'hay', 'đến', 'từ', 'khoảng', 'rưỡi', 'không', 'có', 'ạ', 'tin',
      'bài', 'âm', '(', ')', '/', '²', '１', '\u00a0', '\u200b',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((xs) => xs.join('')), kind, fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: undefined }), (s, k, max) => {
        wellFormed(parseVietnameseNumber(s, k, max === undefined ? undefined : { max }));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseVietnameseNumber: words for tens and hundreds, letters stuck to digits', () => {
  it.each([
    ['2 chục', 20],
    ['1 trăm', 100],
    ['5 trăm nghìn', 500_000],
    ['2 chục nghìn', 20_000],
    ['3 trăm rưỡi', 350],
  ])('%s → %d', (input, value) => {
    expect(parseVietnameseNumber(input, 'count')).toEqual({ ok: true, value });
  });

  it.each(['3BAUNFPB', '7KMQ-2XTR', '12tin'])('%s is not read as its leading digits', (input) => {
    const r = parseVietnameseNumber(input, 'count');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('not_a_number');
  });

  it('a currency sign or a multiplier stuck to the digits still reads', () => {
    expect(parseVietnameseNumber('510.500.000đ', 'money')).toEqual({ ok: true, value: 510_500_000 });
    expect(parseVietnameseNumber('10.3tr', 'count')).toEqual({ ok: true, value: 10_300_000 });
  });

  it('invite codes typed where a number is expected are never taken as numbers', () => {
    const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 8, maxLength: 8 }), (chars) => {
        const code = chars.join('');
        // A code made only of digits would be a number; real codes are generated with letters.
        fc.pre(/[A-Z]/.test(code) && /^[0-9]/.test(code) && /[A-Z]/.test(code.replace(/^[0-9]+/, '').charAt(0)));
        expect(parseVietnameseNumber(code, 'count').ok).toBe(false);
      }),
    );
  });
});
