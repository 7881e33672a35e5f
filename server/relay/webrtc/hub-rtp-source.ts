/**
 * WHEP for a stream that was not ingested as an H.264 WHIP push (the WebSocket ingest; a VP8 WHIP push re-encoded to
 * H.264): one ffmpeg per stream, started by its first WHEP viewer and stopped after its last, reads the stream's FLV
 * hub like any other output (from the hub's cached keyframe on) and sends RTP over loopback UDP to this process —
 * the H.264 copied (no decode: the hub's video is H.264 already; `h264_mp4toannexb` puts SPS/PPS in-band before each
 * keyframe, as a browser decoder needs them), the AAC transcoded to Opus. The packets are handed to every viewer as
 * a WHIP push's are ({@link WhepSource}). A viewer that joins while it runs gets the packets since the last keyframe
 * (cached here) as soon as its track opens, so its picture starts at once instead of at the next keyframe.
 *
 * ffmpeg's RTP muxer is used rather than packetising here (node-datachannel's H264RtpPacketizer would need the NAL
 * units split out of FLV and its own RTCP): the audio needs an ffmpeg for the Opus encode anyway, and one ffmpeg per
 * watched stream does both.
 */
import { createSocket, type Socket } from 'node:dgram';
import { spawnFfmpeg, type FfmpegChild } from '../relay/ffmpeg.ts';
import type { FlvHub } from '../relay/flv-hub.ts';
import { isRtcp, rtpPayload } from './rtp.ts';
import type { Codec } from './sdp.ts';
import type { RtpListener } from './whip-ingest.ts';

const VIDEO_PT = 102;
const AUDIO_PT = 111;
/** Below the path MTU with SRTP and the UDP/IP headers (libwebrtc's own packets are about this size). */
const PACKET_SIZE = 1200;
/** The keyframe cache is dropped beyond this (a GOP of a few seconds of 720p is far below it). */
const MAX_GOP_PACKETS = 4000;

/** True when an H.264 RTP packet (RFC 6184) starts an SPS or an IDR slice: where a decoder can start. */
export function startsKeyframe(p: Buffer): boolean {
  const payload = rtpPayload(p)?.payload;
  if (!payload) return false;
  const type = payload[0]! & 0x1f;
  const isKey = (t: number): boolean => t === 7 || t === 5;
  if (type === 24) return payload.length > 3 && isKey(payload[3]! & 0x1f); // STAP-A: its first NAL unit
  if (type === 28) return payload.length > 1 && (payload[1]! & 0x80) !== 0 && isKey(payload[1]! & 0x1f); // FU-A start
  return isKey(type);
}

function bindLoopback(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve(s));
  });
}

/** `profile-level-id` of the H.264 the hub carries (its AVC sequence header), e.g. `42e01f`. */
function profileLevelId(hub: FlvHub): string | null {
  const avcC = hub.avcConfig;
  if (!avcC || avcC.length < 4) return null;
  return [avcC[1]!, avcC[2]!, avcC[3]!].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class HubRtpSource {
  readonly codecs: { video: Codec | null; audio: Codec | null };
  /** Resolves when the source ends (the stream ended, ffmpeg failed, or {@link close}). */
  readonly exited: Promise<void>;
  private readonly listeners = new Set<RtpListener>();
  private gop: Buffer[] = [];
  private gopTimestamp = -1;
  private closed = false;
  private finish: () => void = () => {};
  private child: FfmpegChild | null = null;
  private detach: () => void = () => {};

  private constructor(
    private readonly sockets: { video: Socket | null; audio: Socket | null },
    codecs: { video: Codec | null; audio: Codec | null },
  ) {
    this.codecs = codecs;
    this.exited = new Promise((resolve) => (this.finish = resolve));
    for (const kind of ['video', 'audio'] as const) {
      sockets[kind]?.on('message', (packet: Buffer) => this.onPacket(kind, packet));
    }
  }

  /** What a source of `hub` will send: H.264 of the hub's profile when it has video, Opus when it has audio. */
  static codecsOf(hub: FlvHub): { video: Codec | null; audio: Codec | null } {
    const { video, audio } = hub.tracks;
    const profile = profileLevelId(hub) ?? '42e01f';
    return {
      video: video
        ? {
            pt: VIDEO_PT,
            name: 'h264',
            clockRate: 90000,
            channels: 0,
            fmtp: `packetization-mode=1;profile-level-id=${profile}`,
          }
        : null,
      audio: audio
        ? { pt: AUDIO_PT, name: 'opus', clockRate: 48000, channels: 2, fmtp: 'minptime=10;useinbandfec=1' }
        : null,
    };
  }

  /** Starts reading `hub` (its tracks as declared) into RTP. */
  static async start(hub: FlvHub): Promise<HubRtpSource> {
    const tracks = hub.tracks;
    const video = tracks.video ? await bindLoopback() : null;
    const audio = tracks.audio
      ? await bindLoopback().catch((e: unknown) => (video?.close(), Promise.reject(e)))
      : null;
    const source = new HubRtpSource({ video, audio }, HubRtpSource.codecsOf(hub));
    const out = (s: Socket, pt: number): string[] => {
      const port = s.address().port;
      // RTCP to the same socket (told apart): its sender reports go on to viewers (the wall clock of the RTP
      // timestamps, for audio/video sync), and nothing is sent to a port nobody listens on
      return [
        '-f',
        'rtp',
        '-payload_type',
        String(pt),
        `rtp://127.0.0.1:${port}?rtcpport=${port}&pkt_size=${PACKET_SIZE}`,
      ];
    };
    // prettier-ignore
    const args = [
      '-hide_banner', '-loglevel', 'error', '-fflags', 'nobuffer', '-flags', 'low_delay',
      '-probesize', '65536', '-analyzeduration', '500000', '-f', 'flv', '-i', 'pipe:0',
      ...(video ? ['-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb', ...out(video, VIDEO_PT)] : []),
      ...(audio
        ? ['-map', '0:a:0', '-c:a', 'libopus', '-ar', '48000', '-ac', '2', '-b:a', '64k', '-application', 'lowdelay',
           ...out(audio, AUDIO_PT)]
        : []),
    ];
    const child = spawnFfmpeg(args);
    source.child = child;
    child.proc.stdin.on('error', () => undefined); // ffmpeg gone: its exit ends the source
    source.detach = hub.subscribe({
      write: (chunk) => {
        if (child.proc.stdin.writable) child.proc.stdin.write(chunk);
      },
      end: () => child.proc.stdin.end(),
    });
    void child.exited.then(() => source.close());
    return source;
  }

  /** `listener` gets every packet from now on; returns the unsubscribe function. */
  onRtp(listener: RtpListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A viewer wants a picture now: it is sent the video packets since the last keyframe (what it has missed of the
   * current GOP) through `deliver`. The ingest's own keyframes (every second) do the rest.
   */
  requestKeyframe(deliver?: (packet: Buffer) => void): void {
    if (deliver) for (const p of this.gop) deliver(p);
  }

  private onPacket(kind: 'video' | 'audio', packet: Buffer): void {
    if (this.closed) return;
    if (kind === 'video' && !isRtcp(packet)) {
      const ts = packet.length >= 8 ? packet.readUInt32BE(4) : -1;
      if (startsKeyframe(packet) && ts !== this.gopTimestamp) {
        this.gop = [packet];
        this.gopTimestamp = ts;
      } else if (this.gop.length > 0) {
        if (this.gop.length < MAX_GOP_PACKETS) this.gop.push(packet);
        else this.gop = [];
      }
    }
    for (const l of this.listeners) l(kind, packet);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    this.child?.proc.stdin.end();
    this.child?.proc.kill('SIGKILL');
    this.sockets.video?.close();
    this.sockets.audio?.close();
    this.listeners.clear();
    this.gop = [];
    this.finish();
  }
}
