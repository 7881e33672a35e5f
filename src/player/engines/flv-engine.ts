import { ErrorCodes } from '../../contract/errors.js';
import { loadLazyModule } from '../../lazy/registry.js';
import {
  bufferedLatency,
  failureReporter,
  type EngineCallbacks,
  type EngineOptions,
  type PlaybackEngine,
} from '../engine.js';

/**
 * HTTP-FLV through mpegts.js (MSE). Buffers are bounded; the session chases the live edge. A lazy module of its
 * own (`flv-engine`), riding in mpegts.js's file: pages that never play FLV do not carry it.
 */
export default async function createFlvEngine(
  media: HTMLMediaElement,
  callbacks: EngineCallbacks,
  options: EngineOptions,
): Promise<PlaybackEngine> {
  const mpegts = await loadLazyModule('mpegts');
  let player: ReturnType<typeof mpegts.createPlayer> | null = null;
  let live = true;
  const low = options.latency === 'low';

  const { fail, silence } = failureReporter(callbacks);
  // The local relay's clock (`onCuePoint` "relayClock" events { ts, wall }: media `ts` was captured at `wall`); the
  // first one is for the first frame, so `base` maps currentTime 0 to its timestamp.
  let clock: { ts: number; wall: number } | null = null;
  let base = 0;

  /**
   * How long ago the frame on screen entered the relay, when the relay says (its clock and this page's in sync, as
   * with NTP), else the player's buffer alone; never less than the buffer.
   */
  const relayLatency = (): number | null => {
    const buffered = bufferedLatency(media);
    if (!clock) return buffered;
    const shownAt = clock.wall + (media.currentTime * 1000 + base - clock.ts);
    return Math.max((Date.now() - shownAt) / 1000, buffered ?? 0);
  };

  return {
    kind: 'mpegts',
    get live() {
      return live;
    },
    load(url: string) {
      player = mpegts.createPlayer(
        // cookies as the media element would send them (`crossorigin="use-credentials"`)
        { type: 'flv', isLive: true, url, withCredentials: media.crossOrigin === 'use-credentials' },
        {
          enableWorker: false,
          enableStashBuffer: !low,
          stashInitialSize: 32 * 1024,
          lazyLoad: false,
          // memory stays bounded over hours: drop what is far behind the playhead
          autoCleanupSourceBuffer: true,
          autoCleanupMaxBackwardDuration: 30,
          autoCleanupMinBackwardDuration: 10,
          fixAudioTimestampGap: true,
        },
      );
      player.on(
        mpegts.Events.ERROR,
        (type: string, details: string, info: { code?: number; msg?: string }) => {
          if (details === mpegts.ErrorDetails.NETWORK_STATUS_CODE_INVALID && info?.code === 404) {
            fail(ErrorCodes.NOT_FOUND, `The FLV stream was not found (HTTP 404): ${url}`);
          } else if (type === mpegts.ErrorTypes.NETWORK_ERROR) {
            fail(
              ErrorCodes.NETWORK_ERROR,
              `FLV network error (${details}${info?.msg ? `: ${info.msg}` : ''}).`,
            );
          } else {
            fail(ErrorCodes.MEDIA_ERROR, `The FLV stream could not be decoded (${details}).`);
          }
        },
      );
      player.on(mpegts.Events.MEDIA_INFO, (info: { duration?: number }) => {
        // a recorded FLV file announces its duration; a live stream does not
        if (info && typeof info.duration === 'number' && info.duration > 0) live = false;
      });
      player.on(
        mpegts.Events.SCRIPTDATA_ARRIVED,
        (data: { onCuePoint?: { name?: unknown; parameters?: { ts?: unknown; wall?: unknown } } }) => {
          const cue = data?.onCuePoint;
          const c = cue?.name === 'relayClock' ? cue.parameters : undefined;
          if (typeof c?.ts !== 'number' || typeof c.wall !== 'number') return;
          if (!clock) base = c.ts;
          clock = { ts: c.ts, wall: c.wall };
        },
      );
      player.on(mpegts.Events.LOADING_COMPLETE, () => {
        if (live) fail(ErrorCodes.STREAM_ENDED, 'The live FLV stream ended.');
      });
      player.attachMediaElement(media);
      player.load();
    },
    liveEdge() {
      const b = media.buffered;
      return live && b.length ? b.end(b.length - 1) : null;
    },
    stats() {
      const speed = (player?.statisticsInfo as { speed?: number } | undefined)?.speed; // KB/s
      return {
        latency: live ? relayLatency() : null,
        bitrate: typeof speed === 'number' && speed > 0 ? Math.round(speed * 8 * 1024) : null,
      };
    },
    destroy() {
      silence();
      const p = player;
      player = null;
      if (!p) return;
      try {
        p.unload();
        p.detachMediaElement();
      } finally {
        p.destroy();
      }
    },
  };
}

// This file's entry in the lazy-module registry (src/lazy/manifest.json lists the modules).
declare module '../../lazy/registry.js' {
  interface LazyModules {
    /** The HTTP-FLV engine (mpegts.js adapter): fetched with mpegts.js when a player first plays FLV. */
    'flv-engine': typeof createFlvEngine;
  }
}
