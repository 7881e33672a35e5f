/**
 * The few RTP/RTCP facts forwarding needs (RFC 3550, 4585, 5104): telling RTCP from RTP on a muxed track, rewriting
 * a packet for another peer (its payload type and SSRC, header extensions dropped since their ids were negotiated
 * with the publisher), passing a sender report on under the viewer's SSRC, and spotting a keyframe request (PLI,
 * FIR) from a viewer. No media is decoded.
 */

/** True for an RTCP packet (payload types 192–223 in the second byte, RFC 5761 §4). */
export function isRtcp(packet: Buffer): boolean {
  return packet.length >= 4 && packet[1] >= 192 && packet[1] <= 223;
}

/** The payload of an RTP packet and its header fields; null when it is not RTP version 2 or is cut short. */
export function rtpPayload(
  packet: Buffer,
): { seq: number; timestamp: number; marker: boolean; payload: Buffer } | null {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return null;
  let offset = 12 + 4 * (packet[0]! & 0x0f);
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) return null;
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[packet.length - 1]!; // padding
  if (offset >= end) return null;
  return {
    seq: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    marker: (packet[1]! & 0x80) !== 0,
    payload: packet.subarray(offset, end),
  };
}

/** A copy of RTP `packet` with payload type `pt` and SSRC `ssrc`, without header extension; null if malformed. */
export function rewriteRtp(packet: Buffer, pt: number, ssrc: number): Buffer | null {
  if (packet.length < 12 || packet[0] >> 6 !== 2) return null;
  const csrcs = packet[0] & 0x0f;
  const headerEnd = 12 + 4 * csrcs;
  const hasExtension = (packet[0] & 0x10) !== 0;
  let extEnd = headerEnd;
  if (hasExtension) {
    if (packet.length < headerEnd + 4) return null;
    extEnd = headerEnd + 4 + 4 * packet.readUInt16BE(headerEnd + 2);
  }
  if (extEnd > packet.length) return null;
  const out = Buffer.allocUnsafe(packet.length - (extEnd - headerEnd));
  packet.copy(out, 0, 0, headerEnd);
  packet.copy(out, headerEnd, extEnd);
  out[0] &= ~0x10;
  out[1] = (packet[1] & 0x80) | (pt & 0x7f);
  out.writeUInt32BE(ssrc >>> 0, 8);
  return out;
}

/**
 * The sender report (RTCP SR, RFC 3550 §6.4.1) in a (compound) RTCP packet, as a packet of its own under SSRC `ssrc`
 * and without report blocks (they are about what the sender received, nothing a viewer needs); null if it has none.
 * Forwarded with the RTP it describes (same timestamps), it gives a viewer's browser the wall-clock time of the RTP
 * timestamps: what it needs to play audio and video in sync.
 */
export function senderReportFor(packet: Buffer, ssrc: number): Buffer | null {
  const p = senderReportAt(packet);
  if (p < 0) return null;
  const out = Buffer.from(packet.subarray(p, p + 28));
  out[0] = 0x80; // version 2, no padding, no report blocks
  out.writeUInt16BE(6, 2); // 28 bytes: length 7 words − 1
  out.writeUInt32BE(ssrc >>> 0, 4);
  return out;
}

/** Where the (first) sender report in a (compound) RTCP packet starts, or -1 if it has none or is malformed. */
function senderReportAt(packet: Buffer): number {
  for (let p = 0; p + 28 <= packet.length;) {
    const length = 4 * (packet.readUInt16BE(p + 2) + 1);
    if (packet[p]! >> 6 !== 2 || p + length > packet.length) return -1;
    if (packet[p + 1] === 200 && length >= 28) return p;
    p += length;
  }
  return -1;
}

/** True when a (compound) RTCP packet asks for a keyframe: PLI (PSFB, FMT 1) or FIR (PSFB, FMT 4). */
export function asksForKeyframe(packet: Buffer): boolean {
  for (let p = 0; p + 4 <= packet.length;) {
    const fmt = packet[p] & 0x1f;
    if (packet[p + 1] === 206 && (fmt === 1 || fmt === 4)) return true;
    p += 4 * (packet.readUInt16BE(p + 2) + 1);
  }
  return false;
}

/** A random non-zero SSRC. */
export function randomSsrc(): number {
  return (Math.floor(Math.random() * 0xfffffffe) + 1) >>> 0;
}

/** An RTCP PLI (RFC 4585 §6.3.1) from `sender` asking the source `media` for a keyframe. */
export function pliPacket(sender: number, media: number): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 0x81; // version 2, FMT 1
  b[1] = 206; // PSFB
  b.writeUInt16BE(2, 2);
  b.writeUInt32BE(sender >>> 0, 4);
  b.writeUInt32BE(media >>> 0, 8);
  return b;
}

/**
 * What a receiver counts of one RTP source for its receiver reports (RFC 3550 §6.4.2, A.3): the extended highest
 * sequence number, packets received and expected, and the last sender report heard.
 */
export class ReceptionStats {
  ssrc: number | null = null;
  private base = 0;
  private max = 0;
  private cycles = 0;
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  /** The middle 32 bits of the last SR's NTP time, and when it arrived (ms, `performance.now()`). */
  private lastSr: { ntp: number; at: number } | null = null;

  /** Counts an RTP packet. */
  rtp(packet: Buffer): void {
    if (packet.length < 12) return;
    const seq = packet.readUInt16BE(2);
    if (this.ssrc === null || this.ssrc !== packet.readUInt32BE(8)) {
      this.ssrc = packet.readUInt32BE(8);
      this.base = seq;
      this.max = seq;
      this.cycles = 0;
      this.received = 0;
      this.expectedPrior = 0;
      this.receivedPrior = 0;
    }
    const delta = (seq - this.max) & 0xffff;
    if (delta > 0 && delta < 0x8000) {
      if (seq < this.max) this.cycles += 0x10000;
      this.max = seq;
    }
    this.received += 1;
  }

  /** Notes a sender report (RTCP `packet`, compound allowed) of this source; true if it held one. */
  senderReport(packet: Buffer): boolean {
    const p = senderReportAt(packet);
    if (p < 0) return false;
    this.lastSr = { ntp: packet.readUInt32BE(p + 10), at: performance.now() };
    return true;
  }

  /** A receiver report from `sender` about this source, or null before its first RTP packet. */
  receiverReport(sender: number): Buffer | null {
    if (this.ssrc === null) return null;
    const extendedMax = this.cycles + this.max;
    const expected = extendedMax - this.base + 1;
    const lost = Math.max(0, Math.min(0x7fffff, expected - this.received));
    const expectedInterval = expected - this.expectedPrior;
    const lostInterval = expectedInterval - (this.received - this.receivedPrior);
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const fraction =
      expectedInterval > 0 && lostInterval > 0
        ? Math.min(255, Math.floor((lostInterval * 256) / expectedInterval))
        : 0;
    const b = Buffer.alloc(32);
    b[0] = 0x81; // version 2, one report block
    b[1] = 201; // RR
    b.writeUInt16BE(7, 2);
    b.writeUInt32BE(sender >>> 0, 4);
    b.writeUInt32BE(this.ssrc >>> 0, 8);
    b.writeUInt32BE(((fraction << 24) | lost) >>> 0, 12);
    b.writeUInt32BE(extendedMax >>> 0, 16);
    b.writeUInt32BE(0, 20); // interarrival jitter: not measured
    if (this.lastSr) {
      b.writeUInt32BE(this.lastSr.ntp >>> 0, 24);
      b.writeUInt32BE(Math.round(((performance.now() - this.lastSr.at) / 1000) * 65536) >>> 0, 28);
    }
    return b;
  }
}

/**
 * An RTCP Generic NACK (RFC 4585 §6.2.1) from `sender` asking the source `media` to send the packets `seqs` again:
 * one FCI entry (a packet id and a bitmask of the 16 after it) per run.
 */
export function nackPacket(sender: number, media: number, seqs: number[]): Buffer {
  const entries: [pid: number, blp: number][] = [];
  for (const seq of seqs) {
    const last = entries[entries.length - 1];
    const d = last ? (seq - last[0]) & 0xffff : 0;
    if (last && d >= 1 && d <= 16) last[1] |= 1 << (d - 1);
    else entries.push([seq & 0xffff, 0]);
  }
  const b = Buffer.alloc(12 + 4 * entries.length);
  b[0] = 0x81; // version 2, FMT 1
  b[1] = 205; // RTPFB
  b.writeUInt16BE(2 + entries.length, 2);
  b.writeUInt32BE(sender >>> 0, 4);
  b.writeUInt32BE(media >>> 0, 8);
  entries.forEach(([pid, blp], i) => {
    b.writeUInt16BE(pid, 12 + 4 * i);
    b.writeUInt16BE(blp, 14 + 4 * i);
  });
  return b;
}
