import { hasOwnLoader, loadLazyModule, type LazyModules } from '../../lazy/registry.js';
import type { EngineCallbacks, EngineOptions, PlaybackEngine } from '../engine.js';
import type { EarlyPlaylist, HlsHead } from './hls-adapter.js';
import { playlistNeedsFullHls } from './hls-features.js';

/**
 * The hls.js build the engine starts with: the light one (its first frame comes ≈ 10 % sooner), unless the page
 * loads hls.js its own way (`setLazyModuleLoader('hls', …)`): then that one, always.
 */
export function hlsModule(): 'hls' | 'hls-light' {
  return hasOwnLoader('hls') ? 'hls' : 'hls-light';
}

/** `crossorigin="use-credentials"` on the media element: the engine's requests send cookies too, as its own do. */
function withCredentials(media: HTMLMediaElement): boolean {
  return media.crossOrigin === 'use-credentials';
}

/**
 * Fetches the first playlist while hls.js (117 KB gzip light, 182 KB full) downloads and compiles: the two would
 * otherwise run one after the other, which made the first HLS frame ≈ 1.3× later than a page that loads hls.js
 * itself. Its text also picks the build (`playlistNeedsFullHls`). Resolves `null` on anything but a 2xx answer, so
 * hls.js then asks again and reports the failure as usual.
 */
function fetchEarly(
  url: string,
  signal: AbortSignal,
  credentials: RequestCredentials,
): Promise<EarlyPlaylist | null> {
  const start = performance.now();
  return fetch(url, { signal, credentials })
    .then(async (res) => {
      if (!res.ok) return null;
      const first = performance.now();
      return { url: res.url || url, text: await res.text(), start, first };
    })
    .catch(() => null);
}

/**
 * A MediaSource opened on `media` while hls.js downloads and compiles. Opening one runs the media element's load
 * algorithm (60–90 ms here before `sourceopen`), which hls.js would otherwise start only once it is there; it is
 * handed over with `attachMedia({ media, mediaSource })` (hls.js ≥ 1.6 takes an open MediaSource). Null where
 * hls.js would choose ManagedMediaSource (Safari) or MSE is missing: hls.js then makes its own as usual.
 */
function openEarly(media: HTMLMediaElement): { source: MediaSource; url: string } | null {
  const g = globalThis as { ManagedMediaSource?: unknown; MediaSource?: typeof MediaSource };
  if (g.ManagedMediaSource || !g.MediaSource) return null;
  const source = new g.MediaSource();
  const url = URL.createObjectURL(source);
  media.src = url;
  return { source, url };
}

/**
 * HLS through hls.js: starts what can start before hls.js is there (the first playlist, a MediaSource), then
 * hands both to the adapter that comes with hls.js (`hls-adapter.ts`).
 */
export async function createHlsJsEngine(
  media: HTMLMediaElement,
  callbacks: EngineCallbacks,
  options: EngineOptions,
): Promise<PlaybackEngine> {
  // hls.js first: its download and compile are the longer of the two (the adapter comes in the same file). A
  // missing light file (a host that copied only some files) falls back to the full one.
  type Build = [LazyModules['hls'], boolean]; // the class, and whether it is the light build
  const loadFull = (): Promise<LazyModules['hls']> => loadLazyModule('hls');
  const full = (): Promise<Build> => loadFull().then((Hls) => [Hls, false]);
  const light = hlsModule() === 'hls-light';
  const first: Promise<Build> = light
    ? loadLazyModule('hls-light').then((Hls): Build => [Hls, true], full)
    : full();
  const adapter = loadLazyModule('hls-adapter');
  const abort = new AbortController();
  const early = options.url
    ? {
        url: options.url,
        playlist: fetchEarly(options.url, abort.signal, withCredentials(media) ? 'include' : 'same-origin'),
      }
    : null;
  // A first playlist that needs the full build (alternate audio, subtitles, DRM, …) gets it at once.
  const engine =
    light && early ? early.playlist.then((p) => (p && playlistNeedsFullHls(p.text) ? full() : first)) : first;
  first.catch(() => undefined); // reported through `engine` when it is the one used
  let opened = openEarly(media);
  const dropSource = (): void => {
    if (!opened) return;
    if (media.src === opened.url) {
      media.removeAttribute('src');
      media.load();
    }
    URL.revokeObjectURL(opened.url);
    opened = null;
  };
  const head: HlsHead = {
    early,
    light: false,
    loadFull,
    takeSource() {
      const source = opened && media.src === opened.url ? opened.source : null;
      if (source) opened = null;
      else dropSource(); // the element moved on: hls.js makes its own
      return source;
    },
    release() {
      abort.abort();
      dropSource();
    },
  };
  try {
    const [[Hls, isLight], make] = await Promise.all([engine, adapter]);
    head.light = isLight;
    return make(Hls, media, callbacks, options, head);
  } catch (err) {
    head.release();
    throw err;
  }
}

/** HLS played by the browser itself (Safari/iOS when MSE is missing). The session chases the seekable end. */
export async function createNativeHlsEngine(
  media: HTMLMediaElement,
  _callbacks: EngineCallbacks,
  _options: EngineOptions,
): Promise<PlaybackEngine> {
  const liveEdge = (): number | null => {
    const s = media.seekable;
    return media.duration === Infinity && s.length ? s.end(s.length - 1) : null;
  };
  return {
    kind: 'native-hls',
    get live() {
      return media.duration === Infinity;
    },
    load(url: string) {
      media.src = url;
    },
    liveEdge,
    stats() {
      const edge = liveEdge();
      return { latency: edge === null ? null : Math.max(0, edge - media.currentTime), bitrate: null };
    },
    destroy() {
      media.removeAttribute('src');
      media.load();
    },
  };
}
