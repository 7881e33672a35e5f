/**
 * Creating and closing the relay's libdatachannel peer connections. A closed connection's wrapper is kept reachable
 * for a while before the garbage collector may free it: node-datachannel 0.33's native callbacks can still run
 * for a connection that was just closed, and a wrapper freed under them was seen (under load, in this repository's
 * WebRTC tests) to close an unrelated, newer connection.
 */
import ndc from 'node-datachannel';
import type { Audio, Direction, PeerConnection, Track, Video } from 'node-datachannel';
import type { Codec } from './sdp.ts';
import { rtcConfig, type WebRtcNetwork } from './network.ts';

const KEEP_CLOSED_MS = 30_000;
const recentlyClosed = new Set<PeerConnection | Track>();
/** Each open connection's tracks: closed before it (see {@link closePeer}). */
const tracksOf = new Map<PeerConnection, Track[]>();

export function openPeer(name: string, network: WebRtcNetwork): PeerConnection {
  return new ndc.PeerConnection(name, rtcConfig(network));
}

/** `pc.addTrack(media)`, remembered so that {@link closePeer} closes the track before its connection. */
export function addTrack(pc: PeerConnection, media: Video | Audio): Track {
  const track = pc.addTrack(media);
  const list = tracksOf.get(pc);
  if (list) list.push(track);
  else tracksOf.set(pc, [track]);
  return track;
}

/**
 * A media section of the offer on `pc`: H.264 video or Opus audio under the offer's `mid` and payload type, sending
 * from `ssrc` when the relay sends (WHEP) or receiving (WHIP).
 */
export function addMedia(
  pc: PeerConnection,
  kind: 'video' | 'audio',
  mid: string,
  codec: Codec,
  send?: { ssrc: number },
): Track {
  const direction: Direction = send ? 'SendOnly' : 'RecvOnly';
  const fmtp = codec.fmtp || undefined;
  let media: Video | Audio;
  if (kind === 'video') {
    media = new ndc.Video(mid, direction);
    if (codec.name === 'vp8') media.addVP8Codec(codec.pt);
    else media.addH264Codec(codec.pt, fmtp);
  } else {
    media = new ndc.Audio(mid, direction);
    media.addOpusCodec(codec.pt, fmtp);
  }
  if (send) media.addSSRC(send.ssrc, 'relay', 'relay', kind);
  return addTrack(pc, media);
}

/** Applies the publisher's or viewer's `offer` and resolves with `pc`'s answer once its candidates are gathered. */
export async function answerOffer(pc: PeerConnection, offer: string): Promise<string> {
  pc.setRemoteDescription(offer, 'offer');
  await gathered(pc);
  const local = pc.localDescription();
  if (!local) throw new Error('no answer from the WebRTC stack');
  return local.sdp;
}

/**
 * Closes `pc`'s tracks, then `pc` (idempotent), and keeps their wrappers alive for {@link KEEP_CLOSED_MS}. The
 * tracks go first: a track left open on a closed connection crashes the process (SIGSEGV in `rtc::impl::Track::close`)
 * when node-datachannel's `cleanup()` closes every track at shutdown (measured with gdb, 0.33.4).
 */
export function closePeer(pc: PeerConnection): void {
  const tracks = tracksOf.get(pc) ?? [];
  tracksOf.delete(pc);
  for (const track of tracks) {
    try {
      track.close();
    } catch {
      // already closed
    }
  }
  try {
    pc.close();
  } catch {
    // already closed
  }
  for (const handle of [pc, ...tracks]) {
    if (recentlyClosed.has(handle)) continue;
    recentlyClosed.add(handle);
    setTimeout(() => recentlyClosed.delete(handle), KEEP_CLOSED_MS).unref();
  }
}

/** Resolves once `pc` has gathered its candidates (immediate on a bound address), or after `ms`. */
export function gathered(pc: PeerConnection, ms = 3000): Promise<void> {
  return new Promise((resolve) => {
    if (pc.gatheringState() === 'complete') return resolve();
    const t = setTimeout(resolve, ms);
    pc.onGatheringStateChange((state) => {
      if (state === 'complete') {
        clearTimeout(t);
        resolve();
      }
    });
  });
}
