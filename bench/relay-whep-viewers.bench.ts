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
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, relayProcess, tempDir } from '../test/server/relay/support.ts';
import {
  isOffererFlake,
  postSdp,
  publisherOffer,
  releaseWebRtc,
  viewOf,
  type Viewer,
} from '../test/server/relay/webrtc/whip-peers.ts';
import { closePeer } from '../server/relay/webrtc/peer.ts';
import { cpuDuring, loadAverage, makeClip, pushClip, sleep } from './relay-support.ts';

const n = Number(process.argv[2] ?? 100);
const windowMs = Number(process.argv[3] ?? 8000);
const relayIngest = process.argv[4] === 'ws' ? 'ws' : 'whip';
const janus = process.env.JANUS_WHIP_URL && process.env.JANUS_WHEP_URL ? process.env : null;
const data = tempDir('relay-whep-viewers-bench-');
const clipsDir = join(tmpdir(), 'relay-bench-clips');
mkdirSync(clipsDir, { recursive: true });
const clip = makeClip(clipsDir, 'h264', 180);

/**
 * The clip as a WHIP push: ffmpeg copies its H.264 (SPS/PPS put in-band before each keyframe, as an encoder's RTP
 * carries them) and Opus to RTP in real time, and a node-datachannel peer sends that RTP to the relay.
 */
async function whipPush(url: string, token: string): Promise<{ stop(): void }> {
  const { pc, video, audio, sdp } = await publisherOffer('h264');
  // the relay as DTLS server (see whip-peers.ts: libdatachannel as offerer drops an early ClientHello)
  const post = await postSdp(url, sdp.replace(/a=setup:actpass/g, 'a=setup:active'), token);
  if (post.status !== 201) {
    closePeer(pc);
    throw new Error(`WHIP POST ${post.status}: ${post.body}`);
  }
  try {
    pc.setRemoteDescription(post.body, 'answer');
  } catch (err) {
    closePeer(pc);
    throw err;
  }
  const { createSocket } = await import('node:dgram');
  const sockets = [video, audio].map((track, i) => {
    const s = createSocket('udp4');
    const ssrc = i === 0 ? 0x1111 : 0x2222;
    s.on('message', (b: Buffer) => {
      if (b.length < 12 || (b[1] >= 192 && b[1] <= 223)) return; // ffmpeg's RTCP stays here
      b.writeUInt32BE(ssrc, 8);
      if (track.isOpen()) track.sendMessageBinary(b);
    });
    return s;
  });
  await Promise.all(sockets.map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', r))));
  const [vPort, aPort] = sockets.map((s) => s.address().port);
  // prettier-ignore
  const ff: ChildProcess = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re', '-i', clip,
    '-map', '0:v', '-c', 'copy', '-bsf:v', 'h264_mp4toannexb', '-payload_type', '102', '-ssrc', '4369',
    '-f', 'rtp', `rtp://127.0.0.1:${vPort}?pkt_size=1200`,
    '-map', '0:a', '-c', 'copy', '-payload_type', '111', '-ssrc', '8738',
    '-f', 'rtp', `rtp://127.0.0.1:${aPort}?pkt_size=1200`,
  ], { stdio: 'ignore' });
  return {
    stop() {
      ff.kill('SIGKILL');
      for (const s of sockets) s.close();
      closePeer(pc);
    },
  };
}

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
      : await whipPush(`${relay.base}/whip/${id}`, token);
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
  const push = await whipPush(`${janus.JANUS_WHIP_URL}`, `${janus.JANUS_WHIP_TOKEN ?? ''}`);
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
