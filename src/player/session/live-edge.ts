import type { PlaybackEngine } from '../engine.js';
import type { SessionOptions } from './options.js';

/** Seconds between the playhead and the newest playable position of a live stream, else `null`. */
export function behindLive(media: HTMLMediaElement, engine: PlaybackEngine | null): number | null {
  if (!engine?.live) return null;
  const s = media.seekable;
  const edge = engine.liveEdge() ?? (s.length ? s.end(s.length - 1) : null);
  return edge === null ? null : Math.max(0, edge - media.currentTime);
}

/**
 * Live-edge chasing, one look (every tick): a little behind, play faster; far behind, seek; near, normal speed.
 * A paused live stream falls behind on purpose: chasing starts again when it plays (a recording keeps the speed the
 * viewer chose).
 */
export function chaseLiveEdge(
  media: HTMLMediaElement,
  engine: PlaybackEngine,
  working: boolean,
  opts: Pick<SessionOptions, 'targetLatency' | 'seekThreshold' | 'latency' | 'chaseBand'>,
): void {
  const edge = engine.liveEdge();
  if (edge === null || !working || media.paused) {
    if (media.playbackRate !== 1 && engine.live && engine.kind !== 'hls.js') media.playbackRate = 1;
    return;
  }
  const behind = edge - media.currentTime;
  const target = opts.targetLatency;
  if (behind > target + opts.seekThreshold) {
    media.currentTime = Math.max(0, edge - target);
    media.playbackRate = 1;
  } else if (behind > target + opts.chaseBand) {
    media.playbackRate = opts.latency === 'low' ? 1.3 : 1.15;
  } else if (behind <= target + 0.1 && media.playbackRate !== 1) {
    media.playbackRate = 1;
  }
}
