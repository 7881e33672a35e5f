/**
 * The script-tag build with provider="trtc" as a page author uses it: one `<script src=".../relay-widgets.js">`,
 * the element's attributes, a real click on Start. The classic loader fetches the provider, trtc-sdk-v5 and its
 * CDNStreaming plugin from the files next to the script (our rollup build of Tencent's ES module), and the real SDK
 * runs until it needs Tencent: its first request (the scheduler) is refused in the browser here — nothing leaves
 * 127.0.0.1 — and the element must say Tencent could not be reached, with the SDK's code. What this proves is
 * what the in-repo tests cannot: the shipped files load and run the SDK as built, in a plain page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDemo } from './support.ts';

const demo = useDemo();

test('a plain page pushes with provider="trtc" from the script tag: the real SDK loads and its unreachable scheduler is reported', async () => {
  const page = await demo.chromium.browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const scripts: string[] = [];
  const blocked: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/dist/')) scripts.push(url.pathname);
    if (url.protocol.startsWith('http') && url.hostname !== '127.0.0.1') {
      blocked.push(url.hostname);
      void r.abort('addressunreachable');
    } else void r.continue();
  });
  await page.goto(`${demo.server.base}/player-only.html`, { waitUntil: 'load' });
  await page.setContent(
    `<!doctype html><html lang="en"><body>
      <script src="/dist/relay-widgets.js"></script>
      <live-push-controls id="studio" provider="trtc" sdk-app-id="1400000001" user-id="alice"
        user-sig="sig-from-your-server" room-id="8" play-domain="play.example.com"></live-push-controls>
      <script>
        window.pushErrors = [];
        document.getElementById('studio').addEventListener('live-push-error', (e) => pushErrors.push(e.detail));
      </script>
    </body></html>`,
    { waitUntil: 'load' },
  );
  // (page code as strings: the Node test's types have no DOM)
  await page.waitForFunction(
    `(() => { const b = document.getElementById('studio')?.shadowRoot?.querySelector('[part="start-button"]'); return !!b && !b.disabled; })()`,
    { timeout: 60_000, polling: 250 },
  );
  const box = (await page.evaluate(`(() => {
    const button = document.getElementById('studio').shadowRoot.querySelector('[part="start-button"]');
    button.scrollIntoView({ block: 'center' });
    const b = button.getBoundingClientRect();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2, w: b.width, h: b.height };
  })()`)) as { x: number; y: number; w: number; h: number };
  assert.ok(box.w > 0 && box.h > 0, 'the Start button has a size');
  await page.mouse.click(box.x, box.y);
  await page
    .waitForFunction('window.pushErrors.length > 0', { timeout: 60_000, polling: 250 })
    .catch(async (err: unknown) => {
      const seen = await page.evaluate(
        `(() => { const el = document.getElementById('studio'); return { state: el.state, status: el.shadowRoot.querySelector('[part="status"]')?.textContent, message: el.shadowRoot.querySelector('[part="message"]')?.textContent }; })()`,
      );
      throw new Error(
        `no live-push-error within 60 s (${String(err)}); element: ${JSON.stringify(seen)}; scripts: ${scripts.join(', ')}`,
      );
    });
  const [error] = (await page.evaluate('window.pushErrors')) as {
    module: string;
    code: string;
    message: string;
  }[];
  assert.equal(error.module, 'trtc', JSON.stringify(error));
  assert.equal(error.code, 'BACKEND_UNREACHABLE', JSON.stringify(error));
  assert.match(error.message, /Tencent Cloud could not be reached/);
  assert.match(error.message, /TRTC 5\d\d\d/, "the SDK's own error code is in the message");
  const shown = (await page.evaluate(
    `document.getElementById('studio').shadowRoot.querySelector('[part="message"]')?.textContent ?? ''`,
  )) as string;
  assert.match(shown, /Tencent Cloud could not be reached/);
  for (const file of [
    '/dist/relay-widgets-trtc-provider.js',
    '/dist/relay-widgets-trtc-sdk-v5.js',
    '/dist/relay-widgets-trtc-cdn-streaming.js',
  ])
    assert.ok(scripts.includes(file), `${file} was not loaded: ${scripts.join(', ')}`);
  assert.ok(
    !scripts.includes('/dist/relay-widgets-trtc-js-sdk.js'),
    'the v4 SDK is not loaded for provider="trtc"',
  );
  assert.ok(blocked.length > 0, 'the SDK asked Tencent (refused here) before failing');
  // the preview keeps running: the push failed, the camera did not
  const state = await page.evaluate(`document.getElementById('studio').state`);
  assert.notEqual(state, 'live');
  await page.close();
});
