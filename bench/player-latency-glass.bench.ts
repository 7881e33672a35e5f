/**
 * Glass-to-glass latency of `<relay-player>` through the local relay, next to its own `getStats().latency`.
 *
 * Node paints the wall clock (ms, 24 bits as an 8×3 grid of black/white blocks, as `bench/relay.bench.ts` does)
 * into each raw frame when it hands it to the pusher's encoder (ffmpeg, VP8/Opus WebM like the demo's test stream
 * and MediaRecorder), which goes over the relay's WebSocket ingest. In headless Chromium a `<relay-player>` plays
 * the relay's FLV or HLS; for every frame it presents (`requestVideoFrameCallback`) the page draws it on a canvas,
 * reads the blocks back and takes glass-to-glass = the frame's display time − the painted time (one machine, one
 * clock), beside `getStats().latency` at that moment. Both `latency` modes, FLV and HLS.
 *
 * Usage: node bench/run.mjs player-latency-glass [seconds-per-case]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { api, relayProcess, tempDir } from '../test/server/relay/support.ts';
import { ensureBuild, launchChromium, median, root, sleep } from './player-support.ts';
import { openIngest } from './relay-support.ts';

const SECONDS = Number(process.argv[2] ?? 15);
const W = 320;
const H = 240;
const FPS = 15;
const BITS = 24;
const COLS = 8;
const ROWS = 3;

function paint(ms: number): Buffer {
  const buf = Buffer.alloc(W * H);
  const v = ms % 2 ** BITS;
  for (let b = 0; b < BITS; b += 1) {
    const x0 = ((b % COLS) * W) / COLS;
    const y0 = (Math.floor(b / COLS) * H) / ROWS;
    for (let y = y0; y < y0 + H / ROWS; y += 1)
      buf.fill((v >> b) & 1 ? 235 : 16, y * W + x0, y * W + x0 + W / COLS);
  }
  return buf;
}

/** Clock frames + a tone → VP8/Opus WebM on stdout (no lookahead, 1 s GOP), as the demo's test stream. */
function startEncoder(onChunk: (c: Buffer) => void, onFirstFrame: (at: number) => void): () => void {
  // prettier-ignore
  const proc: ChildProcess = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error',
    '-use_wallclock_as_timestamps', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${W}x${H}`, '-framerate', String(FPS), '-i', 'pipe:0',
    '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-map', '0:v', '-map', '1:a', '-fps_mode', 'passthrough', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0',
    '-b:v', '600k', '-g', String(FPS), '-c:a', 'libopus', '-b:a', '48k',
    '-f', 'webm', '-cluster_time_limit', '100', '-live', '1', '-flush_packets', '1', 'pipe:1',
  ], { stdio: ['pipe', 'pipe', 'inherit'] });
  proc.stdin?.on('error', () => {});
  proc.stdout?.on('data', onChunk);
  let first = true;
  const timer = setInterval(() => {
    const now = Date.now();
    if (first) onFirstFrame(now); // media timestamp 0 is this frame (rawvideo at a fixed rate)
    first = false;
    proc.stdin?.write(paint(now));
  }, 1000 / FPS);
  return () => {
    clearInterval(timer);
    proc.kill('SIGKILL');
  };
}

const page = (src: string, latency: string) => `<!doctype html><meta charset="utf-8">
<script src="/dist/relay-widgets.js"></script>
<relay-player id="p" src="${src}" latency="${latency}" autoplay muted style="width:${W}px"></relay-player>
<script>
  window.__s = [];
  const el = document.getElementById('p');
  const c = document.createElement('canvas');
  c.width = ${W}; c.height = ${H};
  const g = c.getContext('2d', { willReadFrequently: true });
  el.updateComplete.then(() => {
    const v = el.media;
    const onFrame = (_now, meta) => {
      g.drawImage(v, 0, 0, ${W}, ${H});
      const d = g.getImageData(0, 0, ${W}, ${H}).data;
      let painted = 0;
      for (let b = 0; b < ${BITS}; b++) {
        const x = Math.floor(((b % ${COLS}) + 0.5) * ${W / COLS});
        const y = Math.floor((Math.floor(b / ${COLS}) + 0.5) * ${H / ROWS});
        if (d[(y * ${W} + x) * 4 + 1] > 128) painted |= 1 << b;
      }
      const shown = Math.round(performance.timeOrigin + meta.expectedDisplayTime) % ${2 ** BITS};
      const g2g = (shown - painted + ${2 ** BITS}) % ${2 ** BITS};
      window.__s.push({ g2g, est: el.getStats().latency });
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
  });
</script>`;

ensureBuild();
const data = tempDir('player-glass-');
const relay = await relayProcess({ DATA_DIR: data.dir });
const { id, ws } = await openIngest(relay.base);
// As the widgets do: the capture time of media timestamp 0 ({"clock": ms}) before the media, for the relay clock
const stopEncoder = startEncoder(
  (c) => ws.readyState === WebSocket.OPEN && ws.send(c),
  (at) => ws.send(JSON.stringify({ clock: at })),
);
await sleep(1500);
await api(relay.base, 'POST', `/api/streams/${id}/relay`, { encode: 'flv' });

// The page and dist/ from here, the relay's /live/* proxied (same origin: no CORS needed, nothing added on loopback).
const relayUrl = new URL(relay.base);
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname.startsWith('/live/')) {
    const up = request(
      { host: relayUrl.hostname, port: relayUrl.port, path: req.url, method: 'GET' },
      (r) => (res.writeHead(r.statusCode ?? 502, r.headers), r.pipe(res)),
    );
    up.on('error', () => res.destroy());
    req.on('close', () => up.destroy());
    return void up.end();
  }
  const m = /^\/(flv|hls)-(normal|low)\.html$/.exec(url.pathname);
  if (m) {
    res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
    return void res.end(page(`/live/${id}.${m[1] === 'flv' ? 'flv' : 'm3u8'}`, m[2]!));
  }
  const file = join(root, url.pathname);
  if (url.pathname.startsWith('/dist/') && !url.pathname.includes('..') && existsSync(file)) {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    return void res.end(readFileSync(file));
  }
  res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const addr = server.address();
const origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

const browser = await launchChromium();
try {
  console.log(`VP8 push → relay → <relay-player>; ${SECONDS} s per case after 5 s of warm-up`);
  for (const proto of ['flv', 'hls']) {
    for (const mode of ['normal', 'low']) {
      const tab = await browser.newPage();
      await tab.goto(`${origin}/${proto}-${mode}.html`);
      await sleep(5000);
      await tab.evaluate('window.__s.length = 0');
      await sleep(SECONDS * 1000);
      const s = (await tab.evaluate('window.__s')) as { g2g: number; est: number | null }[];
      await tab.close();
      const ok = s.filter((x) => x.g2g < 60_000);
      const g2g = median(ok.map((x) => x.g2g)) / 1000;
      const est = ok.filter((x) => x.est !== null).map((x) => x.est as number);
      const e = est.length ? median(est) : NaN;
      console.log(
        `${proto.toUpperCase()} latency="${mode}"`.padEnd(24) +
          `glass-to-glass median ${g2g.toFixed(2)} s (frames ${ok.length}/${s.length}); ` +
          `getStats().latency median ${Number.isNaN(e) ? 'null' : `${e.toFixed(2)} s`} (off by ${(e - g2g).toFixed(2)} s)`,
      );
    }
  }
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
  stopEncoder();
  ws.close();
  await relay.stop();
  data.remove();
}
