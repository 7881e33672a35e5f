/**
 * A WHIP ingest's RTP into the stream's FLV hub — the hub every output and recorder reads from, as with the
 * WebSocket ingest's transcoder — without decoding video:
 * - constrained-baseline or baseline H.264 with audio (what browsers send): the video is depacketised in this
 *   process ({@link H264Depacketizer}, {@link AvcFlvWriter}) and only the Opus goes over loopback UDP to an ffmpeg
 *   that turns it into AAC (FLV on `pipe:1`); the hub merges the two, each placed on the stream's timeline by when
 *   its first packet arrived;
 * - any other H.264, or video without audio: the packets go to an ffmpeg that reads them through an SDP file
 *   (`-protocol_whitelist file,udp,rtp`), copies the H.264 (`-c:v copy`) and turns Opus into AAC, writing two FLV
 *   outputs (video on `pipe:1`, audio on `pipe:3`);
 * - VP8 (a publisher without H.264): as above, re-encoded to H.264.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnFfmpeg, type FfmpegChild, type FfmpegExit } from '../relay/ffmpeg.ts';
import { AvcFlvWriter, FLV_VIDEO_HEADER, H264Depacketizer } from './h264-rtp.ts';
import { KeyframeHub } from './keyframe-hub.ts';
import { ffmpegSdp, h264Profile, opusSendsStereo, type Codec } from './sdp.ts';

/** An even UDP port on 127.0.0.1 whose next port (ffmpeg's RTCP) is free too. */
async function freeRtpPort(): Promise<number> {
  const bind = (port: number): Promise<Socket | null> =>
    new Promise((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => {
        s.close();
        resolve(null);
      });
      s.bind(port, '127.0.0.1', () => resolve(s));
    });
  for (let i = 0; i < 50; i++) {
    const a = await bind(0);
    if (!a) continue;
    const port = a.address().port;
    const b = port % 2 === 0 && port < 65535 ? await bind(port + 1) : null;
    a.close();
    b?.close();
    if (b) return port;
  }
  throw new Error('no free UDP port pair on 127.0.0.1 for ffmpeg');
}

// prettier-ignore
const flvOut = (pipe: string): string[] => ['-f', 'flv', '-flvflags', 'no_duration_filesize', '-flush_packets', '1', pipe];

/** ffmpeg's arguments for an SDP at `sdpFile` with these tracks. */
export function rtpIngestArgs(
  sdpFile: string,
  tracks: { video: boolean; audio: boolean; reencodeVideo?: boolean; monoAudio?: boolean },
): string[] {
  // `-fpsprobesize 0`: the probe ends once the codecs are known (the first keyframe's SPS/PPS), instead of counting
  // frames for a frame rate a copy does not need — the first FLV byte 0.43–0.58 s after the WHIP POST instead of
  // 1.1–1.3 s, and a push stopped after about 0.5 s is recorded. 2 s stays the bound without a keyframe.
  // prettier-ignore
  const input = [
    '-protocol_whitelist', 'file,udp,rtp', '-fflags', '+genpts', '-probesize', '262144', '-analyzeduration', '2000000',
    '-fpsprobesize', '0',
    '-f', 'sdp', '-i', sdpFile,
  ];
  // VP8 from a publisher without H.264: re-encoded as the WebSocket ingest re-encodes VP8 (ingest/transcoder.ts)
  // prettier-ignore
  const x264 = [
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
    '-force_key_frames', 'expr:gte(t,n_forced*1)', '-crf', '26',
  ];
  const video = ['-map', '0:v:0', ...(tracks.reencodeVideo ? x264 : ['-c:v', 'copy']), '-an'];
  // Opus over RTP always decodes to two channels; a sender that did not say stereo (sprop-stereo) is encoded as
  // mono AAC, as the WebSocket ingest keeps a mono microphone mono. Half the AAC encoder's work: the relay's ffmpeg
  // for a mono WHIP push took 2.4–2.5 % of a core encoding stereo, 1.8–2.0 % encoding mono (bench relay-webrtc-cpu)
  const audio = [
    '-map',
    '0:a:0',
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    ...(tracks.monoAudio ? ['-ac', '1'] : []),
    '-vn',
  ];
  if (!tracks.video) return [...input, ...audio, ...flvOut('pipe:1')];
  if (!tracks.audio) return [...input, ...video, ...flvOut('pipe:1')];
  return [...input, ...video, ...flvOut('pipe:1'), ...audio, ...flvOut('pipe:3')];
}

/** True when this H.264 is depacketised in this process: baseline profiles, which have no B-frames. */
export function depacketisedHere(video: Codec | null, audio: Codec | null): boolean {
  return video?.name === 'h264' && h264Profile(video.fmtp).startsWith('42') && audio !== null;
}

/** The video of a WHIP push depacketised in this process, as FLV into the hub ({@link depacketisedHere}). */
class VideoIntoHub {
  private readonly depacketizer: H264Depacketizer;
  private readonly writer: AvcFlvWriter;
  /** The RTP timestamp of the first packet, and where on the stream's timeline (ms) it goes. */
  private first: { rtp: number; ms: number } | null = null;

  constructor(hub: KeyframeHub, wantKeyframe: () => void, askAgain?: (seqs: number[]) => void) {
    this.writer = new AvcFlvWriter(wantKeyframe);
    this.depacketizer = new H264Depacketizer(
      (unit) => {
        if (!this.first) return;
        const ms = this.first.ms + Math.max(0, Math.round((unit.timestamp - this.first.rtp) / 90));
        for (const tag of this.writer.tags(unit, ms)) hub.push(tag);
      },
      wantKeyframe,
      askAgain,
    );
    hub.push(FLV_VIDEO_HEADER);
  }

  /** One RTP packet, `atMs` after the stream's first packet arrived. */
  push(packet: Buffer, atMs: number): void {
    if (!this.first && packet.length >= 12) this.first = { rtp: packet.readUInt32BE(4), ms: atMs };
    this.depacketizer.push(packet);
  }
}

export class RtpToFfmpeg {
  readonly hub: KeyframeHub;
  readonly exited: Promise<FfmpegExit>;
  /** When the first packet of any track, and of each, arrived (ms since the epoch). */
  private readonly arrived: { any: number | null; video: number | null; audio: number | null } = {
    any: null,
    video: null,
    audio: null,
  };

  private constructor(
    private readonly child: FfmpegChild,
    private readonly socket: Socket,
    private readonly ports: { video: number | null; audio: number | null },
    hub: KeyframeHub,
    dir: string,
    private readonly video: VideoIntoHub | null,
  ) {
    this.hub = hub;
    let ended = false;
    this.stopping = () => (ended = true);
    this.exited = child.exited.then((exit) => {
      rmSync(dir, { recursive: true, force: true });
      socket.close();
      hub.end();
      // stopped on purpose (SIGINT makes ffmpeg finalise and exit 255): a clean end
      return ended && exit.signal === null ? { ...exit, code: 0 } : exit;
    });
  }

  private readonly stopping: () => void;

  /**
   * Starts ffmpeg for these tracks; `onJoin` runs when an output joins the hub or frames were lost (a keyframe is
   * wanted), `askAgain` with the video packets that went missing (sent a NACK).
   */
  static async start(
    video: Codec | null,
    audio: Codec | null,
    onJoin: () => void,
    askAgain?: (seqs: number[]) => void,
  ): Promise<RtpToFfmpeg> {
    const here = depacketisedHere(video, audio);
    const ports = {
      video: video && !here ? await freeRtpPort() : null,
      audio: audio ? await freeRtpPort() : null,
    };
    const dir = mkdtempSync(join(tmpdir(), 'relay-whip-'));
    const sdpFile = join(dir, 'in.sdp');
    writeFileSync(
      sdpFile,
      ffmpegSdp({
        video: video && ports.video ? { port: ports.video, codec: video } : null,
        audio: audio && ports.audio ? { port: ports.audio, codec: audio } : null,
      }),
    );
    const hub = new KeyframeHub(onJoin);
    hub.declareTracks({ video: video !== null, audio: audio !== null });
    const both = video !== null && audio !== null && !here;
    const child = spawnFfmpeg(
      rtpIngestArgs(sdpFile, {
        video: !!video && !here,
        audio: !!audio,
        reencodeVideo: video?.name === 'vp8',
        monoAudio: audio !== null && !opusSendsStereo(audio.fmtp),
      }),
      both ? 1 : 0,
    );
    const feed = (push: (c: Buffer) => void) => (c: Buffer) => {
      try {
        push(c);
      } catch {
        child.kill();
      }
    };
    const socket = createSocket('udp4');
    socket.on('error', () => {});
    socket.on('message', () => {}); // ffmpeg's receiver reports: not needed
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    let out: RtpToFfmpeg | null = null;
    if (here) {
      const videoPath = new VideoIntoHub(hub, onJoin, askAgain);
      // ffmpeg's audio starts at 0 with the first Opus packet: placed by when that arrived
      const shift = (): number => (out?.arrived.audio ?? 0) - (out?.arrived.any ?? 0);
      child.proc.stdout.on('data', feed(hub.input(shift)));
      out = new RtpToFfmpeg(child, socket, ports, hub, dir, videoPath);
      return out;
    }
    child.proc.stdout.on(
      'data',
      feed((c) => hub.push(c)),
    );
    if (both) child.extra[0].on('data', feed(hub.input()));
    return new RtpToFfmpeg(child, socket, ports, hub, dir, null);
  }

  get pid(): number | undefined {
    return this.child.proc.pid;
  }

  /**
   * Forwards one RTP (or, to the port after, RTCP) packet of `kind`; the stream's first RTP packet sets the hub's
   * origin (when its media timestamp 0 arrived).
   */
  send(kind: 'video' | 'audio', packet: Buffer, rtcp = false): void {
    const now = Date.now();
    if (!rtcp) {
      if (this.arrived.any === null) {
        this.arrived.any = now;
        this.hub.setOrigin(now, true); // the media's timestamp 0 arrived now (for the relay clock)
      }
      this.arrived[kind] ??= now;
    }
    if (kind === 'video' && this.video) {
      // (the publisher's video sender reports: its timing is the RTP timestamps the depacketiser reads)
      if (!rtcp) this.video.push(packet, now - (this.arrived.any ?? now));
      return;
    }
    const port = this.ports[kind];
    if (port === null) return;
    this.socket.send(packet, rtcp ? port + 1 : port, '127.0.0.1', () => {});
  }

  /**
   * No more input: ffmpeg finalises its outputs and exits (SIGKILL after `graceMs`). Two SIGINTs: once ffmpeg has
   * started transcoding, its interrupt callback aborts a blocking read only from the second signal on
   * (`received_nb_signals > transcode_init_done`), and with the publisher gone no packet arrives to end the read —
   * one SIGINT left it waiting for the SIGKILL (no trailer) whenever the RTP had stopped first.
   */
  end(graceMs = 5000): void {
    this.stopping();
    if (this.child.proc.exitCode !== null) return;
    this.child.proc.kill('SIGINT');
    const again = setTimeout(() => this.child.proc.kill('SIGINT'), 200);
    const t = setTimeout(() => this.child.kill(), graceMs);
    void this.exited.then(() => {
      clearTimeout(again);
      clearTimeout(t);
    });
  }

  kill(): void {
    this.stopping();
    this.child.kill();
  }
}
