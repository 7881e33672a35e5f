/**
 * Local relay: time to first FLV byte / first HLS playlist, glass-to-glass latency through the relay (FLV and
 * HLS), and CPU for one stream. Baseline, measured in the same run: the same encoder output decoded directly
 * (no relay, no network, no transcode) — so the ratios say what the relay adds.
 *
 * Glass-to-glass: Node paints the wall clock (ms, 24 bits as an 8×3 grid of black/white blocks) into each raw
 * frame at the moment it hands it to the "browser" encoder (ffmpeg: H.264 or VP8 + Opus WebM, like MediaRecorder,
 * sent over the ingest WebSocket). The viewer (ffmpeg decoding the relay URL to raw frames) reads the blocks back;
 * latency = now − painted time. Both clocks are this machine's.
 *
 * Peer, same run: node-media-server fed the same encoder output (remuxed to RTMP by ffmpeg: H.264 copied, Opus →
 * AAC; VP8 re-encoded with the relay's x264 settings), its HTTP-FLV decoded by the same viewer.
 *
 * Usage: node bench/run.mjs relay [h264|vp8]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';
import { api, relayProcess, tempDir } from '../test/server/relay/support.ts';
import { loadAverage, median, openIngest, p90, sleep, startNms, treeCpuSeconds } from './relay-support.ts';

const CODEC = process.argv[2] === 'vp8' ? 'vp8' : 'h264';

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

/** The "browser": raw clock frames + a sine → H.264 (or VP8)/Opus WebM on stdout, no lookahead, 1 s GOP. */
function startEncoder(): { proc: ChildProcess; stop(): void } {
  // prettier-ignore
  const video = CODEC === 'h264'
    ? ['-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p']
    : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0'];
  // prettier-ignore
  const proc = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${W}x${H}`, '-r', String(FPS), '-i', 'pipe:0',
    '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-map', '0:v', '-map', '1:a', ...video, '-b:v', '600k', '-g', String(FPS),
    '-c:a', 'libopus', '-b:a', '48k',
    '-f', CODEC === 'h264' ? 'matroska' : 'webm', '-cluster_time_limit', '100', '-live', '1', '-flush_packets', '1', 'pipe:1',
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

/** The same kind of encoder output, remuxed to RTMP into node-media-server, viewed over its HTTP-FLV. */
async function nmsLatency(): Promise<number[]> {
  const nms = await startNms();
  const enc = startEncoder();
  // prettier-ignore
  const video = CODEC === 'h264' ? ['-c:v', 'copy']
    : ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-force_key_frames', 'expr:gte(t,n_forced*1)', '-crf', '26'];
  // prettier-ignore
  const remux = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-probesize', '4096', '-analyzeduration', '0', '-i', 'pipe:0',
    '-map', '0:v', '-map', '0:a', ...video, '-c:a', 'aac', '-b:a', '96k', '-f', 'flv', '-flush_packets', '1',
    `${nms.rtmp}/live/g2g`,
  ], { stdio: ['pipe', 'ignore', 'inherit'] });
  remux.stdin?.on('error', () => {});
  enc.proc.stdout?.pipe(remux.stdin as NodeJS.WritableStream);
  try {
    await sleep(1500);
    return await sampleLatency(`${nms.http}/live/g2g.flv`, null, 3000, 8000);
  } finally {
    enc.stop();
    remux.kill('SIGKILL');
    await nms.stop();
  }
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
    const { id, ws } = await openIngest(relay.base);
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
    const nmsLat = await nmsLatency();

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
    row('glass-to-glass FLV via node-media-server (median)', median(nmsLat), median(baseLat));
    row('glass-to-glass FLV via node-media-server (p90)', p90(nmsLat), p90(baseLat));
    console.log(
      `${'glass-to-glass FLV, relay / node-media-server'.padEnd(44)}   ×${(median(flvLat) / median(nmsLat)).toFixed(2)} median, ×${(p90(flvLat) / p90(nmsLat)).toFixed(2)} p90 (${CODEC} push)`,
    );
    row('glass-to-glass HLS (median)', median(hlsLat), median(baseLat));
    row('glass-to-glass HLS (p90)', p90(hlsLat), p90(baseLat));
    console.log(
      `${'CPU, relay process tree, 1 stream + 1 FLV viewer'.padEnd(44)} ${(cpuS * 100).toFixed(0).padStart(6)} %    ×${(cpuS / encS).toFixed(2)} of the ${CODEC} pusher's encoder (${(encS * 100).toFixed(0)} %)`,
    );
    console.log(
      `samples: FLV ${flvLat.length}, HLS ${hlsLat.length}, node-media-server ${nmsLat.length}; load average ${loadAverage()}`,
    );
  } finally {
    await relay.stop();
    data.remove();
  }
}

await main();
