/**
 * Every demo page switches language: after picking 简体中文 in its language switch, the page's own text and the
 * widgets' labels (inside their shadow roots) contain no English words. Screenshots go to the artifacts folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ensureArtifactsDir, useDemo } from './support.ts';

const demo = useDemo({ DEMO_STREAM: '1' });

// All visible text of the page, shadow roots included, minus the language names in the switch itself.
const visibleText = `(() => {
  const out = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      // the language names in the switch, and select options (device names from the OS, protocol codes)
      // and code snippets (code stays code)
      if (el.closest('select#lang') || el.localName === 'option' || el.closest('pre')) continue;
      if (el.shadowRoot) walk(el.shadowRoot);
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden' || el.closest('[hidden]')) continue;
      for (const n of el.childNodes) if (n.nodeType === 3 && n.textContent.trim()) out.push(n.textContent.trim());
      for (const a of ['aria-label', 'title', 'placeholder']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  };
  walk(document);
  return out;
})()`;

for (const path of ['/', '/#viewer', '/#embed', '/cms-embed.html', '/player-only.html']) {
  test(`${path} in 简体中文 shows no English UI text`, async () => {
    const page = await demo.chromium.browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`${demo.server.base}${path}`, { waitUntil: 'load' });
    await page.waitForSelector('#lang');
    await page.select('#lang', 'zh-CN');
    await new Promise((r) => setTimeout(r, 3000)); // widgets re-render, the player starts
    const texts = (await page.evaluate(visibleText)) as string[];
    // Technical tokens stay as they are in Chinese UIs too: URLs, protocol names, codes, units, code snippets.
    const english = texts
      .filter((s) => !/^(https?|rtmp|wss?):\/\//.test(s))
      .flatMap((s) => s.match(/\b[A-Za-z]{4,}\b/g) ?? [])
      .filter(
        (w) => !/^(FLV|HLS|WebRTC|WHEP|RTMP|TRTC|Relay|CMS|import|script|https?|kbit|demo|live|HTML)$/i.test(w),
      );
    const file = join(ensureArtifactsDir(), `page${path.replace(/[/#.]/g, '-')}-zh-CN.png`);
    await page.screenshot({ path: file, fullPage: true });
    await page.close();
    assert.deepEqual(english, [], `English words on ${path} in zh-CN (see ${file})`);
  });
}

test("the Viewer's form plays the pasted URL, although the page had set the test stream's sources", async () => {
  const page = await demo.chromium.browser.newPage();
  await page.goto(`${demo.server.base}/#viewer`, { waitUntil: 'load' });
  await page.waitForFunction(`document.getElementById('viewer-player').sources?.length > 0`, {
    timeout: 30_000,
  });
  const hls = `${demo.server.base}/live/demo.m3u8`;
  await page.$eval('#viewer-url', (el, v) => ((el as unknown as { value: string }).value = v as string), hls);
  await page.click('#viewer-form button[type="submit"]');
  await page.waitForFunction(
    `(() => { const p = document.getElementById('viewer-player'); const v = p.media;
      return p.protocol === 'hls' && !!v && v.videoWidth > 0 && v.currentTime > 0.5; })()`,
    { timeout: 60_000, polling: 250 },
  );
  await page.close();
});
