/**
 * Test helpers for the demo: `server/dev.ts` (what `npm start` runs) as a child process on a free loopback port
 * with a fresh data directory, and Debian's Chromium driven by puppeteer-core with a fake camera and microphone.
 */
import { after, before } from 'node:test';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../../support/chromium.mjs';
import { startServerProcess } from '../../support/server-process.mjs';

export const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Where every run leaves its screenshots (gitignored). `DEMO_ARTIFACTS_DIR` overrides it. */
export const artifactsDir = process.env.DEMO_ARTIFACTS_DIR ?? join(root, '.tmp', 'demo-artifacts');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

/** Fails with a clear message when the classic bundle the demo loads is missing or older than `src/`. */
export function assertBuilt(): void {
  const bundle = join(root, 'dist', 'relay-widgets.js');
  if (!existsSync(bundle)) {
    throw new Error('dist/relay-widgets.js is missing: run `npm run build` before the demo tests.');
  }
  if (statSync(bundle).mtimeMs + 1000 < newestMtime(join(root, 'src'))) {
    throw new Error('dist/relay-widgets.js is older than src/: run `npm run build` before the demo tests.');
  }
}

/** A port free on 127.0.0.1 right now (for a child process that must be told its port). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface DemoServer {
  /** `http://127.0.0.1:{port}` */
  base: string;
  dataDir: string;
  /** Everything the server printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `server/dev.ts` exactly as `npm start` does after its build step, minus RTMP and the test stream. */
export async function startDemoServer(env: Record<string, string> = {}): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-demo-'));
  const port = await freePort();
  const server = await startServerProcess({
    script: 'server/dev.ts',
    cwd: root,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      RTMP_PORT: 'off',
      DEMO_STREAM: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    // With the test stream on, ready once it is live (npm start prints its URLs before that).
    ready: env.DEMO_STREAM === '1' ? /test stream live/ : /Relay widgets demo: http/,
    timeoutMs: 60_000,
    killAfterMs: 10_000,
  }).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    base: `http://127.0.0.1:${port}`,
    dataDir,
    output: () => server.output(),
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, fresh profile, fake camera/microphone granted without a prompt. */
export async function launchChromium(): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'relay-demo-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    userDataDir,
    protocolTimeout: 120_000,
    args: chromiumArgs(['--lang=en-US']),
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` in the page until it returns a truthy value; the error names what was awaited. */
export async function waitInPage<T>(page: Page, what: string, fn: () => T, timeout = 60_000): Promise<void> {
  try {
    await page.waitForFunction(fn, { timeout, polling: 250 });
  } catch (err) {
    throw new Error(`timed out after ${timeout} ms waiting for ${what}: ${String(err)}`);
  }
}

export function ensureArtifactsDir(): string {
  mkdirSync(artifactsDir, { recursive: true });
  return artifactsDir;
}

/**
 * Registers the hooks every demo test file needs: checks the build, starts the demo server with `env` and
 * Chromium before the tests (then `thenSetUp`, in the same hook), stops both after. The returned fields are set once it ran.
 */
export function useDemo(
  env: Record<string, string> = {},
  thenSetUp?: (demo: { server: DemoServer; chromium: TestBrowser }) => Promise<void>,
): { server: DemoServer; chromium: TestBrowser } {
  const demo = {} as { server: DemoServer; chromium: TestBrowser };
  before(async () => {
    assertBuilt();
    demo.server = await startDemoServer(env);
    demo.chromium = await launchChromium();
    await thenSetUp?.(demo);
  });
  after(async () => {
    await demo.chromium?.close();
    await demo.server?.stop();
  });
  return demo;
}

/** `page-helpers.js`: injected into a demo page before its scripts, it defines `window.demoTest`. */
export const pageHelpers = readFileSync(new URL('./page-helpers.js', import.meta.url), 'utf8');

/** A new tab `width` wide (`height` 900 unless given) with `demoTest` injected into every page it loads. */
export async function newDemoTab(chromium: TestBrowser, width: number, height = 900): Promise<Page> {
  const page = await chromium.browser.newPage();
  await page.setViewport({ width, height });
  await page.evaluateOnNewDocument(pageHelpers);
  return page;
}

/** Waits until the page has defined the three widgets. */
export function waitForWidgets(page: Page): Promise<void> {
  return waitInPage(
    page,
    'the widgets to be defined',
    "['live-push-controls','relay-player','recording-list'].every((n) => customElements.get(n))" as never,
    30_000,
  );
}

/** Waits until a widget of the page fired `name` (`page-helpers.js` logs it) and returns the first such event's detail. */
export async function firstEvent<T>(page: Page, name: string, what: string, timeout = 60_000): Promise<T> {
  await waitInPage(page, what, `demoTest.events(${JSON.stringify(name)}).length > 0` as never, timeout);
  const events = (await page.evaluate(`demoTest.events(${JSON.stringify(name)})`)) as { detail: T }[];
  return events[0].detail;
}

/** Presses Start (found by role and name, as a person finds it) and waits for the push to be live. */
export async function startPush(page: Page): Promise<{ streamId: string; urls: unknown[] }> {
  await page.locator('::-p-aria([name="Start"][role="button"])').click();
  return firstEvent(page, 'live-push-started', 'the push to be live');
}

/** Presses Stop and waits for the push to stop. */
export async function stopPush(page: Page): Promise<{ streamId: string; reason: string }> {
  await page.locator('::-p-aria([name="Stop"][role="button"])').click();
  return firstEvent(page, 'live-push-stopped', 'the push to stop');
}
