import { createHash, timingSafeEqual } from 'node:crypto';

/** Tencent CSS callback signature: `md5(key + t)` as lowercase hex, `t` in unix seconds. */
export function sign(key: string, t: number | string): string {
  return createHash('md5').update(`${key}${t}`).digest('hex');
}

/** Why a notification's signature was refused. */
export type SignFailure = 'SIGN_MISSING' | 'SIGN_INVALID' | 'SIGN_EXPIRED';

/**
 * Checks `sign = md5(key + t)` in constant time and that `t` (unix seconds at which the signature expires) is not
 * in the past (minus `skewSeconds` of tolerated clock difference). Returns `null` when the notification is genuine.
 */
export function verifySign(
  key: string,
  t: unknown,
  given: unknown,
  nowSeconds: number,
  skewSeconds = 0,
): SignFailure | null {
  if (typeof given !== 'string' || given === '') return 'SIGN_MISSING';
  const tText = typeof t === 'number' ? String(t) : typeof t === 'string' ? t : '';
  if (!/^\d{1,12}$/.test(tText)) return 'SIGN_MISSING';
  const expected = Buffer.from(sign(key, tText), 'utf8');
  const givenBytes = Buffer.from(given.toLowerCase(), 'utf8');
  // timingSafeEqual needs equal lengths; compare against itself so a wrong length costs the same time.
  const sameLength = givenBytes.length === expected.length;
  const ok = timingSafeEqual(sameLength ? givenBytes : expected, expected) && sameLength;
  if (!ok) return 'SIGN_INVALID';
  if (Number(tText) + skewSeconds < nowSeconds) return 'SIGN_EXPIRED';
  return null;
}
