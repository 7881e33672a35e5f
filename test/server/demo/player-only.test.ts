/**
 * The player-only classic script (`dist/relay-player.js`): a page with just that script tag and HTML attributes
 * plays the `npm start` test stream, registers only `<relay-player>`, and fetches only the engine it needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDemo } from './support.ts';

const demo = useDemo({ DEMO_STREAM: '1' });

test('a page with only relay-player.js plays the live FLV relay, skipping RTMP, and loads no other engine', async () => {
  const page = await demo.chromium.browser.newPage();
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/dist/')) scripts.push(new URL(r.url()).pathname);
  });
  await page.goto(`${demo.server.base}/player-only.html`, { waitUntil: 'load' });
  // (page code as strings: the Node test's types have no DOM)
  await page
    .waitForFunction(
      `(() => { const v = document.getElementById('player')?.media; return !!v && v.videoWidth > 0 && v.currentTime > 1; })()`,
      { timeout: 60_000, polling: 250 },
    )
    .catch((err: unknown) => {
      throw new Error(
        `the player showed no moving frames within 60 s: ${String(err)}\n${demo.server.output()}`,
      );
    });
  const info = (await page.evaluate(`(() => {
    const el = document.getElementById('player');
    return {
      protocol: el.protocol,
      engine: el.engine,
      pushDefined: !!customElements.get('live-push-controls'),
      listDefined: !!customElements.get('recording-list'),
    };
  })()`)) as Record<string, unknown>;
  assert.deepEqual(info, { protocol: 'flv', engine: 'mpegts', pushDefined: false, listDefined: false });
  assert.ok(scripts.includes('/dist/relay-player.js'), scripts.join(', '));
  assert.ok(scripts.includes('/dist/relay-widgets-mpegts.js'), scripts.join(', '));
  assert.ok(!scripts.some((s) => /relay-widgets(-hls)?\.js$/.test(s)), `unexpected: ${scripts.join(', ')}`);
  await page.close();
});
