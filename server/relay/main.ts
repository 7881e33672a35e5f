/**
 * `npm run relay`: the local relay alone. Environment:
 * RELAY_PORT (8080), RELAY_HOST (127.0.0.1), DATA_DIR (./data), RELAY_PUBLIC_URL (from the Host header),
 * RELAY_CALLBACK_URL (or RELAY_CALLBACK_URL_PUSH / _STREAM_END / _RECORD), RELAY_CALLBACK_KEY, RELAY_APPID,
 * RELAY_CALLBACK_TIMEOUT_MS / _RETRY_MS / _RETRIES, RTMP_PORT (1935; "off" disables), ALLOWED_ORIGINS ("*" or a comma list).
 */
import Fastify from 'fastify';
import { relayPlugin } from './plugin.ts';
import { parseAllowedOrigins } from './cors.ts';

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

const port = intEnv('RELAY_PORT', 8080);
const host = process.env.RELAY_HOST ?? '127.0.0.1';
const rtmpEnv = process.env.RTMP_PORT;

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } });
await app.register(relayPlugin, {
  dataDir: process.env.DATA_DIR ?? './data',
  publicBaseUrl: process.env.RELAY_PUBLIC_URL || undefined,
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
  allowedOrigins: parseAllowedOrigins(process.env.ALLOWED_ORIGINS),
  callbackRetryBaseMs: process.env.RELAY_CALLBACK_RETRY_MS
    ? Number(process.env.RELAY_CALLBACK_RETRY_MS)
    : undefined,
});
const address = await app.listen({ port, host });
// One machine-readable line so a parent process (tests, scripts) can find the port when RELAY_PORT=0.
console.log(`relay listening on ${address}`);

let closing = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (closing) return;
    closing = true;
    void app.close().then(() => process.exit(0));
  });
}
