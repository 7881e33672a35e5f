/**
 * One WHIP push: the peer connection that receives the publisher's H.264 and Opus, the path that turns them into
 * the stream's FLV hub ({@link RtpToFfmpeg}: H.264 depacketised here, Opus to AAC by ffmpeg), keyframe requests to the publisher (rate-limited) whenever an output
 * joins, and the packets handed to WHEP viewers as they came. It is the stream's ingest pipeline, as the WebSocket
 * ingest's transcoder is: `hub`, `exited`, `end()`, `kill()`.
 */
import type { PeerConnection, Track } from 'node-datachannel';
import { randomBytes } from 'node:crypto';
import type { FfmpegExit } from '../relay/ffmpeg.ts';
import { announceCandidates, type WebRtcNetwork } from './network.ts';
import { addMedia, answerOffer, closePeer, openPeer } from './peer.ts';
import { RtpToFfmpeg } from './rtp-to-ffmpeg.ts';
import { isRtcp, nackPacket, pliPacket, randomSsrc, ReceptionStats } from './rtp.ts';
import type { Codec, MediaSection } from './sdp.ts';

/** At most one keyframe request to the publisher per this many ms. */
const KEYFRAME_EVERY_MS = 300;
/**
 * A keyframe is asked for at least this often: a browser's WebRTC H.264 encoder sends one only when asked (no
 * periodic GOP), while the live HLS muxer cuts 1 s segments on keyframes and FLV viewers and recordings start on
 * one. 1 s matches the WebSocket ingest's GOP (the recorder's `videoKeyFrameIntervalDuration`).
 */
const GOP_MS = 1000;
/** A peer that has not connected by then is given up. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Gets every RTP packet of a track, and from a source that has them its RTCP (told apart with `isRtcp`). */
export type RtpListener = (kind: 'video' | 'audio', packet: Buffer) => void;

export interface WhipTracks {
  video: { section: MediaSection; codec: Codec } | null;
  audio: { section: MediaSection; codec: Codec } | null;
}

export class WhipIngest {
  /** WHEP viewers are served this push’s RTP as received (`IngestPipeline.playsOverWhep`): H.264 only. */
  get playsOverWhep(): boolean {
    return this.codecs.video?.name !== 'vp8';
  }

  readonly sessionId = randomBytes(12).toString('hex');
  readonly exited: Promise<FfmpegExit>;
  readonly answer: string;
  /** Set when the push ended abnormally (ICE failed, no media), for the stream's error. */
  failure: string | null = null;
  private readonly listeners = new Set<RtpListener>();
  private readonly tracks = new Map<'video' | 'audio', Track>();
  /** What each track received, for receiver reports and the publisher's SSRC. */
  private readonly reception = new Map<'video' | 'audio', ReceptionStats>();
  /** Video packets asked for again (NACK), for diagnostics and tests. */
  nacked = 0;
  /** This receiver's own SSRC in its RTCP. */
  private readonly ssrc = randomSsrc();
  private lastKeyframeRequest = 0;
  /** A request made before the first video packet waits for it (until then the publisher's SSRC is unknown). */
  private keyframeWanted = false;
  private sawVideo = false;
  private keyframeTimer: NodeJS.Timeout | null = null;
  private lastPacketAt = Date.now();
  private readonly watch: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly pc: PeerConnection,
    private readonly out: RtpToFfmpeg,
    readonly codecs: { video: Codec | null; audio: Codec | null },
    answer: string,
    idleMs: number,
  ) {
    this.answer = answer;
    this.exited = out.exited.then((exit) => {
      this.close();
      return exit;
    });
    const startedAt = Date.now();
    this.watch = setInterval(() => {
      const state = pc.state();
      if (state !== 'connected' && Date.now() - startedAt > CONNECT_TIMEOUT_MS)
        this.end(`the WebRTC peer did not connect (${state})`);
      else if (state === 'connected' && Date.now() - this.lastPacketAt > idleMs)
        this.end(`no media for ${idleMs} ms`);
      else if (state === 'connected' && this.sawVideo && Date.now() - this.lastKeyframeRequest >= GOP_MS)
        this.requestKeyframe();
    }, 500);
    pc.onStateChange((state) => {
      if (state === 'failed' || state === 'closed') this.end(`the WebRTC peer ${state}`);
    });
  }

  /** Answers the publisher's offer and starts ffmpeg; resolves with the ingest, whose `answer` is the SDP to send. */
  static async open(
    offer: string,
    t: WhipTracks,
    network: WebRtcNetwork,
    idleMs: number,
  ): Promise<WhipIngest> {
    let ingest: WhipIngest | null = null;
    const out = await RtpToFfmpeg.start(
      t.video?.codec ?? null,
      t.audio?.codec ?? null,
      () => ingest?.requestKeyframe(),
      (seqs) => ingest?.askAgain(seqs),
    );
    const pc = openPeer('whip', network);
    try {
      const tracks: [kind: 'video' | 'audio', track: Track][] = [];
      for (const kind of ['video', 'audio'] as const) {
        const m = t[kind];
        if (m) tracks.push([kind, addMedia(pc, kind, m.section.mid, m.codec)]);
      }
      const answer = await answerOffer(pc, offer);
      ingest = new WhipIngest(
        pc,
        out,
        { video: t.video?.codec ?? null, audio: t.audio?.codec ?? null },
        announceCandidates(answer, network),
        idleMs,
      );
      for (const [kind, track] of tracks) ingest.receive(kind, track);
      return ingest;
    } catch (err) {
      closePeer(pc);
      out.kill();
      throw err;
    }
  }

  private receive(kind: 'video' | 'audio', track: Track): void {
    this.tracks.set(kind, track);
    const stats = new ReceptionStats();
    this.reception.set(kind, stats);
    // No media handler: this track gets the publisher's RTCP as well as its RTP, and answers it itself. (With
    // libdatachannel's RtcpReceivingSession, as before, every RTCP packet stayed inside it: the publisher's sender
    // reports reached neither ffmpeg nor WHEP viewers, so those played a WHIP push without lip-sync.)
    track.onOpen(() => {
      if (kind === 'video') this.requestKeyframe();
    });
    track.onMessage((packet) => {
      if (this.closed) return;
      if (isRtcp(packet)) {
        if (stats.senderReport(packet)) {
          // a receiver report back (round-trip time and losses for the publisher), the report to ffmpeg and to
          // every WHEP viewer (each rewrites it for its own SSRC): the wall-clock time of the RTP timestamps
          const rr = stats.receiverReport(this.ssrc);
          if (rr && track.isOpen()) track.sendMessageBinary(rr);
          this.out.send(kind, packet, true);
          for (const l of this.listeners) l(kind, packet);
        }
        return;
      }
      stats.rtp(packet);
      this.lastPacketAt = Date.now();
      if (kind === 'video' && !this.sawVideo) {
        this.sawVideo = true;
        if (this.keyframeWanted) this.requestKeyframe();
      }
      this.out.send(kind, packet);
      for (const l of this.listeners) l(kind, packet);
    });
  }

  get hub(): RtpToFfmpeg['hub'] {
    return this.out.hub;
  }

  get pid(): number | undefined {
    return this.out.pid;
  }

  /** Hears every RTP packet as received (WHEP viewers); returns the unsubscribe. */
  onRtp(listener: RtpListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Asks the publisher for a keyframe (PLI), at most once per {@link KEYFRAME_EVERY_MS}: a request inside that
   * window is sent when it closes, so a burst of joiners costs one keyframe.
   */
  requestKeyframe(): void {
    const track = this.tracks.get('video');
    if (!track || this.closed || this.keyframeTimer) return;
    if (!this.sawVideo) {
      this.keyframeWanted = true;
      return;
    }
    const wait = this.lastKeyframeRequest + KEYFRAME_EVERY_MS - Date.now();
    const send = (): void => {
      this.keyframeTimer = null;
      this.lastKeyframeRequest = Date.now();
      const media = this.reception.get('video')?.ssrc;
      if (!this.closed && track.isOpen() && media != null)
        track.sendMessageBinary(pliPacket(this.ssrc, media));
    };
    if (wait <= 0) send();
    else this.keyframeTimer = setTimeout(send, wait);
  }

  /** Asks the publisher to send these video packets again (a NACK; the answer offered `nack` feedback). */
  askAgain(seqs: number[]): void {
    const track = this.tracks.get('video');
    const media = this.reception.get('video')?.ssrc;
    if (this.closed || !track?.isOpen() || media == null || seqs.length === 0) return;
    this.nacked += seqs.length;
    track.sendMessageBinary(nackPacket(this.ssrc, media, seqs));
  }

  /** The push ends (DELETE, stream deleted, peer gone): ffmpeg finalises what it got and exits. */
  end(failure: string | null = null): void {
    if (failure && !this.closed) this.failure ??= failure;
    this.close();
    this.out.end();
  }

  kill(): void {
    this.close();
    this.out.kill();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watch);
    if (this.keyframeTimer) clearTimeout(this.keyframeTimer);
    this.listeners.clear();
    closePeer(this.pc);
  }
}
