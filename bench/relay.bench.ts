/**
 * Local relay: time to first FLV byte / first HLS playlist, glass-to-glass latency through the relay (FLV and
 * HLS), and CPU for one stream. Baseline, measured in the same run: the same encoder output decoded directly
 * (no relay, no network, no transcode) — so the ratios say what the relay adds.
 *
 * Glass-to-glass: Node paints the wall clock (ms, 24 bits as an 8×3 grid of black/white blocks) into each raw
 * frame at the moment it hands it to the "browser" encoder (ffmpeg: VP8 + Opus WebM, like MediaRecorder, sent over
 * the ingest WebSocket). The viewer (ffmpeg decoding the relay URL to raw frames) reads the blocks back; latency =
 * now − painted time. Both clocks are this machine's.
 *
 * Usage: node bench/run.mjs relay
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { WebSocket } from 'ws';
import { api, relayProcess, tempDir } from '../test/server/relay/support.ts';

const W = 320;
const H = 240;
const FPS = 15;
const FRAME = W * H;
const BITS = 24;
const COLS = 8;
const ROWS = 3;

function paint(ms: number): Buffer {
  const buf = Buffer.alloc(FRAME);
  const v = ms % 2 ** BITS;
  for (let b = 0; b < BITS; b += 1) {
    const on = (v >> b) & 1;
    const cx = b % COLS;
    const cy = Math.floor(b / COLS);
    const x0 = (cx * W) / COLS;
    const y0 = (cy * H) / ROWS;
    for (let y = y0; y < y0 + H / ROWS; y += 1) buf.fill(on ? 235 : 16, y * W + x0, y * W + x0 + W / COLS);
  }
  return buf;
}

function read(frame: Buffer): number {
  let v = 0;
  for (let b = 0; b < BITS; b += 1) {
    const x = Math.floor(((b % COLS) + 0.5) * (W / COLS));
    const y = Math.floor((Math.floor(b / COLS) + 0.5) * (H / ROWS));
    if (frame[y * W + x] > 128) v |= 1 << b;
  }
  return v;
}

function latencyOf(frame: Buffer): number {
  const now = Date.now() % 2 ** BITS;
  return (now - read(frame) + 2 ** BITS) % 2 ** BITS;
}

/** The "browser": raw clock frames + a sine → VP8/Opus WebM on stdout, no lookahead. */
function startEncoder(): { proc: ChildProcess; stop(): void } {
  // prettier-ignore
  const proc = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${W}x${H}`, '-r', String(FPS), '-i', 'pipe:0',
    '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-map', '0:v', '-map', '1:a',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-b:v', '600k', '-g', '30',
    '-c:a', 'libopus', '-b:a', '48k',
    '-f', 'webm', '-cluster_time_limit', '100', '-live', '1', '-flush_packets', '1', 'pipe:1',
  ], { stdio: ['pipe', 'pipe', 'inherit'] });
  proc.stdin?.on('error', () => {});
  const timer = setInterval(() => proc.stdin?.write(paint(Date.now())), 1000 / FPS);
  return {
    proc,
    stop() {
      clearInterval(timer);
      proc.kill('SIGKILL');
    },
  };
}

/** The "player": decodes `input` (URL or stdin) to raw gray frames and reports each frame's latency. */
function startViewer(input: string, onLatency: (ms: number) => void): ChildProcess {
  // prettier-ignore
  const proc = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-flags', 'low_delay', '-threads', '1',
    '-probesize', '32768', '-analyzeduration', '0', '-i', input,
    '-map', '0:v', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${W}x${H}`, 'pipe:1',
  ], { stdio: ['pipe', 'pipe', 'inherit'] });
  let pending = Buffer.alloc(0);
  proc.stdout?.on('data', (c: Buffer) => {
    pending = Buffer.concat([pending, c]);
    while (pending.length >= FRAME) {
      onLatency(latencyOf(pending.subarray(0, FRAME)));
      pending = pending.subarray(FRAME);
    }
  });
  proc.stdin?.on('error', () => {});
  return proc;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const p90 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length * 0.9)] : NaN;
};

/** Collects latencies for `ms` after a warm-up, discarding the warm-up frames. */
async function sampleLatency(
  input: string,
  feed: ((p: ChildProcess) => void) | null,
  warmMs: number,
  ms: number,
): Promise<number[]> {
  const out: number[] = [];
  let collecting = false;
  const viewer = startViewer(input, (l) => {
    if (collecting) out.push(l);
  });
  feed?.(viewer);
  await sleep(warmMs);
  collecting = true;
  await sleep(ms);
  viewer.kill('SIGKILL');
  return out;
}

/** CPU seconds (user+sys) used so far by `pid` and all its live descendants. */
function treeCpuSeconds(pid: number): number {
  const ticks = 100;
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const text = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(d), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / ticks });
    } catch {
      // process went away
    }
  }
  let total = 0;
  const want = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, s] of stats) {
      if (!want.has(p) && want.has(s.ppid)) {
        want.add(p);
        grew = true;
      }
    }
  }
  for (const p of want) total += stats.get(p)?.cpu ?? 0;
  return total;
}

async function main(): Promise<void> {
  // ---- baseline: encoder → decoder directly ----
  // "push start" is the moment the encoder's first WebM byte exists (MediaRecorder's first chunk), for both paths.
  const baseEnc = startEncoder();
  let baseStart = 0;
  let baseFirst = 0;
  const baseLat = await sampleLatency(
    'pipe:0',
    (viewer) => {
      viewer.stdout?.once('data', () => (baseFirst = Date.now() - baseStart));
      baseEnc.proc.stdout?.on('data', (c: Buffer) => {
        baseStart ||= Date.now();
        viewer.stdin?.write(c);
      });
    },
    3000,
    6000,
  );
  baseEnc.stop();

  // ---- through the relay (a separate process, like `npm run relay`) ----
  const data = tempDir('relay-bench-');
  const relay = await relayProcess({ DATA_DIR: data.dir });
  try {
    const created = await api<{ streamId: string; ingest: { url: string } }>(
      relay.base,
      'POST',
      '/api/streams',
      {},
    );
    const id = created.body.streamId;
    const ws = new WebSocket(created.body.ingest.url);
    await new Promise((r) => ws.once('open', r));
    const enc = startEncoder();
    let pushStart = 0;
    const firstChunk = new Promise<void>((resolve) =>
      enc.proc.stdout?.on('data', (c: Buffer) => {
        if (!pushStart) {
          pushStart = Date.now();
          resolve();
        }
        if (ws.readyState === WebSocket.OPEN) ws.send(c);
      }),
    );
    await firstChunk;
    await api(relay.base, 'POST', `/api/streams/${id}/relay`, { encode: 'flv' });
    const flvRes = fetch(`${relay.base}/live/${id}.flv`).then(async (res) => {
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      const t = Date.now() - pushStart;
      await reader.cancel();
      return t;
    });
    const hlsRes = fetch(`${relay.base}/live/${id}.m3u8`).then((res) =>
      res.status === 200 ? Date.now() - pushStart : NaN,
    );
    const [flvFirst, hlsFirst] = await Promise.all([flvRes, hlsRes]);

    const cpu0 = treeCpuSeconds(relay.proc.pid as number);
    const enc0 = treeCpuSeconds(enc.proc.pid as number);
    const t0 = Date.now();
    const flvLat = await sampleLatency(`${relay.base}/live/${id}.flv`, null, 3000, 8000);
    const cpuS = (treeCpuSeconds(relay.proc.pid as number) - cpu0) / ((Date.now() - t0) / 1000);
    const encS = (treeCpuSeconds(enc.proc.pid as number) - enc0) / ((Date.now() - t0) / 1000);
    const hlsLat = await sampleLatency(`${relay.base}/live/${id}.m3u8`, null, 6000, 8000);
    enc.stop();
    ws.close();

    const row = (name: string, v: number, base: number, unit = 'ms'): void =>
      console.log(
        `${name.padEnd(44)} ${String(Math.round(v)).padStart(6)} ${unit}   ×${(v / base).toFixed(2)} of baseline`,
      );
    console.log(
      `baseline (encoder → decoder, no relay): first decoded frame ${baseFirst} ms after the first WebM byte, latency median ${median(baseLat)} ms (n=${baseLat.length})`,
    );
    row('push start → first FLV byte', flvFirst, baseFirst);
    row('push start → first HLS playlist', hlsFirst, baseFirst);
    row('glass-to-glass FLV (median)', median(flvLat), median(baseLat));
    row('glass-to-glass FLV (p90)', p90(flvLat), p90(baseLat));
    row('glass-to-glass HLS (median)', median(hlsLat), median(baseLat));
    row('glass-to-glass HLS (p90)', p90(hlsLat), p90(baseLat));
    console.log(
      `${'CPU, relay process tree, 1 stream + 1 FLV viewer'.padEnd(44)} ${(cpuS * 100).toFixed(0).padStart(6)} %    ×${(cpuS / encS).toFixed(2)} of the VP8 pusher's encoder (${(encS * 100).toFixed(0)} %)`,
    );
    console.log(
      `samples: FLV ${flvLat.length}, HLS ${hlsLat.length}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
  } finally {
    await relay.stop();
    data.remove();
  }
}

await main();
