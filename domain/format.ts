/**
 * Vietnamese number formats for the compiled report and chat summaries. Pure, no Intl: the output must
 * not depend on the ICU data the runtime was built with.
 *
 * - thousands separator ".", decimal separator "," ("1.593", "10,3 triệu");
 * - large figures are rounded the way the seed report does ("hơn 10,3 triệu lượt xem"): always DOWN,
 *   so the prefix "hơn" stays true.
 */

function groupDigits(digits: string): string {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += '.';
    out += digits[i];
  }
  return out;
}

/** "1.593", "510.500.000", "-12"; non-integers are rounded to the nearest integer. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const r = Math.round(n);
  const negative = r < 0;
  const abs = Math.abs(r);
  // BigInt keeps every digit of figures beyond 2^53 / 1e21 (no exponent notation).
  const digits = Number.isSafeInteger(abs) ? String(abs) : BigInt(abs).toString();
  return (negative ? '-' : '') + groupDigits(digits);
}

/** "06", "09", "12", "1.593": integers padded with zeros to `width` digits, as the seed writes small counts. */
export function formatPadded(n: number, width = 2): string {
  if (!Number.isFinite(n)) return String(n);
  const r = Math.round(n);
  if (r < 0) return formatNumber(r);
  const s = formatNumber(r);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** "510.500.000 đồng". */
export function formatMoney(n: number): string {
  return `${formatNumber(n)} đồng`;
}

/** Counts in running text: below 10 with a leading zero ("06 lưu học sinh"), otherwise grouped. */
export function formatCount(n: number): string {
  const r = Math.round(n);
  return r >= 0 && r < 10 ? formatPadded(r, 2) : formatNumber(r);
}

interface Approx {
  /** The value the text shows, never above the exact figure. */
  value: number;
  text: string;
}

/** `q` tenths of `unit` as "10,3" / "10" (comma decimal, ",0" dropped). */
function tenths(q: number): string {
  const whole = Math.floor(q / 10);
  const dec = q % 10;
  return dec === 0 ? formatNumber(whole) : `${formatNumber(whole)},${dec}`;
}

function approximate(n: number): Approx {
  if (!Number.isFinite(n)) return { value: n, text: String(n) };
  const x = Math.floor(n);
  if (x >= 1_000_000_000) {
    const q = Math.floor(x / 100_000_000);
    return { value: q * 100_000_000, text: `${tenths(q)} tỷ` };
  }
  if (x >= 1_000_000) {
    const q = Math.floor(x / 100_000);
    return { value: q * 100_000, text: `${tenths(q)} triệu` };
  }
  if (x >= 1_000) {
    // Keep the two leading significant digits: 1 080 → 1.000, 12 345 → 12.000, 123 456 → 120.000.
    const step = 10 ** (String(x).length - 2);
    const v = Math.floor(x / step) * step;
    return { value: v, text: formatNumber(v) };
  }
  return { value: x, text: formatNumber(x) };
}

/**
 * The seed's rounding of large figures: "10,3 triệu" (10 345 678), "1,2 tỷ", "1.000" (1 080),
 * "12.000" (12 345); below 1 000 the exact figure. Always rounded down.
 */
export function formatApprox(n: number): string {
  return approximate(n).text;
}

/** "hơn " when formatApprox(n) shows less than n, "" when it is exact. */
export function approxPrefix(n: number): string {
  if (!Number.isFinite(n)) return '';
  return approximate(n).value < n ? 'hơn ' : '';
}

/** "hơn 10,3 triệu" / "10 triệu": prefix and rounded figure together. */
export function formatApproxPhrase(n: number): string {
  return approxPrefix(n) + formatApprox(n);
}
