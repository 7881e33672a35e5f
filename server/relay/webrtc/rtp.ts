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
  for (let p = 0; p + 28 <= packet.length;) {
    const length = 4 * (packet.readUInt16BE(p + 2) + 1);
    if (packet[p]! >> 6 !== 2 || p + length > packet.length) return null;
    if (packet[p + 1] === 200 && length >= 28) {
      const out = Buffer.from(packet.subarray(p, p + 28));
      out[0] = 0x80; // version 2, no padding, no report blocks
      out.writeUInt16BE(6, 2); // 28 bytes: length 7 words − 1
      out.writeUInt32BE(ssrc >>> 0, 4);
      return out;
    }
    p += length;
  }
  return null;
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
