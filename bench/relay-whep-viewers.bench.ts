/**
 * CPU for N WHEP viewers of one stream: the local relay vs Janus 1.1.2's Streaming plugin, in the same run.
 *
 * The same recorded 720p30 H.264 + Opus clip is pushed over WHIP to the relay (a child process; its RTP forwarded
 * to viewers as received) and to the lab's Janus (simple-whip-server → VideoRoom → rtp_forward → Streaming
 * mountpoint → janus-whep-server), and N node-datachannel viewers in this process (not counted) play each over
 * WHEP. Counted: the relay process and its children; Janus's own process (its WHIP/WHEP signalling servers are idle
 * once the sessions are set up and are not counted). Each server's CPU with the push alone is subtracted.
 * With `ws` as third argument the relay's stream is a WebSocket push instead (WHEP packetised from the hub by ffmpeg).
 *
 * Usage (as root, Janus in the lab's network namespace):
 *   node scripts/webrtc-lab.mjs -- node bench/run.mjs relay-whep-viewers [N=100] [window ms=8000] [whip|ws]
 * Outside the lab only the relay's row is printed.
 */
import { execFileSync } from 'node:child_process';
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
import { cpuDuring, loadAverage, makeClip, pushClip, sleep, whipPushClip } from './relay-support.ts';

const n = Number(process.argv[2] ?? 100);
const windowMs = Number(process.argv[3] ?? 8000);
const relayIngest = process.argv[4] === 'ws' ? 'ws' : 'whip';
const janus = process.env.JANUS_WHIP_URL && process.env.JANUS_WHEP_URL ? process.env : null;
const data = tempDir('relay-whep-viewers-bench-');
const clipsDir = join(tmpdir(), 'relay-bench-clips');
mkdirSync(clipsDir, { recursive: true });
const clip = makeClip(clipsDir, 'h264', 180);

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** N viewers of `url`, each retried on the test peer's own flake; resolves once they receive video (or 30 s). */
async function viewers(url: string, count: number): Promise<Viewer[]> {
  const out: Viewer[] = [];
  while (out.length < count) {
    let v: Viewer | null = null;
    for (let attempt = 1; !v; attempt++) {
      try {
        v = await viewOf(url);
      } catch (err) {
        if (!isOffererFlake(err) || attempt === 4) throw err;
      }
    }
    if (v.post.status !== 201) throw new Error(`WHEP POST ${v.post.status}: ${v.post.body}`);
    out.push(v);
  }
  await Promise.race([Promise.all(out.map((v) => v.firstKeyframeAt)), sleep(30_000)]);
  await sleep(1000);
  return out;
}

/** CPU of `pid` for N viewers of `url` above the push alone, and how many viewers receive video meanwhile. */
async function measure(name: string, pid: number, url: string): Promise<number> {
  const alone = await cpuDuring(pid, () => sleep(windowMs));
  const vs = await viewers(url, n);
  try {
    const before = vs.map((v) => v.videoPackets);
    const cpu = await cpuDuring(pid, () => sleep(windowMs));
    const receiving = vs.filter((v, i) => v.videoPackets - before[i]! > 0).length;
    const per = (cpu - alone) / n;
    console.log(
      `${name}: push alone ${pct(alone)} of a core, with ${n} WHEP viewers ${pct(cpu)}; ${pct(per)} per viewer; ${receiving}/${n} receiving video; load ${loadAverage()}`,
    );
    return cpu - alone;
  } finally {
    for (const v of vs) v.close();
  }
}

const relay = await relayProcess({
  DATA_DIR: data.dir,
  RELAY_MAX_VIEWERS_PER_IP: String(n + 10),
  RELAY_MAX_VIEWERS: String(n + 10),
});
let relayCost = NaN;
let janusCost = NaN;
try {
  console.log(`load average at start ${loadAverage()}`);
  const r = await api<{ streamId: string; ingest: { url: string } }>(relay.base, 'POST', '/api/streams', {});
  const id = r.body.streamId;
  const ingest = r.body.ingest.url;
  const token = new URL(ingest).searchParams.get('token') ?? '';
  const push =
    relayIngest === 'ws'
      ? await pushClip(ingest, clip).then((p) => ({ stop: () => p.stop() }))
      : await whipPushClip(`${relay.base}/whip/${id}`, token, clip);
  try {
    await sleep(3000);
    relayCost = await measure(
      `relay (${relayIngest === 'ws' ? 'WebSocket push, WHEP from the hub' : 'WHIP push, RTP forwarded'})`,
      relay.proc.pid as number,
      `${relay.base}/whep/${id}`,
    );
  } finally {
    push.stop();
  }
} finally {
  await relay.stop();
  data.remove();
}

if (janus) {
  const janusPid = Number(execFileSync('pgrep', ['-n', '-x', 'janus'], { encoding: 'utf8' }).trim());
  const push = await whipPushClip(`${janus.JANUS_WHIP_URL}`, `${janus.JANUS_WHIP_TOKEN ?? ''}`, clip);
  try {
    await sleep(3000);
    janusCost = await measure('Janus Streaming', janusPid, `${janus.JANUS_WHEP_URL}`);
  } finally {
    push.stop();
  }
  console.log(`relay / Janus for ${n} WHEP viewers: ×${(relayCost / janusCost).toFixed(2)}`);
} else console.log('(outside the lab: no Janus row; run it through scripts/webrtc-lab.mjs)');
await sleep(500);
releaseWebRtc();
