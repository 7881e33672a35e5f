/**
 * A real browser push: headless Chromium records a canvas (moving picture, a frame counter) plus its fake
 * microphone with `MediaRecorder` — H.264 with a keyframe every second, as the local provider asks — and sends the
 * chunks over the relay's ingest WebSocket. Optionally resizes the canvas mid-push (the encoder then changes
 * resolution). Used by the scale tests and the relay benches.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser } from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../../support/chromium.mjs';

export interface ChromiumPushOptions {
  width?: number;
  height?: number;
  fps?: number;
  mimeType?: string;
  /** After this many ms, the canvas becomes `resizeTo` (e.g. `[320, 240]`). */
  resizeAfterMs?: number;
  resizeTo?: [number, number];
  /** Also send every chunk to this WebSocket (a bench's direct decoder), as it goes to the ingest. */
  mirrorUrl?: string;
  /** Awaited after the sockets opened and before the recorder starts (e.g. to start the relay and a viewer). */
  beforeRecord?: () => Promise<void>;
}

export interface ChromiumPush {
  /** Date.now() when the first chunk was handed to the WebSocket. */
  firstChunkAt: Promise<number>;
  /** Stops recording; resolves with every byte that was sent (the WebM the relay received). */
  stop(): Promise<Buffer>;
}

export interface ChromiumPusher {
  /** The pushing page's origin: a relay must list it in `allowedOrigins` to accept the ingest socket. */
  origin: string;
  push(ingestUrl: string, opts?: ChromiumPushOptions): Promise<ChromiumPush>;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** Starts Chromium and a local page origin (getUserMedia needs a secure context: http://127.0.0.1 is one). */
export async function startChromiumPusher(): Promise<ChromiumPusher> {
  const uploads = new Map<string, (b: Buffer) => void>();
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      void body(req).then((b) => {
        uploads.get(req.url ?? '')?.(b);
        res.end('ok');
      });
      return;
    }
    if (req.url === '/push.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(readFileSync(new URL('./scale-push-page.js', import.meta.url)));
      return;
    }
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>push</title><body><script type="module" src="/push.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const profile = mkdtempSync(join(tmpdir(), 'relay-push-chromium-'));
  const browser: Browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs([`--user-data-dir=${profile}`]),
  });
  let n = 0;
  return {
    origin,
    async push(ingestUrl, opts = {}) {
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      await page.waitForFunction('typeof window.startPush === "function"');
      const id = `/upload/${(n += 1)}`;
      const uploaded = new Promise<Buffer>((r) => uploads.set(id, r));
      let firstAt!: (t: number) => void;
      const firstChunkAt = new Promise<number>((r) => (firstAt = r));
      await page.exposeFunction('__firstChunk', () => firstAt(Date.now()));
      await page.exposeFunction('__beforeRecord', async () => {
        await opts.beforeRecord?.();
      });
      const o = {
        url: ingestUrl,
        upload: id,
        width: opts.width ?? 640,
        height: opts.height ?? 360,
        fps: opts.fps ?? 30,
        mimeType: opts.mimeType ?? 'video/webm;codecs=h264,opus',
        resizeAfterMs: opts.resizeAfterMs ?? 0,
        resizeTo: opts.resizeTo ?? null,
        mirrorUrl: opts.mirrorUrl ?? null,
      };
      await page.evaluate(`startPush(${JSON.stringify(o)})`);
      return {
        firstChunkAt,
        async stop() {
          await page.evaluate('stopPush()');
          const bytes = await uploaded;
          await page.close();
          return bytes;
        },
      };
    },
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
