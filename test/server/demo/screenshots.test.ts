/**
 * Screenshots of each demo view (Studio, Viewer, Embed) at desktop (1280x800) and phone (390x844) widths, in
 * English and Simplified Chinese, against the real `npm start` server with its always-on test stream. Every run
 * writes them to `.tmp/demo-artifacts/` (or `DEMO_ARTIFACTS_DIR`) and checks what a person would notice: the view
 * rendered (the image is not blank, its widgets have a size), nothing is wider than the window (no sideways
 * scrolling on a phone), and the live parts work (the Viewer plays the test stream, each Embed snippet runs).
 *
 * No reference images are compared: the views show live video, clocks and the machine's fonts, so pixels differ
 * from run to run and from machine to machine; the images are artifacts to look at.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { ensureArtifactsDir, newDemoTab, useDemo, waitForWidgets, waitInPage } from './support.ts';

const widths = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const views = ['studio', 'viewer', 'embed'] as const;
const langs = ['en', 'zh-CN'] as const;

// The test stream is on, as after `npm start`, so the Viewer and the Embed snippets have something to play.
const demo = useDemo({ DEMO_STREAM: '1' });
let page: Page;

/** Share of pixels (grey, downscaled by ffmpeg) that differ from the most common shade: 0 = a blank image. */
function inkRatio(png: string): number {
  const r = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', png, '-vf', 'scale=320:-1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  assert.equal(r.status, 0, `ffmpeg could not decode ${png}: ${r.stderr?.toString()}`);
  const pixels = r.stdout;
  const hist = new Array<number>(256).fill(0);
  for (const p of pixels) hist[p] += 1;
  const background = hist.indexOf(Math.max(...hist));
  let ink = 0;
  for (const p of pixels) if (Math.abs(p - background) > 24) ink += 1;
  return ink / pixels.length;
}

async function widgetBoxes(): Promise<
  { tag: string; id: string; width: number; height: number; right: number }[]
> {
  return page.evaluate(`[...document.querySelectorAll('main live-push-controls, main relay-player, main recording-list')]
    .filter((el) => !el.closest('[hidden]'))
    .map((el) => { const r = el.getBoundingClientRect();
      return { tag: el.localName, id: el.id, width: r.width, height: r.height, right: r.right }; })`) as Promise<
    { tag: string; id: string; width: number; height: number; right: number }[]
  >;
}

/** View-specific readiness: what a person waits for before the view "works". */
async function waitForView(view: (typeof views)[number]): Promise<void> {
  if (view === 'studio') {
    await waitInPage(
      page,
      'the recording list to have loaded',
      `(() => { const s = document.getElementById('studio-recordings')?.shadowRoot?.querySelector('[part="status"]');
        return !!s && s.textContent.trim() !== '' && document.getElementById('studio-recordings').shadowRoot
          .querySelector('[part="base"]').getAttribute('aria-busy') === 'false'; })()` as never,
      30_000,
    );
  } else if (view === 'viewer') {
    await waitInPage(
      page,
      'the Viewer to play the test stream',
      `(() => { const v = demoTest.video('viewer-player'); return !!v && v.videoWidth > 0 && v.currentTime > 0.5; })()` as never,
      60_000,
    );
    await waitInPage(
      page,
      'the Viewer stats to show the protocol',
      // the relay serves the test stream over WHEP too, which the player tries first (real time)
      `document.querySelector('#viewer-stats [data-stat="protocol"]').textContent.trim() === 'webrtc'` as never,
      10_000,
    );
  } else {
    const count = (await page.evaluate("document.querySelectorAll('#snippets iframe').length")) as number;
    assert.equal(count, 3, 'three live snippets');
    for (let i = 0; i < count; i++) {
      await page.evaluate(`document.querySelectorAll('#snippets iframe')[${i}].scrollIntoView()`);
      await waitInPage(
        page,
        `Embed snippet ${i + 1} to run`,
        `(() => { const d = document.querySelectorAll('#snippets iframe')[${i}].contentDocument;
          const w = d && d.defaultView; const el = d && d.querySelector('relay-player');
          return !!w && !!w.customElements.get('relay-player') && !!el && !!el.shadowRoot; })()` as never,
        30_000,
      );
    }
    // The two snippets that play the test stream show it.
    for (const i of [0, 1]) {
      await waitInPage(
        page,
        `Embed snippet ${i + 1} to play`,
        `(() => { const d = document.querySelectorAll('#snippets iframe')[${i}].contentDocument;
          const v = d.querySelector('relay-player').media; return !!v && v.videoWidth > 0 && v.currentTime > 0; })()` as never,
        60_000,
      );
    }
    // Nothing of a snippet is cut off: each frame grows to what it shows (the CMS one is a form, two players, a list).
    await waitInPage(
      page,
      'every Embed frame to be as tall as its snippet',
      `[...document.querySelectorAll('#snippets iframe')].every((f) => {
        const d = f.contentDocument; return !!d && f.clientHeight >= d.documentElement.scrollHeight; })` as never,
      10_000,
    );
    await page.evaluate('window.scrollTo(0, 0)');
  }
}

describe('demo views render and fit', () => {
  for (const size of widths) {
    for (const view of views) {
      for (const lang of langs) {
        test(`${view} at ${size.name} width (${size.width}px), ${lang}`, async (t) => {
          const started = Date.now();
          // A fresh tab per shot, as a person opening the link (same-tab navigations between live pages stall
          // headless Chromium's connection pool).
          page = await newDemoTab(demo.chromium, size.width, size.height);
          t.after(() => page.close());
          await page.goto(`${demo.server.base}/#${view}`, { waitUntil: 'load', timeout: 60_000 });
          await waitForWidgets(page);
          await page.select('#lang', lang); // as a person would, with the page's language picker
          assert.equal(await page.evaluate('document.documentElement.lang'), lang);
          assert.equal(
            await page.evaluate(`document.getElementById('view-${view}').hidden`),
            false,
            `the ${view} view is shown`,
          );
          await waitForView(view);
          // Let fonts and late layout settle before measuring.
          await page.evaluate(
            'document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => r())))',
          );

          const file = join(ensureArtifactsDir(), `${view}-${size.name}-${lang}.png`);
          await page.screenshot({ path: file as `${string}.png`, fullPage: true });
          const ink = inkRatio(file);
          assert.ok(ink > 0.03, `the screenshot is not blank (${(ink * 100).toFixed(1)} % ink): ${file}`);

          const { scrollWidth, innerWidth } = (await page.evaluate('demoTest.overflow()')) as {
            scrollWidth: number;
            innerWidth: number;
          };
          assert.ok(
            scrollWidth <= innerWidth,
            `no sideways scrolling: the page is ${scrollWidth}px wide in a ${innerWidth}px window (${file})`,
          );
          const boxes = await widgetBoxes();
          if (view !== 'embed') assert.ok(boxes.length > 0, 'the view shows widgets');
          for (const b of boxes) {
            // An empty recording list is one line of text; the others are boxes.
            const minHeight = b.tag === 'recording-list' ? 10 : 100;
            assert.ok(
              b.width > 200 && b.height > minHeight,
              `${b.tag}#${b.id} has a size (${b.width}x${b.height})`,
            );
            assert.ok(
              b.right <= innerWidth + 0.5,
              `${b.tag}#${b.id} ends at ${b.right}px, inside ${innerWidth}px`,
            );
          }
          t.diagnostic(`${file} (${(ink * 100).toFixed(1)} % ink, ${Date.now() - started} ms)`);
        });
      }
    }
  }
});
