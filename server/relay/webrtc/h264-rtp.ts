/**
 * H.264 from RTP into FLV, in this process: what a WHIP push's video needs to reach the hub without an ffmpeg.
 *
 * {@link H264Depacketizer} turns RTP packets (RFC 6184, packetization-mode 1: single NAL units, STAP-A, FU-A) into
 * access units — every NAL unit of one RTP timestamp — and {@link AvcFlvWriter} turns those into FLV video tags:
 * an AVC sequence header whenever the SPS/PPS change, then one AVCC tag per frame. Nothing is decoded or re-encoded.
 *
 * Why not ffmpeg's own depacketiser (`-f sdp -c:v copy`), as before: the packets then cross loopback UDP once more,
 * are parsed by ffmpeg, muxed to FLV and parsed again by the hub. Measured with `bench relay-webrtc-cpu` (720p30
 * H.264 from Chromium): that cost the WHIP ingest ×2.0–2.5 the CPU of a WebSocket push of the same video; see
 * bench/README.md for the numbers with this module.
 *
 * Losses: a sequence-number gap spoils the frame it falls in (the one being assembled, and the one the next packet
 * starts); those and every frame up to the next keyframe are dropped (a decoder would show garbage from there on)
 * and `onLoss` asks the publisher for a keyframe. Packets that arrive out of order are put back in order if the
 * missing ones come within {@link REORDER_PACKETS} packets or {@link REORDER_MS}; with `onMissing` (NACKs sent for
 * them) a gap is waited out up to {@link NACK_WAIT_MS}. Later than that they count as lost. Anything that is not H.264 as above spoils its frame too. A run of late packets is a sender
 * that restarted its numbering, and is followed.
 *
 * Composition times are 0: used for constrained-baseline and baseline streams only (what browsers send over WebRTC),
 * which have no B-frames; other profiles keep ffmpeg's path.
 */

import { avcSequenceHeader, flvTag } from '../relay/flv-hub.ts';
import { rtpPayload } from './rtp.ts';

const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_PPS = 8;
const NAL_AUD = 9;
const STAP_A = 24;
const FU_A = 28;
/** A frame larger than this is dropped as broken (a 4K keyframe is well under 1 MiB at WebRTC bitrates). */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/**
 * A gap is waited out for this many packets or ms (whichever comes first) before it counts as a loss: packets that
 * arrive out of order are put back in order. At 720p (~230 packets a second) 8 packets are about 35 ms.
 */
const REORDER_PACKETS = 8;
const REORDER_MS = 40;
/**
 * With NACKs sent (a WHIP publisher), a gap is waited out up to this long for the packets sent again: a round trip
 * and the sender's reaction. The frames behind a gap wait that long; nothing waits when nothing is lost.
 */
const NACK_WAIT_MS = 150;
/** ...or this many packets held (a 720p keyframe is 60–120 packets). */
const NACK_WAIT_PACKETS = 400;
/** At most this many packets asked for again per gap. */
const MAX_NACKED = 64;
/** Late packets in a row after which a sender is taken to have restarted its sequence numbers. */
const LATE_RUN_RESYNC = 50;

export interface AccessUnit {
  /** NAL units in decoding order, without start codes or length prefixes. */
  nalus: Buffer[];
  /** The RTP timestamp (90 kHz), unwrapped past 2^32. */
  timestamp: number;
  /** True when it holds an IDR slice. */
  keyframe: boolean;
}

export class H264Depacketizer {
  private nalus: Buffer[] = [];
  /** The FU-A being reassembled: its parts (the first begins with the rebuilt NAL header). */
  private fragment: Buffer[] | null = null;
  private timestamp: number | null = null;
  private spoiled = false;
  /** Bytes held for the frame being assembled, against {@link MAX_FRAME_BYTES}. */
  private held = 0;
  /** Until a keyframe arrives nothing goes out: at the start, and after a loss. */
  private waitingForKeyframe = true;
  private lastSeq: number | null = null;
  /** Packets in a row behind the newest; after {@link LATE_RUN_RESYNC} the numbering is taken to have restarted. */
  private lateRun = 0;
  /** Packets that came ahead of a gap, by sequence number, held for {@link REORDER_PACKETS} / {@link REORDER_MS}. */
  private readonly waiting = new Map<
    number,
    { rtp: NonNullable<ReturnType<typeof rtpPayload>>; at: number }
  >();
  private lastTs: number | null = null;
  /** Packets dropped as late or duplicate, gaps seen and frames dropped (for tests and diagnostics). */
  readonly stats = { late: 0, gaps: 0, droppedFrames: 0, frames: 0 };

  /** The highest sequence number seen (in order or held), from which newly missing ones are counted. */
  private highest: number | null = null;
  private readonly reorderPackets: number;
  private readonly reorderMs: number;

  /**
   * `onMissing`, when given, is told the sequence numbers of packets that went missing, once each (to ask for them
   * again with a NACK); a gap is then waited out longer ({@link NACK_WAIT_MS}) for the packets sent again.
   */
  constructor(
    private readonly onUnit: (unit: AccessUnit) => void,
    private readonly onLoss: () => void = () => {},
    private readonly onMissing?: (seqs: number[]) => void,
  ) {
    this.reorderPackets = onMissing ? NACK_WAIT_PACKETS : REORDER_PACKETS;
    this.reorderMs = onMissing ? NACK_WAIT_MS : REORDER_MS;
  }

  push(packet: Buffer): void {
    const rtp = rtpPayload(packet);
    if (!rtp) return;
    if (this.lastSeq === null) return this.process(rtp);
    const delta = (rtp.seq - this.lastSeq) & 0xffff;
    if (delta === 1) {
      this.lateRun = 0;
      this.process(rtp);
      this.drain();
      return;
    }
    if (delta === 0 || delta >= 0x8000 || this.waiting.has(rtp.seq)) {
      // behind the newest: late or repeated, dropped; unless it keeps on (the sender's numbering restarted)
      if (delta >= 0x8000 && ++this.lateRun > LATE_RUN_RESYNC) {
        this.lateRun = 0;
        this.waiting.clear();
        this.process(rtp);
        return;
      }
      this.stats.late += 1;
      return;
    }
    // ahead of the next one: held while the packets between may still come (reordered on the way, or sent again)
    this.lateRun = 0;
    this.waiting.set(rtp.seq, { rtp, at: performance.now() });
    const from = this.highest ?? this.lastSeq;
    const ahead = (rtp.seq - from) & 0xffff;
    if (ahead >= 1 && ahead < 0x8000) {
      if (this.onMissing && ahead > 1) {
        const missing: number[] = [];
        for (let k = 1; k < ahead && missing.length < MAX_NACKED; k++) missing.push((from + k) & 0xffff);
        this.onMissing(missing);
      }
      this.highest = rtp.seq;
    }
    const oldest = this.waiting.values().next().value;
    if (this.waiting.size > this.reorderPackets || (oldest && performance.now() - oldest.at > this.reorderMs))
      this.giveUp();
  }

  /** Passes on the held packets that now follow in sequence. */
  private drain(): void {
    for (let next; this.lastSeq !== null && (next = this.waiting.get((this.lastSeq + 1) & 0xffff));) {
      this.waiting.delete(next.rtp.seq);
      this.process(next.rtp);
    }
  }

  /** The missing packets are taken as lost: the held ones go on in sequence order, from the gap. */
  private giveUp(): void {
    const last = this.lastSeq ?? 0;
    const held = [...this.waiting.values()].sort(
      (x, y) => ((x.rtp.seq - last) & 0xffff) - ((y.rtp.seq - last) & 0xffff),
    );
    this.waiting.clear();
    for (const h of held) this.process(h.rtp);
  }

  private process(rtp: NonNullable<ReturnType<typeof rtpPayload>>): void {
    const gap = this.lastSeq !== null && ((rtp.seq - this.lastSeq) & 0xffff) !== 1;
    if (this.highest === null || this.waiting.size === 0) this.highest = rtp.seq;
    if (gap) {
      // the lost packets belong to the frame being assembled or to the one this packet starts: neither goes out
      this.stats.gaps += 1;
      this.spoiled = true;
      this.fragment = null;
      this.lose();
    }
    this.lastSeq = rtp.seq;
    const ts = this.unwrap(rtp.timestamp);
    if (this.timestamp !== null && ts !== this.timestamp) {
      this.flush();
      if (gap) this.spoiled = true;
    }
    this.timestamp = ts;
    this.held += rtp.payload.length;
    if (this.held > MAX_FRAME_BYTES) {
      // a frame that never ends (no marker, one timestamp): what it holds is let go
      this.spoiled = true;
      this.nalus = [];
      this.fragment = null;
      if (rtp.marker) this.flush();
      return;
    }
    this.take(rtp.payload);
    if (rtp.marker) this.flush();
  }

  /** The RTP timestamp on a line without 2^32 wraps (each step taken as the shortest way round, signed 32 bits). */
  private unwrap(raw: number): number {
    this.lastTs = this.lastTs === null ? raw : this.lastTs + ((raw - this.lastTs) | 0);
    return this.lastTs;
  }

  private take(payload: Buffer): void {
    const type = payload[0]! & 0x1f;
    if (type >= 1 && type <= 23) {
      this.fragment = null;
      this.nalus.push(payload);
    } else if (type === STAP_A) {
      this.fragment = null;
      for (let p = 1; p + 2 <= payload.length;) {
        const size = payload.readUInt16BE(p);
        p += 2;
        if (size === 0 || p + size > payload.length) {
          this.spoiled = true;
          return;
        }
        this.nalus.push(payload.subarray(p, p + size));
        p += size;
      }
    } else if (type === FU_A && payload.length > 2) {
      const start = (payload[1]! & 0x80) !== 0;
      const end = (payload[1]! & 0x40) !== 0;
      if (start) {
        this.fragment = [Buffer.from([(payload[0]! & 0xe0) | (payload[1]! & 0x1f)]), payload.subarray(2)];
      } else if (this.fragment) {
        this.fragment.push(payload.subarray(2));
      } else {
        this.spoiled = true; // the fragment's start was lost
        return;
      }
      if (end && this.fragment) {
        this.nalus.push(Buffer.concat(this.fragment));
        this.fragment = null;
      }
    } else {
      this.spoiled = true; // STAP-B, MTAP, FU-B (not in packetization-mode 1), or a cut FU-A
    }
  }

  private flush(): void {
    const nalus = this.nalus;
    const spoiled = this.spoiled || this.fragment !== null;
    this.nalus = [];
    this.fragment = null;
    this.spoiled = false;
    this.held = 0;
    if (this.timestamp === null) return;
    if (spoiled) {
      this.lose();
      this.stats.droppedFrames += 1;
      return;
    }
    if (nalus.length === 0) return;
    const keyframe = nalus.some((n) => (n[0]! & 0x1f) === NAL_IDR);
    if (this.waitingForKeyframe && !keyframe) {
      this.stats.droppedFrames += 1;
      return;
    }
    this.waitingForKeyframe = false;
    this.stats.frames += 1;
    this.onUnit({ nalus, timestamp: this.timestamp, keyframe });
  }

  private lose(): void {
    if (!this.waitingForKeyframe) this.onLoss();
    this.waitingForKeyframe = true;
  }
}

const TAG_VIDEO = 9;

/** The FLV header of a video-only stream (the hub writes the merged stream's own). */
export const FLV_VIDEO_HEADER = Buffer.from([0x46, 0x4c, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0]);

/**
 * Access units to FLV video tags (AVC, 4-byte NAL lengths). A keyframe whose SPS/PPS differ from the last ones
 * (the first, or the encoder changed resolution) is preceded by a new sequence header; frames before the first
 * SPS/PPS are dropped and reported by `onMissingParameterSets` (the publisher is asked for a keyframe).
 */
export class AvcFlvWriter {
  private sps: Buffer | null = null;
  private pps: Buffer | null = null;

  constructor(private readonly onMissingParameterSets: () => void = () => {}) {}

  /** The tags for `unit` at `ms` (possibly none). */
  tags(unit: AccessUnit, ms: number): Buffer[] {
    const out: Buffer[] = [];
    const sps = unit.nalus.find((n) => (n[0]! & 0x1f) === NAL_SPS);
    const pps = unit.nalus.find((n) => (n[0]! & 0x1f) === NAL_PPS);
    if (sps && pps && sps.length >= 4 && !(this.sps?.equals(sps) && this.pps?.equals(pps))) {
      this.sps = Buffer.from(sps);
      this.pps = Buffer.from(pps);
      out.push(avcSequenceHeader(sps, pps, 4, ms));
    }
    if (!this.sps) {
      this.onMissingParameterSets();
      return out;
    }
    const kept = unit.nalus.filter((n) => (n[0]! & 0x1f) !== NAL_AUD);
    const parts: Buffer[] = [Buffer.from([unit.keyframe ? 0x17 : 0x27, 1, 0, 0, 0])];
    for (const n of kept) parts.push(u32(n.length), n);
    out.push(flvTag(TAG_VIDEO, ms, Buffer.concat(parts)));
    return out;
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
