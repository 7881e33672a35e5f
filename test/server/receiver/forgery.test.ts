// Forged callbacks (issue 20, "Callbacks can be forged"), against the real receiver process: a captured (t, sign)
// carrying a new body, a callback without the relay's body signature where the relay is the only sender, and a web
// page posting a signed body with `no-cors` (text/plain, a form, no type) from a real Chromium.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import puppeteer, { type Browser } from 'puppeteer-core';
import { relaySignature } from '../../../server/receiver/relay-signature.ts';
import { chromiumArgs, chromiumPath } from '../../support/chromium.mjs';
import { rawRequest } from './raw-request.ts';
import {
  listRecordings,
  notificationCount,
  postCallback,
  recordingNotification,
} from './receiver-process.ts';
import { signed, startReceiver, suiteReceiver, type RunningReceiver } from './receiver-process.ts';

const KEY = 'forgery-test-key';
const PHISHING = 'https://phishing.example/login.mp4';

async function listed(r: RunningReceiver, streamId: string): Promise<string[]> {
  return (await listRecordings(r, `?streamId=${streamId}&limit=100`)).recordings.map((x) => x.url);
}

const post = (r: RunningReceiver, body: unknown, headers: Record<string, string>, localAddress?: string) =>
  rawRequest(`${r.url}/callbacks/tencent`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    localAddress,
  });

describe('a captured (t, sign) pair', () => {
  const r = suiteReceiver({ key: KEY });

  test('carries no new body from another address (409 SIGN_REUSED, nothing listed); the same body resent still passes', async () => {
    // What the cloud sent (from 127.0.0.1), seen by an eavesdropper who replays it from 127.0.0.2.
    const genuine = signed(KEY, recordingNotification('captured-1', { stream_id: 'captured' }));
    assert.equal((await postCallback(r.url, genuine)).status, 200);
    const before = await notificationCount(r.dataDir);
    const forged = { ...genuine, file_id: 'forged-1', record_file_id: 'forged-1', video_url: PHISHING };
    const json = { 'content-type': 'application/json' };
    const replay = await post(r, forged, json, '127.0.0.2');
    assert.deepEqual([replay.status, replay.code], [409, 'SIGN_REUSED'], replay.body);
    assert.equal(await notificationCount(r.dataDir), before);
    assert.deepEqual(await listed(r, 'captured'), [genuine.video_url]);
    // A retry of the very same body (from any address, keys in another order) is answered 200, stored once.
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(genuine).reverse()));
    assert.equal((await post(r, reordered, json, '127.0.0.2')).status, 200);
    assert.equal((await postCallback(r.url, genuine)).status, 200);
    assert.equal(await notificationCount(r.dataDir), before);
  });

  test("a relay-signed callback's pair, replayed without its X-Relay-Signature, carries no new body either", async () => {
    const genuine = signed(KEY, recordingNotification('relayed-1', { stream_id: 'relayed' }));
    const text = JSON.stringify(genuine);
    const json = { 'content-type': 'application/json' };
    const sig = relaySignature(KEY, String(genuine.t), text);
    assert.equal((await post(r, text, { ...json, 'x-relay-signature': sig })).status, 200);
    const forged = { ...genuine, file_id: 'forged-2', record_file_id: 'forged-2', video_url: PHISHING };
    const replay = await post(r, forged, json, '127.0.0.2');
    assert.deepEqual([replay.status, replay.code], [409, 'SIGN_REUSED'], replay.body);
    assert.deepEqual(await listed(r, 'relayed'), [genuine.video_url]);
  });

  test('several genuine callbacks of one second (one t, one sign) from the sender are all stored', async () => {
    const bodies = ['burst-1', 'burst-2', 'burst-3'].map((id) =>
      recordingNotification(id, { stream_id: 'burst', video_url: `https://vod.example/${id}.mp4` }),
    );
    const { t, sign } = signed(KEY, {});
    const results = await Promise.all(bodies.map((b) => postCallback(r.url, { ...b, t, sign })));
    assert.deepEqual(
      results.map((x) => x.status),
      [200, 200, 200],
    );
    assert.equal((await listed(r, 'burst')).length, 3);
  });
});

describe('a receiver for the local relay (RECEIVER_REQUIRE_RELAY_SIGNATURE=1)', () => {
  const r = suiteReceiver({ key: KEY, env: { RECEIVER_REQUIRE_RELAY_SIGNATURE: '1' } });

  test('refuses a validly signed callback without X-Relay-Signature (401 SIGN_MISSING); a relay-signed one is stored', async () => {
    const forged = signed(
      KEY,
      recordingNotification('unsigned-1', { stream_id: 'relay-only', video_url: PHISHING }),
    );
    const res = await postCallback(r.url, forged);
    assert.equal(res.status, 401);
    assert.equal((res.json as { error: { code: string } }).error.code, 'SIGN_MISSING');
    assert.deepEqual(await listed(r, 'relay-only'), []);

    const genuine = signed(KEY, recordingNotification('signed-1', { stream_id: 'relay-only' }));
    const text = JSON.stringify(genuine);
    const ok = await post(r, text, {
      'content-type': 'application/json',
      'x-relay-signature': relaySignature(KEY, String(genuine.t), text),
    });
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(await listed(r, 'relay-only'), [genuine.video_url]);
  });
});

describe('callbacks posted by web pages', () => {
  let r: RunningReceiver;
  let page: Server;
  let pageUrl: string;
  let browser: Browser;
  before(async () => {
    r = await startReceiver({ key: KEY, env: { ALLOWED_ORIGINS: 'http://site.example' } });
    // Any web page the receiver's user opens: another origin than the receiver's.
    page = createServer((_req, res) => res.setHeader('content-type', 'text/html').end('<title>page</title>'));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs() });
  });
  after(async () => {
    await browser?.close();
    page?.close();
    await r.stop();
  });

  test("a page's no-cors POST of a signed body (text/plain, a form type, no type) lists no fake recording", async () => {
    const tab = await browser.newPage();
    try {
      await tab.goto(pageUrl);
      const before = await notificationCount(r.dataDir);
      // The body is validly signed (as with a public default key): only the browser origin gives it away.
      const bodies = ['text/plain', 'application/x-www-form-urlencoded', ''].map((type, i) => ({
        type,
        text: JSON.stringify(
          signed(KEY, recordingNotification(`page-${i}`, { stream_id: 'from-page', video_url: PHISHING })),
        ),
      }));
      await tab.evaluate(
        async (url: string, posts: { type: string; text: string }[]) => {
          for (const p of posts) {
            await fetch(url, {
              method: 'POST',
              mode: 'no-cors',
              body: p.type ? p.text : new Blob([p.text]),
              headers: p.type ? { 'content-type': p.type } : {},
            });
          }
        },
        `${r.url}/callbacks/tencent`,
        bodies,
      );
      assert.deepEqual(await listed(r, 'from-page'), []);
      assert.equal(await notificationCount(r.dataDir), before);
    } finally {
      await tab.close();
    }
  });

  test('a foreign Origin is refused whatever the type (403); a listed one may not send CORS-simple types (415)', async () => {
    const before = await notificationCount(r.dataDir);
    const body = () =>
      signed(KEY, recordingNotification(`origin-${Math.random()}`, { stream_id: 'origins' }));
    for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x', '']) {
      const headers: Record<string, string> = { origin: 'http://evil.example' };
      if (type) headers['content-type'] = type;
      const res = await post(r, body(), headers);
      assert.deepEqual([res.status, res.code], [403, 'ORIGIN_NOT_ALLOWED'], type);
    }
    for (const type of [
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ]) {
      const headers: Record<string, string> = { origin: 'http://site.example' };
      if (type) headers['content-type'] = type;
      const res = await post(r, body(), headers);
      assert.deepEqual([res.status, res.code], [415, 'UNSUPPORTED_CONTENT_TYPE'], type);
    }
    assert.equal(await notificationCount(r.dataDir), before);
  });

  test("Tencent's documented bodies, sent server to server without a Content-Type, are all stored", async () => {
    const fixtures = JSON.parse(
      readFileSync(new URL('../relay/fixtures/tencent-callbacks.json', import.meta.url), 'utf8'),
    ) as { samples: { name: string; body: Record<string, unknown> }[] };
    const before = await notificationCount(r.dataDir);
    for (const { name, body } of fixtures.samples) {
      const fields = { ...body };
      delete fields.t;
      delete fields.sign;
      const res = await post(r, signed(KEY, fields), {});
      assert.equal(res.status, 200, `${name}: ${res.body}`);
    }
    assert.equal(await notificationCount(r.dataDir), before + fixtures.samples.length);
  });
});
