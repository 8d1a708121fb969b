/**
 * Text made safe once, where it enters (the router, for everything a person sends) and again where it
 * leaves for a file format (spreadsheets, CSV), for text stored before this rule existed.
 *
 * Dropped: the characters XML 1.0 forbids (C0 controls except tab, line feed and carriage return), the C1
 * controls, Unicode noncharacters (U+FDD0–U+FDEF and U+xFFFE/U+xFFFF in every plane) and lone surrogates.
 * None of them can be typed on purpose, Excel calls a workbook holding one "damaged", and U+0001 is the
 * number parser's internal marker. Where a dropped run stood between two visible characters it becomes a
 * space, so two words never merge into one ("12<U+0001>tr" reads "12 tr", not "12tr").
 */

const NONCHARACTERS_ASTRAL = Array.from({ length: 16 }, (_, i) => {
  const plane = (i + 1).toString(16).toUpperCase();
  return `\\u{${plane}FFFE}\\u{${plane}FFFF}`;
}).join('');

// With the u flag a well-formed surrogate pair is one code point, so [\uD800-\uDFFF] matches lone halves only.
// eslint-disable-next-line no-control-regex
const UNSAFE_RUN = new RegExp(`[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF\\uD800-\\uDFFF${NONCHARACTERS_ASTRAL}]+`, 'gu');
const TEST = new RegExp(UNSAFE_RUN.source, 'u');

export function hasUnsafeChars(s: string): boolean {
  return TEST.test(s);
}

export function safeText(s: string): string {
  if (!TEST.test(s)) return s;
  return s.replace(UNSAFE_RUN, (_run, offset: number, whole: string) => {
    const before = whole[offset - 1];
    const after = whole[offset + _run.length];
    return before !== undefined && after !== undefined && /\S/u.test(before) && /\S/u.test(after) ? ' ' : '';
  });
}

/**
 * A text cell that a spreadsheet program would take for a formula when the file is opened (CSV) or the
 * cell edited: = + - @ at the start, or a tab or carriage return there. Such text is written with a
 * leading apostrophe, the spreadsheet programs' own "this is text" mark; readers take it off again.
 */
const FORMULA_START = /^[=+\-@\t\r]/u;

export function neutralizeFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** The inverse of neutralizeFormula, for files we wrote being read back. */
export function unneutralizeFormula(s: string): string {
  return s.length > 1 && s[0] === "'" && FORMULA_START.test(s.slice(1)) ? s.slice(1) : s;
}
