import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Telegram Mini App authentication (core.telegram.org/bots/webapps, "Validating data received via the
 * Mini App"): the client hands the page `initData`, a query string signed by Telegram with a key derived
 * from our bot token. Nothing in it is trusted before the signature is checked.
 */

export type InitDataCheck =
  | { ok: true; userId: string; authDate: Date }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'future' | 'no_user' };

/** Telegram's clocks and ours may disagree a little; anything further ahead was not signed by Telegram now. */
const FUTURE_SKEW_S = 300;
const MAX_INIT_DATA_LENGTH = 8192;

const UserSchema = z.object({ id: z.number().int().positive() });

/** secret_key = HMAC_SHA256(key = "WebAppData", message = bot token). */
function secretKey(botToken: string): Buffer {
  return createHmac('sha256', 'WebAppData').update(botToken).digest();
}

/** Every field but `hash`, as key=value lines sorted by key. */
function dataCheckString(params: URLSearchParams): string {
  return [...params.entries()]
    .filter(([k]) => k !== 'hash')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

export function signatureFor(params: URLSearchParams, botToken: string): string {
  return createHmac('sha256', secretKey(botToken)).update(dataCheckString(params)).digest('hex');
}

export function validateInitData(initData: string, botToken: string, now: Date, maxAgeSeconds: number): InitDataCheck {
  if (initData.length === 0 || initData.length > MAX_INIT_DATA_LENGTH) return { ok: false, reason: 'malformed' };
  const params = new URLSearchParams(initData);
  const hash = params.get('hash');
  // A field given twice would make the check string ambiguous; Telegram never sends one twice.
  const keys = [...params.keys()];
  if (!hash || !/^[0-9a-f]{64}$/.test(hash) || new Set(keys).size !== keys.length) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(signatureFor(params, botToken), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex'))) return { ok: false, reason: 'bad_signature' };

  const authDate = Number(params.get('auth_date'));
  if (!Number.isSafeInteger(authDate) || authDate <= 0) return { ok: false, reason: 'malformed' };
  const ageS = now.getTime() / 1000 - authDate;
  if (ageS > maxAgeSeconds) return { ok: false, reason: 'expired' };
  if (ageS < -FUTURE_SKEW_S) return { ok: false, reason: 'future' };

  let user: z.infer<typeof UserSchema>;
  try {
    const parsed = UserSchema.safeParse(JSON.parse(params.get('user') ?? 'null'));
    if (!parsed.success) return { ok: false, reason: 'no_user' };
    user = parsed.data;
  } catch {
    return { ok: false, reason: 'no_user' };
  }
  return { ok: true, userId: String(user.id), authDate: new Date(authDate * 1000) };
}
