/** No 0/O, 1/I/L: codes are read off paper and typed on phones. 31^8 ≈ 8.5e11 possibilities. */
export const INVITE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const INVITE_LENGTH = 8;

/** Accepts what people type: lower case, spaces or dashes between groups ("abcd-efgh"). */
export function normalizeInviteCode(text: string): string {
  return text.toUpperCase().replace(/[\s\-_.]/g, '');
}

const shape = new RegExp(`^[${INVITE_ALPHABET}]{${INVITE_LENGTH}}$`);
export const looksLikeInviteCode = (text: string): boolean => shape.test(normalizeInviteCode(text));

/** Shown to people in two groups of four so it is easy to read aloud. */
export const displayInviteCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;
