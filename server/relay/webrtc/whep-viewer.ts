/**
 * One WHEP viewer: a peer connection whose send-only tracks carry a {@link WhepSource}'s RTP packet by packet (no
 * decode), each rewritten to the payload type and SSRC negotiated with this viewer. The source is an H.264 WHIP push
 * (its packets as received; keyframe requests (PLI/FIR) from the viewer, and its joining, reach the publisher
 * through the ingest's rate-limited request) or any other stream's hub packetised by ffmpeg (`hub-rtp-source.ts`;
 * a joining viewer gets the current GOP).
 */
import type { PeerConnection, Track } from 'node-datachannel';
import { randomBytes } from 'node:crypto';
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { relayError } from '../../shared/http-error.ts';
import { announceCandidates, type WebRtcNetwork } from './network.ts';
import { addMedia, answerOffer, closePeer, openPeer } from './peer.ts';
import { asksForKeyframe, isRtcp, randomSsrc, rewriteRtp, senderReportFor } from './rtp.ts';
import {
  h264Profile,
  parseOffer,
  pickH264,
  pickOpus,
  sectionOf,
  type Codec,
  type MediaSection,
} from './sdp.ts';
import type { RtpListener } from './whip-ingest.ts';

/**
 * What a WHEP viewer plays: RTP of one stream (and the sender's RTCP, whose sender reports are passed on), its
 * codecs, and a way to get a keyframe soon.
 */
export interface WhepSource {
  readonly codecs: { video: Codec | null; audio: Codec | null };
  /** Resolves when the stream's packets stop for good. */
  readonly exited: Promise<unknown>;
  onRtp(listener: RtpListener): () => void;
  /** A keyframe for a viewer: asked of the publisher, or the current GOP handed to `deliver`. */
  requestKeyframe(deliver?: (packet: Buffer) => void): void;
}

const CONNECT_TIMEOUT_MS = 10_000;

interface Sender {
  section: MediaSection;
  codec: Codec;
  ssrc: number;
}

export type WhepSenders = { video: Sender | null; audio: Sender | null };

/** What a viewer's offer can receive of `ingest`: H.264 of the publisher's profile, Opus; 400 when nothing. */
export function whepSenders(offer: string, ingest: Pick<WhepSource, 'codecs'>): WhepSenders {
  const parsed = parseOffer(offer);
  const v = ingest.codecs.video ? sectionOf(parsed, 'video', false) : null;
  const a = ingest.codecs.audio ? sectionOf(parsed, 'audio', false) : null;
  const wanted = ingest.codecs.video ? h264Profile(ingest.codecs.video.fmtp) : undefined;
  const h264 = v ? pickH264(v, wanted) : null;
  const opus = a ? pickOpus(a) : null;
  if (!h264 && !opus)
    throw relayError(
      400,
      ErrorCodes.INVALID_OPTIONS,
      'The offer receives neither H.264 video nor Opus audio, which is what this stream carries.',
    );
  return {
    video: v && h264 ? { section: v, codec: h264, ssrc: randomSsrc() } : null,
    audio: a && opus ? { section: a, codec: opus, ssrc: randomSsrc() } : null,
  };
}

export class WhepViewer {
  readonly sessionId = randomBytes(12).toString('hex');
  readonly ended: Promise<void>;
  private finish: () => void = () => {};
  private closed = false;
  private readonly unsubscribe: () => void;
  private readonly watch: NodeJS.Timeout;

  private constructor(
    private readonly pc: PeerConnection,
    readonly answer: string,
    ingest: WhepSource,
    tracks: Map<'video' | 'audio', { track: Track; sender: Sender }>,
  ) {
    this.ended = new Promise((resolve) => (this.finish = resolve));
    for (const [kind, { track, sender }] of tracks) {
      track.onOpen(() => {
        // a picture within one keyframe request (or at once, from a hub source's current GOP)
        if (kind === 'video')
          ingest.requestKeyframe((packet) => {
            const out = rewriteRtp(packet, sender.codec.pt, sender.ssrc);
            if (out && track.isOpen()) track.sendMessageBinary(out);
          });
      });
      track.onMessage((packet) => {
        if (isRtcp(packet) && asksForKeyframe(packet)) ingest.requestKeyframe();
      });
    }
    this.unsubscribe = ingest.onRtp((kind, packet) => {
      const t = tracks.get(kind);
      if (!t || !t.track.isOpen()) return;
      const out = isRtcp(packet)
        ? senderReportFor(packet, t.sender.ssrc)
        : rewriteRtp(packet, t.sender.codec.pt, t.sender.ssrc);
      if (out) t.track.sendMessageBinary(out);
    });
    void ingest.exited.then(() => this.close());
    pc.onStateChange((state) => {
      if (state === 'failed' || state === 'closed' || state === 'disconnected') this.close();
    });
    const startedAt = Date.now();
    this.watch = setInterval(() => {
      if (pc.state() !== 'connected' && Date.now() - startedAt > CONNECT_TIMEOUT_MS) this.close();
    }, 1000);
  }

  /** Answers `offer` with send-only tracks for `senders` (from {@link whepSenders}). */
  static async open(
    offer: string,
    senders: WhepSenders,
    ingest: WhepSource,
    network: WebRtcNetwork,
  ): Promise<WhepViewer> {
    const pc = openPeer('whep', network);
    try {
      const tracks = new Map<'video' | 'audio', { track: Track; sender: Sender }>();
      for (const kind of ['video', 'audio'] as const) {
        const s = senders[kind];
        if (s)
          tracks.set(kind, {
            track: addMedia(pc, kind, s.section.mid, s.codec, { ssrc: s.ssrc }),
            sender: s,
          });
      }
      const answer = await answerOffer(pc, offer);
      return new WhepViewer(pc, announceCandidates(answer, network), ingest, tracks);
    } catch (err) {
      closePeer(pc);
      throw err;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watch);
    this.unsubscribe();
    closePeer(this.pc);
    this.finish();
  }
}
