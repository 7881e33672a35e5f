/**
 * Reading a WHIP/WHEP offer (RFC 8866 SDP, as browsers and GStreamer's webrtcbin write it) far enough to answer
 * it: its media sections (mid, direction, the payload types with their rtpmap and fmtp), the H.264 and Opus payload
 * types the relay takes, and the SDP ffmpeg reads RTP with. A malformed or unusable offer is refused with
 * 400 before anything is allocated.
 */
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { relayError, type HttpError } from '../../shared/http-error.ts';

/** Largest offer accepted (a browser's is 4–8 KiB). */
export const MAX_SDP_BYTES = 64 * 1024;

export interface Codec {
  pt: number;
  /** Lower-case encoding name (`h264`, `opus`, `vp8`, …). */
  name: string;
  clockRate: number;
  channels: number;
  fmtp: string;
}

export interface MediaSection {
  kind: 'video' | 'audio' | 'application' | string;
  mid: string;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  codecs: Codec[];
}

export interface ParsedOffer {
  media: MediaSection[];
}

const bad = (why: string): HttpError =>
  relayError(400, ErrorCodes.INVALID_OPTIONS, `Not a usable SDP offer: ${why}.`);

/** Parses the parts of an offer the relay needs; throws 400 INVALID_OPTIONS when it is not an SDP offer. */
export function parseOffer(sdp: string): ParsedOffer {
  if (sdp.length > MAX_SDP_BYTES) throw bad('too large');
  const lines = sdp.split(/\r?\n/).filter((l) => l !== '');
  if (lines[0] !== 'v=0') throw bad('it does not start with v=0');
  if (!lines.some((l) => l.startsWith('a=fingerprint:'))) throw bad('no DTLS fingerprint');
  if (!lines.some((l) => l.startsWith('a=ice-ufrag:'))) throw bad('no ICE credentials');
  const media: MediaSection[] = [];
  let cur: (MediaSection & { pts: number[] }) | null = null;
  for (const line of lines) {
    if (!/^[a-z]=/.test(line)) throw bad(`a line that is not type=value ("${line.slice(0, 40)}")`);
    if (line.startsWith('m=')) {
      const m = /^m=(\S+) \d+(?:\/\d+)? \S+((?: \S+)*)$/.exec(line);
      if (!m) throw bad(`a malformed m-line ("${line.slice(0, 60)}")`);
      const pts = m[2].trim().split(' ').filter(Boolean).map(Number);
      cur = { kind: m[1], mid: '', direction: 'sendrecv', codecs: [], pts };
      media.push(cur);
      continue;
    }
    if (!cur) continue;
    const attr = /^a=([a-z0-9-]+)(?::(.*))?$/i.exec(line);
    if (!attr) continue;
    const [, name, value = ''] = attr;
    if (name === 'mid') cur.mid = value.trim();
    else if (name === 'sendrecv' || name === 'sendonly' || name === 'recvonly' || name === 'inactive')
      cur.direction = name;
    else if (name === 'rtpmap') {
      const r = /^(\d+) ([^/\s]+)\/(\d+)(?:\/(\d+))?$/.exec(value.trim());
      if (!r) throw bad(`a malformed rtpmap ("${value.slice(0, 40)}")`);
      const pt = Number(r[1]);
      if (pt > 127 || !cur.pts.includes(pt)) throw bad(`rtpmap for payload type ${pt} not on its m-line`);
      cur.codecs.push({
        pt,
        name: r[2].toLowerCase(),
        clockRate: Number(r[3]),
        channels: Number(r[4] ?? 1),
        fmtp: '',
      });
    } else if (name === 'fmtp') {
      const f = /^(\d+) (.*)$/.exec(value.trim());
      const codec = f ? cur.codecs.find((c) => c.pt === Number(f[1])) : undefined;
      if (codec && f) codec.fmtp = f[2].trim();
    }
  }
  for (const m of media) {
    if (!m.mid) throw bad(`a ${m.kind} section without a=mid`);
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(m.mid)) throw bad('a mid that is not a short token');
  }
  if (new Set(media.map((m) => m.mid)).size !== media.length) throw bad('two sections with one mid');
  return { media };
}

function fmtpParams(fmtp: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of fmtp.split(';')) {
    const i = p.indexOf('=');
    if (i > 0) out.set(p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim());
  }
  return out;
}

/** The H.264 profile (profile_idc + constraint flags, 4 hex digits) of an fmtp, `42e0` by default. */
export function h264Profile(fmtp: string): string {
  return (fmtpParams(fmtp).get('profile-level-id') ?? '42e01f').slice(0, 4).toLowerCase();
}

const packetizationMode = (fmtp: string): string => fmtpParams(fmtp).get('packetization-mode') ?? '0';

/**
 * The H.264 payload type to take from `m`: packetization-mode 1 (what every browser sends), preferring `profile`
 * (4 hex digits) when given, then constrained baseline; null when the section has no H.264.
 */
export function pickH264(m: MediaSection, profile?: string): Codec | null {
  const h264 = m.codecs.filter((c) => c.name === 'h264' && c.clockRate === 90000);
  const mode1 = h264.filter((c) => packetizationMode(c.fmtp) === '1');
  const pool = mode1.length ? mode1 : h264;
  const rank = (c: Codec): number => {
    const p = h264Profile(c.fmtp);
    if (profile) return p === profile ? 0 : p.slice(0, 2) === profile.slice(0, 2) ? 1 : 2;
    return p === '42e0' ? 0 : p.startsWith('42') ? 1 : 2;
  };
  return [...pool].sort((a, b) => rank(a) - rank(b))[0] ?? null;
}

/** VP8 from `m`, taken from a WHIP publisher that offers no H.264 (re-encoded to H.264 by ffmpeg). */
export function pickVp8(m: MediaSection): Codec | null {
  return m.codecs.find((c) => c.name === 'vp8' && c.clockRate === 90000) ?? null;
}

/**
 * Whether an Opus sender says it will send stereo (`sprop-stereo=1`, RFC 7587 §7.1). The rtpmap always reads
 * `opus/48000/2`; browsers send mono unless asked (Chromium offers `minptime=10;useinbandfec=1`).
 */
export function opusSendsStereo(fmtp: string): boolean {
  return fmtpParams(fmtp).get('sprop-stereo') === '1';
}

export function pickOpus(m: MediaSection): Codec | null {
  return m.codecs.find((c) => c.name === 'opus' && c.clockRate === 48000) ?? null;
}

/** The first section of `kind` that sends (`sending`) or receives media, among the offer's. */
export function sectionOf(
  offer: ParsedOffer,
  kind: 'video' | 'audio',
  sending: boolean,
): MediaSection | null {
  const ok = sending ? ['sendonly', 'sendrecv'] : ['recvonly', 'sendrecv'];
  return offer.media.find((m) => m.kind === kind && ok.includes(m.direction)) ?? null;
}

/** The SDP ffmpeg reads the forwarded RTP with (`-protocol_whitelist file,udp,rtp -i in.sdp`). */
export function ffmpegSdp(o: {
  video: { port: number; codec: Codec } | null;
  audio: { port: number; codec: Codec } | null;
}): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=relay whip', 'c=IN IP4 127.0.0.1', 't=0 0'];
  if (o.video) {
    const { port, codec } = o.video;
    if (codec.name === 'vp8')
      lines.push(`m=video ${port} RTP/AVP ${codec.pt}`, `a=rtpmap:${codec.pt} VP8/90000`);
    else {
      lines.push(`m=video ${port} RTP/AVP ${codec.pt}`, `a=rtpmap:${codec.pt} H264/90000`);
      // packetization-mode is what matters to ffmpeg's depacketiser; parameter sets arrive in band
      lines.push(`a=fmtp:${codec.pt} packetization-mode=${packetizationMode(codec.fmtp)}`);
    }
  }
  if (o.audio) {
    const { port, codec } = o.audio;
    lines.push(`m=audio ${port} RTP/AVP ${codec.pt}`, `a=rtpmap:${codec.pt} opus/48000/2`);
  }
  return `${lines.join('\n')}\n`;
}
