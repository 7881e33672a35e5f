import type { EngineCallbacks, EngineOptions, PlaybackEngine } from '../engine.js';

/** MP4 / MP3 played by the media element itself. Media errors reach the session through the element's `error`. */
export async function createNativeEngine(
  media: HTMLMediaElement,
  _callbacks: EngineCallbacks,
  _options: EngineOptions,
): Promise<PlaybackEngine> {
  return {
    kind: 'native',
    get live() {
      return media.duration === Infinity;
    },
    load(url: string) {
      media.preload = 'auto';
      media.src = url;
    },
    liveEdge() {
      return null;
    },
    stats() {
      return { latency: null, bitrate: null };
    },
    destroy() {
      media.removeAttribute('src');
      media.load();
    },
  };
}
