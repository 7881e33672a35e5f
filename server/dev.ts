/**
 * `npm start` (after scripts/start.mjs built what changed): the local relay, the callback receiver and the demo
 * pages on one origin, plus an always-on test stream (`demo`) so the Viewer has something to play within seconds.
 * Prints one short line per push, relay, recording and callback delivery. Environment:
 * PORT (8080), HOST (127.0.0.1), DATA_DIR (./data), CALLBACK_KEY (made at random on each start), RTMP_PORT (1935, "off"),
 * RELAY_PLAY_KEY (play anti-leech; off by default here), ALLOWED_ORIGINS (other origins allowed to use the relay and receiver; none by default),
 * DEMO_STREAM ("0" disables the test stream), LOG_LEVEL (fastify's full log at that level instead of short lines),
 * TRTC_SDK_APP_ID + TRTC_SECRET_KEY (UserSigs at /api/trtc/usersig for the demo's own pages).
 */
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { relayPlugin } from './relay/plugin.ts';
import { receiverPlugin } from './receiver/plugin.ts';
import { push, type Pusher } from './relay/test-source.ts';
import { devAuthorizeUserSig, devSecurity } from './dev-credentials.ts';
import { describeCallback, firstFreePort } from './dev-log.ts';
import { parseAllowedOrigins } from './relay/http/cors.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const port = Number(process.env.PORT ?? process.env.RELAY_PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = process.env.DATA_DIR ?? './data';
// The relay signs its callbacks with this key and the receiver checks them: a fresh one per start, never a public one.
const key = process.env.CALLBACK_KEY || randomBytes(32).toString('hex');
const rtmpEnv = process.env.RTMP_PORT;

if (!existsSync(`${root}dist/relay-widgets.js`)) {
  console.error('dist/relay-widgets.js is missing: run `npm run build` (npm start does it for you).');
  process.exit(1);
}

const time = (): string => new Date().toTimeString().slice(0, 8);
const say = (msg: string): void => console.log(`  ${time()} ${msg}`);

/** Short lines instead of fastify's JSON log: the relay's `[relay] …` events, plus every warning and error. */
const shortLog = {
  write(line: string): void {
    let rec: { level?: number; msg?: string; err?: { message?: string } };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      return;
    }
    const msg = rec.msg ?? rec.err?.message ?? '';
    if ((rec.level ?? 0) >= 40)
      say(`${(rec.level ?? 0) >= 50 ? 'error' : 'warning'}: ${msg.replace(/^\[relay\] /, '')}`);
    else if (msg.startsWith('[relay] ')) say(msg.slice(8));
  },
};

function portFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(p, host, () => srv.close(() => resolve(true)));
  });
}

let rtmpPort: number | null = rtmpEnv === 'off' ? null : Number(rtmpEnv ?? 1935);
if (rtmpPort !== null && !(await portFree(rtmpPort))) {
  console.log(
    `  RTMP port ${rtmpPort} is in use: RTMP is off (set RTMP_PORT=… for another port, or RTMP_PORT=off)`,
  );
  rtmpPort = null;
}

// Push auth and play anti-leech on, with keys made now; the demo pages and the README's snippets ask
// POST /api/credentials (pages on loopback origins only; a deployment mints credentials in its own backend).
const loopbackHost = ['127.0.0.1', 'localhost', '::1'].includes(host);
const security = devSecurity(
  loopbackHost ? null : `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
);
// Pages of other origins that may use the relay and the receiver (e.g. a CMS page): none unless listed.
const allowedOrigins = parseAllowedOrigins(process.env.ALLOWED_ORIGINS);

const app = Fastify({
  logger: process.env.LOG_LEVEL ? { level: process.env.LOG_LEVEL } : { level: 'info', stream: shortLog },
});

// One line per callback the receiver gets (what a site's backend would see), with the answer it gave:
// `event 100 mp4 (stream s1) → 200`.
app.addHook('onResponse', async (req, reply) => {
  if (req.method !== 'POST' || !req.url.startsWith('/callbacks/')) return;
  say(`${describeCallback(req.body)} → ${reply.statusCode}`);
});

// The relay calls back into the receiver mounted on this same server, as the cloud would call a site's backend.
await app.register(relayPlugin, {
  dataDir,
  callbackUrl: process.env.RELAY_CALLBACK_URL ?? `http://127.0.0.1:${port}/callbacks/tencent`,
  callbackKey: key,
  rtmpPort,
  pushKey: security.pushKey,
  playKey: security.playKey,
  allowedOrigins,
});
await app.register(security.plugin);
// Its callbacks come from the relay above, which signs every body (X-Relay-Signature): nothing unsigned is taken.
// With TRTC_SDK_APP_ID + TRTC_SECRET_KEY it also issues UserSigs, to the demo's own (loopback) pages only.
const trtcAppId = Number(process.env.TRTC_SDK_APP_ID);
const trtc =
  trtcAppId > 0 && process.env.TRTC_SECRET_KEY
    ? { sdkAppId: trtcAppId, secretKey: process.env.TRTC_SECRET_KEY }
    : undefined;
const ownOrigins = ['127.0.0.1', 'localhost', '[::1]'].map((h) => `http://${h}:${port}`);
await app.register(receiverPlugin, {
  dataDir,
  callbackKey: key,
  allowedOrigins: trtc && allowedOrigins !== '*' ? [...allowedOrigins, ...ownOrigins] : allowedOrigins,
  requireRelaySignature: true,
  trtc,
  authorizeUserSig: trtc ? devAuthorizeUserSig : undefined,
});
await app.register(fastifyStatic, { root: `${root}demo`, prefix: '/', index: 'index.html' });
// dist/ with CORS, so that even an `import()` from another origin works (the classic scripts need none).
await app.register(fastifyStatic, {
  root: `${root}dist`,
  prefix: '/dist/',
  decorateReply: false,
  setHeaders: (res) => res.setHeader('access-control-allow-origin', '*'),
});
// Only for the Embed view's import-map snippet: lit's and the engines' own ES modules, read-only.
for (const pkg of ['lit', 'lit-html', 'lit-element', '@lit/reactive-element', 'hls.js', 'mpegts.js']) {
  await app.register(fastifyStatic, {
    root: `${root}node_modules/${pkg}`,
    prefix: `/node_modules/${pkg}/`,
    decorateReply: false,
  });
}

let demo: { streamId: string; urls: unknown[] } | null = null;
let pusher: Pusher | null = null;
app.get('/api/demo', async (_req, reply) =>
  demo
    ? demo
    : reply.code(404).send({ error: { module: 'demo', code: 'NO_DEMO_STREAM', message: 'No test stream' } }),
);

let address: string;
try {
  address = await app.listen({ port, host });
} catch (err) {
  if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    const free = await firstFreePort(port + 1, portFree);
    console.error(
      `  port ${port} is in use: set PORT=…${free === null ? '' : ` (e.g. PORT=${free} npm start; ${free} is free now)`}`,
    );
    await app.close().catch(() => undefined);
    process.exit(1);
  }
  throw err;
}

async function startTestStream(): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const r = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await r.json()) as Record<string, unknown>;
    if (!r.ok) throw new Error(`${path}: ${JSON.stringify(json)}`);
    return json;
  };
  const auth = security.serverQuery('demo');
  const created = (await post(`/api/streams${auth}`, { streamId: 'demo' })) as { ingest: { url: string } };
  pusher = await push(`${created.ingest.url}&${auth.slice(1)}`);
  const relay = (await post(`/api/streams/demo/relay${auth}`, { encode: 'flv' })) as { urls: unknown[] };
  demo = { streamId: 'demo', urls: relay.urls };
  say(`test stream live: ${address}/live/demo.flv`);
  void pusher.closed.then(() => {
    demo = null;
  });
}

console.log(`\n  Relay widgets demo: ${address}/`);
console.log(`  CMS embed page:     ${address}/cms-embed.html`);
console.log(`  Player-only page:   ${address}/player-only.html`);
console.log(
  `  RTMP:               ${rtmpPort === null ? 'off' : `rtmp://${host}:${rtmpPort}/live/{stream}`}`,
);
console.log(`  Test stream:        ${process.env.DEMO_STREAM === '0' ? 'off' : 'starting…'}\n`);

if (process.env.DEMO_STREAM !== '0') {
  void startTestStream().catch((err: unknown) => say(`test stream not started: ${String(err)}`));
}

let closing = false;
/** Stops the test stream's ffmpeg, then the relay (its ffmpegs, recordings finalised) and the receiver. */
function shutdown(): void {
  if (closing) return;
  closing = true;
  void (pusher?.stop() ?? Promise.resolve())
    .catch(() => undefined)
    .then(() => app.close())
    .then(() => process.exit(0));
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, shutdown);
// Started by scripts/start.mjs (npm start): when that process goes, even by SIGKILL, this one goes too.
const parent = process.ppid;
if (process.env.RELAY_DEV_WATCH_PARENT === '1')
  setInterval(() => {
    if (process.ppid !== parent) shutdown();
  }, 500).unref();
