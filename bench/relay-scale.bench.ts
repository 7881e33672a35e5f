/**
 * How far one local relay process scales on this machine, with baselines from the same run:
 *
 * - `start`: a real Chromium `MediaRecorder` push (720p30 canvas + fake microphone, H.264 then VP8): first WebM
 *   chunk → first frame decoded from the relay's HTTP-FLV, against the same chunks decoded directly.
 * - `streams`: K = 1, 2, 4, 8, 16 concurrent 720p30 pushes (recorded H.264 / VP8 clips replayed in real time, so
 *   the pushers cost next to nothing), one FLV viewer each: relay CPU and whether every viewer gets media at real
 *   time. `fifty` does the same once for 50 H.264 pushes.
 * - `viewers`: one 720p30 H.264 push, N FLV viewers on the relay, then N on node-media-server fed the same bytes
 *   (the relay's FLV, pushed to it over RTMP with `-c copy`): CPU per 100 viewers and viewers at full rate.
 *
 * Usage: node bench/run.mjs relay-scale [start,streams,viewers,fifty] [maxViewers=1000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, relayProcess, tempDir } from '../test/server/relay/support.ts';
import { startChromiumPusher, type ChromiumPusher } from '../test/server/relay/scale-chromium.ts';
import {
  FlvWatcher,
  cpuDuring,
  loadAverage,
  makeClip,
  median,
  pushClip,
  sleep,
  startNms,
  type ClipCodec,
  type ClipPush,
} from './relay-support.ts';

const sections = (process.argv[2] ?? 'start,streams,viewers').split(',');
const maxViewers = Number(process.argv[3] ?? 1000);
const data = tempDir('relay-scale-bench-');
/** Clips are kept between runs (made once: a few seconds of x264/libvpx each). */
const clips = { dir: join(tmpdir(), 'relay-bench-clips') };
mkdirSync(clips.dir, { recursive: true });

type Relay = Awaited<ReturnType<typeof relayProcess>>;

async function createStream(relay: Relay): Promise<{ id: string; ingest: string }> {
  const r = await api<{ streamId: string; ingest: { url: string } }>(relay.base, 'POST', '/api/streams', {});
  return { id: r.body.streamId, ingest: r.body.ingest.url };
}

async function startFlv(relay: Relay, id: string): Promise<string> {
  const r = await api(relay.base, 'POST', `/api/streams/${id}/relay`, { encode: 'flv' });
  if (r.status !== 200) throw new Error(`relay start ${r.status}: ${JSON.stringify(r.body)}`);
  return `${relay.base}/live/${id}.flv`;
}

/** ffmpeg decoding `input` to small gray frames; resolves with the time of its first decoded frame. */
function firstFrame(input: string): { proc: ChildProcess; at: Promise<number> } {
  // prettier-ignore
  const proc = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-flags', 'low_delay', '-probesize', '32768', '-analyzeduration', '0',
    '-i', input, '-map', '0:v', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '160x90', 'pipe:1',
  ], { stdio: ['pipe', 'pipe', 'ignore'] });
  proc.stdin?.on('error', () => {});
  const at = new Promise<number>((resolve) => proc.stdout?.once('data', () => resolve(Date.now())));
  return { proc, at };
}

// ---------- start: Chromium push → first frame ----------
async function startSection(relay: Relay, chromium: ChromiumPusher): Promise<void> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const mirrorUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  try {
    for (const [codec, mimeType] of [
      ['H.264', 'video/webm;codecs=h264,opus'],
      ['VP8', 'video/webm;codecs=vp8,opus'],
    ] as const) {
      const viaRelay: number[] = [];
      const direct: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        const { id, ingest } = await createStream(relay);
        const base = firstFrame('pipe:0');
        wss.once('connection', (sock) => sock.on('message', (d: Buffer) => base.proc.stdin?.write(d)));
        let viewer: ReturnType<typeof firstFrame> | null = null;
        const push = await chromium.push(ingest, {
          width: 1280,
          height: 720,
          fps: 30,
          mimeType,
          mirrorUrl,
          beforeRecord: async () => {
            viewer = firstFrame(await startFlv(relay, id));
            await sleep(300); // the viewer is connected before the first chunk exists
          },
        });
        const t0 = await push.firstChunkAt;
        const v = viewer as unknown as ReturnType<typeof firstFrame>;
        const [a, b] = await Promise.all([v.at, base.at]);
        viaRelay.push(a - t0);
        direct.push(b - t0);
        await push.stop();
        v.proc.kill('SIGKILL');
        base.proc.kill('SIGKILL');
        await api(relay.base, 'DELETE', `/api/streams/${id}`);
      }
      console.log(
        `first frame, Chromium 720p30 ${codec} push: relay FLV ${median(viaRelay)} ms (${viaRelay.join('/')}), direct decode ${median(direct)} ms (${direct.join('/')}), ×${(median(viaRelay) / median(direct)).toFixed(2)}; load ${loadAverage()}`,
      );
    }
  } finally {
    wss.close();
    await chromium.close();
  }
}

// ---------- streams: K concurrent pushes ----------
interface StreamsResult {
  cpu: number;
  realtime: number[];
}

async function runStreams(relay: Relay, clip: string, k: number, measureMs = 6000): Promise<StreamsResult> {
  const pushes: ClipPush[] = [];
  const viewers: FlvWatcher[] = [];
  const ids: string[] = [];
  try {
    for (let i = 0; i < k; i += 1) {
      const { id, ingest } = await createStream(relay);
      ids.push(id);
      pushes.push(await pushClip(ingest, clip));
      viewers.push(new FlvWatcher(await startFlv(relay, id)));
    }
    // warm-up: every viewer has video (start-up is slow on a loaded machine), then 2 s more
    for (let waited = 0; waited < 30_000 && viewers.some((v) => v.lastVideoMs < 0); waited += 250)
      await sleep(250);
    await sleep(2000);
    const start = viewers.map((v) => v.lastVideoMs);
    const t0 = Date.now();
    const cpu = await cpuDuring(relay.proc.pid as number, () => sleep(measureMs));
    const wall = Date.now() - t0;
    const realtime = viewers.map((v, i) => (start[i] < 0 ? 0 : (v.lastVideoMs - start[i]) / wall));
    if (process.env.BENCH_DEBUG)
      console.log(
        start,
        viewers.map((v) => [v.bytes, v.lastVideoMs]),
        wall,
      );
    return { cpu, realtime };
  } finally {
    for (const v of viewers) v.close();
    for (const p of pushes) p.stop();
    await Promise.all(ids.map((id) => api(relay.base, 'DELETE', `/api/streams/${id}`).catch(() => null)));
    await sleep(1500);
  }
}

function streamsRow(codec: string, k: number, r: StreamsResult): boolean {
  const ok = r.realtime.filter((x) => x >= 0.9).length;
  console.log(
    `${codec.padEnd(5)} K=${String(k).padStart(2)}: relay CPU ${(r.cpu * 100).toFixed(0).padStart(4)} % of a core (${((r.cpu * 100) / k).toFixed(1)} % per stream), real time ${ok}/${k} (slowest ×${Math.min(...r.realtime).toFixed(2)}), load ${loadAverage()}`,
  );
  return ok === k;
}

async function streamsSection(relay: Relay): Promise<void> {
  for (const codec of (process.env.BENCH_CODECS ?? 'h264,vp8').split(',') as ClipCodec[]) {
    const clip = makeClip(clips.dir, codec);
    for (const k of (process.env.BENCH_K ?? '1,2,4,8,16').split(',').map(Number)) {
      const allRealtime = streamsRow(codec, k, await runStreams(relay, clip, k));
      if (!allRealtime && k >= 4) break; // the machine is full for this codec
    }
  }
}

async function fiftySection(relay: Relay): Promise<void> {
  // bringing 50 streams up one by one takes a while on a loaded machine: the clip must outlast it
  const clip = makeClip(clips.dir, 'h264', 120);
  streamsRow('h264', 50, await runStreams(relay, clip, 50, 8000));
}

// ---------- viewers: relay hub vs node-media-server ----------
async function viewersSection(relay: Relay): Promise<void> {
  const clip = makeClip(clips.dir, 'h264', 120);
  const nms = await startNms();
  const { id, ingest } = await createStream(relay);
  const push = await pushClip(ingest, clip);
  await sleep(1000);
  const flv = await startFlv(relay, id);
  // node-media-server gets the relay's own FLV bytes, over RTMP, unchanged
  // prettier-ignore
  const feeder = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', flv, '-c', 'copy', '-f', 'flv', `${nms.rtmp}/live/bench`], { stdio: 'ignore' });
  const nmsFlv = `${nms.http}/live/bench.flv`;
  await sleep(3000);
  const servers = [
    { name: 'relay', url: flv, pid: relay.proc.pid as number },
    { name: 'node-media-server', url: nmsFlv, pid: nms.proc.pid as number },
  ];
  const idle: Record<string, number> = {};
  for (const s of servers) idle[s.name] = await cpuDuring(s.pid, () => sleep(3000));
  try {
    for (const n of [100, 500, 1000, 2000].filter((x) => x <= maxViewers)) {
      const per: Record<string, number> = {};
      for (const s of servers) {
        const ref = new FlvWatcher(s.url);
        const viewers = Array.from({ length: n }, () => new FlvWatcher(s.url, false));
        await sleep(3000);
        const b0 = viewers.map((v) => v.bytes);
        const r0 = ref.bytes;
        const cpu = await cpuDuring(s.pid, () => sleep(5000));
        const refBytes = ref.bytes - r0;
        const full = viewers.filter((v, i) => v.bytes - b0[i] >= 0.9 * refBytes).length;
        for (const v of [ref, ...viewers]) v.close();
        per[s.name] = ((cpu - idle[s.name]) * 100 * 100) / n;
        console.log(
          `${s.name.padEnd(18)} N=${String(n).padStart(4)}: CPU ${(cpu * 100).toFixed(0).padStart(4)} % (idle ${(idle[s.name] * 100).toFixed(0)} %), ${per[s.name].toFixed(2)} % of a core per 100 viewers, full rate ${full}/${n}, load ${loadAverage()}`,
        );
        await sleep(2000);
      }
      console.log(
        `  → relay / node-media-server CPU per 100 viewers at N=${n}: ×${(per.relay / per['node-media-server']).toFixed(2)}`,
      );
    }
  } finally {
    feeder.kill('SIGKILL');
    push.stop();
    await nms.stop();
    await api(relay.base, 'DELETE', `/api/streams/${id}`).catch(() => null);
  }
}

// Clips first: making one blocks this process for a while (idle keep-alive sockets to the relay would go stale).
for (const [codec, seconds] of [
  ['h264', 40],
  ['vp8', 40],
  ['h264', 120],
  ['h264', 60],
] as const)
  makeClip(clips.dir, codec, seconds);
// The relay's default caps are sized for an open deployment (4 ingests, 200 viewers: server/relay/streams/limits.ts); this
// bench measures the machine, so an operator's raised caps stand in for them.
// The Chromium pusher's page has its own origin: the relay must allow it to open the ingest socket.
const chromium = sections.includes('start') ? await startChromiumPusher() : null;
const relay = await relayProcess({
  DATA_DIR: data.dir,
  ...(chromium ? { ALLOWED_ORIGINS: chromium.origin } : {}),
  RELAY_MAX_STREAMS: '200',
  RELAY_MAX_STREAMS_PER_IP: '200',
  RELAY_MAX_INGESTS: '100',
  RELAY_MAX_INGESTS_PER_IP: '100',
  RELAY_MAX_RELAYS: '100',
  RELAY_MAX_RELAYS_PER_IP: '100',
  RELAY_MAX_VIEWERS: '5000',
  RELAY_MAX_VIEWERS_PER_IP: '5000',
  RELAY_MAX_CONNECTIONS_PER_IP: '6000',
  RELAY_CREATES_PER_MINUTE: '1000',
});
try {
  console.log(`load average at start ${loadAverage()}`);
  if (chromium) await startSection(relay, chromium);
  if (sections.includes('streams')) await streamsSection(relay);
  if (sections.includes('viewers')) await viewersSection(relay);
  if (sections.includes('fifty')) await fiftySection(relay);
} finally {
  await relay.stop();
  data.remove();
}
