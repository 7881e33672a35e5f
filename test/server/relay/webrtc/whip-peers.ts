/**
 * WebRTC peers for the relay's WHIP/WHEP tests, on loopback: a WHIP publisher whose H.264 (constrained baseline,
 * 640×360, a keyframe every second) and Opus come from ffmpeg's own encoders and RTP packetiser and leave through a
 * node-datachannel peer connection, and a WHEP viewer that counts what arrives. Both speak HTTP as RFC 9725 says.
 */
import ndc from 'node-datachannel';
import type { PeerConnection, Track } from 'node-datachannel';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { addTrack, closePeer } from '../../../../server/relay/webrtc/peer.ts';

/** RTCP on a muxed port: second byte 192–223 (RFC 5761 §4); an RTP marker bit never lands there. */
const isRtcp = (b: Buffer): boolean => b[1] >= 192 && b[1] <= 223;

const VIDEO_PT = 102;
const AUDIO_PT = 111;

const gathered = (pc: PeerConnection): Promise<void> =>
  new Promise((resolve) => {
    if (pc.gatheringState() === 'complete') return resolve();
    pc.onGatheringStateChange((s) => s === 'complete' && resolve());
  });

export interface SdpPost {
  status: number;
  location: string | null;
  contentType: string | null;
  body: string;
  /** ms from sending the POST to its answer. */
  ms: number;
}

/**
 * The offer as sent: `a=setup:active`, so the relay is the DTLS server, and without this peer's candidates.
 * - libdatachannel as an offerer drops a DTLS ClientHello that arrives before it has the answer (Chromium caches
 *   it), which would cost this client a 1 s retransmission; the relay's role follows the offer either way.
 * - With its candidates in the offer, the relay's connectivity checks reach this peer before the answer does: ICE
 *   connects, this peer (the DTLS client) gets the relay's certificate with no fingerprint to check it against and
 *   closes itself ("Got a remote candidate without ICE transport" on the answer). Measured: most runs of the keyed
 *   WHEP test hit it. Without candidates, ICE starts from this peer once it has the answer and the relay learns its
 *   address from the first check (a peer-reflexive candidate, RFC 8445 §7.3.1.3).
 */
export const asSent = (sdp: string): string =>
  sdp.replace(/a=setup:actpass/g, 'a=setup:active').replace(/^a=candidate:.*\r?\n/gm, '');

/** The offer with its Opus parameters as Chromium offers them: mono unless asked (no `sprop-stereo`). */
export const asChromiumOpus = (sdp: string): string =>
  sdp.replace(/^(a=fmtp:111) .*$/m, '$1 minptime=10;useinbandfec=1');

/** POSTs an SDP offer as WHIP/WHEP clients do. */
export async function postSdp(
  url: string,
  sdp: string,
  token?: string,
  type = 'application/sdp',
): Promise<SdpPost> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: sdp,
  });
  const body = await res.text();
  return {
    status: res.status,
    location: res.headers.get('location'),
    contentType: res.headers.get('content-type'),
    body,
    ms: performance.now() - t0,
  };
}

/** An offer as a sending peer makes it (also the base the refusal tests mutate). */
export async function publisherOffer(videoCodec: 'h264' | 'vp8' = 'h264'): Promise<{
  pc: PeerConnection;
  video: Track;
  audio: Track;
  sdp: string;
}> {
  const pc = new ndc.PeerConnection('test-publisher', { iceServers: [], bindAddress: '127.0.0.1' });
  const v = new ndc.Video('0', 'SendOnly');
  if (videoCodec === 'vp8') v.addVP8Codec(VIDEO_PT);
  else v.addH264Codec(VIDEO_PT);
  v.addSSRC(0x1111, 'pub', 'pub', 'v');
  const a = new ndc.Audio('1', 'SendOnly');
  a.addOpusCodec(AUDIO_PT);
  a.addSSRC(0x2222, 'pub', 'pub', 'a');
  const video = addTrack(pc, v);
  const audio = addTrack(pc, a);
  pc.setLocalDescription();
  await gathered(pc);
  return { pc, video, audio, sdp: pc.localDescription()?.sdp ?? '' };
}

export interface Publisher {
  post: SdpPost;
  /** Receiver reports the relay sent about the video: their loss and last-SR fields. */
  receiverReports: { ssrc: number; lsr: number }[];
  /** Keyframe requests (PLI/FIR) the relay sent, with when they arrived. */
  keyframeRequests: number[];
  /** The resource URL (absolute). */
  resource: string;
  close(): void;
}

async function udpIn(onPacket: (b: Buffer) => void): Promise<Socket> {
  const s = createSocket('udp4');
  s.on('message', onPacket);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

/** Publishes ffmpeg's test pattern and tone to `whipUrl` for up to `seconds`. */
export async function publish(
  base: string,
  whipPath: string,
  token: string,
  seconds = 60,
  videoCodec: 'h264' | 'vp8' = 'h264',
  /** `mono`: Opus offered as Chromium offers it (no `sprop-stereo`), and sent mono. */
  sound: 'stereo' | 'mono' = 'stereo',
  /**
   * `nackResponder`: the video track keeps what it sent and sends it again when NACKed (libdatachannel's
   * RtcpNackResponder; ffmpeg's sender reports are then not passed on). `answer`: rewrites the answer before use.
   */
  opts: { nackResponder?: boolean; answer?: (sdp: string) => string } = {},
): Promise<Publisher> {
  const { pc, video, audio, sdp } = await publisherOffer(videoCodec);
  const keyframeRequests: number[] = [];
  const receiverReports: Publisher['receiverReports'] = [];
  const fromRelay = (b: Buffer): void => {
    for (let p = 0; p + 4 <= b.length; p += 4 * (b.readUInt16BE(p + 2) + 1)) {
      if (b[p + 1] === 206 && ((b[p] & 0x1f) === 1 || (b[p] & 0x1f) === 4)) keyframeRequests.push(Date.now());
      if (b[p + 1] === 201 && (b[p] & 0x1f) >= 1 && p + 32 <= b.length)
        receiverReports.push({ ssrc: b.readUInt32BE(p + 8), lsr: b.readUInt32BE(p + 24) });
    }
  };
  if (opts.nackResponder) video.setMediaHandler(new ndc.RtcpNackResponder());
  video.onMessage(fromRelay);
  const offer = sound === 'mono' ? asChromiumOpus(sdp) : sdp;
  const post = await postSdp(`${base}${whipPath}`, asSent(offer), token);
  if (post.status !== 201) {
    closePeer(pc);
    return { post, keyframeRequests, receiverReports, resource: '', close() {} };
  }
  try {
    pc.setRemoteDescription(opts.answer ? opts.answer(post.body) : post.body, 'answer');
  } catch (err) {
    closePeer(pc);
    throw err;
  }
  const rewrite = (track: Track, ssrc: number) => (b: Buffer) => {
    if (b.length < 12 || (opts.nackResponder && isRtcp(b))) return;
    // ffmpeg's sender reports (RTCP muxed onto the RTP port) go out too, under the track's SSRC
    b.writeUInt32BE(ssrc, isRtcp(b) ? 4 : 8);
    if (track.isOpen()) track.sendMessageBinary(b);
  };
  const vIn = await udpIn(rewrite(video, 0x1111));
  const aIn = await udpIn(rewrite(audio, 0x2222));
  const vPort = vIn.address().port;
  const aPort = aIn.address().port;
  // prettier-ignore
  const ff: ChildProcess = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-map', '0:v', ...(videoCodec === 'vp8'
      ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k']
      : ['-c:v', 'libx264', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast', '-tune', 'zerolatency']),
    '-g', '30', '-payload_type', String(VIDEO_PT), '-ssrc', '4369',
    '-f', 'rtp', `rtp://127.0.0.1:${vPort}?pkt_size=1200&rtcpport=${vPort}`,
    '-map', '1:a', '-c:a', 'libopus', '-ac', sound === 'mono' ? '1' : '2', '-payload_type', String(AUDIO_PT), '-ssrc', '8738',
    '-f', 'rtp', `rtp://127.0.0.1:${aPort}?pkt_size=1200&rtcpport=${aPort}`,
  ], { stdio: 'ignore' });
  return {
    post,
    keyframeRequests,
    receiverReports,
    resource: new URL(post.location ?? '', base).href,
    close() {
      ff.kill('SIGKILL');
      vIn.close();
      aIn.close();
      closePeer(pc);
    },
  };
}

export interface Viewer {
  post: SdpPost;
  connectedAt: Promise<number>;
  /** When the first keyframe's parameter sets (an SPS) arrived. */
  firstKeyframeAt: Promise<number>;
  /** Whether the first video packet received started with an SPS (a decoder could start at once); null before. */
  firstVideoCarriedSps: boolean | null;
  videoPackets: number;
  audioPackets: number;
  /** The SSRC of each track's RTP, from its first packet. */
  rtpSsrc: { video: number | null; audio: number | null };
  /** Every RTCP sender report received: its track, SSRC and NTP time (ms since the epoch). */
  senderReports: { kind: 'video' | 'audio'; ssrc: number; ntpMs: number }[];
  close(): void;
}

/** The sender report in an RTCP packet received by a test viewer, if it is one. */
function senderReport(m: Buffer): { ssrc: number; ntpMs: number } | null {
  if (m.length < 28 || m[1] !== 200) return null;
  const seconds = m.readUInt32BE(8) - 2208988800; // NTP era 0 → unix
  return { ssrc: m.readUInt32BE(4), ntpMs: seconds * 1000 + (m.readUInt32BE(12) / 2 ** 32) * 1000 };
}

/** True when an H.264 RTP payload carries an SPS (alone, in a STAP-A, or starting a FU-A). */
function carriesSps(rtp: Buffer): boolean {
  const cc = rtp[0] & 0x0f;
  let off = 12 + 4 * cc;
  if (rtp[0] & 0x10) off += 4 + 4 * rtp.readUInt16BE(off + 2);
  const nal = rtp[off] & 0x1f;
  if (nal === 7) return true;
  if (nal === 24) {
    for (let p = off + 1; p + 3 <= rtp.length; p += 2 + rtp.readUInt16BE(p))
      if ((rtp[p + 2] & 0x1f) === 7) return true;
  }
  return nal === 28 && (rtp[off + 1] & 0x80) !== 0 && (rtp[off + 1] & 0x1f) === 7;
}

/** A WHEP viewer of `whepUrl` (H.264 + Opus, receive only; `kinds` to offer only one of them). */
export async function view(
  whepUrl: string,
  token?: string,
  kinds: { video: boolean; audio: boolean } = { video: true, audio: true },
): Promise<Viewer> {
  const pc = new ndc.PeerConnection('test-viewer', { iceServers: [], bindAddress: '127.0.0.1' });
  let vt: ReturnType<typeof addTrack> | null = null;
  let at: ReturnType<typeof addTrack> | null = null;
  if (kinds.video) {
    const v = new ndc.Video('video', 'RecvOnly');
    v.addH264Codec(96);
    vt = addTrack(pc, v);
  }
  if (kinds.audio) {
    const a = new ndc.Audio('audio', 'RecvOnly');
    a.addOpusCodec(97);
    at = addTrack(pc, a);
  }
  pc.setLocalDescription();
  await gathered(pc);
  const post = await postSdp(whepUrl, asSent(pc.localDescription()?.sdp ?? ''), token);
  // a peer that fails or closes before connecting or before its first keyframe rejects these, so a test fails with
  // the reason instead of waiting forever
  let ended: (why: Error) => void = () => {};
  const endedBefore = new Promise<never>((_, reject) => (ended = reject));
  endedBefore.catch(() => {});
  // (handled here, so a rejection nobody awaits is not an unhandled one)
  const untilEnded = <T>(p: Promise<T>): Promise<T> => {
    const raced = Promise.race([p, endedBefore]);
    raced.catch(() => {});
    return raced;
  };
  const connectedAt = untilEnded(
    new Promise<number>((resolve) =>
      pc.onStateChange((s) => {
        if (s === 'connected') resolve(Date.now());
        if (s === 'failed' || s === 'closed') ended(new Error(`the test viewer's peer connection ${s}`));
      }),
    ),
  );
  const firstKeyframeAt = untilEnded(
    new Promise<number>((resolve) =>
      vt?.onMessage((m) => {
        if (isRtcp(m)) {
          const sr = senderReport(m);
          if (sr) viewer.senderReports.push({ kind: 'video', ...sr });
          return;
        }
        viewer.rtpSsrc.video ??= m.readUInt32BE(8);
        viewer.videoPackets += 1;
        viewer.firstVideoCarriedSps ??= carriesSps(m);
        if (carriesSps(m)) resolve(Date.now());
      }),
    ),
  );
  const viewer: Viewer = {
    post,
    connectedAt,
    firstKeyframeAt,
    firstVideoCarriedSps: null,
    videoPackets: 0,
    audioPackets: 0,
    rtpSsrc: { video: null, audio: null },
    senderReports: [],
    close: () => closePeer(pc),
  };
  at?.onMessage((m) => {
    if (!isRtcp(m)) {
      viewer.audioPackets += 1;
      viewer.rtpSsrc.audio ??= m.readUInt32BE(8);
      return;
    }
    const sr = senderReport(m);
    if (sr) viewer.senderReports.push({ kind: 'audio', ...sr });
  });
  if (post.status === 201) {
    try {
      // Janus 1.1.2 answers a=setup:actpass, which an answer may not carry (RFC 5763 §5), to an offer that said
      // actpass: taken as passive (this peer is the DTLS client); the relay's answers are unaffected
      pc.setRemoteDescription(post.body.replace(/a=setup:actpass/g, 'a=setup:passive'), 'answer');
    } catch (err) {
      closePeer(pc);
      throw err;
    }
  }
  return viewer;
}

/**
 * The one failure of these test peers that is not the relay's: node-datachannel 0.33 as an offerer closes itself
 * while applying a valid answer ("Got a remote candidate without ICE transport") when ICE and DTLS ran ahead of the
 * answer. {@link asSent} takes away the cause (no candidates in the offer); a peer that still hits it is made again,
 * afresh, and one that closes later rejects its {@link Viewer.connectedAt} and {@link Viewer.firstKeyframeAt}.
 */
export const isOffererFlake = (err: unknown): boolean =>
  String(err).includes('remote candidate without ICE transport');

/** Publishes to a fresh stream from `target()` (a new one per attempt, as the failed attempt's push holds one). */
export async function publishTo(
  base: string,
  target: () => Promise<{ path: string; token: string }>,
  seconds = 60,
  videoCodec: 'h264' | 'vp8' = 'h264',
  sound: 'stereo' | 'mono' = 'stereo',
  opts: Parameters<typeof publish>[6] = {},
): Promise<Publisher & { path: string; token: string }> {
  for (let attempt = 1; ; attempt++) {
    const t = await target();
    try {
      return { ...(await publish(base, t.path, t.token, seconds, videoCodec, sound, opts)), ...t };
    } catch (err) {
      if (!isOffererFlake(err) || attempt === 3) throw err;
    }
  }
}

/** {@link view}, made again if the test peer hits {@link isOffererFlake}. */
export async function viewOf(
  whepUrl: string,
  token?: string,
  kinds?: { video: boolean; audio: boolean },
): Promise<Viewer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await view(whepUrl, token, kinds);
    } catch (err) {
      if (!isOffererFlake(err) || attempt === 3) throw err;
    }
  }
}

/** Ends node-datachannel's threads once a test file is done (a closed peer's can otherwise keep Node alive). */
export function releaseWebRtc(): void {
  ndc.cleanup();
}
