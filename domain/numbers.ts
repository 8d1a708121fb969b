/**
 * Reading the numbers unit contacts type on their phones (see ../../shared/domain.md, "How people type
 * numbers"). Pure: no I/O, no project imports.
 *
 * Rules, and why:
 * - Vietnamese write thousands with '.', but phone keyboards and habits mix in ',' and spaces. A single
 *   separator followed by exactly three digits ("1.593", "1,593", "1 593") is therefore a thousands
 *   separator: the seed report itself writes "1.593", and nobody reports 1,593 posts meaning one and a half.
 * - A separator followed by one, two or four-plus digits can only be a decimal point ("10,3 triệu",
 *   "10.3tr"). Without a multiplier word that is a fraction of a post or of a đồng, so we say so instead of
 *   rounding; "1,5" might be shorthand for 1,5 triệu but guessing a 1000x factor is worse than asking.
 * - With a multiplier, "1.500 triệu" has two sensible readings (1.500.000 or 1.500.000.000): the
 *   three-digit rule no longer decides, and a 1000x error in money is serious, so it is 'ambiguous'.
 * - Mixed separators ("1.234,5", "1,234.56") are read the way both conventions agree: the last separator
 *   is the decimal point. If that is an integer and the all-thousands reading is a different integer
 *   ("1.234,000"), we ask.
 * - Spoken shorthand is common when typing money: "1tr2" / "1 triệu 2" (1.200.000), "2k5" (2.500),
 *   "1 triệu rưỡi" (1.500.000), "1 tỷ 200 triệu". A short number after a multiplier continues its digits.
 * - Alternatives ("2-3", "2 hoặc 3", "12 hay 13") are 'ambiguous' with candidates so the bot can ask
 *   which; estimates ("khoảng 12", "hơn 100", "100+") are not_a_number: the report needs exact figures.
 * - Words after the number are accepted as the question's unit ("12 tin, bài", "510.500.000 đồng"), but
 *   never words that change the value (multipliers out of order, negations, "trở lên", "lẻ").
 * - All arithmetic is exact (BigInt); anything above Number.MAX_SAFE_INTEGER is 'too_large'.
 */

export type NumberKind = 'count' | 'money';
export interface NumberBounds {
  min?: number;
  max?: number;
}
export type ParseResult =
  | { ok: true; value: number }
  | {
      ok: false;
      reason: 'empty' | 'not_a_number' | 'negative' | 'fraction' | 'too_large' | 'too_small' | 'ambiguous';
      message: string;
      candidates?: number[];
    };

type Failure = Extract<ParseResult, { ok: false }>;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** A figure typed on a phone is short; longer input is a sentence, not a number (and bounds the work). */
const MAX_INPUT_LENGTH = 200;
/** "12 tin, bài, hình ảnh" is four words; beyond a handful it is a sentence we should not half-read. */
const MAX_UNIT_WORDS = 6;
/** Figures with more digits than this are not echoed back in full: they are typos, not values. */
const MAX_ECHO_DIGITS = 24;

/** Multiplier words after diacritics are stripped ("triệu" → "trieu", "tỷ"/"tỉ" → "ty"/"ti"). */
const MULTIPLIERS: ReadonlyMap<string, bigint> = new Map([
  ['chuc', 10n],
  ['tram', 100n],
  ['k', 1_000n],
  ['nghin', 1_000n],
  ['ngan', 1_000n],
  ['tr', 1_000_000n],
  ['trieu', 1_000_000n],
  ['ty', 1_000_000_000n],
  ['ti', 1_000_000_000n],
]);

/** "không", "ko", "k", "hông"... typed alone mean zero ("không có" = there were none). */
const NEGATION_WORDS = new Set(['khong', 'ko', 'k', 'kh', 'khg', 'hk', 'hong', 'hok']);
/** Polite particles people append ("không có ạ"); they carry no value. */
const PARTICLES = new Set(['a', 'ah', 'ak', 'nhe', 'nha']);
const CURRENCY_WORDS = new Set(['d', 'dong', 'vnd']);
/** Words between two numbers that offer alternatives or a range. */
const ALTERNATIVE_WORDS = new Set(['hoac', 'hay', 'den', 'toi']);
/** Words before a number that make it an estimate: khoảng, tầm, chừng, gần, hơn, trên, dưới, xấp xỉ... */
const APPROX_BEFORE = new Set(['khoang', 'tam', 'chung', 'gan', 'hon', 'tren', 'duoi', 'xap', 'uoc', 'vai', 'may', 'it', 'nhieu']);
/** Words after a number that make it an estimate: "12 trở lên", "12 lẻ", "100 hơn", "12 mấy". */
const APPROX_AFTER = new Set(['tro', 'hon', 'le', 'nhieu', 'may', 'xi']);
const APPROX_SYMBOLS = new Set(['~', '≈', '<', '>', '+', '≥', '≤', '±']);
/** Punctuation that may sit among trailing unit words ("12 tin, bài.", "12 (lượt)"). */
const TAIL_PUNCT = new Set([',', '.', '!', '(', ')', ';', ':', '/']);
const DASH = '-';

type Sep = '.' | ',' | ' ';
type Token =
  | { t: 'num'; groups: string[]; seps: Sep[] }
  /** `glued`: typed right after a digit with no space ("3BAUNFPB", "10tr"). */
  | { t: 'word'; w: string; glued?: boolean }
  | { t: 'punct'; c: string };

/** An exact decimal digits / 10^scale. */
interface Dec {
  digits: bigint;
  scale: number;
}

interface Literal {
  primary: Dec;
  /** A second reading of the same characters, and when it matters (see the rules above). */
  alt?: { dec: Dec; when: 'with_multiplier' | 'always' };
  /** Digits only, no separator: the only form allowed in "1 triệu 2" shorthand and compounds. */
  plain: boolean;
}

type Outcome =
  | { kind: 'value'; value: bigint; multTokens: Token[] }
  | { kind: 'ambiguous'; candidates: bigint[] }
  | { kind: 'fail'; reason: 'not_a_number'; why: 'generic' | 'approx' }
  | { kind: 'fail'; reason: 'negative' }
  | { kind: 'fail'; reason: 'fraction'; shown: string; multiplied: boolean; shorthand: boolean };

export function parseVietnameseNumber(input: string, kind: NumberKind, bounds?: NumberBounds): ParseResult {
  if (typeof input !== 'string') return fail('not_a_number', notANumberMessage(kind, 'generic'));
  const text = normalize(spelledToDigits(input));
  if (text === '') return fail('empty', `Tin nhắn chưa có số nào. Vui lòng nhập một số, ví dụ: ${example(kind)}.`);
  if (text.length > MAX_INPUT_LENGTH) return fail('not_a_number', notANumberMessage(kind, 'generic'));

  const tokens = tokenize(text);
  if (isZeroPhrase(tokens)) return withBounds(0n, kind, bounds);
  if (tokens.some((tok) => tok.t === 'punct' && APPROX_SYMBOLS.has(tok.c))) {
    return fail('not_a_number', notANumberMessage(kind, 'approx'));
  }

  const outcome = parseWithAlternatives(tokens);
  switch (outcome.kind) {
    case 'value':
      return withBounds(outcome.value, kind, bounds);
    case 'ambiguous': {
      const candidates = [...new Set(outcome.candidates)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const largest = candidates[candidates.length - 1];
      if (largest !== undefined && largest > MAX_SAFE) return tooLarge(largest, undefined);
      const shown = candidates.map(formatVi);
      return {
        ok: false,
        reason: 'ambiguous',
        message: `Chưa rõ con số là ${shown.join(' hay ')}. Vui lòng nhập lại đúng một số đầy đủ, ví dụ: ${shown[0] ?? '12'}.`,
        candidates: candidates.map(Number),
      };
    }
    case 'fail':
      switch (outcome.reason) {
        case 'not_a_number':
          return fail('not_a_number', notANumberMessage(kind, outcome.why));
        case 'negative':
          return fail(
            'negative',
            `${noun(kind)} không thể là số âm. Vui lòng nhập số từ 0 trở lên, ví dụ: ${example(kind)}.`,
          );
        case 'fraction':
          return fail(
            'fraction',
            outcome.multiplied
              ? `Giá trị vừa nhập bằng ${outcome.shown}, không phải số nguyên. ${noun(kind)} phải là số nguyên, vui lòng nhập lại, ví dụ: ${example(kind)}.`
              : outcome.shorthand
                ? `${noun(kind)} phải là số nguyên, nhưng ${outcome.shown} có phần lẻ. Vui lòng nhập số nguyên (ví dụ: ${example(kind)}), hoặc ghi rõ “triệu”, “nghìn” nếu là số viết tắt (ví dụ: “${outcome.shown} triệu”).`
                : `${noun(kind)} phải là số nguyên, nhưng ${outcome.shown} có phần lẻ. Vui lòng nhập số nguyên, ví dụ: ${example(kind)}.`,
          );
      }
  }
}

// ---------------------------------------------------------------------------------------------------
// Numbers written in words

/**
 * Digits of numbers written in words: "mười hai" 12, "hai mươi lăm" 25, "một trăm linh năm" 105,
 * "ba trăm nghìn" 3 trăm nghìn. Read with diacritics, because stripped of them "tám" (8) is "tầm" (about)
 * and "năm" (5) is also "năm" (year): a run of number words is converted only at the start of the answer
 * or right after a multiplier ("1 triệu hai"), never in the middle of a sentence ("tăng so với năm trước").
 */
const DIGIT_WORDS: ReadonlyMap<string, number> = new Map([
  ['không', 0],
  ['một', 1],
  ['mốt', 1],
  ['hai', 2],
  ['ba', 3],
  ['bốn', 4],
  ['tư', 4],
  ['năm', 5],
  ['lăm', 5],
  ['sáu', 6],
  ['bảy', 7],
  ['bẩy', 7],
  ['tám', 8],
  ['chín', 9],
]);
const AFTER_MULTIPLIER = new Set(['nghìn', 'ngàn', 'triệu', 'tỷ', 'tỉ', 'tr', 'k']);

/** Reads a number below 1.000 from words[i..]; null when the words there are not one. */
function readSpelled(words: readonly string[], start: number): { value: number; next: number; endsWithHundred: boolean } | null {
  let i = start;
  let value = 0;
  let hundreds = false;
  const digit = (w: string | undefined) => (w === undefined ? undefined : DIGIT_WORDS.get(w));
  const d0 = digit(words[i]);
  if (d0 !== undefined && words[i + 1] === 'trăm') {
    value = d0 * 100;
    hundreds = true;
    i += 2;
    if (words[i] === 'linh' || words[i] === 'lẻ') {
      const d = digit(words[i + 1]);
      if (d === undefined || d === 0) return { value, next: i, endsWithHundred: true };
      return { value: value + d, next: i + 2, endsWithHundred: false };
    }
  }
  // Tens: "mười [x]" or "x mươi [y]".
  if (words[i] === 'mười') {
    const d = digit(words[i + 1]);
    const unit = d !== undefined && d !== 0 && words[i + 1] !== 'mốt' && words[i + 1] !== 'tư' ? d : undefined;
    return unit !== undefined ? { value: value + 10 + unit, next: i + 2, endsWithHundred: false } : { value: value + 10, next: i + 1, endsWithHundred: false };
  }
  const t = digit(words[i]);
  if (t !== undefined && t >= 2 && (words[i + 1] === 'mươi' || words[i + 1] === 'chục')) {
    const d = digit(words[i + 2]);
    if (d !== undefined && d !== 0) return { value: value + t * 10 + d, next: i + 3, endsWithHundred: false };
    return { value: value + t * 10, next: i + 2, endsWithHundred: false };
  }
  if (hundreds) {
    // "hai trăm năm" is 250 in speech, a shorthand too easy to misread: only "hai trăm" alone counts.
    return digit(words[i]) === undefined ? { value, next: i, endsWithHundred: true } : null;
  }
  if (t !== undefined && words[i] !== 'lăm' && words[i] !== 'mốt' && words[i] !== 'tư') return { value: t, next: i + 1, endsWithHundred: false };
  return null;
}

/** Replaces numbers written in words by digits (see DIGIT_WORDS); anything else is left as typed. */
export function spelledToDigits(input: string): string {
  const lower = input.normalize('NFC').toLowerCase();
  if (!/[a-zđ\u00C0-\u1EF9]/.test(lower)) return input;
  const words = lower.split(/\s+/).filter((w) => w !== '');
  const out: string[] = [];
  let changed = false;
  for (let i = 0; i < words.length; ) {
    const prev = i === 0 ? null : words[i - 1]!;
    const mayStart = prev === null || AFTER_MULTIPLIER.has(prev);
    // "không" alone (or "không có") is the zero phrase, read as such by the parser below.
    const spelled = mayStart && !(words[i] === 'không' && i === 0) ? readSpelled(words, i) : null;
    if (spelled) {
      // "ba trăm nghìn": keep "trăm" as the multiplier it is, so the parser multiplies in the right order.
      out.push(spelled.endsWithHundred ? `${spelled.value / 100} trăm` : String(spelled.value));
      i = spelled.next;
      changed = true;
    } else {
      out.push(words[i]!);
      i++;
    }
  }
  return changed ? out.join(' ') : input;
}

// ---------------------------------------------------------------------------------------------------
// Normalisation and tokens

function normalize(input: string): string {
  let s = input.normalize('NFC');
  // Full-width forms (some IMEs emit them) map onto ASCII; NFKC is avoided because it turns "10²" into "102".
  s = s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  s = s.replace(/[\u200B-\u200D\u2060\uFEFF]/g, '');
  s = s.toLowerCase().replace(/[đð]/g, 'd').replace(/₫/g, ' d ');
  // People often type without accents, so compare words accent-free: "triệu" and "trieu" are one word.
  s = s.normalize('NFD').replace(/\p{M}/gu, '');
  s = s.replace(/[\u2010-\u2015\u2212\uFE58\uFE63]/g, DASH);
  s = s.replace(/\s+/g, ' ').trim();
  // "10.3tr", "2k5", "510.500.000đ": a unit glued to digits is still a separate word.
  // GLUE marks the split, so letters that were stuck to digits can still be told apart ("3BAUNFPB").
  s = s.replace(/([0-9])([a-z])/g, `$1${GLUE}$2`).replace(/([a-z])([0-9])/g, '$1 $2');
  return s;
}

const GLUE = '\u0001';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const readDigits = (): string => {
    const start = i;
    while (isDigit(s[i])) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === GLUE) {
      i++;
    } else if (isDigit(c)) {
      const groups = [readDigits()];
      const seps: Sep[] = [];
      for (;;) {
        const sep = s[i];
        if ((sep === '.' || sep === ',') && isDigit(s[i + 1])) {
          i++;
          seps.push(sep);
          groups.push(readDigits());
          continue;
        }
        // "1 593": a space groups thousands only in a clean run of 3-digit groups, so "12 13" stays two numbers.
        if (
          sep === ' ' &&
          seps.every((x) => x === ' ') &&
          (groups[0]?.length ?? 0) <= 3 &&
          isDigit(s[i + 1]) &&
          isDigit(s[i + 2]) &&
          isDigit(s[i + 3]) &&
          !isDigit(s[i + 4])
        ) {
          i++;
          seps.push(' ');
          groups.push(readDigits());
          continue;
        }
        break;
      }
      tokens.push({ t: 'num', groups, seps });
    } else if (isLetter(c)) {
      const start = i;
      const glued = s[i - 1] === GLUE;
      while (isLetter(s[i])) i++;
      tokens.push(glued ? { t: 'word', w: s.slice(start, i), glued } : { t: 'word', w: s.slice(start, i) });
    } else {
      // One code point per token so astral characters are not split into lone surrogates.
      const cp = s.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      tokens.push({ t: 'punct', c: ch });
      i += ch.length;
    }
  }
  return tokens;
}

function isZeroPhrase(tokens: Token[]): boolean {
  const words: string[] = [];
  for (const tok of tokens) {
    if (tok.t === 'num') return false;
    if (tok.t === 'punct') {
      if (tok.c === '.' || tok.c === '!' || tok.c === ',') continue;
      return false;
    }
    words.push(tok.w);
  }
  while (words.length > 0 && PARTICLES.has(words[words.length - 1] ?? '')) words.pop();
  let i = 0;
  if (words[0] === 'chua' && words[1] === 'co') i = 2;
  else if (NEGATION_WORDS.has(words[0] ?? '')) {
    i = 1;
    if (words[i] === 'co') i++;
  } else return false;
  if (words[i] === 'gi' || words[i] === 'nao' || CURRENCY_WORDS.has(words[i] ?? '')) i++;
  return i === words.length;
}

// ---------------------------------------------------------------------------------------------------
// Grammar

/** "2-3", "2 hoặc 3", "12 hay 13", "từ 2 đến 3 triệu": two readings, so the bot must ask which. */
function parseWithAlternatives(tokens: Token[]): Outcome {
  const cuts: number[] = [];
  tokens.forEach((tok, k) => {
    if (k === 0) return; // a leading dash is a minus sign
    if ((tok.t === 'punct' && tok.c === DASH) || (tok.t === 'word' && ALTERNATIVE_WORDS.has(tok.w))) cuts.push(k);
  });
  const hasNumber = (part: Token[]): boolean => part.some((tok) => tok.t === 'num');
  if (cuts.length === 0) return parseSingle(tokens);

  const parts: Token[][] = [];
  let from = 0;
  for (const k of cuts) {
    parts.push(tokens.slice(from, k));
    from = k + 1;
  }
  parts.push(tokens.slice(from));
  if (!parts.every(hasNumber)) {
    // A dash or "hay" with no second number is not a choice between figures; the plain grammar rejects it.
    return cuts.length === 1 ? parseSingle(tokens) : { kind: 'fail', reason: 'not_a_number', why: 'approx' };
  }
  if (parts.length !== 2) return { kind: 'fail', reason: 'not_a_number', why: 'approx' };

  let left = parts[0] ?? [];
  let right = parts[1] ?? [];
  if (left[0]?.t === 'word' && left[0].w === 'tu') left = left.slice(1); // "từ 12 đến 15"
  if (right[0]?.t === 'word' && right[0].w === 'la') right = right.slice(1); // "hoặc là"

  const r = parseSingle(right);
  // "2-3 triệu", "1,5-2 triệu": the multiplier written once covers both numbers.
  const leftBare = left.length === 1 && left[0]?.t === 'num';
  const l = parseSingle(leftBare && r.kind === 'value' ? [...left, ...r.multTokens] : left);
  if (l.kind !== 'value' || r.kind !== 'value') return { kind: 'fail', reason: 'not_a_number', why: 'approx' };
  if (l.value === r.value) return l;
  return { kind: 'ambiguous', candidates: [l.value, r.value] };
}

function parseSingle(tokens: Token[]): Outcome {
  let i = 0;
  let negative = false;
  const first = tokens[0];
  if ((first?.t === 'punct' && first.c === DASH) || (first?.t === 'word' && first.w === 'am')) {
    negative = true; // "-5", "âm 5"
    i = 1;
  }
  const lead = tokens[i];
  if (lead?.t !== 'num') {
    const approx = tokens.slice(0, i + 1).some((tok) => tok.t === 'word' && APPROX_BEFORE.has(tok.w));
    return { kind: 'fail', reason: 'not_a_number', why: approx ? 'approx' : 'generic' };
  }
  const literal = readLiteral(lead);
  if (!literal) return { kind: 'fail', reason: 'not_a_number', why: 'generic' };
  i++;

  const outcome = readAmount(tokens, i, literal);
  if (outcome.kind === 'fail' && outcome.reason === 'not_a_number') return outcome;
  if (negative && !(outcome.kind === 'value' && outcome.value === 0n)) return { kind: 'fail', reason: 'negative' };
  return outcome;
}

function readAmount(tokens: Token[], start: number, literal: Literal): Outcome {
  let i = start;
  const mult = readMultiplier(tokens, i);

  if (!mult) {
    // "12 rưỡi" is twelve and a half: a fraction, said in words.
    const next = tokens[i];
    if (literal.plain && next?.t === 'word' && next.w === 'ruoi') {
      const tailState = checkTail(tokens, i + 1);
      if (tailState !== 'ok') return { kind: 'fail', reason: 'not_a_number', why: tailState };
      return fractionOf({ digits: literal.primary.digits * 10n + 5n, scale: 1 }, 1n, false);
    }
    const tailState = checkTail(tokens, i);
    if (tailState !== 'ok') return { kind: 'fail', reason: 'not_a_number', why: tailState };
    const primary = exact(literal.primary, 1n);
    if (primary === null) return fractionOf(literal.primary, 1n, false);
    if (literal.alt?.when === 'always') {
      const alt = exact(literal.alt.dec, 1n);
      if (alt !== null && alt !== primary) return { kind: 'ambiguous', candidates: [primary, alt] };
    }
    return { kind: 'value', value: primary, multTokens: [] };
  }

  i = mult.next;
  const multTokens = tokens.slice(start, mult.next);
  let value: bigint;
  if (literal.plain) {
    // Compounds and spoken shorthand: "1 tỷ 200 triệu", "1 triệu 2", "2k5", "1 triệu rưỡi".
    value = literal.primary.digits * mult.factor;
    let last = mult.factor;
    for (;;) {
      const tok = tokens[i];
      if (tok?.t === 'num') {
        const part = readLiteral(tok);
        if (!part?.plain) return { kind: 'fail', reason: 'not_a_number', why: 'generic' };
        const nextMult = readMultiplier(tokens, i + 1);
        if (nextMult) {
          const add = part.primary.digits * nextMult.factor;
          // Groups must descend and fit under the one before: "1 triệu 2000 nghìn" is a typo, not a sum.
          if (nextMult.factor >= last || add >= last) return { kind: 'fail', reason: 'not_a_number', why: 'generic' };
          value += add;
          last = nextMult.factor;
          i = nextMult.next;
          continue;
        }
        const digits = tok.groups[0] ?? '';
        // "1tr2" = 1,2 triệu: the short number continues the digits after the multiplier.
        if (digits.length > 3) return { kind: 'fail', reason: 'not_a_number', why: 'generic' };
        value += (part.primary.digits * last) / 10n ** BigInt(digits.length);
        i++;
      } else if (tok?.t === 'word' && tok.w === 'ruoi') {
        value += last / 2n;
        i++;
      }
      break;
    }
    const tailState = checkTail(tokens, i);
    if (tailState !== 'ok') return { kind: 'fail', reason: 'not_a_number', why: tailState };
    return { kind: 'value', value, multTokens };
  }

  const tailState = checkTail(tokens, i);
  if (tailState !== 'ok') return { kind: 'fail', reason: 'not_a_number', why: tailState };
  const primary = exact(literal.primary, mult.factor);
  if (primary === null) return fractionOf(literal.primary, mult.factor, true);
  if (literal.alt) {
    const alt = exact(literal.alt.dec, mult.factor);
    if (alt !== null && alt !== primary) return { kind: 'ambiguous', candidates: [primary, alt] };
  }
  return { kind: 'value', value: primary, multTokens };
}

/** One or more multiplier words in ascending order ("nghìn tỷ" = 10^12); null when there is none. */
function readMultiplier(tokens: Token[], i: number): { factor: bigint; next: number } | null {
  let factor = 0n;
  let j = i;
  for (;;) {
    const tok = tokens[j];
    if (tok?.t !== 'word') break;
    const m = MULTIPLIERS.get(tok.w);
    if (m === undefined || (factor !== 0n && m <= factor)) break;
    factor = factor === 0n ? m : factor * m;
    j++;
  }
  return factor === 0n ? null : { factor, next: j };
}

/** Unit words, currency and sentence punctuation may follow the number; nothing that changes it. */
function checkTail(tokens: Token[], i: number): 'ok' | 'generic' | 'approx' {
  let words = 0;
  for (let j = i; j < tokens.length; j++) {
    const tok = tokens[j];
    if (tok === undefined) break;
    if (tok.t === 'num') return 'generic';
    if (tok.t === 'punct') {
      if (TAIL_PUNCT.has(tok.c)) continue;
      return 'generic';
    }
    if (APPROX_AFTER.has(tok.w)) return 'approx';
    // Letters stuck to the digits are a code or a typo ("3BAUNFPB" is an invite code, not 3), unless
    // they are a currency sign people write that way ("510.500.000đ").
    if (tok.glued && !CURRENCY_WORDS.has(tok.w)) return 'generic';
    if (
      MULTIPLIERS.has(tok.w) ||
      NEGATION_WORDS.has(tok.w) ||
      ALTERNATIVE_WORDS.has(tok.w) ||
      tok.w === 'am' ||
      tok.w === 'ruoi'
    ) {
      return 'generic';
    }
    words++;
    if (words > MAX_UNIT_WORDS) return 'generic';
  }
  return 'ok';
}

/** The readings of one run of digits and separators; null when no reading follows either style. */
function readLiteral(tok: Token): Literal | null {
  if (tok.t !== 'num') return null;
  const { groups, seps } = tok;
  const g0 = groups[0] ?? '';
  const join = (parts: string[]): bigint => BigInt(parts.join(''));
  const allThousands = (): boolean =>
    g0.length >= 1 && g0.length <= 3 && groups.slice(1).every((g) => g.length === 3);

  if (seps.length === 0) return { primary: { digits: BigInt(g0), scale: 0 }, plain: true };

  const kinds = new Set(seps);
  if (kinds.size === 1) {
    const sep = seps[0];
    if (sep === ' ' || seps.length >= 2) {
      // Repeated separators can only group thousands; "1.234.5" fits no style.
      return allThousands() ? { primary: { digits: join(groups), scale: 0 }, plain: false } : null;
    }
    const g1 = groups[1] ?? '';
    const decimal: Dec = { digits: join(groups), scale: g1.length };
    if (g1.length === 3 && allThousands() && !g0.startsWith('0')) {
      return {
        primary: { digits: join(groups), scale: 0 },
        alt: { dec: decimal, when: 'with_multiplier' },
        plain: false,
      };
    }
    return { primary: decimal, plain: false };
  }

  // Mixed: thousands with one separator, then a decimal point of the other kind ("1.234,5", "1,234.56").
  const last = seps[seps.length - 1];
  const front = seps.slice(0, -1);
  if (last === ' ' || front.some((s) => s !== front[0] || s === last)) return null;
  const intGroups = groups.slice(0, -1);
  if (g0.length < 1 || g0.length > 3 || !intGroups.slice(1).every((g) => g.length === 3)) return null;
  const fracGroup = groups[groups.length - 1] ?? '';
  const primary: Dec = { digits: join(groups), scale: fracGroup.length };
  if (fracGroup.length === 3) {
    return { primary, alt: { dec: { digits: join(groups), scale: 0 }, when: 'always' }, plain: false };
  }
  return { primary, plain: false };
}

// ---------------------------------------------------------------------------------------------------
// Exact arithmetic and messages

function exact(dec: Dec, factor: bigint): bigint | null {
  const den = 10n ** BigInt(dec.scale);
  const n = dec.digits * factor;
  return n % den === 0n ? n / den : null;
}

function fractionOf(dec: Dec, factor: bigint, multiplied: boolean): Outcome {
  const den = 10n ** BigInt(dec.scale);
  const n = dec.digits * factor;
  const frac = (n % den).toString().padStart(dec.scale, '0').replace(/0+$/, '');
  const whole = n / den;
  const wholeText = whole.toString().length > MAX_ECHO_DIGITS ? 'số vừa nhập' : formatVi(whole);
  // "1,5" may be shorthand for 1,5 triệu, so the message suggests writing the unit; "1.234,5" is not.
  const shorthand = !multiplied && whole < 1000n;
  const shown = `${wholeText},${frac.slice(0, 6)}${frac.length > 6 ? '…' : ''}`;
  return { kind: 'fail', reason: 'fraction', shown, multiplied, shorthand };
}

function withBounds(value: bigint, kind: NumberKind, bounds: NumberBounds | undefined): ParseResult {
  const max = finite(bounds?.max);
  const min = finite(bounds?.min);
  if (value > MAX_SAFE) return tooLarge(value, undefined);
  const n = Number(value);
  if (max !== undefined && n > max) return tooLarge(value, max);
  if (min !== undefined && n < min) {
    return fail(
      'too_small',
      `Con số ${formatVi(value)} nhỏ hơn mức tối thiểu ${formatVi(min)} của câu hỏi này. Vui lòng kiểm tra lại và nhập lại ${noun(kind).toLowerCase()} chính xác.`,
    );
  }
  return { ok: true, value: n };
}

function tooLarge(value: bigint, max: number | undefined): Failure {
  const shown = value.toString().length > MAX_ECHO_DIGITS ? 'vừa nhập' : formatVi(value);
  const limit = max === undefined ? '' : ` (tối đa ${formatVi(max)})`;
  return fail('too_large', `Con số ${shown} có vẻ quá lớn${limit}. Vui lòng kiểm tra lại và nhập lại số chính xác.`);
}

const finite = (x: number | undefined): number | undefined =>
  typeof x === 'number' && Number.isFinite(x) ? x : undefined;

function fail(reason: Failure['reason'], message: string): Failure {
  return { ok: false, reason, message };
}

const noun = (kind: NumberKind): string => (kind === 'money' ? 'Số tiền' : 'Số lượng');
const example = (kind: NumberKind): string => (kind === 'money' ? '510.500.000 hoặc 10,3 triệu' : '12 hoặc 1.593');

function notANumberMessage(kind: NumberKind, why: 'generic' | 'approx'): string {
  if (why === 'approx') {
    const one = kind === 'money' ? '510.500.000' : '12';
    return `Cần một số chính xác, không phải ước lượng hay khoảng (như “khoảng 12-15”). Vui lòng nhập đúng một số, ví dụ: ${one}.`;
  }
  return `Không đọc được số trong câu trả lời. Vui lòng chỉ nhập một số, ví dụ: ${example(kind)}.`;
}

/** vi-VN grouping ("1.593", "510.500.000") without depending on the runtime's ICU data. */
function formatVi(n: bigint | number): string {
  const v = typeof n === 'bigint' ? n : BigInt(Math.trunc(n));
  const sign = v < 0n ? '-' : '';
  const digits = (v < 0n ? -v : v).toString();
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) {
    const part = digits.slice(Math.max(0, end - 3), end);
    out = out === '' ? part : `${part}.${out}`;
  }
  return sign + out;
}
