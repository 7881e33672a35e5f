/**
 * CORS for the relay's own routes only (so it can share one fastify server with other plugins without
 * registering a global `OPTIONS *`). Permissive by default — it is a development server — or limited to a list.
 */
export type AllowedOrigins = '*' | readonly string[];

export function parseAllowedOrigins(value: string | undefined): AllowedOrigins {
  if (!value || value.trim() === '*') return '*';
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Headers to add to a response for a request from `origin` (empty when the origin is not allowed). */
export function corsHeaders(allowed: AllowedOrigins, origin: string | undefined): Record<string, string> {
  if (!origin) return {};
  if (allowed !== '*' && !allowed.includes(origin)) return {};
  return {
    'access-control-allow-origin': allowed === '*' ? '*' : origin,
    'access-control-expose-headers': 'Location, Content-Length, Content-Range',
    ...(allowed === '*' ? {} : { vary: 'Origin' }),
  };
}

export function preflightHeaders(
  allowed: AllowedOrigins,
  origin: string | undefined,
): Record<string, string> {
  const base = corsHeaders(allowed, origin);
  if (!base['access-control-allow-origin']) return base;
  return {
    ...base,
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
    'access-control-allow-headers': 'Content-Type, Range',
    'access-control-max-age': '600',
  };
}
