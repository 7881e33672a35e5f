/**
 * "A script tag on any page": origin A is a static host that sends NO CORS headers (as many CMS upload folders
 * and CDNs do) and serves dist/; origin B is the page, loading `relay-widgets.js` from A; origin C is the local
 * relay, allowing only B. FLV and HLS play (their engines come from A) and a local push starts (its session and
 * provider from A), and a missing file is reported by its URL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import type { Page } from 'puppeteer-core';
import { assertBuilt, launchChromium, root, type TestBrowser } from './support.ts';
import { startServerProcess, type ServerProcess } from '../../support/server-process.mjs';
import { push, type Pusher } from '../../../server/relay/test-source.ts';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return `http://127.0.0.1:${addr.port}`;
}

let hostA: Server;
let hostB: Server;
let a = '';
let b = '';
let relay: ServerProcess;
let dataDir = '';
let chromium: TestBrowser;
let pusher: Pusher | null = null;
let urls: { encode: string; url: string }[] = [];
const served: string[] = [];
let pageHtml = '';

before(async () => {
  assertBuilt();
  // Origin A: dist/ as plain files, no Access-Control-* header at all.
  hostA = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^\/+/,
      '',
    );
    served.push(path);
    const file = path === 'partial/relay-widgets.js' ? 'relay-widgets.js' : path;
    // a page's own copy of hls.js (its UMD build, which sets window.Hls)
    const full =
      path === 'vendor/hls.min.js'
        ? join(root, 'node_modules', 'hls.js', 'dist', 'hls.min.js')
        : join(root, 'dist', file);
    readFile(full).then(
      (body) => {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(body);
      },
      () => {
        res.writeHead(404);
        res.end('not found');
      },
    );
  });
  hostB = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(pageHtml);
  });
  a = await listen(hostA);
  b = await listen(hostB);
  dataDir = mkdtempSync(join(tmpdir(), 'relay-any-host-'));
  relay = await startServerProcess({
    script: 'server/relay/main.ts',
    name: 'relay',
    env: {
      RELAY_PORT: '0',
      RELAY_HOST: '127.0.0.1',
      RTMP_PORT: 'off',
      DATA_DIR: dataDir,
      ALLOWED_ORIGINS: b,
      LOG_LEVEL: 'warn',
    },
    ready: /relay listening on (http:\/\/\S+)/,
    killAfterMs: 5000,
  });
  const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const r = await fetch(relay.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await r.json()) as Record<string, unknown>;
    assert.ok(r.ok, `${path}: ${JSON.stringify(json)}`);
    return json;
  };
  const created = (await post('/api/streams', { streamId: 'anyhost' })) as { ingest: { url: string } };
  pusher = await push(created.ingest.url);
  urls = ((await post('/api/streams/anyhost/relay', { encode: 'flv' })) as { urls: typeof urls }).urls;
  chromium = await launchChromium();
});

after(async () => {
  await chromium?.close();
  await pusher?.stop().catch(() => undefined);
  await relay?.stop();
  hostA?.close();
  hostB?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function open(html: string): Promise<Page> {
  pageHtml = `<!doctype html><html lang="en"><body>${html}<script src="${a}/relay-widgets.js"></script></body></html>`;
  const page = await chromium.browser.newPage();
  await page.goto(`${b}/`, { waitUntil: 'load' });
  return page;
}

const playing = (id: string): string =>
  `(() => { const v = document.getElementById('${id}')?.media; return !!v && v.videoWidth > 0 && v.currentTime > 1; })()`;

test('a page on another origin plays FLV and HLS with engines from a host that sends no CORS headers', async () => {
  const flv = urls.find((u) => u.encode === 'flv')?.url;
  const hls = urls.find((u) => u.encode === 'hls')?.url;
  assert.ok(flv && hls, JSON.stringify(urls));
  const page = await open(
    `<relay-player id="flv" muted autoplay src="${flv}"></relay-player>
     <relay-player id="hls" muted autoplay src="${hls}"></relay-player>`,
  );
  for (const id of ['flv', 'hls']) {
    await page.waitForFunction(playing(id), { timeout: 90_000, polling: 250 }).catch(async (err: unknown) => {
      const state = await page.evaluate(
        `(() => { const p = document.getElementById('${id}'); return JSON.stringify({ state: p.state, error: p.error }); })()`,
      );
      throw new Error(`${id} did not play: ${String(err)} ${String(state)}\n${relay.output()}`);
    });
  }
  const engines = await page.evaluate(
    `[document.getElementById('flv').engine, document.getElementById('hls').engine]`,
  );
  assert.deepEqual(engines, ['mpegts', 'hls.js']);
  assert.ok(served.includes('relay-widgets-mpegts.js'), served.join(', '));
  // a plain live stream: hls.js's light build (with the engine adapter inside), never the full one
  assert.ok(served.includes('relay-widgets-hls-light.js'), served.join(', '));
  assert.ok(!served.includes('relay-widgets-hls.js'), served.join(', '));
  assert.ok(!served.includes('relay-widgets-hls-adapter.js'), served.join(', '));
  await page.close();
});

test('a page that loads hls.js its own way plays HLS with only the small engine adapter from the host', async () => {
  const hls = urls.find((u) => u.encode === 'hls')?.url;
  assert.ok(hls, JSON.stringify(urls));
  served.length = 0;
  pageHtml = `<!doctype html><html lang="en"><body>
    <script src="${a}/vendor/hls.min.js"></script>
    <script src="${a}/relay-widgets.js"></script>
    <script>RelayWidgets.setLazyModuleLoader('hls', () => Promise.resolve(window.Hls));</script>
    <relay-player id="own" muted autoplay src="${hls}"></relay-player></body></html>`;
  const page = await chromium.browser.newPage();
  await page.goto(`${b}/`, { waitUntil: 'load' });
  await page
    .waitForFunction(playing('own'), { timeout: 90_000, polling: 250 })
    .catch(async (err: unknown) => {
      const state = await page.evaluate(
        `(() => { const p = document.getElementById('own'); return JSON.stringify({ state: p.state, error: p.error }); })()`,
      );
      throw new Error(`the player did not play: ${String(err)} ${String(state)}\n${relay.output()}`);
    });
  assert.equal(await page.evaluate(`document.getElementById('own').engine`), 'hls.js');
  assert.ok(served.includes('relay-widgets-hls-adapter.js'), served.join(', '));
  assert.ok(!served.includes('relay-widgets-hls.js'), `hls.js was fetched twice: ${served.join(', ')}`);
  await page.close();
});

test('a local push starts from that page, its provider fetched from the no-CORS host, the relay allowing the page', async () => {
  const page = await open(
    `<live-push-controls id="push" provider="local" endpoint="${relay.url}" stream-id="anyhost-push"></live-push-controls>`,
  );
  await page.waitForFunction(`!!customElements.get('live-push-controls')`);
  const result = (await page.evaluate(`document.getElementById('push').start().then(
    (live) => ({ ok: true, state: document.getElementById('push').state, urls: live.playUrls ?? live.urls ?? null }),
    (err) => ({ ok: false, code: err.code, message: err.message }))`)) as Record<string, unknown>;
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(result.state, 'live');
  assert.ok(served.includes('relay-widgets-push-session.js'), served.join(', '));
  assert.ok(served.includes('relay-widgets-local-provider.js'), served.join(', '));
  await page.evaluate(`document.getElementById('push').stop()`);
  await page.close();
});

test('a lazy file missing on the host: the error names its URL and the likely causes', async () => {
  // /partial/ on host A has relay-widgets.js but none of the files it loads on demand.
  const flv = urls.find((u) => u.encode === 'flv')?.url;
  pageHtml = `<!doctype html><html lang="en"><body><relay-player id="p" muted autoplay src="${flv}"></relay-player>
    <script src="${a}/partial/relay-widgets.js"></script></body></html>`;
  const page = await chromium.browser.newPage();
  const error = page.evaluateOnNewDocument(`window.__firstError = new Promise((resolve) =>
    document.addEventListener('relay-player-error', (e) => resolve(e.detail), { once: true }))`);
  await error;
  await page.goto(`${b}/`, { waitUntil: 'load' });
  const detail = (await page.evaluate(`window.__firstError`)) as { code: string; message: string };
  assert.equal(detail.code, 'ENGINE_LOAD_FAILED');
  assert.match(detail.message, new RegExp(`${a}/partial/relay-widgets-mpegts\\.js`));
  assert.match(detail.message, /404/);
  await page.close();
});
