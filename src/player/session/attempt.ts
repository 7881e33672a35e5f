import { ErrorCodes, type ErrorCode } from '../../contract/errors.js';
import type { EngineFailure, PlaybackEngine } from '../engine.js';
import type { Candidate } from '../source-order.js';

/** What one attempt's media events and timers mean to the session. */
export interface AttemptHandlers {
  /** Data arrived (`loadeddata`): the source works. */
  works(): void;
  metadata(): void;
  playing(): void;
  waiting(): void;
  /** Paused, not at the end. */
  paused(): void;
  /** A recording reached its end (a live stream's end is a failure: it is probed or reconnected). */
  ended(): void;
  failed(failure: EngineFailure): void;
  /** Every tick while the attempt lasts (stall detection, live-edge chasing). */
  tick(): void;
}

const TICK_MS = 500;

/**
 * One attempt at one source: its engine, the media events it listens to, its startup timeout (nothing shown in
 * time is a failure) and its tick. `end()` tears all of it down.
 */
export class Attempt {
  readonly #ac = new AbortController();
  #startup: ReturnType<typeof setTimeout> | null;
  readonly #tick: ReturnType<typeof setInterval>;

  constructor(
    readonly engine: PlaybackEngine,
    private readonly media: HTMLMediaElement,
    cand: Candidate,
    startupTimeoutMs: number,
    on: AttemptHandlers,
  ) {
    watchMedia(media, cand, engine, this.#ac.signal, on);
    this.#startup = setTimeout(() => {
      this.#startup = null;
      on.failed({
        code: ErrorCodes.NETWORK_ERROR,
        message: `Nothing could be shown within ${Math.round(startupTimeoutMs / 1000)} s.`,
      });
    }, startupTimeoutMs);
    this.#tick = setInterval(on.tick, TICK_MS);
  }
  /** Ends with the attempt (listeners that belong to it). */
  get signal(): AbortSignal {
    return this.#ac.signal;
  }
  /** Once the new source is known: continues at `time` and `rate` (another quality of a recording). */
  resumeAt(time: number, rate: number): void {
    const media = this.media;
    const resume = (): void => {
      media.currentTime = time;
      media.playbackRate = rate;
    };
    media.addEventListener('loadedmetadata', resume, { once: true, signal: this.#ac.signal });
  }
  /** Something was shown: the startup timeout is over. */
  started(): void {
    if (this.#startup) clearTimeout(this.#startup);
    this.#startup = null;
  }
  /** Stops listening and ticking, and destroys the engine. */
  end(): void {
    this.#ac.abort();
    clearInterval(this.#tick);
    this.started();
    try {
      this.engine.destroy();
    } catch {
      // an engine that fails to tear down must not keep the session from going on
    }
  }
}

/**
 * Listens to `media` for one attempt at `cand` (until `signal` aborts) and tells the session in its own terms:
 * a media error becomes a failure with one of our codes.
 */
function watchMedia(
  media: HTMLMediaElement,
  cand: Candidate,
  engine: PlaybackEngine,
  signal: AbortSignal,
  on: AttemptHandlers,
): void {
  const listen = (type: string, fn: () => unknown): void => media.addEventListener(type, fn, { signal });
  listen('loadeddata', on.works);
  listen('loadedmetadata', on.metadata);
  listen('playing', on.playing);
  listen('waiting', on.waiting);
  listen('pause', () => !media.ended && on.paused());
  listen('ended', () =>
    engine.live
      ? on.failed({ code: ErrorCodes.STREAM_ENDED, message: 'The live stream ended.' })
      : on.ended(),
  );
  listen('error', () => {
    const e = media.error;
    const code: ErrorCode =
      e?.code === MediaError.MEDIA_ERR_NETWORK
        ? ErrorCodes.NETWORK_ERROR
        : e?.code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED
          ? ErrorCodes.UNSUPPORTED_PROTOCOL
          : ErrorCodes.MEDIA_ERROR;
    on.failed({
      code,
      message: `The media element could not play ${cand.encode.toUpperCase()} (${e?.message || `code ${e?.code ?? '?'}`}).`,
    });
  });
}
