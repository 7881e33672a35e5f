/**
 * Origins for the relay's own routes only (so it can share one fastify server with other plugins without
 * registering a global `OPTIONS *`). Nothing is open by default: pages on the relay's own origin (its public URL or
 * the address it is bound to, with `localhost` for loopback) and the origins listed in `ALLOWED_ORIGINS`.
 * `*` must be asked for explicitly. A write (any method but GET/HEAD/OPTIONS) or an ingest WebSocket from a page
 * of another origin is refused outright, not only hidden from it.
 */
export type AllowedOrigins = '*' | readonly string[];

/** `ALLOWED_ORIGINS`: a comma-separated list of origins, or `*` (explicitly) for any. Unset = none but its own. */
export function parseAllowedOrigins(value: string | undefined): AllowedOrigins {
  if (value?.trim() === '*') return '*';
  const list = (value ?? '')
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  for (const o of list) {
    let ok = false;
    try {
      const u = new URL(o);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
    } catch {
      ok = false;
    }
    if (!ok)
      throw new Error(
        `ALLOWED_ORIGINS: "${o}" is not an origin like https://example.com or http://host:8080`,
      );
  }
  return list;
}

/**
 * The origins of the relay itself for a server bound to `address:port` (and its configured public URL): a page
 * served by the relay's own server (the demo) talks to it without being listed.
 */
export function selfOrigins(
  publicBaseUrl: string | undefined,
  address: string | null,
  port: number | null,
): string[] {
  const out: string[] = [];
  if (publicBaseUrl) out.push(new URL(publicBaseUrl).origin);
  if (address !== null && port !== null) {
    const loopbackOrAny = ['127.0.0.1', '::1', '0.0.0.0', '::', 'localhost'].includes(address);
    if (loopbackOrAny)
      out.push(`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`);
    else out.push(`http://${address.includes(':') ? `[${address}]` : address}:${port}`);
  }
  return out;
}

export function isAllowedOrigin(allowed: AllowedOrigins, self: readonly string[], origin: string): boolean {
  return allowed === '*' || allowed.includes(origin) || self.includes(origin);
}

/** Headers to add to a response for a request from `origin` (empty when the origin is not allowed). */
export function corsHeaders(
  allowed: AllowedOrigins,
  self: readonly string[],
  origin: string | undefined,
): Record<string, string> {
  if (!origin || !isAllowedOrigin(allowed, self, origin)) return {};
  return {
    'access-control-allow-origin': allowed === '*' ? '*' : origin,
    'access-control-expose-headers': 'Location, Content-Length, Content-Range, Retry-After',
    ...(allowed === '*' ? {} : { vary: 'Origin' }),
  };
}

export function preflightHeaders(
  allowed: AllowedOrigins,
  self: readonly string[],
  origin: string | undefined,
): Record<string, string> {
  const base = corsHeaders(allowed, self, origin);
  if (!base['access-control-allow-origin']) return base;
  return {
    ...base,
    'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
    'access-control-allow-headers': 'Content-Type, Range, Authorization',
    'access-control-max-age': '600',
  };
}

/** True when a request with this method and content type carries a JSON body (or none, for GET/DELETE). */
export function isJsonOrBodiless(method: string, contentType: string | undefined): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
  if (method === 'DELETE')
    return contentType === undefined || /^application\/json\s*(;|$)/i.test(contentType);
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType);
}

/**
 * True for the play outputs (`/live/…`, `/recordings/…`): readable from any origin, as a CDN's are. The URL and its
 * play credential are the access control there; no cookies or other credentials are involved.
 */
export function isPlayPath(path: string): boolean {
  return path.startsWith('/live/') || path.startsWith('/recordings/');
}

/** Headers of every answer to a GET/HEAD of a play output, whatever the origin. */
export function playCorsHeaders(): Record<string, string> {
  return {
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'Content-Length, Content-Range, Accept-Ranges',
  };
}

/** A preflight for a play output (a player that sends `Range`): allowed from any origin. */
export function playPreflightHeaders(): Record<string, string> {
  return {
    ...playCorsHeaders(),
    'access-control-allow-methods': 'GET, HEAD, OPTIONS',
    'access-control-allow-headers': 'Range',
    'access-control-max-age': '600',
  };
}
