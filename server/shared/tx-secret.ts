import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Tencent's anti-leech / push-auth scheme (CSS "URL authentication"), used for push control, play URLs and
 * recording-list reads: `txSecret = md5(key + name + txTime)` as lowercase hex, where `txTime` is the expiry as
 * upper-case hexadecimal unix seconds and `name` is the stream name (or the record id for reads).
 */
export interface TxCredential {
  txSecret: string;
  txTime: string;
}

/** `txTime` for an expiry `unixSeconds` (upper-case hex, as Tencent's console generates it). */
export function txTimeFor(unixSeconds: number): string {
  return Math.floor(unixSeconds).toString(16).toUpperCase();
}

/** Mints `{ txSecret, txTime }` for `name`, valid until `expiresAtSeconds` (unix seconds). */
export function txSign(key: string, name: string, expiresAtSeconds: number): TxCredential {
  const txTime = txTimeFor(expiresAtSeconds);
  return { txSecret: createHash('md5').update(`${key}${name}${txTime}`).digest('hex'), txTime };
}

/** Appends `txSecret` and `txTime` to `url` (keeping its other query parameters). */
export function signUrl(url: string, key: string, name: string, expiresAtSeconds: number): string {
  const u = new URL(url);
  const { txSecret, txTime } = txSign(key, name, expiresAtSeconds);
  u.searchParams.set('txSecret', txSecret);
  u.searchParams.set('txTime', txTime);
  return u.toString();
}

/** Why a credential was refused. */
export type TxFailure = 'MISSING' | 'INVALID' | 'EXPIRED';

/**
 * Checks a `{ txSecret, txTime }` pair for `name` in constant time. `txTime` is matched case-insensitively as hex
 * (Tencent accepts both cases; the hash is computed over the text as given). Returns `null` when genuine.
 */
export function txVerify(
  key: string,
  name: string,
  txSecret: unknown,
  txTime: unknown,
  nowSeconds: number,
  skewSeconds = 0,
): TxFailure | null {
  if (typeof txSecret !== 'string' || typeof txTime !== 'string' || txSecret === '' || txTime === '') {
    return 'MISSING';
  }
  if (!/^[0-9a-fA-F]{1,12}$/.test(txTime)) return 'INVALID';
  const expected = Buffer.from(createHash('md5').update(`${key}${name}${txTime}`).digest('hex'), 'utf8');
  const given = Buffer.from(txSecret.toLowerCase(), 'utf8');
  const sameLength = given.length === expected.length;
  const ok = timingSafeEqual(sameLength ? given : expected, expected) && sameLength;
  if (!ok) return 'INVALID';
  if (parseInt(txTime, 16) + skewSeconds < nowSeconds) return 'EXPIRED';
  return null;
}
