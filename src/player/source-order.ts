import type { PlayEncode, PlayUrl } from '../contract/types.js';
import { encodeOf } from './protocol.js';

/** Which engine plays a source: mpegts.js, hls.js, the browser's own HLS, or the plain media element. */
export type EngineKind = 'mpegts' | 'hls.js' | 'native-hls' | 'native' | 'webrtc';

/** What this browser can play, as far as the player cares. */
export interface Capabilities {
  /** Media Source Extensions with H.264/AAC (needed by mpegts.js and hls.js). */
  mse: boolean;
  /** `canPlayType('application/vnd.apple.mpegurl')` (Safari, iOS, some newer browsers). */
  nativeHls: boolean;
  /** MP4 (H.264/AAC) through the media element. */
  mp4: boolean;
  /** MP3 through the media element. */
  mp3: boolean;
  /** `RTCPeerConnection` (WHEP playback). Optional: absent means no. */
  webrtc?: boolean;
}

export interface Candidate {
  source: PlayUrl;
  encode: PlayEncode;
  engine: EngineKind;
}

export interface Skipped {
  source: PlayUrl;
  reason: string;
}

export interface SourceOrder {
  /** Playable sources, lowest latency first (HTTP-FLV, then HLS, then MP4, then MP3); ties keep input order. */
  playable: Candidate[];
  /** Sources this browser cannot play, with a reason for each (RTMP always lands here). */
  skipped: Skipped[];
}

const RANK: Record<PlayEncode, number> = { webrtc: -1, flv: 0, hls: 1, mp4: 2, mp3: 3, rtmp: 9 };

function engineFor(encode: PlayEncode, caps: Capabilities): EngineKind | string {
  switch (encode) {
    case 'rtmp':
      return 'RTMP cannot be played in a web browser (no Flash); use the HTTP-FLV or HLS URL of the same stream.';
    case 'flv':
      return caps.mse ? 'mpegts' : 'HTTP-FLV needs Media Source Extensions, which this browser lacks.';
    case 'hls':
      if (caps.mse) return 'hls.js';
      return caps.nativeHls ? 'native-hls' : 'HLS needs Media Source Extensions or native HLS support.';
    case 'mp4':
      return caps.mp4 ? 'native' : 'This browser cannot play MP4 (H.264/AAC).';
    case 'mp3':
      return caps.mp3 ? 'native' : 'This browser cannot play MP3.';
    case 'webrtc':
      return caps.webrtc ? 'webrtc' : 'This browser has no WebRTC (RTCPeerConnection).';
  }
}

/** Orders sources by what this browser can play, lowest latency first. Pure: no DOM access. */
export function orderSources(sources: readonly PlayUrl[], caps: Capabilities): SourceOrder {
  const playable: Candidate[] = [];
  const skipped: Skipped[] = [];
  for (const source of sources) {
    const encode = encodeOf(source);
    if (!encode) {
      skipped.push({ source, reason: `Cannot tell the protocol of "${source.url}"; give it an "encode".` });
      continue;
    }
    const engine = engineFor(encode, caps);
    if (
      engine === 'mpegts' ||
      engine === 'hls.js' ||
      engine === 'native-hls' ||
      engine === 'native' ||
      engine === 'webrtc'
    ) {
      playable.push({ source: encode === source.encode ? source : { ...source, encode }, encode, engine });
    } else {
      skipped.push({ source, reason: engine });
    }
  }
  // Array.prototype.sort is stable: ties keep the author's order.
  playable.sort((a, b) => RANK[a.encode] - RANK[b.encode]);
  return { playable, skipped };
}

/** Detects the capabilities of the running browser. */
export function detectCapabilities(doc: Document = document): Capabilities {
  const video = doc.createElement('video');
  const ms = (globalThis as { MediaSource?: typeof MediaSource }).MediaSource;
  const mse =
    typeof ms !== 'undefined' &&
    typeof ms.isTypeSupported === 'function' &&
    ms.isTypeSupported('video/mp4; codecs="avc1.42E01E,mp4a.40.2"');
  return {
    mse,
    nativeHls: video.canPlayType('application/vnd.apple.mpegurl') !== '',
    mp4: video.canPlayType('video/mp4; codecs="avc1.42E01E,mp4a.40.2"') !== '',
    mp3: video.canPlayType('audio/mpeg') !== '',
    webrtc: typeof (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection === 'function',
  };
}
