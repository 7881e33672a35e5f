import { createHash, timingSafeEqual } from 'node:crypto';

/** Why a notification's signature was refused. */
export type SignFailure = 'SIGN_MISSING' | 'SIGN_INVALID' | 'SIGN_EXPIRED';

/** The `sign` Tencent CSS puts in every callback: `md5(key + t)` as lowercase hex. */
export function computeSign(key: string, t: number | string): string {
  return createHash('md5').update(`${key}${t}`).digest('hex');
}

/**
 * Checks `sign = md5(key + t)` in constant time and that `t` (unix seconds at which the signature expires) is not
 * in the past (minus `skewSeconds` of tolerated clock difference). Returns `null` when the notification is genuine.
 */
export function verifySign(
  key: string,
  t: unknown,
  sign: unknown,
  nowSeconds: number,
  skewSeconds = 0,
): SignFailure | null {
  if (typeof sign !== 'string' || sign === '') return 'SIGN_MISSING';
  const tText = typeof t === 'number' ? String(t) : typeof t === 'string' ? t : '';
  if (!/^\d{1,12}$/.test(tText)) return 'SIGN_MISSING';
  const expected = Buffer.from(computeSign(key, tText), 'utf8');
  const given = Buffer.from(sign.toLowerCase(), 'utf8');
  // timingSafeEqual needs equal lengths; compare against itself so a wrong length costs the same time.
  const sameLength = given.length === expected.length;
  const ok = timingSafeEqual(sameLength ? given : expected, expected) && sameLength;
  if (!ok) return 'SIGN_INVALID';
  if (Number(tText) + skewSeconds < nowSeconds) return 'SIGN_EXPIRED';
  return null;
}
