import type { ErrorCode } from '../errors.js';
import type { EngineKind } from './source-order.js';
import { createFlvEngine } from './engines/flv-engine.js';
import { createHlsJsEngine, createNativeHlsEngine } from './engines/hls-engine.js';
import { createNativeEngine } from './engines/native-engine.js';

export type { EngineKind } from './source-order.js';

export type LatencyMode = 'low' | 'normal';

/** Why an engine gave up on its URL. */
export interface EngineFailure {
  code: ErrorCode;
  message: string;
}

export interface EngineCallbacks {
  /** The engine cannot go on with this URL (network error, 404, unsupported media, live stream ended). */
  onFailure(failure: EngineFailure): void;
}

export interface EngineOptions {
  latency: LatencyMode;
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
  /** Stops all network activity, releases the media source and detaches from the element. Idempotent. */
  destroy(): void;
}

export type EngineFactory = (
  media: HTMLMediaElement,
  callbacks: EngineCallbacks,
  options: EngineOptions,
) => Promise<PlaybackEngine>;

/** Creates an engine of `kind`; third-party engine code is fetched lazily on first use. */
export async function createEngine(
  kind: EngineKind,
  media: HTMLMediaElement,
  callbacks: EngineCallbacks,
  options: EngineOptions,
): Promise<PlaybackEngine> {
  switch (kind) {
    case 'mpegts':
      return createFlvEngine(media, callbacks, options);
    case 'hls.js':
      return createHlsJsEngine(media, callbacks, options);
    case 'native-hls':
      return createNativeHlsEngine(media, callbacks, options);
    case 'native':
      return createNativeEngine(media, callbacks, options);
  }
}
