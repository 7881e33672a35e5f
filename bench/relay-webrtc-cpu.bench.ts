/**
 * What the relay's WebRTC paths cost in CPU, with the WebSocket ingest as the baseline in the same run:
 *
 * - `ingest`: one 720p30 H.264 + Opus stream (the same recorded clip for both, so the pushers' work is the same)
 *   pushed over the WebSocket (H.264 passthrough: ffmpeg remuxes it into the FLV hub) and over WHIP (node-datachannel
 *   receives the RTP, ffmpeg depacketises it and transcodes Opus → AAC into the hub); one FLV viewer on each. CPU of
 *   the relay process and its ffmpeg children over a fixed window; the ratio WHIP / WebSocket.
 * - `viewers`: N WHEP viewers (node-datachannel peers in this process, not the relay's) of that WHIP push: the
 *   relay's CPU above the push alone, per viewer.
 *
 * Usage: node bench/run.mjs relay-webrtc-cpu [viewer counts=1,4,8] [window ms=6000]
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, relayProcess, tempDir } from '../test/server/relay/support.ts';
import {
  isOffererFlake,
  releaseWebRtc,
  viewOf,
  type Viewer,
} from '../test/server/relay/webrtc/whip-peers.ts';
import {
  FlvWatcher,
  cpuDuring,
  cpuSplitDuring,
  loadAverage,
  makeClip,
  pushClip,
  sleep,
  whipPushClip,
} from './relay-support.ts';

const counts = (process.argv[2] ?? '1,4,8').split(',').map(Number);
const windowMs = Number(process.argv[3] ?? 6000);
const data = tempDir('relay-webrtc-bench-');
const clipsDir = join(tmpdir(), 'relay-bench-clips');
mkdirSync(clipsDir, { recursive: true });
const clip = makeClip(clipsDir, 'h264', 120);

type Relay = Awaited<ReturnType<typeof relayProcess>>;

async function createStream(relay: Relay): Promise<{ id: string; ingest: string; token: string }> {
  const r = await api<{ streamId: string; ingest: { url: string } }>(relay.base, 'POST', '/api/streams', {});
  const ingest = r.body.ingest.url;
  return { id: r.body.streamId, ingest, token: new URL(ingest).searchParams.get('token') ?? '' };
}

async function watchFlv(relay: Relay, id: string): Promise<FlvWatcher> {
  const r = await api(relay.base, 'POST', `/api/streams/${id}/relay`, { encode: 'flv' });
  if (r.status !== 200) throw new Error(`relay start ${r.status}: ${JSON.stringify(r.body)}`);
  return new FlvWatcher(`${relay.base}/live/${id}.flv`);
}

/** Waits until `w` has video (start-up is slow on a loaded machine), then 2 s more. */
async function warm(w: FlvWatcher): Promise<void> {
  for (let waited = 0; waited < 30_000 && w.lastVideoMs < 0; waited += 250) await sleep(250);
  if (w.lastVideoMs < 0) throw new Error('no video reached the FLV viewer within 30 s');
  await sleep(2000);
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const split = (m: Map<string, number>): string =>
  [...m].map(([k, v]) => `${k} ${pct(v)}`).join(', ');

const relay = await relayProcess({
  DATA_DIR: data.dir,
  RELAY_MAX_VIEWERS_PER_IP: '200',
  RELAY_MAX_VIEWERS: '200',
});
const pid = relay.proc.pid as number;
try {
  console.log(`load average at start ${loadAverage()}`);
  const idle = await cpuDuring(pid, () => sleep(2000));

  // WebSocket H.264 passthrough
  const ws = await createStream(relay);
  const push = await pushClip(ws.ingest, clip);
  const wsFlv = await watchFlv(relay, ws.id);
  await warm(wsFlv);
  const wsCpu = (await cpuDuring(pid, () => sleep(windowMs))) - idle;
  console.log(`WebSocket push, by process: ${split(await cpuSplitDuring(pid, () => sleep(windowMs)))}`);
  wsFlv.close();
  push.stop();
  await api(relay.base, 'DELETE', `/api/streams/${ws.id}`);
  await sleep(1500);

  // WHIP, same clip
  // a fresh stream per attempt: the test peer's own flake (whip-peers.ts isOffererFlake) leaves the push holding one
  let wh = await createStream(relay);
  let whip: { stop(): void } | null = null;
  for (let attempt = 1; !whip; attempt++) {
    try {
      whip = await whipPushClip(`${relay.base}/whip/${wh.id}`, wh.token, clip);
    } catch (err) {
      if (!isOffererFlake(err) || attempt === 3) throw err;
      await api(relay.base, 'DELETE', `/api/streams/${wh.id}`);
      wh = await createStream(relay);
    }
  }
  const whFlv = await watchFlv(relay, wh.id);
  await warm(whFlv);
  const whipCpu = (await cpuDuring(pid, () => sleep(windowMs))) - idle;
  console.log(`WHIP push, by process: ${split(await cpuSplitDuring(pid, () => sleep(windowMs)))}`);
  console.log(
    `720p30 H.264+Opus, one FLV viewer: WebSocket passthrough ${pct(wsCpu)} of a core, WHIP ${pct(whipCpu)}, ×${(whipCpu / wsCpu).toFixed(2)} (idle relay ${pct(idle)} subtracted); load ${loadAverage()}`,
  );

  // N WHEP viewers of the WHIP push
  const viewers: Viewer[] = [];
  try {
    for (const n of counts) {
      while (viewers.length < n) {
        // viewOf retries the test peer's own flake 3 times; on a loaded machine it can take more
        let v: Viewer | null = null;
        for (let attempt = 1; !v; attempt++) {
          try {
            v = await viewOf(`${relay.base}/whep/${wh.id}`);
          } catch (err) {
            if (!isOffererFlake(err) || attempt === 4) throw err;
          }
        }
        if (v.post.status !== 201) throw new Error(`WHEP POST ${v.post.status}: ${v.post.body}`);
        viewers.push(v);
      }
      // every viewer's first keyframe, or 20 s (the row then says how many receive)
      await Promise.race([Promise.all(viewers.map((v) => v.firstKeyframeAt)), sleep(20_000)]);
      await sleep(1000);
      const before = viewers.map((v) => v.videoPackets);
      const cpu = (await cpuDuring(pid, () => sleep(windowMs))) - idle;
      const receiving = viewers.filter((v, i) => v.videoPackets - before[i]! > 0).length;
      console.log(
        `WHEP viewers N=${String(n).padStart(2)}: relay ${pct(cpu)} of a core, ${pct((cpu - whipCpu) / n)} per viewer above the push alone, ${receiving}/${n} receiving video; load ${loadAverage()}`,
      );
    }
  } finally {
    for (const v of viewers) v.close();
    whFlv.close();
    whip.stop();
    await api(relay.base, 'DELETE', `/api/streams/${wh.id}`);
  }
} finally {
  await relay.stop();
  data.remove();
  await sleep(500);
  releaseWebRtc();
}
