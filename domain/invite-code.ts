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

export interface LockoutRule {
  /** This many wrong codes… */
  maxFailures: number;
  /** …within this window lock the account… */
  windowMs: number;
  /** …for this long after the last of them. */
  lockoutMs: number;
}

export const INVITE_LOCKOUT: LockoutRule = { maxFailures: 5, windowMs: 10 * 60_000, lockoutMs: 15 * 60_000 };

/**
 * When an account that typed wrong codes may try again: null when it is not locked. `failures` are the
 * moments of its recent wrong codes, oldest first (at least the last windowMs + lockoutMs of them).
 */
export function lockedUntil(failures: readonly Date[], now: Date, rule: LockoutRule = INVITE_LOCKOUT): Date | null {
  for (let i = failures.length - 1; i >= rule.maxFailures - 1; i--) {
    const last = failures[i]!.getTime();
    const first = failures[i - rule.maxFailures + 1]!.getTime();
    if (last - first <= rule.windowMs && now.getTime() - last < rule.lockoutMs) return new Date(last + rule.lockoutMs);
  }
  return null;
}
