/**
 * Shared pieces of the relay benches: a stream's ingest WebSocket, CPU of a process tree, a node-media-server peer (the baseline: a plain RTMP →
 * HTTP-FLV fan-out server), recorded 720p clips replayed in real time as MediaRecorder-like pushes or WHIP pushes, and FLV
 * viewers that only count what they receive.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { api } from '../test/server/relay/support.ts';
import { asChromiumOpus, asSent, postSdp, publisherOffer } from '../test/server/relay/webrtc/whip-peers.ts';
import { closePeer } from '../server/relay/webrtc/peer.ts';
import { startServerProcess } from '../test/support/server-process.mjs';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Creates a stream on the relay at `base` and opens its ingest WebSocket, for an encoder's WebM to go into. */
export async function openIngest(base: string): Promise<{ id: string; ws: WebSocket }> {
  const created = await api<{ streamId: string; ingest: { url: string } }>(base, 'POST', '/api/streams', {});
  const ws = new WebSocket(created.body.ingest.url);
  await new Promise((r) => ws.once('open', r));
  return { id: created.body.streamId, ws };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

export function p90(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length * 0.9)] : NaN;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** CPU seconds (user+sys) used so far by `pid` and each of its live descendants, with each one's command name. */
export function treeCpuByProcess(pid: number): Map<number, { name: string; cpu: number }> {
  const ticks = 100;
  const stats = new Map<number, { ppid: number; cpu: number; name: string }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const text = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      stats.set(Number(d), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / ticks, name });
    } catch {
      // process went away
    }
  }
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
  const out = new Map<number, { name: string; cpu: number }>();
  for (const p of want) {
    const s = stats.get(p);
    if (s) out.set(p, { name: s.name, cpu: s.cpu });
  }
  return out;
}

/** CPU seconds (user+sys) used so far by `pid` and all its live descendants. */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  for (const { cpu } of treeCpuByProcess(pid).values()) total += cpu;
  return total;
}

/**
 * Share of one core used while `during` runs, by the process `pid` itself and by its descendants (processes that
 * ran the whole window), summed by command name: where a tree's CPU goes.
 */
export async function cpuSplitDuring(pid: number, during: () => Promise<void>): Promise<Map<string, number>> {
  const a = treeCpuByProcess(pid);
  const t0 = Date.now();
  await during();
  const b = treeCpuByProcess(pid);
  const seconds = (Date.now() - t0) / 1000;
  const out = new Map<string, number>();
  for (const [p, { name, cpu }] of b) {
    const before = a.get(p);
    if (!before) continue;
    const key = p === pid ? 'relay (node)' : name;
    out.set(key, (out.get(key) ?? 0) + (cpu - before.cpu) / seconds);
  }
  return out;
}

/** Share of one core used by `pid`'s tree while `during` runs. */
export async function cpuDuring(pid: number, during: () => Promise<void>): Promise<number> {
  const c0 = treeCpuSeconds(pid);
  const t0 = Date.now();
  await during();
  return (treeCpuSeconds(pid) - c0) / ((Date.now() - t0) / 1000);
}

export interface NmsPeer {
  proc: ChildProcess;
  rtmp: string;
  http: string;
  stop(): Promise<void>;
}

/** node-media-server 2 (RTMP in, HTTP-FLV out, GOP cache on) in its own process. */
export async function startNms(): Promise<NmsPeer> {
  const p = await startServerProcess({
    script: 'bench/relay-nms-peer.ts',
    name: 'node-media-server',
    ready: /nms listening on (http:\/\/\S+) rtmp:/,
  });
  // the ready line is `nms listening on http://127.0.0.1:H rtmp://127.0.0.1:R`
  const rtmp = /(rtmp:\/\/\S+)/.exec(p.output())?.[1] ?? '';
  const http = p.url;
  return {
    proc: p.proc,
    rtmp,
    http,
    stop: async () => {
      await p.stop();
    },
  };
}

export type ClipCodec = 'h264' | 'vp8';

/**
 * A 720p30 WebM clip like MediaRecorder's (H.264 constrained baseline or VP8, 1 s GOP, Opus), made once and
 * cached in `dir`: replaying it costs a push almost nothing, so the machine's CPU goes to the relay.
 */
export function makeClip(dir: string, codec: ClipCodec, seconds = 40): string {
  const file = join(dir, `clip-720p30-${codec}-${seconds}s.${codec === 'h264' ? 'mkv' : 'webm'}`);
  if (existsSync(file)) return file;
  // prettier-ignore
  const video = codec === 'h264'
    ? ['-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'veryfast', '-tune', 'zerolatency', '-b:v', '2500k']
    : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-b:v', '2500k'];
  // prettier-ignore
  const r = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    ...video, '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'libopus', '-b:a', '48k',
    '-f', codec === 'h264' ? 'matroska' : 'webm', '-cluster_time_limit', '250', `${file}.part`,
  ]);
  if (r.status !== 0) throw new Error(`making the ${codec} clip failed: ${r.stderr}`);
  renameSync(`${file}.part`, file); // an interrupted run leaves no half clip behind
  return file;
}

export interface ClipPush {
  ws: WebSocket;
  stop(): void;
}

/** A clip as a live MediaRecorder-like stream: its header, then its clusters with their media time (ms). */
interface LiveClip {
  header: Buffer;
  clusters: { ms: number; bytes: Buffer }[];
}
const liveClips = new Map<string, LiveClip>();

/** Reads an EBML variable-length integer at `at`: its value (marker bit removed, `null` = unknown) and length. */
function vint(buf: Buffer, at: number): { value: number | null; length: number } | null {
  const first = buf[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > buf.length) return null;
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i += 1) {
    value = value * 256 + buf[at + i]!;
    allOnes &&= buf[at + i] === 0xff;
  }
  return { value: allOnes ? null : value, length };
}

/**
 * `clip` remuxed once (ffmpeg, no `-re`) as a live Matroska stream in 250 ms clusters, as `MediaRecorder` writes
 * it, and cut at its clusters. Replaying the cut clusters from this process on a timer costs next to nothing per
 * pusher, where one `ffmpeg -re` per pusher cost 1–3 % of a core each (50 of them took a third of this machine).
 */
function liveClip(clip: string): LiveClip {
  const cached = liveClips.get(clip);
  if (cached) return cached;
  const file = `${clip}.live.${clip.endsWith('.mkv') ? 'mkv' : 'webm'}`;
  if (!existsSync(file)) {
    // prettier-ignore
    const r = spawnSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y', '-i', clip, '-c', 'copy',
      '-f', clip.endsWith('.mkv') ? 'matroska' : 'webm', '-cluster_time_limit', '250', '-live', '1', `${file}.part`,
    ]);
    if (r.status !== 0) throw new Error(`remuxing ${clip} failed: ${r.stderr}`);
    renameSync(`${file}.part`, file);
  }
  const buf = readFileSync(file);
  // Cluster = ID 1F 43 B6 75, size, then (after an optional CRC-32) its Timecode element (E7, size, big-endian ms).
  const starts: { at: number; ms: number }[] = [];
  for (let at = buf.indexOf(CLUSTER_ID); at >= 0; at = buf.indexOf(CLUSTER_ID, at + 4)) {
    const size = vint(buf, at + 4);
    if (!size) continue;
    let el = at + 4 + size.length;
    if (buf[el] === 0xbf) el += 1 + 1 + 4; // a CRC-32 element (BF 84 xx xx xx xx) comes first
    if (buf[el] !== 0xe7) continue; // the same bytes inside a frame
    const tcAt = el + 1;
    const tcSize = vint(buf, tcAt);
    if (!tcSize?.value || tcSize.value > 8) continue;
    const ms = buf.readUIntBE(tcAt + tcSize.length, tcSize.value);
    if (starts.length && ms < starts.at(-1)!.ms) continue;
    starts.push({ at, ms });
  }
  if (!starts.length) throw new Error(`${file}: no clusters found`);
  const clusters = starts.map((c, i) => ({
    ms: c.ms,
    bytes: buf.subarray(c.at, starts[i + 1]?.at ?? buf.length),
  }));
  const live = { header: buf.subarray(0, starts[0]!.at), clusters };
  liveClips.set(clip, live);
  return live;
}
const CLUSTER_ID = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);

/** Replays `clip` in real time into an ingest WebSocket, one 250 ms cluster at a time, from this process. */
export async function pushClip(ingestUrl: string, clip: string): Promise<ClipPush> {
  const { header, clusters } = liveClip(clip);
  const ws = new WebSocket(ingestUrl);
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', (code) => reject(new Error(`ingest closed ${code}`)));
  });
  ws.send(header);
  const t0 = Date.now() - clusters[0]!.ms;
  let next = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const tick = (): void => {
    // a cluster goes out when its first frame is due (a recorder sends it ~250 ms later, once complete: only the
    // rate matters here)
    while (next < clusters.length && clusters[next]!.ms <= Date.now() - t0) {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(clusters[next]!.bytes);
      next += 1;
    }
    if (next < clusters.length) timer = setTimeout(tick, Math.max(5, clusters[next]!.ms - (Date.now() - t0)));
    else ws.close(1000);
  };
  tick();
  return {
    ws,
    stop() {
      if (timer) clearTimeout(timer);
      ws.terminate();
    },
  };
}

/** An HTTP-FLV viewer that counts bytes and follows the newest video timestamp (ms). */
export class FlvWatcher {
  bytes = 0;
  lastVideoMs = -1;
  firstByteAt = 0;
  private pending: Buffer = Buffer.alloc(0);
  private offset = 13;
  private readonly ctrl = new AbortController();
  readonly done: Promise<void>;

  constructor(url: string, parseTags = true) {
    this.done = fetch(url, { signal: this.ctrl.signal })
      .then(async (res) => {
        for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) {
          this.firstByteAt ||= Date.now();
          this.bytes += c.length;
          if (parseTags) this.parse(Buffer.from(c));
        }
      })
      .catch(() => {});
  }

  private parse(c: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, c]) : c;
    if (this.pending.length < this.offset) return; // the 13-byte FLV header is not complete yet
    let o = this.offset;
    while (o + 11 <= this.pending.length) {
      const size = this.pending.readUIntBE(o + 1, 3);
      if (o + 11 + size + 4 > this.pending.length) break;
      if ((this.pending[o] & 0x1f) === 9)
        this.lastVideoMs = this.pending.readUIntBE(o + 4, 3) | (this.pending[o + 7] << 24);
      o += 11 + size + 4;
    }
    this.pending = this.pending.subarray(o);
    this.offset = 0;
  }

  close(): void {
    this.ctrl.abort();
  }
}

/**
 * The clip as a WHIP push: ffmpeg copies its H.264 (SPS/PPS put in-band before each keyframe, as an encoder's RTP
 * carries them) and Opus to RTP in real time, and a node-datachannel peer sends that RTP to the relay.
 */
export async function whipPushClip(url: string, token: string, clip: string): Promise<{ stop(): void }> {
  const { pc, video, audio, sdp } = await publisherOffer('h264');
  // as the test peers send it (see asSent), with Opus as Chromium offers it, like the clip's mono audio
  const asChromium = asSent(asChromiumOpus(sdp));
  const post = await postSdp(url, asChromium, token);
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
