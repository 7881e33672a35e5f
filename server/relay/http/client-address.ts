/**
 * The client address every per-client cap and rate limit counts under. By default it is the TCP peer: a header
 * is never believed. Behind a reverse proxy every client would share the proxy's address, so a deployment there
 * sets `RELAY_TRUST_PROXY` to the number of proxies in front of the relay (`1` for one nginx); the address is then
 * read from `X-Forwarded-For`, counting that many entries from the right (the ones the trusted proxies appended),
 * so a client cannot choose its own address by sending the header itself.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** `RELAY_TRUST_PROXY`: unset, `0`, `false` or `off` = off; `true` = 1; a whole number = that many proxies. */
export function parseTrustProxy(value: string | undefined): number {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false' || v === 'off') return 0;
  if (v === 'true') return 1;
  if (/^\d+$/.test(v) && Number(v) <= 16) return Number(v);
  throw new Error(
    `RELAY_TRUST_PROXY must be the number of reverse proxies in front of the relay (1 for one), or off (got "${value}")`,
  );
}

/** The client of a request that arrived from `peer` with `headers`, trusting `hops` proxies. */
export function clientAddress(peer: string | undefined, headers: IncomingHttpHeaders, hops: number): string {
  const direct = (peer ?? '?').replace(/^::ffff:/, '');
  if (hops <= 0) return direct;
  const raw = headers['x-forwarded-for'];
  const list = (Array.isArray(raw) ? raw.join(',') : (raw ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // [client, proxy1, …]: the trusted proxies appended the last `hops` entries; the one before them is the client.
  const chain = [...list, direct];
  const entry = chain[Math.max(0, chain.length - 1 - hops)];
  return /^[0-9a-fA-F:.]{2,45}$/.test(entry) ? entry.replace(/^::ffff:/, '') : direct;
}
