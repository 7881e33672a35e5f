// @web/dev-server plugin: runs the real callback receiver (server/receiver/main.ts) for browser tests, started on
// first use as a child process on an ephemeral loopback port, data in a fresh temp dir (removed at the end).
//   GET  /receiver-support          -> { url, key, deadUrl }   (deadUrl: a loopback port nothing listens on)
//   POST /receiver-support/notify   -> signs the JSON body (t = now + 600, sign = md5(key + t)), posts it to the
//                                receiver, answers { status, body }
//   GET  /receiver-support/media/{file} -> a recorded file to play (the ffmpeg-made fixtures of media-server.mjs)
//   POST /receiver-support/restart  -> stops the receiver, waits ?downMs= (default 0), starts it again on the same port
//                                and data directory; answers { url }
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ensureFixtures, mediaDir } from './media-server.mjs';
import { startServerProcess } from './server-process.mjs';

const KEY = 'browser-test-key';
let dataDir;
let child;
let url;
let deadUrl;
let starting;

async function start(port) {
  child = await startServerProcess({
    script: 'server/receiver/main.ts',
    name: 'receiver',
    env: {
      CALLBACK_KEY: KEY,
      RECEIVER_PORT: String(port),
      DATA_DIR: dataDir,
      ALLOWED_ORIGINS: '*',
      LOG_LEVEL: 'error',
    },
    stderr: 'inherit',
  });
  return child.url;
}

async function stop() {
  const proc = child;
  child = undefined;
  await proc?.stop();
}

function freeThenClosedPort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

function ensureStarted() {
  starting ??= (async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'receiver-browser-'));
    url = await start(0);
    deadUrl = await freeThenClosedPort();
  })();
  return starting;
}

const asJson = (body) => ({ body: JSON.stringify(body), type: 'json' });

export default {
  name: 'relay-receiver',
  // `serve` (not middleware added in serverStart, which runs after the dev server's own file middleware).
  async serve(ctx) {
    if (!ctx.path.startsWith('/receiver-support')) return undefined;
    if (ctx.path.startsWith('/receiver-support/media/')) {
      ensureFixtures();
      const name = basename(ctx.path);
      const type = { mp4: 'video/mp4', mp3: 'audio/mpeg', flv: 'video/x-flv' }[name.split('.').pop()];
      if (!type) return undefined;
      return { body: readFileSync(join(mediaDir, name)), type };
    }
    await ensureStarted();
    if (ctx.path === '/receiver-support' && ctx.method === 'GET') return asJson({ url, key: KEY, deadUrl });
    if (ctx.path === '/receiver-support/notify' && ctx.method === 'POST') {
      const body = JSON.parse(await readBody(ctx.req));
      const t = Math.floor(Date.now() / 1000) + 600;
      const sign = createHash('md5').update(`${KEY}${t}`).digest('hex');
      const res = await fetch(`${url}/callbacks/tencent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, t, sign }),
      });
      return asJson({ status: res.status, body: await res.json() });
    }
    if (ctx.path === '/receiver-support/restart' && ctx.method === 'POST') {
      const port = new URL(url).port;
      await stop();
      await new Promise((r) => setTimeout(r, Number(ctx.query.downMs ?? 0)));
      url = await start(Number(port));
      return asJson({ url });
    }
    return undefined;
  },
  async serverStop() {
    await starting?.catch(() => undefined); // a receiver still starting is stopped too
    await stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  },
};
