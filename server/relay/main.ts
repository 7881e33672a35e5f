/**
 * `npm run relay` (`node --import tsx server/relay/main.ts`): the local relay alone. Environment:
 * RELAY_PORT (8080), RELAY_HOST (127.0.0.1), DATA_DIR (./data), RELAY_PUBLIC_URL (the bound address),
 * RELAY_CALLBACK_URL (or RELAY_CALLBACK_URL_PUSH / _STREAM_END / _RECORD), RELAY_CALLBACK_KEY, RELAY_APPID,
 * RELAY_CALLBACK_TIMEOUT_MS / _RETRY_MS / _RETRIES, RTMP_PORT (1935; "off" disables), ALLOWED_ORIGINS (none; a
 * comma list or "*"), RELAY_PUSH_KEY / RELAY_PLAY_KEY (push auth / play anti-leech; a push key is required to bind
 * anything but loopback), RELAY_TRUST_PROXY (off; how many reverse proxies to believe X-Forwarded-For from), and
 * the caps of `streams/limits.ts` (RELAY_MAX_*, …), and WebRTC's RELAY_ICE_HOSTS (127.0.0.1; the addresses put
 * in ICE candidates), RELAY_UDP_PORTS (any; e.g. 40000-40100) and RELAY_ICE_SERVERS (none; stun:/turn: URLs). SIGTERM/SIGINT close it cleanly (recordings finalised,
 * callbacks kept in the outbox).
 */
import Fastify from 'fastify';
import { relayPlugin } from './plugin.ts';
import { parseAllowedOrigins } from './http/cors.ts';
import { isLoopback } from './http/auth.ts';
import { limitsFromEnv, relayServerOptions } from './streams/limits.ts';
import { parseTrustProxy } from './http/client-address.ts';
import { networkFromEnv } from './webrtc/network.ts';

function intEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${name} must be a port number (got "${v}")`);
  return n;
}

/** A non-negative integer setting, or undefined when unset. */
function numberEnv(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number (got "${v}")`);
  return n;
}

function fail(message: string): never {
  console.error(`relay: ${message}`);
  process.exit(1);
}

const port = intEnv('RELAY_PORT', 8080);
const host = process.env.RELAY_HOST ?? '127.0.0.1';
const rtmpEnv = process.env.RTMP_PORT;
const pushKey = process.env.RELAY_PUSH_KEY || null;
const playKey = process.env.RELAY_PLAY_KEY || null;
const publicBaseUrl = process.env.RELAY_PUBLIC_URL || undefined;

if (!pushKey && !isLoopback(host))
  fail(
    `refusing to listen on ${host} without RELAY_PUSH_KEY: anyone who can reach it could stop, delete or take ` +
      'over streams. Set RELAY_PUSH_KEY (and RELAY_PLAY_KEY for play anti-leech), or bind 127.0.0.1.',
  );
if (!isLoopback(host) && !publicBaseUrl)
  fail(
    `listening on ${host} needs RELAY_PUBLIC_URL (the http(s)://host:port clients use) for the URLs it hands out.`,
  );
if (publicBaseUrl && !/^https?:\/\/[^/?#]+\/?$/.test(publicBaseUrl))
  fail(
    `RELAY_PUBLIC_URL must be like https://relay.example.com or http://10.0.0.5:8080 (got "${publicBaseUrl}").`,
  );

let limits;
let allowedOrigins;
let trustProxy;
let webrtc;
try {
  webrtc = networkFromEnv(process.env);
  limits = limitsFromEnv(process.env);
  allowedOrigins = parseAllowedOrigins(process.env.ALLOWED_ORIGINS);
  trustProxy = parseTrustProxy(process.env.RELAY_TRUST_PROXY);
} catch (err) {
  fail((err as Error).message);
}

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' }, ...relayServerOptions(limits) });
await app.register(relayPlugin, {
  dataDir: process.env.DATA_DIR ?? './data',
  publicBaseUrl,
  callbackUrl: process.env.RELAY_CALLBACK_URL || null,
  // Callbacks (see server/relay/README.md "Callbacks"): one URL per event type, Tencent's retry cadence.
  callbackUrls: {
    push: process.env.RELAY_CALLBACK_URL_PUSH || undefined,
    streamEnd: process.env.RELAY_CALLBACK_URL_STREAM_END || undefined,
    record: process.env.RELAY_CALLBACK_URL_RECORD || undefined,
  },
  appid: numberEnv('RELAY_APPID'),
  callbackTimeoutMs: numberEnv('RELAY_CALLBACK_TIMEOUT_MS'),
  callbackRetries: numberEnv('RELAY_CALLBACK_RETRIES'),
  callbackKey: process.env.RELAY_CALLBACK_KEY ?? '',
  rtmpPort: rtmpEnv === 'off' ? null : intEnv('RTMP_PORT', 1935),
  allowedOrigins,
  trustProxy,
  pushKey,
  playKey,
  limits,
  webrtc,
  callbackRetryBaseMs: process.env.RELAY_CALLBACK_RETRY_MS
    ? Number(process.env.RELAY_CALLBACK_RETRY_MS)
    : undefined,
});
if (allowedOrigins === '*') app.log.warn('[relay] ALLOWED_ORIGINS=*: any web page may use this relay');
if (!pushKey) app.log.warn('[relay] no RELAY_PUSH_KEY: control is unauthenticated, loopback clients only');
// Signals are handled before listening: a SIGTERM right after start still closes cleanly.
let closing = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    void app.close().then(
      () => process.exit(0),
      (err: unknown) => fail(`shutdown failed: ${String(err)}`),
    );
  });
}

const address = await app.listen({ port, host });
// One machine-readable line so a parent process (tests, scripts) can find the port when RELAY_PORT=0.
console.log(`relay listening on ${address}`);
