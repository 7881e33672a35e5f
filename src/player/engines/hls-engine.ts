import { ErrorCodes } from '../../errors.js';
import { loadLazyModule } from '../../lazy-modules.js';
import {
  failureReporter,
  type EngineCallbacks,
  type EngineOptions,
  type EngineQuality,
  type PlaybackEngine,
} from '../engine.js';

/** Fragments per level whose size/duration give its bitrate (what was really sent, not what was declared). */
const FRAG_SAMPLES = 4;

/**
 * HLS through hls.js (MSE). hls.js keeps the live edge itself (catch-up rate, seek when too far behind); buffers
 * are bounded with `backBufferLength` and `maxBufferLength`.
 */
export async function createHlsJsEngine(
  media: HTMLMediaElement,
  callbacks: EngineCallbacks,
  options: EngineOptions,
): Promise<PlaybackEngine> {
  const Hls = await loadLazyModule('hls');
  const low = options.latency === 'low';
  let hls: InstanceType<typeof Hls> | null = null;
  let live = false;
  let mediaRecoveries = 0;
  /** level index -> recent fragments' [bits, seconds] */
  let frags = new Map<number, [number, number][]>();

  const { fail, silence } = failureReporter(callbacks);

  return {
    kind: 'hls.js',
    get live() {
      return live;
    },
    load(url: string) {
      const h = new Hls({
        backBufferLength: 30,
        maxBufferLength: low ? 10 : 20,
        maxMaxBufferLength: 30,
        liveSyncDurationCount: low ? 2 : 3,
        liveMaxLatencyDurationCount: low ? 5 : 8,
        maxLiveSyncPlaybackRate: low ? 1.5 : 1.2,
        lowLatencyMode: low,
        manifestLoadingMaxRetry: 1,
        levelLoadingMaxRetry: 2,
        fragLoadingMaxRetry: 3,
      });
      hls = h;
      h.on(Hls.Events.LEVEL_LOADED, (_e, data) => {
        // a live playlist that gets #EXT-X-ENDLIST: the broadcast is over
        if (live && !data.details.live) fail(ErrorCodes.STREAM_ENDED, 'The live HLS playlist ended.', true);
        live = data.details.live;
      });
      h.on(Hls.Events.FRAG_LOADED, (_e, { frag }) => {
        if (typeof frag.level !== 'number' || !(frag.duration > 0)) return;
        const list = frags.get(frag.level) ?? [];
        list.push([frag.stats.loaded * 8, frag.duration]);
        frags.set(frag.level, list.slice(-FRAG_SAMPLES));
      });
      const quality = (): void => callbacks.onQuality?.();
      h.on(Hls.Events.MANIFEST_PARSED, quality);
      h.on(Hls.Events.LEVEL_SWITCHED, quality);
      h.on(Hls.Events.ERROR, (_e, data) => {
        if (!data.fatal) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 1) {
          mediaRecoveries += 1;
          h.recoverMediaError();
          return;
        }
        const status = data.response?.code;
        if (status === 404)
          fail(ErrorCodes.NOT_FOUND, `The HLS playlist or segment was not found (HTTP 404): ${url}`);
        else if (data.type === Hls.ErrorTypes.NETWORK_ERROR)
          fail(ErrorCodes.NETWORK_ERROR, `HLS network error (${data.details}).`);
        else fail(ErrorCodes.MEDIA_ERROR, `The HLS stream could not be decoded (${data.details}).`);
      });
      h.attachMedia(media);
      h.loadSource(url);
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
        latency: live && Number.isFinite(h.latency) ? h.latency : null,
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
      silence();
      const h = hls;
      hls = null;
      frags = new Map();
      h?.destroy();
    },
  };
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
