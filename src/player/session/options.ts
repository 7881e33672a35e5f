import { DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.js';
import type { LatencyMode } from '../engine.js';
import type { Capabilities } from '../source-order.js';
import type { SourceRefresher } from './sources.js';

/** How a {@link LiveSession} plays: what the element's attributes set, and the timings of its watches. */
export interface SessionOptions {
  latency: LatencyMode;
  /** Start playing as soon as a source loads. Without it the session waits for `play()` before loading. */
  autoplay: boolean;
  /**
   * Before `play()` without autoplay: `none` loads nothing; `metadata` / `auto` load a recording (MP4, MP3) to its
   * first frame and duration, and only fetch the engine's code for FLV and HLS (a live stream is never fetched
   * before play: it would only fall behind).
   */
  preload?: 'none' | 'metadata' | 'auto' | null;
  /** Play a recording again from the start when it ends (a live stream has no end and ignores it). */
  loop?: boolean;
  /** `crossorigin` of the media element: `anonymous`, `use-credentials` (engines send cookies too) or none. */
  crossOrigin?: 'anonymous' | 'use-credentials' | null;
  /** A source that shows no frame within this time falls back to the next one. */
  startupTimeoutMs: number;
  /** No progress for this long while playing counts as a break (reconnect). */
  stallTimeoutMs: number;
  /** Reconnect attempts after a break before giving up with an error. */
  maxReconnects: number;
  backoff: BackoffOptions;
  /** After a live broadcast ended cleanly, how long (ms) to keep checking quietly whether it comes back. */
  resumeWindowMs: number;
  /** Live latency the session keeps for engines it chases itself (seconds behind the newest data). */
  targetLatency: number;
  /** Further behind than target + this, the session seeks instead of speeding up. */
  seekThreshold: number;
  /** Further behind than target + this (seconds), the session plays faster until back within a tenth of a second. */
  chaseBand: number;
  capabilities?: Capabilities;
  /**
   * Where fresh signed URLs come from when an attempt finds its URL's `txTime` passed: the page's
   * `refreshSources`, or the `play-url-endpoint` URL.
   */
  refreshSources?: SourceRefresher | string;
  /** Scheme of the FLV/HLS fallbacks of `webrtc://` sources (`play-scheme`; default https). */
  playScheme?: 'https' | 'http';
}

export function defaultSessionOptions(latency: LatencyMode = 'normal'): SessionOptions {
  const low = latency === 'low';
  return {
    latency,
    autoplay: false,
    startupTimeoutMs: 15_000,
    stallTimeoutMs: low ? 4_000 : 6_000,
    maxReconnects: 12,
    backoff: DEFAULT_BACKOFF,
    resumeWindowMs: 120_000,
    // low: a joining viewer gets the relay's whole current GOP (up to a second) and starts at its keyframe; the
    // session plays that back down to 0.3 s of buffer (FLV glass-to-glass 0.5–0.6 s on the demo, bench/README.md)
    // instead of keeping wherever the join left it (0.8–1.3 s of buffer: 0.6–1.5 s glass-to-glass, measured).
    targetLatency: low ? 0.3 : 1.5,
    seekThreshold: low ? 2.5 : 4,
    chaseBand: low ? 0.2 : 0.5,
  };
}

/** `opts` with `patch` applied: a new latency brings its own timings; `autoplay` stays unless the patch sets it. */
export function mergeOptions(opts: SessionOptions, patch: Partial<SessionOptions>): SessionOptions {
  const latencyChanged = patch.latency && patch.latency !== opts.latency;
  return {
    ...opts,
    ...(latencyChanged ? defaultSessionOptions(patch.latency) : {}),
    autoplay: opts.autoplay,
    ...patch,
  };
}
