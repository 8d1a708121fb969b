/**
 * User text going into the document: NFC, no characters XML 1.0 forbids (C0 controls except tab/newline,
 * C1 controls, lone surrogates, U+FFFE/U+FFFF). docx escapes <, > and & itself.
 */

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu; // with /u, only lone surrogates match

export function sanitizeText(s: string): string {
  return s.normalize('NFC').replace(/\t/g, ' ').replace(/\r\n?/g, '\n').replace(FORBIDDEN, '');
}

/** Lines of a sanitized text (empty lines kept, trailing blank lines dropped). */
export function textLines(s: string): string[] {
  const lines = sanitizeText(s).split('\n');
  while (lines.length > 1 && lines[lines.length - 1]?.trim() === '') lines.pop();
  return lines;
}
