import type {
  HlsConfig,
  Loader,
  LoaderCallbacks,
  LoaderConfiguration,
  LoaderContext,
  LoaderStats,
  PlaylistLoaderConstructor,
  PlaylistLoaderContext,
} from 'hls.js';
import { ErrorCodes } from '../../contract/errors.js';
import type { LazyModules } from '../../lazy/registry.js';
import { playlistNeedsFullHls, segmentNeedsFullHls } from './hls-features.js';
import {
  failureReporter,
  type EngineCallbacks,
  type EngineOptions,
  type EngineQuality,
  type PlaybackEngine,
} from '../engine.js';

/**
 * The part of the hls.js engine that runs once hls.js is there. It is a lazy module of its own, shipped inside
 * both hls.js files of the script-tag build (`relay-widgets-hls-light.js`, `relay-widgets-hls.js`), so the script
 * every page loads carries only what starts early (`hls-engine.ts`: the playlist fetch, the MediaSource, the
 * choice of build).
 */

/** Fragments per level whose size/duration give its bitrate (what was really sent, not what was declared). */
const FRAG_SAMPLES = 4;

/** A playlist fetched before hls.js was there to ask for it. */
export interface EarlyPlaylist {
  url: string;
  text: string;
  start: number;
  first: number;
}

/** The first playlist of `url`, being fetched. */
export interface EarlyFetch {
  url: string;
  playlist: Promise<EarlyPlaylist | null>;
}

/** What `createHlsJsEngine` started before hls.js arrived. */
export interface HlsHead {
  early: EarlyFetch | null;
  /** Whether the class given is hls.js's light build (then a stream that needs more moves to `loadFull`'s). */
  light: boolean;
  loadFull(): Promise<LazyModules['hls']>;
  /** The early MediaSource if it is still this element's source (then hls.js owns it), else null. */
  takeSource(): MediaSource | null;
  /** Cancels the playlist fetch and gives the early MediaSource up. */
  release(): void;
}

/**
 * hls.js's playlist loader, except that the first request for `early`'s URL is answered with the early fetch
 * (once; reloads of a live playlist go to the network as usual).
 */
function playlistLoader(
  Default: new (config: HlsConfig) => Loader<LoaderContext>,
  early: EarlyFetch | null,
  /** Sees every playlist before hls.js does; false stops it there (the engine moves to the full build). */
  inspect: ((text: string) => boolean) | null,
): PlaylistLoaderConstructor {
  return class EarlyPlaylistLoader implements Loader<PlaylistLoaderContext> {
    readonly #inner: Loader<LoaderContext>;
    #served: PlaylistLoaderContext | null = null;
    #stopped = false;
    constructor(config: HlsConfig) {
      this.#inner = new Default(config);
    }
    get context(): PlaylistLoaderContext | null {
      return this.#served ?? (this.#inner.context as PlaylistLoaderContext | null);
    }
    get stats(): LoaderStats {
      return this.#inner.stats;
    }
    load(
      context: PlaylistLoaderContext,
      config: LoaderConfiguration,
      callbacks: LoaderCallbacks<PlaylistLoaderContext>,
    ): void {
      if (inspect) {
        const { onSuccess } = callbacks;
        callbacks = {
          ...callbacks,
          onSuccess: (response, ...rest) => {
            if (typeof response.data !== 'string' || inspect(response.data)) onSuccess(response, ...rest);
          },
        };
      }
      const mine = early && sameUrl(early.url, context.url) ? early : null;
      if (!mine) return this.#inner.load(context, config, callbacks as LoaderCallbacks<LoaderContext>);
      early = null;
      this.#served = context;
      void mine.playlist.then((p) => {
        if (this.#stopped) return;
        this.#served = null;
        if (!p) return this.#inner.load(context, config, callbacks as LoaderCallbacks<LoaderContext>);
        const stats = this.#inner.stats;
        stats.loading.start = p.start;
        stats.loading.first = p.first;
        stats.loading.end = performance.now();
        stats.loaded = stats.total = p.text.length;
        callbacks.onSuccess({ url: p.url, data: p.text, code: 200 }, stats, context, null);
      });
    }
    abort(): void {
      this.#stopped = true;
      this.#inner.abort();
    }
    destroy(): void {
      this.#stopped = true;
      this.#inner.destroy();
    }
    getCacheAge(): number | null {
      return this.#served ? null : (this.#inner.getCacheAge?.() ?? null);
    }
    getResponseHeader(name: string): string | null {
      return this.#served ? null : (this.#inner.getResponseHeader?.(name) ?? null);
    }
  };
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a, document.baseURI).href === new URL(b, document.baseURI).href;
  } catch {
    return false;
  }
}

/**
 * How far behind its capture the picture on screen is: from the playing segment's program date (the local relay
 * dates each segment by its capture clock; other servers by theirs, clocks in step as with NTP) when the playlist has
 * dates, else hls.js's distance from the playlist's edge (the buffer only: it misses the encoder and the segmenter).
 * Never less than the latter.
 */
function liveLatency(h: { latency: number; playingDate: Date | null }): number | null {
  const edge = Number.isFinite(h.latency) ? h.latency : null;
  const date = h.playingDate;
  if (!date) return edge;
  const sinceCapture = (Date.now() - date.getTime()) / 1000;
  return Number.isFinite(sinceCapture) ? Math.max(sinceCapture, edge ?? 0) : edge;
}

/**
 * HLS through hls.js (MSE). hls.js keeps the live edge itself (catch-up rate, seek when too far behind); buffers
 * are bounded with `backBufferLength` and `maxBufferLength`. Started with hls.js's light build, the engine moves to
 * the full build (once, at the same position) when a playlist or a segment shows it is needed (`hls-features.ts`).
 */
export default function hlsAdapter(
  Hls: LazyModules['hls'],
  media: HTMLMediaElement,
  callbacks: EngineCallbacks,
  options: EngineOptions,
  ahead: HlsHead,
): PlaybackEngine {
  /** The early playlist fetch, for the first hls.js instance only (after a move to the full build it is old). */
  let early = ahead.early;
  const low = options.latency === 'low';
  const credentials = media.crossOrigin === 'use-credentials';
  let hls: InstanceType<typeof Hls> | null = null;
  let light = ahead.light;
  let upgrading = false;
  let destroyed = false;
  let live = false;
  let mediaRecoveries = 0;
  /** level index -> recent fragments' [bits, seconds] */
  let frags = new Map<number, [number, number][]>();

  const { fail, silence } = failureReporter(callbacks);

  const maxLatencyCount = low ? 5 : 8;
  const maxSyncRate = low ? 1.5 : 1.2;
  /**
   * DVR: a viewer who seeks back inside a live window stays there (hls.js would jump back to the edge once further
   * behind than its maximum latency, and speed up towards it); a seek near the edge again ("Go to live") ends it.
   */
  const onSeeking = (): void => {
    const sync = hls?.liveSyncPosition;
    if (!hls || !live || sync == null) return;
    const back = media.currentTime < sync - 1;
    hls.config.liveMaxLatencyDurationCount = back ? Infinity : maxLatencyCount;
    hls.config.maxLiveSyncPlaybackRate = back ? 1 : maxSyncRate;
  };
  media.addEventListener('seeking', onSeeking);

  /** Moves to the full build: the light one cannot play what `why` names. */
  const upgrade = (url: string, why: string): void => {
    if (!light || upgrading || destroyed) return;
    upgrading = true;
    const position = live ? -1 : media.currentTime;
    console.info(`relay-player: ${url} uses ${why}; loading the full hls.js build.`);
    hls?.destroy();
    hls = null;
    frags = new Map();
    ahead.loadFull().then(
      (Full) => {
        if (destroyed) return;
        light = upgrading = false;
        start(Full, url, position);
        callbacks.onReload?.();
      },
      (err: Error) =>
        fail(ErrorCodes.ENGINE_LOAD_FAILED, `This HLS stream needs the full hls.js (${err.message}).`),
    );
  };

  const start = (H: LazyModules['hls'], url: string, startPosition: number): void => {
    /** Moves to the full build if `why`; true when this instance goes on. */
    const needs = (why: string | null): boolean => {
      if (why) upgrade(url, why);
      return !why;
    };
    const h = new H({
      backBufferLength: 30,
      maxBufferLength: low ? 10 : 20,
      maxMaxBufferLength: 30,
      // low: one segment behind hls.js's estimate of the edge, and in low-latency mode hls.js speeds up to hold it
      // and backs off by a second after each stall. Measured on the relay's 1 s segments (bench/README.md): two
      // segments held 2.4–3.0 s glass-to-glass, worse than the default's 1.6–4.3 s spread; one holds 1.6–2.1 s.
      liveSyncDurationCount: low ? 1 : 3,
      liveMaxLatencyDurationCount: maxLatencyCount,
      maxLiveSyncPlaybackRate: maxSyncRate,
      // a live window is the media's seekable range (what a DVR seek bar shows), its duration Infinity
      liveDurationInfinity: true,
      lowLatencyMode: low,
      manifestLoadingMaxRetry: 1,
      levelLoadingMaxRetry: 2,
      fragLoadingMaxRetry: 3,
      // the first fragment is requested as soon as the playlist is parsed, while MSE is still being set up
      startFragPrefetch: true,
      startPosition,
      // cookies with every playlist and segment request under crossorigin="use-credentials" (hls.js sends none)
      xhrSetup: credentials ? (xhr) => void (xhr.withCredentials = true) : undefined,
      pLoader: playlistLoader(
        H.DefaultConfig.loader,
        url === early?.url ? early : null,
        light ? (text) => needs(playlistNeedsFullHls(text)) : null,
      ),
    });
    hls = h;
    early = null;
    h.on(H.Events.LEVEL_LOADED, (_e, data) => {
      // a live playlist that gets #EXT-X-ENDLIST: the broadcast is over
      if (live && !data.details.live) fail(ErrorCodes.STREAM_ENDED, 'The live HLS playlist ended.', true);
      live = data.details.live;
    });
    const inspected = new Set<number>();
    h.on(H.Events.FRAG_LOADED, (_e, { frag, payload }) => {
      // (a payload handed to a transmuxing worker is detached: nothing left to read)
      if (light && !inspected.has(frag.level) && frag.sn !== 'initSegment' && payload.byteLength) {
        inspected.add(frag.level);
        needs(segmentNeedsFullHls(new Uint8Array(payload)));
      }
      if (typeof frag.level !== 'number' || !(frag.duration > 0)) return;
      const list = frags.get(frag.level) ?? [];
      list.push([frag.stats.loaded * 8, frag.duration]);
      frags.set(frag.level, list.slice(-FRAG_SAMPLES));
    });
    // CEA-608/708 captions in the video (the light build parses them but has nothing to show them with)
    h.on(H.Events.FRAG_PARSING_USERDATA, (_e, { samples }) => {
      if (light && samples.some((x) => 'type' in x && x.type === 3)) needs('closed captions');
    });
    const quality = (): void => callbacks.onQuality?.();
    h.on(H.Events.MANIFEST_PARSED, quality);
    h.on(H.Events.LEVEL_SWITCHED, quality);
    h.on(H.Events.ERROR, (_e, data) => {
      // what the light build reports of a codec it left out (HEVC, E-AC-3 in MPEG-TS): a non-fatal parsing error
      if (
        light &&
        data.details === H.ErrorDetails.FRAG_PARSING_ERROR &&
        /^Unsupported/.test(data.reason ?? '')
      ) {
        needs(`a codec the light build lacks (${data.reason ?? data.details})`);
        return;
      }
      if (!data.fatal) return;
      if (data.type === H.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 1) {
        mediaRecoveries += 1;
        h.recoverMediaError();
        return;
      }
      const status = data.response?.code;
      if (status === 404)
        fail(ErrorCodes.NOT_FOUND, `The HLS playlist or segment was not found (HTTP 404): ${url}`);
      else if (data.type === H.ErrorTypes.NETWORK_ERROR)
        fail(ErrorCodes.NETWORK_ERROR, `HLS network error (${data.details}).`);
      else if (/Codec/.test(data.details))
        fail(ErrorCodes.MEDIA_ERROR, `This browser cannot decode the HLS stream's codecs (${data.details}).`);
      else fail(ErrorCodes.MEDIA_ERROR, `The HLS stream could not be decoded (${data.details}).`);
    });
    // hls.js takes the early MediaSource over (and revokes its URL when it detaches)
    const mediaSource = ahead.takeSource();
    h.attachMedia(mediaSource ? { media, mediaSource } : media);
    h.loadSource(url);
  };

  return {
    kind: 'hls.js',
    get live() {
      return live;
    },
    load(url: string) {
      start(Hls, url, -1);
    },
    liveEdge() {
      return null;
    },
    stats() {
      const h = hls;
      if (!h) return { latency: null, bitrate: null };
      // the level playing now: measured from its fragments, else what its playlist declares (never the
      // download-speed estimate, which says how fast the network is, not how big the stream is)
      const sent = frags.get(h.currentLevel) ?? [];
      const seconds = sent.reduce((a, [, d]) => a + d, 0);
      const measured = seconds > 0 ? Math.round(sent.reduce((a, [b]) => a + b, 0) / seconds) : 0;
      return {
        latency: live ? liveLatency(h) : null,
        bitrate: measured || h.levels[h.currentLevel]?.bitrate || null,
      };
    },
    quality(): EngineQuality {
      const h = hls;
      return {
        levels: (h?.levels ?? []).map((l) => ({ height: l.height || 0, bitrate: l.bitrate || 0 })),
        current: h?.currentLevel ?? -1,
        auto: h?.autoLevelEnabled ?? true,
        selected: h?.manualLevel ?? -1,
      };
    },
    setQuality(index: number) {
      // -1 lets hls.js choose again; a fixed level switches at once (flushing what was buffered)
      if (hls) hls.currentLevel = index;
    },
    destroy() {
      destroyed = true;
      silence();
      media.removeEventListener('seeking', onSeeking);
      ahead.release();
      const h = hls;
      hls = null;
      frags = new Map();
      h?.destroy();
    },
  };
}

// This file's entry in the lazy-module registry (src/lazy/manifest.json lists the modules).
declare module '../../lazy/registry.js' {
  interface LazyModules {
    /** The hls.js engine's code that runs once hls.js is there (inside both hls.js files of the script-tag build). */
    'hls-adapter': typeof hlsAdapter;
  }
}
