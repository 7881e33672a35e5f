import type { ErrorCode } from '../contract/errors.js';
import type { EngineKind } from './source-order.js';

export type { EngineKind } from './source-order.js';

export type LatencyMode = 'low' | 'normal';

export interface EngineStats {
  /** Seconds between the playhead and the newest media received (live only). */
  latency: number | null;
  /** Stream bitrate in bit/s (for FLV: the current download rate, which is the stream's rate once live). */
  bitrate: number | null;
  /** WebRTC playback only: the peer connection's figures (`RTCPeerConnection.getStats()`, polled each second). */
  webrtc?: WebRtcStats | null;
}

/** What a WebRTC (WHEP) engine reads from `RTCPeerConnection.getStats()`; `null` where the browser gives nothing. */
export interface WebRtcStats {
  /** Round-trip time to the server, seconds (the nominated candidate pair's `currentRoundTripTime`). */
  rtt: number | null;
  /** Inter-arrival jitter of the video (else audio) RTP stream, seconds. */
  jitter: number | null;
  /** RTP packets lost, video + audio, since the connection started. */
  packetsLost: number;
  framesDecoded: number | null;
  framesDropped: number | null;
  /** Average time a frame waited in the jitter buffer, seconds. */
  jitterBufferDelay: number | null;
}

/** Seconds from the playhead to the end of what is buffered, for a live stream. */
export function bufferedLatency(media: HTMLMediaElement): number | null {
  const b = media.buffered;
  return b.length ? Math.max(0, b.end(b.length - 1) - media.currentTime) : null;
}

/** Why an engine gave up on its URL. */
export interface EngineFailure {
  code: ErrorCode;
  message: string;
  /** The engine knows the broadcast ended for good (an HLS playlist got `#EXT-X-ENDLIST`): no need to check. */
  ended?: boolean;
}

/** One rendition of an adaptive stream (an HLS level). */
export interface QualityLevel {
  /** Picture height in pixels (0 when the playlist does not say). */
  height: number;
  /** Declared bitrate in bit/s (0 when the playlist does not say). */
  bitrate: number;
}

/** The renditions an engine can switch between, the one playing, and whether it picks by itself. */
export interface EngineQuality {
  levels: QualityLevel[];
  /** Index of the level playing now (-1 before the first one is chosen). */
  current: number;
  auto: boolean;
  /** The level asked for (-1: automatic), which may not be playing yet. */
  selected: number;
}

export interface EngineCallbacks {
  /** The engine cannot go on with this URL (network error, 404, unsupported media, live stream ended). */
  onFailure(failure: EngineFailure): void;
  /** The levels, the level playing or the automatic choice changed. */
  onQuality?(): void;
  /** The engine loaded the media element again (it moved to another build): play again if playing is wanted. */
  onReload?(): void;
}

export interface EngineOptions {
  latency: LatencyMode;
  /**
   * The URL `load()` will be given, when known at creation: an engine may start fetching it while its own code
   * downloads (the HLS engine fetches the playlist in parallel with hls.js).
   */
  url?: string;
  /** The source's Bearer token (WHEP sources: `{ encode: "webrtc", url, token }`). */
  token?: string;
}

/**
 * One playback engine bound to one media element and one URL. Engines only load and decode; the live session
 * decides about fallback, reconnect and live-edge chasing.
 */
export interface PlaybackEngine {
  readonly kind: EngineKind;
  /** True when the engine knows it plays a live stream (no end). */
  readonly live: boolean;
  /** Starts loading `url` into the media element. */
  load(url: string): void;
  /**
   * The newest playable position (seconds, media timeline) when the session should chase the live edge itself;
   * `null` when not live or when the engine chases on its own (hls.js).
   */
  liveEdge(): number | null;
  /** What the engine knows of the stream right now (for stats displays); `null` where it cannot tell. */
  stats(): EngineStats;
  /** Renditions to choose from (adaptive engines only). */
  quality?(): EngineQuality;
  /** Plays level `index` from now on, or lets the engine choose again with -1. */
  setQuality?(index: number): void;
  /** Stops all network activity, releases the media source and detaches from the element. Idempotent. */
  destroy(): void;
}

export type EngineFactory = (
  media: HTMLMediaElement,
  callbacks: EngineCallbacks,
  options: EngineOptions,
) => Promise<PlaybackEngine>;

/** Reports at most one failure per engine; `silence()` (on destroy) drops any later one. */
export function failureReporter(callbacks: EngineCallbacks): {
  fail(code: ErrorCode, message: string, ended?: boolean): void;
  silence(): void;
} {
  let done = false;
  return {
    fail(code, message, ended) {
      if (done) return;
      done = true;
      callbacks.onFailure(ended ? { code, message, ended } : { code, message });
    },
    silence() {
      done = true;
    },
  };
}
