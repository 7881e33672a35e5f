/**
 * A real browser push: headless Chromium records a canvas (moving picture, a frame counter) plus its fake
 * microphone with `MediaRecorder` — H.264 with a keyframe every second, as the local provider asks — and sends the
 * chunks over the relay's ingest WebSocket. Optionally resizes the canvas mid-push (the encoder then changes
 * resolution). Used by the scale tests and the relay benches.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
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
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>push</title>');
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
    async push(ingestUrl, opts = {}) {
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
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
      await page.evaluate(async (o) => {
        const w = window as unknown as Record<string, unknown>;
        const canvas = document.createElement('canvas');
        canvas.width = o.width;
        canvas.height = o.height;
        document.body.append(canvas);
        const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
        let frame = 0;
        const draw = setInterval(() => {
          frame += 1;
          ctx.fillStyle = `hsl(${(frame * 5) % 360} 70% 40%)`;
          ctx.fillRect(0, 0, canvas.width, canvas.height);
          ctx.fillStyle = '#fff';
          ctx.fillRect((frame * 8) % canvas.width, canvas.height / 3, 60, 60);
          ctx.font = `${Math.round(canvas.height / 8)}px sans-serif`;
          ctx.fillText(String(frame), 20, canvas.height / 6);
        }, 1000 / o.fps);
        const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
        const stream = new MediaStream([
          ...canvas.captureStream(o.fps).getVideoTracks(),
          ...mic.getAudioTracks(),
        ]);
        // (no named helpers in here: tsx would wrap them in a `__name` call the page does not have)
        const [ws, mirror = null] = await Promise.all(
          [o.url, ...(o.mirrorUrl ? [o.mirrorUrl] : [])].map(
            (url) =>
              new Promise<WebSocket>((resolve, reject) => {
                const s = new WebSocket(url);
                s.onopen = () => resolve(s);
                s.onclose = () => reject(new Error(`${url} closed`));
              }),
          ),
        );
        await (w.__beforeRecord as () => Promise<void>)();
        const sent: Blob[] = [];
        // What the local provider does: H.264 preferred, a keyframe every second, 250 ms chunks.
        const recorder = new MediaRecorder(stream, {
          mimeType: o.mimeType,
          videoKeyFrameIntervalDuration: 1000,
        } as MediaRecorderOptions);
        recorder.ondataavailable = (ev) => {
          if (ev.data.size === 0) return;
          if (sent.length === 0) (w.__firstChunk as () => void)();
          sent.push(ev.data);
          if (ws.readyState === WebSocket.OPEN) ws.send(ev.data);
          if (mirror?.readyState === WebSocket.OPEN) mirror.send(ev.data);
        };
        recorder.start(250);
        if (o.resizeTo) {
          const [rw, rh] = o.resizeTo;
          setTimeout(() => {
            canvas.width = rw;
            canvas.height = rh;
          }, o.resizeAfterMs);
        }
        w.__stop = async () => {
          const stopped = new Promise((r) => (recorder.onstop = r));
          recorder.stop();
          await stopped;
          clearInterval(draw);
          ws.close(1000, 'done');
          mirror?.close(1000, 'done');
          for (const t of stream.getTracks()) t.stop();
          await fetch(o.upload, { method: 'POST', body: new Blob(sent) });
        };
      }, o);
      return {
        firstChunkAt,
        async stop() {
          await page.evaluate(async () => {
            await ((window as unknown as Record<string, unknown>).__stop as () => Promise<void>)();
          });
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
