import { ErrorCodes, type ErrorCode, type RelayError } from '../errors.js';
import { loadLazyModule } from '../lazy/registry.js';
import type { PlayerState, RelayPlayerErrorDetail, RelayPlayerFallbackDetail } from '../events.js';
import type { PlayEncode, PlayUrl } from '../types.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type {
  EngineFailure,
  EngineKind,
  EngineQuality,
  EngineStats,
  LatencyMode,
  PlaybackEngine,
} from './engine.js';
import { createEngine, preloadEngine } from './engines/create-engine.js';
import { detectCapabilities, orderSources, type Candidate, type Capabilities } from './source-order.js';
import { probeStream } from './stream-probe.js';

const MODULE = 'player';

/** What autoplay achieved: sound on, muted (the browser blocked sound), or nothing (a play button is needed). */
export type AutoplayOutcome = 'unmuted' | 'muted' | 'blocked';

export interface SessionListener {
  onState(state: PlayerState, protocol: PlayEncode | null, url: string | null): void;
  onFallback(detail: RelayPlayerFallbackDetail): void;
  onError(detail: RelayPlayerErrorDetail): void;
  onAutoplay?(outcome: AutoplayOutcome): void;
  /** The renditions, the one playing or the automatic choice changed (see {@link LiveSession.quality}). */
  onQuality?(): void;
}

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
  capabilities?: Capabilities;
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
    targetLatency: low ? 0.8 : 1.5,
    seekThreshold: low ? 2.5 : 4,
  };
}

const TICK_MS = 500;
/** Quiet checks after a clean end: 1 s, 2 s, 4 s… up to this apart. */
const MAX_CHECK_MS = 15_000;

/**
 * Plays a list of sources on one media element: orders them, falls back on failure, reconnects with backoff
 * after a break, detects stalls, chases the live edge and tears everything down on `destroy()`.
 * Owns one interval (while a source is active) and at most one pending timeout; nothing else.
 */
export class LiveSession {
  private opts: SessionOptions;
  private candidates: Candidate[] = [];
  private index = 0;
  private engine: PlaybackEngine | null = null;
  private attempt: AbortController | null = null;
  /** Bumped on every attempt and teardown; async results of an older generation are dropped. */
  private generation = 0;
  private _state: PlayerState = 'idle';
  private backoff: Backoff;
  private isReconnecting = false;
  private sourceWorked = false;
  private wantPlay = false;
  private tickTimer: ReturnType<typeof setInterval> | null = null;
  private pendingTimer: ReturnType<typeof setTimeout> | null = null;
  /** A quiet look at the URL (after a clean end, or while deciding whether one happened). */
  private probe: AbortController | null = null;
  private startupTimer: ReturnType<typeof setTimeout> | null = null;
  private lastTime = 0;
  private lastProgressAt = 0;
  private destroyed = false;
  /** This browser's capabilities, detected once (unless the options give them). */
  private detected: Capabilities | null = null;

  constructor(
    private readonly media: HTMLMediaElement,
    private readonly listener: SessionListener,
    options: Partial<SessionOptions> = {},
  ) {
    this.opts = { ...defaultSessionOptions(options.latency), ...options };
    this.backoff = new Backoff(this.opts.backoff);
  }

  get state(): PlayerState {
    return this._state;
  }
  get current(): Candidate | null {
    return this.candidates[this.index] ?? null;
  }
  /** The engine playing now (`mpegts`, `hls.js`, `native-hls`, `native`), or `null`. */
  get engineKind(): EngineKind | null {
    return this.engine?.kind ?? null;
  }
  /** The engine's view of the stream now (latency, bitrate), all `null` when nothing plays. */
  engineStats(): EngineStats {
    return this.engine?.stats() ?? { latency: null, bitrate: null };
  }
  /** True when the source playing is live (no end, no fixed duration). */
  get live(): boolean {
    return this.engine?.live ?? false;
  }
  /** What the viewer asked for: true after `play()` (or with autoplay), false after `pause()`. */
  get wantsPlay(): boolean {
    return this.wantPlay;
  }
  /**
   * The one definition of "paused" (the element's `paused`, its play button's icon and what a press does): the
   * viewer did not ask to play, or the media is paused for a reason other than bridging a break or loading (a
   * stopped, failed or ended source has no media playing).
   */
  get paused(): boolean {
    const s = this._state;
    return (
      !this.wantPlay || (this.media.paused && !this.isReconnecting && s !== 'loading' && s !== 'waiting')
    );
  }
  /** True while a break is being bridged (the media's own pause/emptied events then mean nothing). */
  get reconnecting(): boolean {
    return this.isReconnecting;
  }
  /** Length in seconds: `Infinity` for live, `NaN` before it is known. */
  get duration(): number {
    return this.live ? Infinity : this.engine ? this.media.duration : NaN;
  }
  /** Moves the playhead (recordings; within the seekable window for live). */
  seek(seconds: number): void {
    if (this.engine && Number.isFinite(seconds)) this.media.currentTime = Math.max(0, seconds);
  }
  /** Seconds between the playhead and the newest playable position of a live stream, else `null`. */
  behindLive(): number | null {
    const engine = this.engine;
    if (!engine?.live) return null;
    const s = this.media.seekable;
    const edge = engine.liveEdge() ?? (s.length ? s.end(s.length - 1) : null);
    return edge === null ? null : Math.max(0, edge - this.media.currentTime);
  }
  /** Jumps back to the live edge (after a pause or a seek back) and plays. */
  goLive(): void {
    const behind = this.behindLive();
    if (behind !== null) this.seek(this.media.currentTime + behind - this.opts.targetLatency);
    this.play();
  }
  /** Renditions of an adaptive source, or `null` when the engine has no choice to offer. */
  quality(): EngineQuality | null {
    const q = this.engine?.quality?.();
    return q && q.levels.length > 1 ? q : null;
  }
  /** Plays rendition `index`, or lets the engine choose with -1. */
  setQuality(index: number): void {
    this.engine?.setQuality?.(index);
    this.listener.onQuality?.();
  }
  /**
   * Plays `url` (another source of the list: the same stream in another quality) in place of the one playing: a
   * recording from the same time at the same speed, a live stream at its edge.
   */
  switchTo(url: string): void {
    const index = this.candidates.findIndex((c) => c.source.url === url);
    if (index < 0 || (index === this.index && this.engine)) return;
    const { currentTime, playbackRate } = this.media;
    const at = this.live ? 0 : currentTime;
    void this.tryCandidate(index).then(() => {
      const signal = this.attempt?.signal;
      if (at && signal)
        this.media.addEventListener(
          'loadedmetadata',
          () => {
            this.media.currentTime = at;
            this.media.playbackRate = playbackRate;
          },
          { once: true, signal },
        );
    });
  }

  updateOptions(options: Partial<SessionOptions>): void {
    const latencyChanged = options.latency && options.latency !== this.opts.latency;
    this.opts = {
      ...this.opts,
      ...(latencyChanged ? defaultSessionOptions(options.latency) : {}),
      autoplay: this.opts.autoplay,
      ...options,
    };
    this.applyMedia();
  }

  /** `loop` for recordings only; `crossorigin` on the element (set before a load, as the element reads it then). */
  private applyMedia(): void {
    const m = this.media;
    m.loop = !!(this.opts.loop && this.engine && !this.engine.live);
    // unset (undefined) removes the attribute, as null does: the IDL attribute is nullable
    m.crossOrigin = this.opts.crossOrigin as string | null;
  }

  /** Plays `sources` from scratch (any previous source is torn down). */
  start(sources: readonly PlayUrl[]): void {
    if (this.destroyed) return;
    this.stop();
    const { playable, skipped } = this.order(sources);
    this.candidates = playable;
    this.index = 0;
    for (const s of skipped) {
      this.listener.onFallback({ from: s.source, to: playable[0]?.source ?? null, reason: s.reason });
    }
    if (!playable.length) {
      if (!sources.length) return;
      this.fatal(
        skipped.length === 1 ? ErrorCodes.UNSUPPORTED_PROTOCOL : ErrorCodes.ALL_SOURCES_FAILED,
        `None of the ${sources.length} source(s) can be played in this browser: ${skipped.map((s) => s.reason).join(' ')}`,
        sources[0]?.url ?? null,
      );
      return;
    }
    this.wantPlay = this.opts.autoplay;
    const first = playable[0]!.engine;
    const preload = this.opts.preload && this.opts.preload !== 'none';
    if (preload) preloadEngine(first);
    if (this.wantPlay || (preload && first === 'native')) void this.tryCandidate(0);
    else this.setState('idle');
  }

  /** Starts fetching the engine that `sources` would start with (it is cached for `start`). */
  preload(sources: readonly PlayUrl[]): void {
    const first = this.order(sources).playable[0];
    if (first) preloadEngine(first.engine);
  }

  /** `sources` in the order this browser will try them (`preload` and `start` both ask, on one page load). */
  private order(sources: readonly PlayUrl[]): ReturnType<typeof orderSources> {
    return orderSources(sources, this.opts.capabilities ?? (this.detected ??= detectCapabilities()));
  }

  /** Starts or resumes playback (loading the first source when nothing is loaded yet). */
  play(): void {
    if (this.destroyed || !this.candidates.length) return;
    this.wantPlay = true;
    if (!this.engine && (this._state === 'error' || this._state === 'ended' || !this.pendingTimer)) {
      this.backoff.reset();
      this.isReconnecting = false;
      void this.tryCandidate(this._state === 'error' ? 0 : this.index);
      return;
    }
    if (this.engine) void this.requestPlay(false);
  }

  pause(): void {
    this.wantPlay = false;
    this.media.pause();
  }

  /** Tears down and starts again from the first source. */
  reload(): void {
    const sources = this.candidates.map((c) => c.source);
    const want = this.wantPlay || this.opts.autoplay;
    this.start(sources);
    if (want && !this.opts.autoplay) this.play();
  }

  /** Stops playback and releases everything; the session can `start()` again. */
  stop(): void {
    this.teardownAttempt();
    this.clearPending();
    this.backoff.reset();
    this.isReconnecting = false;
    this.candidates = [];
    this.index = 0;
    this.wantPlay = false;
    this.setState('idle');
  }

  /** The producer said its broadcast stopped: release everything and show `ended` (no checks, no error). */
  end(): void {
    this.stop();
    this.setState('ended');
  }

  /** Stops and refuses further use. No timer, request or media source survives this. */
  destroy(): void {
    this.stop();
    this.destroyed = true;
  }

  // ---------------------------------------------------------------- attempts

  private async tryCandidate(index: number): Promise<void> {
    this.teardownAttempt();
    this.clearPending();
    const gen = ++this.generation;
    const cand = this.candidates[index];
    if (!cand) return;
    this.index = index;
    this.sourceWorked = false;
    this.setState(this.isReconnecting ? 'reconnecting' : 'loading');

    let engine: PlaybackEngine;
    try {
      engine = await createEngine(
        cand.engine,
        this.media,
        {
          onFailure: (f) => this.onFailure(gen, f),
          onQuality: () => {
            if (gen === this.generation) this.listener.onQuality?.();
          },
          onReload: () => {
            if (gen === this.generation && this.wantPlay) void this.requestPlay(true);
          },
        },
        {
          latency: this.opts.latency,
          url: cand.source.url,
        },
      );
    } catch (err) {
      if (gen !== this.generation) return;
      this.onFailure(gen, {
        code: ErrorCodes.ENGINE_LOAD_FAILED,
        message: `Could not load the ${cand.engine} engine (${(err as Error).message}).`,
      });
      return;
    }
    if (gen !== this.generation) {
      engine.destroy();
      return;
    }
    this.engine = engine;
    const ac = new AbortController();
    this.attempt = ac;
    const on = (type: string, fn: () => void): void =>
      this.media.addEventListener(type, fn, { signal: ac.signal });
    on('loadeddata', () => this.onSourceWorks());
    on('loadedmetadata', () => {
      this.applyMedia(); // live or not is known now
      // preloaded, not played: metadata is all that comes (`preload="metadata"`)
      if (!this.wantPlay) this.onSourceWorks();
    });
    on('playing', () => {
      this.onSourceWorks();
      this.setState('playing');
    });
    on('waiting', () => {
      if (this._state === 'playing') this.setState('waiting');
    });
    on('pause', () => {
      if (!this.wantPlay && this.sourceWorked && !this.media.ended) this.setState('paused');
    });
    on('ended', () => {
      if (engine.live)
        this.onFailure(gen, { code: ErrorCodes.STREAM_ENDED, message: 'The live stream ended.' });
      else this.setState('ended');
    });
    on('error', () => {
      const e = this.media.error;
      const code: ErrorCode =
        e?.code === MediaError.MEDIA_ERR_NETWORK
          ? ErrorCodes.NETWORK_ERROR
          : e?.code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED
            ? ErrorCodes.UNSUPPORTED_PROTOCOL
            : ErrorCodes.MEDIA_ERROR;
      this.onFailure(gen, {
        code,
        message: `The media element could not play ${cand.encode.toUpperCase()} (${e?.message || `code ${e?.code ?? '?'}`}).`,
      });
    });
    this.startupTimer = setTimeout(() => {
      this.startupTimer = null;
      this.onFailure(gen, {
        code: ErrorCodes.NETWORK_ERROR,
        message: `Nothing could be shown within ${Math.round(this.opts.startupTimeoutMs / 1000)} s.`,
      });
    }, this.opts.startupTimeoutMs);
    this.applyMedia();
    this.lastTime = this.media.currentTime;
    this.lastProgressAt = Date.now();
    this.tickTimer = setInterval(() => this.tick(), TICK_MS);
    try {
      engine.load(cand.source.url);
    } catch (err) {
      this.onFailure(gen, { code: ErrorCodes.MEDIA_ERROR, message: (err as Error).message });
      return;
    }
    if (this.wantPlay) void this.requestPlay(true);
  }

  private onSourceWorks(): void {
    if (this.sourceWorked) return;
    this.sourceWorked = true;
    if (this.startupTimer) clearTimeout(this.startupTimer);
    this.startupTimer = null;
    this.lastProgressAt = Date.now();
    if (this.isReconnecting) {
      this.isReconnecting = false;
      this.backoff.reset();
    }
    if (!this.wantPlay && this.media.paused) this.setState('idle');
  }

  private async requestPlay(autoplay: boolean): Promise<void> {
    const gen = this.generation;
    try {
      await this.media.play();
      if (autoplay) this.listener.onAutoplay?.(this.media.muted ? 'muted' : 'unmuted');
    } catch (err) {
      if (gen !== this.generation || (err as DOMException).name !== 'NotAllowedError') return;
      if (!this.media.muted) {
        this.media.muted = true;
        try {
          await this.media.play();
          if (gen === this.generation) this.listener.onAutoplay?.('muted');
          return;
        } catch (again) {
          // AbortError: the engine loaded the element again meanwhile, and asks for play once more (`onReload`)
          if (gen !== this.generation || (again as DOMException).name === 'AbortError') return;
        }
      }
      this.wantPlay = false;
      this.listener.onAutoplay?.('blocked');
      this.listener.onError({
        module: MODULE,
        code: ErrorCodes.AUTOPLAY_BLOCKED,
        message: 'The browser blocked autoplay; press play to start.',
        url: this.current?.source.url ?? null,
        fatal: false,
      });
      this.setState('idle');
    }
  }

  private onFailure(gen: number, failure: EngineFailure): void {
    if (gen !== this.generation || this.destroyed) return;
    const cand = this.current;
    const url = cand?.source.url ?? null;
    const hadWorked = this.sourceWorked || this.isReconnecting;
    this.teardownAttempt();
    if (!cand) return;
    if (hadWorked && (failure.ended || failure.code === ErrorCodes.NOT_FOUND)) {
      // the playlist closed, or the stream's URL is gone: the broadcast ended, it did not break
      this.broadcastEnded(url);
      return;
    }
    if (hadWorked && failure.code === ErrorCodes.STREAM_ENDED && !this.probe) {
      // the response ended cleanly: one quiet look at the URL tells an end (404/410) from a break
      this.setState('waiting');
      this.quietCheck(cand, (result) => {
        if (result === 'gone' || result === 'ended') this.broadcastEnded(url);
        else this.onFailure(this.generation, { ...failure, code: ErrorCodes.NETWORK_ERROR });
      });
      return;
    }
    this.listener.onError({
      module: MODULE,
      code: failure.code,
      message: failure.message,
      url,
      fatal: false,
    });
    if (hadWorked) {
      // the source played before: the stream broke, reconnect to it with backoff
      if (this.backoff.attempts >= this.opts.maxReconnects) {
        this.fatal(
          failure.code === ErrorCodes.STREAM_ENDED ? ErrorCodes.STREAM_ENDED : ErrorCodes.ALL_SOURCES_FAILED,
          `The stream did not come back after ${this.opts.maxReconnects} attempts (${failure.message}).`,
          url,
        );
        return;
      }
      this.isReconnecting = true;
      this.setState('reconnecting');
      const delay = this.backoff.next();
      this.pendingTimer = setTimeout(() => {
        this.pendingTimer = null;
        void this.tryCandidate(this.index);
      }, delay);
      return;
    }
    // the source never played: fall back to the next one
    const next = this.candidates[this.index + 1] ?? null;
    this.listener.onFallback({ from: cand.source, to: next?.source ?? null, reason: failure.message });
    if (next) {
      void this.tryCandidate(this.index + 1);
    } else {
      const message =
        this.candidates.length === 1
          ? `The source could not be played: ${failure.message}`
          : `None of the ${this.candidates.length} sources could be played; the last one failed: ${failure.message}`;
      const fail = (blocked?: RelayError | null): void =>
        this.fatal(
          (blocked?.code as ErrorCode | undefined) ?? ErrorCodes.ALL_SOURCES_FAILED,
          blocked?.message ?? message,
          url,
        );
      if (failure.code !== ErrorCodes.NETWORK_ERROR) return fail();
      // no answer at all: the server may be up and this page's origin not allowed (the browser hides which)
      const at = this.generation;
      void loadLazyModule('origin-check')
        .then(
          (originBlocked) => originBlocked(cand.source.url, MODULE),
          () => null,
        )
        .then((blocked) => at === this.generation && !this.destroyed && fail(blocked));
    }
  }

  /** A live broadcast ended cleanly: `ended`, one non-fatal event, then quiet checks until it comes back. */
  private broadcastEnded(url: string | null): void {
    this.clearPending();
    this.isReconnecting = false;
    this.backoff.reset();
    this.setState('ended');
    this.listener.onError({
      module: MODULE,
      code: ErrorCodes.STREAM_ENDED,
      message: 'The broadcast has ended.',
      url,
      fatal: false,
    });
    const endedAt = Date.now();
    const check = (delay: number): void => {
      if (Date.now() + delay - endedAt > this.opts.resumeWindowMs) return;
      this.pendingTimer = setTimeout(() => {
        this.pendingTimer = null;
        const cand = this.current;
        if (!cand) return;
        this.quietCheck(cand, (result) => {
          if (result === 'live') void this.tryCandidate(this.index);
          else check(Math.min(delay * 2, MAX_CHECK_MS));
        });
      }, delay);
    };
    check(1000);
  }

  /** Probes the candidate's URL once; `then` runs unless the session moved on meanwhile. */
  private quietCheck(cand: Candidate, then: (result: Awaited<ReturnType<typeof probeStream>>) => void): void {
    const ac = new AbortController();
    this.probe = ac;
    const gen = this.generation;
    void probeStream(cand.source.url, cand.encode, ac.signal).then((result) => {
      if (ac.signal.aborted || gen !== this.generation || this.destroyed) return;
      this.probe = null;
      then(result);
    });
  }

  private fatal(code: ErrorCode, message: string, url: string | null): void {
    this.teardownAttempt();
    this.clearPending();
    this.isReconnecting = false;
    this.setState('error');
    this.listener.onError({ module: MODULE, code, message, url, fatal: true });
  }

  // ---------------------------------------------------------------- live: stall detection and edge chasing

  private tick(): void {
    const engine = this.engine;
    const media = this.media;
    if (!engine) return;
    const now = Date.now();
    const active = this.wantPlay && !media.paused && !media.ended && this.sourceWorked;
    if (!active || media.currentTime !== this.lastTime) {
      this.lastTime = media.currentTime;
      this.lastProgressAt = now;
    } else if (now - this.lastProgressAt > this.opts.stallTimeoutMs) {
      this.onFailure(this.generation, {
        code: ErrorCodes.NETWORK_ERROR,
        message: `Playback stalled for ${Math.round(this.opts.stallTimeoutMs / 1000)} s.`,
      });
      return;
    }
    const edge = engine.liveEdge();
    // a paused live stream falls behind on purpose; chasing starts again when it plays (a recording keeps the
    // speed the viewer chose)
    if (edge === null || !this.sourceWorked || media.paused) {
      if (media.playbackRate !== 1 && engine.live && engine.kind !== 'hls.js') media.playbackRate = 1;
      return;
    }
    const behind = edge - media.currentTime;
    const target = this.opts.targetLatency;
    if (behind > target + this.opts.seekThreshold) {
      media.currentTime = Math.max(0, edge - target);
      media.playbackRate = 1;
    } else if (behind > target + 0.5) {
      if (!media.paused) media.playbackRate = this.opts.latency === 'low' ? 1.3 : 1.15;
    } else if (behind <= target + 0.1 && media.playbackRate !== 1) {
      media.playbackRate = 1;
    }
  }

  // ---------------------------------------------------------------- teardown

  private teardownAttempt(): void {
    this.generation += 1;
    this.attempt?.abort();
    this.attempt = null;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
    if (this.startupTimer) clearTimeout(this.startupTimer);
    this.startupTimer = null;
    const engine = this.engine;
    this.engine = null;
    if (engine) {
      try {
        engine.destroy();
      } catch {
        // an engine that fails to tear down must not keep the session from going on
      }
    }
    if (this.media.hasAttribute('src') || this.media.currentSrc) {
      this.media.removeAttribute('src');
      this.media.load();
    }
    this.media.playbackRate = 1;
  }

  private clearPending(): void {
    if (this.pendingTimer) clearTimeout(this.pendingTimer);
    this.pendingTimer = null;
    this.probe?.abort();
    this.probe = null;
  }

  private setState(state: PlayerState): void {
    const cand = this.current;
    const protocol = state === 'idle' && !cand ? null : (cand?.encode ?? null);
    const url = state === 'idle' && !cand ? null : (cand?.source.url ?? null);
    if (state === this._state && this.lastEmitted === `${state}|${protocol}|${url}`) return;
    this._state = state;
    this.lastEmitted = `${state}|${protocol}|${url}`;
    this.listener.onState(state, protocol, url);
  }
  private lastEmitted = 'idle|null|null';
}
