// Shared by the bench/player-*.bench.ts files: a local HTTP server (built dist/ files, the ffmpeg media fixtures
// with their live FLV/HLS endpoints, and generated pages) and a headless Chromium driven by puppeteer-core.
import { createServer, type Server } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import puppeteer, { type Browser } from 'puppeteer-core';
import { createMediaServer } from '../test/support/media-server.mjs';
import { chromiumArgs, chromiumPath } from '../test/support/chromium.mjs';

export const root = new URL('..', import.meta.url).pathname;

export function ensureBuild(): void {
  const files = ['relay-widgets.js', 'relay-widgets-mpegts.js', 'relay-widgets-hls.js'];
  if (files.every((f) => existsSync(join(root, 'dist', f)))) return;
  console.log('building dist/ (npm run build:classic)…');
  const r = spawnSync('npm', ['run', 'build:classic'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.html': 'text/html',
};

export interface BenchServer {
  origin: string;
  /** ms into the live streams' current 1 s segment (and GOP) */
  livePhase(): number;
  segMs: number;
  close(): Promise<void>;
}

/** Serves `/dist/*`, `/media/*` and `pages` (path → HTML) on 127.0.0.1, ephemeral port. */
export async function startServer(pages: Record<string, string>): Promise<BenchServer> {
  const media = createMediaServer();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (media.handle(req, res)) return;
    if (pages[url.pathname] !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
      res.end(pages[url.pathname]);
      return;
    }
    if (url.pathname.startsWith('/dist/') && !url.pathname.includes('..')) {
      const file = join(root, url.pathname);
      if (existsSync(file)) {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(readFileSync(file));
        return;
      }
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    livePhase: () => media.livePhase(),
    segMs: media.segMs,
    close: async () => {
      media.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs([
      '--autoplay-policy=no-user-gesture-required',
      `--user-data-dir=${mkdtempSync(join(tmpdir(), 'relay-bench-'))}`,
      ...extraArgs,
    ]),
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
