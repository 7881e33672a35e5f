import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The local relay's body-bound signature (beyond Tencent, whose `sign = md5(key + t)` does not cover the body):
 * header `X-Relay-Signature: sha256=<hex HMAC-SHA256(callbackKey, t + "." + rawBody)>`.
 */
export function relaySignature(key: string, t: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', key).update(`${t}.${rawBody}`).digest('hex')}`;
}

/** Whether `header` is the relay signature of exactly this `t` and raw body (constant-time comparison). */
export function verifyRelaySignature(key: string, t: string, rawBody: string, header: string): boolean {
  const expected = Buffer.from(relaySignature(key, t, rawBody), 'utf8');
  const given = Buffer.from(header.trim().toLowerCase(), 'utf8');
  const sameLength = given.length === expected.length;
  return timingSafeEqual(sameLength ? given : expected, expected) && sameLength;
}
