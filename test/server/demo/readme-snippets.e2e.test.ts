/**
 * The README's "Paste into a page" snippet, as written (only the script URL and the server's address changed to
 * this run's), on a page of a third origin — another port, as a developer's own site would be — against what
 * `npm start` runs (`server/dev.ts`, a random port). With that origin in `ALLOWED_ORIGINS`: Start (a real pointer
 * press) pushes through the snippet's `credential-endpoint`, the player that follows the push plays it, Stop,
 * the recordings arrive in the list and one plays. With the origin not listed: the push and the list say
 * `ORIGIN_NOT_ALLOWED`, naming the page's origin and `ALLOWED_ORIGINS`, rather than "cannot be reached".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import {
  assertBuilt,
  ensureArtifactsDir,
  firstEvent,
  launchChromium,
  newDemoTab,
  root,
  startDemoServer,
  startPush,
  stopPush,
  waitForWidgets,
  waitInPage,
  type DemoServer,
  type TestBrowser,
} from './support.ts';

/** The first ```html block after `heading` in README.md, as written. */
function readmeSnippet(heading: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const from = readme.indexOf(`\n${heading}\n`);
  assert.ok(from >= 0, `README has "${heading}"`);
  const m = /```html\n([\s\S]*?)```/.exec(readme.slice(from));
  assert.ok(m, `an html block under "${heading}"`);
  return m[1];
}

const snippet = readmeSnippet('## Paste into a page');
let allowed: { server: Server; origin: string };
let blocked: { server: Server; origin: string };
let demo: DemoServer;
let chromium: TestBrowser;

// The demo server needs the allowed page's origin at start, and the page needs the server's address: page servers
// (127.0.0.1, a port of their own) whose answer is filled in once both are known.
let pageHtml: Record<string, string> = {};
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const page = pageHtml[String((server.address() as AddressInfo).port)];
    if (req.url === '/' && page) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
before(async () => {
  assertBuilt();
  allowed = await pageServer();
  blocked = await pageServer();
  demo = await startDemoServer({ ALLOWED_ORIGINS: allowed.origin, DEMO_STREAM: '0' });
  const body = snippet
    .replace('https://cdn.example/relay-widgets/relay-widgets.js', `${demo.base}/dist/relay-widgets.js`)
    .replaceAll('http://127.0.0.1:8080', demo.base);
  assert.notEqual(body, snippet, 'the snippet names the CDN script and the relay');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>My page</title></head><body>${body}</body></html>`;
  pageHtml = {
    [new URL(allowed.origin).port]: html,
    [new URL(blocked.origin).port]: html,
  };
  chromium = await launchChromium();
});
after(async () => {
  await chromium?.close();
  await demo?.stop();
  allowed?.server.close();
  blocked?.server.close();
});

async function open(origin: string, width: number): Promise<Page> {
  const page = await newDemoTab(chromium, width);
  await page.goto(`${origin}/`, { waitUntil: 'load' });
  await waitForWidgets(page);
  return page;
}

const shadowText = (page: Page, selector: string, part: string): Promise<string> =>
  page.evaluate(
    `(document.querySelector(${JSON.stringify(selector)})?.shadowRoot?.querySelector('[part~="${part}"]')?.textContent ?? '').replace(/\\s+/g, ' ').trim()`,
  ) as Promise<string>;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: join(ensureArtifactsDir(), `${name}.png`) as `${string}.png`,
    fullPage: true,
  });
}

test('the README snippet on a page of another (listed) origin pushes, plays the push, lists and plays a recording', async () => {
  const page = await open(allowed.origin, 1280);
  try {
    const started = await startPush(page);
    // the <relay-player for="studio"> plays the relayed stream
    await waitInPage(
      page,
      'the player that follows the push to show frames',
      "(() => { const v = document.querySelector('relay-player[for=studio]').shadowRoot.querySelector('video'); return v.videoWidth > 0 && v.currentTime > 1; })()" as never,
      60_000,
    );
    await shot(page, 'readme-snippet-live-1280');
    await new Promise((r) => setTimeout(r, 2000));
    await stopPush(page);

    // the recordings of record id 123456 arrive in the list, and a real press on one plays it in #viewer
    const chip = `(() => [...document.querySelector('recording-list').shadowRoot.querySelectorAll('[part~="take"][data-stream=${JSON.stringify(started.streamId)}] [part~="select"]')])()`;
    await waitInPage(page, 'the push’s recordings in the list', `${chip}.length >= 2` as never, 90_000);
    const box = await page.evaluate(
      `(() => { const b = ${chip}[0]; b.scrollIntoView({ block: 'center' }); const r = b.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`,
    );
    const { x, y } = box as { x: number; y: number };
    await page.mouse.click(x, y);
    // the snippet's #viewer has no autoplay: the selected recording waits for a press on Play
    await waitInPage(
      page,
      'the Play button of #viewer',
      "!!document.getElementById('viewer').shadowRoot.querySelector('[part=\"play-button\"]')" as never,
      30_000,
    );
    const play = (await page.evaluate(
      `(() => { const r = document.getElementById('viewer').shadowRoot.querySelector('[part="play-button"]').getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`,
    )) as { x: number; y: number };
    await page.mouse.click(play.x, play.y);
    await waitInPage(
      page,
      'the selected recording to play in #viewer',
      "(() => { const v = document.getElementById('viewer').shadowRoot.querySelector('video'); return v.videoWidth > 0 && v.currentTime > 0.5; })()" as never,
      60_000,
    );
    // no error but the player's note that the broadcast ended when Stop was pressed
    const errors = (await page.evaluate(
      "demoTest.log.filter((e) => /error/.test(e.name) && e.detail.code !== 'STREAM_ENDED')",
    )) as unknown[];
    assert.deepEqual(errors, []);
    await shot(page, 'readme-snippet-recording-1280');
    assert.match(demo.output(), new RegExp(`event 100 (mp4|hls) \\(stream ${started.streamId}\\) → 200`));
  } catch (err) {
    await shot(page, 'readme-snippet-failure');
    throw new Error(
      `${String(err)}\nevents: ${JSON.stringify(await page.evaluate('demoTest.log').catch(() => null))}\n${demo.output()}`,
      {
        cause: err,
      },
    );
  } finally {
    await page.close();
  }
});

/**
 * Waits for the widget's `event`, checks it says ORIGIN_NOT_ALLOWED and that the widget's `part` names the blocked
 * page's origin and ALLOWED_ORIGINS; returns that text.
 */
async function shownNotAllowed(
  page: Page,
  event: string,
  what: string,
  timeout: number,
  selector: string,
  part: string,
): Promise<string> {
  const error = await firstEvent<{ code: string }>(page, event, what, timeout);
  assert.equal(error.code, 'ORIGIN_NOT_ALLOWED');
  const shown = await shadowText(page, selector, part);
  assert.match(shown, new RegExp(`${blocked.origin}.*ALLOWED_ORIGINS`));
  return shown;
}

for (const width of [390, 1280]) {
  test(`the README snippet on an origin not in ALLOWED_ORIGINS says ORIGIN_NOT_ALLOWED, naming it (${width} px)`, async () => {
    const page = await open(blocked.origin, width);
    try {
      // the list finds out on its own
      await shownNotAllowed(page, 'recording-error', 'the list to fail', 30_000, 'recording-list', 'status');

      await page.locator('::-p-aria([name="Start"][role="button"])').click();
      const shown = await shownNotAllowed(
        page,
        'live-push-error',
        'the push to fail',
        60_000,
        'live-push-controls',
        'message',
      );
      assert.doesNotMatch(shown, /cannot be reached/);
      await shot(page, `readme-snippet-blocked-${width}`);
    } finally {
      await page.close();
    }
  });
}

test('the CMS page the demo serves pushes as written (its credential-endpoint), then stops', async () => {
  const page = await open(demo.base, 390);
  try {
    await page.goto(`${demo.base}/cms-embed.html`, { waitUntil: 'load' });
    await startPush(page);
    assert.deepEqual(await page.evaluate("demoTest.events('live-push-error')"), []);
    await stopPush(page);
  } finally {
    await page.close();
  }
});
