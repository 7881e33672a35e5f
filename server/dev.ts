/**
 * `npm start`: the local relay, the callback receiver and the demo page on one origin, plus an always-on test
 * stream (`demo`) so the Viewer has something to play within seconds. Environment:
 * PORT (8080), HOST (127.0.0.1), DATA_DIR (./data), CALLBACK_KEY (a local demo key), RTMP_PORT (1935, "off"),
 * DEMO_STREAM ("0" disables the test stream).
 */
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relayPlugin } from './relay/plugin.ts';
import { receiverPlugin } from './receiver/plugin.ts';
import { push, type Pusher } from './relay/test-source.ts';
import { devSecurity } from './relay/dev-credentials.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const port = Number(process.env.PORT ?? process.env.RELAY_PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = process.env.DATA_DIR ?? './data';
const key = process.env.CALLBACK_KEY ?? 'local-demo-callback-key';
const rtmpEnv = process.env.RTMP_PORT;

if (!existsSync(`${root}dist/relay-widgets.js`)) {
  console.error('dist/relay-widgets.js is missing: run `npm run build` (npm start does it for you).');
  process.exit(1);
}

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' } });
// Push auth and play anti-leech on, with keys made now; the demo page asks POST /api/credentials (same origin only).
const security = devSecurity();
// The relay calls back into the receiver mounted on this same server, as the cloud would call a site's backend.
await app.register(relayPlugin, {
  dataDir,
  callbackUrl: process.env.RELAY_CALLBACK_URL ?? `http://127.0.0.1:${port}/callbacks/tencent`,
  callbackKey: key,
  rtmpPort: rtmpEnv === 'off' ? null : Number(rtmpEnv ?? 1935),
  pushKey: security.pushKey,
  playKey: security.playKey,
});
await app.register(security.plugin);
await app.register(receiverPlugin, { dataDir, callbackKey: key, allowedOrigins: '*' });
await app.register(fastifyStatic, { root: `${root}demo`, prefix: '/', index: 'index.html' });
await app.register(fastifyStatic, { root: `${root}dist`, prefix: '/dist/', decorateReply: false });
// Only for the Embed view's import-map snippet: lit's own ES modules, read-only.
for (const pkg of ['lit', 'lit-html', 'lit-element', '@lit/reactive-element']) {
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

const address = await app.listen({ port, host });

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
  void pusher.closed.then(() => {
    demo = null;
  });
}

if (process.env.DEMO_STREAM !== '0') {
  await startTestStream().catch((err: unknown) => console.error(`test stream not started: ${String(err)}`));
}

console.log(`\n  Relay widgets demo: ${address}/`);
console.log(`  CMS embed page:     ${address}/cms-embed.html`);
console.log(`  Player-only page:   ${address}/player-only.html`);
console.log(
  `  Test stream:        ${(demo as { urls: { url?: string }[] } | null)?.urls[0]?.url ?? 'off'}\n`,
);

let closing = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (closing) return;
    closing = true;
    void (pusher?.stop() ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => app.close())
      .then(() => process.exit(0));
  });
}
