import { createHash } from 'node:crypto';

/** Tencent CSS callback signature: `md5(key + t)` as lowercase hex, `t` in unix seconds. */
export function sign(key: string, t: number | string): string {
  return createHash('md5').update(`${key}${t}`).digest('hex');
}
