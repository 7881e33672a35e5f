import { ErrorCodes, type ErrorCode } from '../../contract/errors.js';
import type { PlayerState, RelayPlayerErrorDetail } from '../../contract/events.js';
import type { PlayUrl, RelayErrorInfo } from '../../contract/types.js';
import type { EngineFailure, EngineKind, EngineStats, PlaybackEngine } from '../engine.js';
import { createEngine, preloadEngine } from '../engines/create-engine.js';
import type { Candidate } from '../source-order.js';
import { Attempt } from './attempt.js';
import { autoplayBlocked, playWithPolicy } from './autoplay.js';
import { EndWatch } from './end-watch.js';
import { chaseLiveEdge } from './live-edge.js';
import { defaultSessionOptions, mergeOptions, type SessionOptions } from './options.js';
import { Reconnect } from './reconnect.js';
import { SourceList, nonePlayable, txExpired, whyAllFailed } from './sources.js';
import { IDLE_SNAPSHOT, withState, type PlayerSnapshot, type SessionListener } from './snapshot.js';
import { StallWatch } from './stall.js';

export { defaultSessionOptions, type SessionOptions } from './options.js';
export type { AutoplayOutcome } from './autoplay.js';
export { IDLE_SNAPSHOT, type PlayerSnapshot, type SessionListener } from './snapshot.js';

const MODULE = 'player';

/**
 * Plays a list of sources on one media element: the facade over one part per concern — the ordered sources and
 * fallback (`sources.ts`), reconnect with backoff (`reconnect.ts`), clean-end probing and the resume window
 * (`end-watch.ts`), stall detection (`stall.ts`), live-edge chasing (`live-edge.ts`) and the autoplay policy
 * (`autoplay.ts`). Constructed without side effects; reports through one {@link SessionListener} and one
 * {@link snapshot}; `release()` leaves nothing running. Async results of an older attempt are dropped by a
 * generation counter, bumped on every attempt and teardown.
 */
export class LiveSession {
  #opts: SessionOptions;
  readonly #sources = new SourceList();
  readonly #reconnect: Reconnect;
  readonly #end = new EndWatch();
  readonly #stall = new StallWatch();
  /** The attempt in progress: its engine, media listeners and timers. */
  #attempt: Attempt | null = null;
  #gen = 0;
  #worked = false;
  #wantPlay = false;
  #released = false;
  #snap = IDLE_SNAPSHOT;

  constructor(
    private readonly media: HTMLMediaElement,
    private readonly listener: SessionListener,
    options: Partial<SessionOptions> = {},
  ) {
    this.#opts = { ...defaultSessionOptions(options.latency), ...options };
    this.#reconnect = new Reconnect(this.#opts.backoff);
  }

  /** The engine playing now, or `null`: the controls read renditions and the live edge from it. */
  get engine(): PlaybackEngine | null {
    return this.#attempt?.engine ?? null;
  }
  /** Seconds behind the newest data that live-edge chasing keeps (and "go to live" goes back to). */
  get targetLatency(): number {
    return this.#opts.targetLatency;
  }
  /** What a view shows, read now. */
  get snapshot(): PlayerSnapshot {
    // the offer to unmute ends once sound is on, whoever turned it on
    if (this.#snap.mutedByAutoplay && !this.media.muted)
      this.#snap = { ...this.#snap, mutedByAutoplay: false };
    return { ...this.#snap, paused: this.paused };
  }
  /** See {@link PlayerSnapshot.paused}. */
  get paused(): boolean {
    const s = this.#snap.state;
    return (
      !this.#wantPlay || (this.media.paused && !this.#reconnect.active && s !== 'loading' && s !== 'waiting')
    );
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
    return this.#wantPlay;
  }
  /** True while a break is being bridged (the media's own pause/emptied events then mean nothing). */
  get reconnecting(): boolean {
    return this.#reconnect.active;
  }
  /** Length in seconds: `Infinity` for live, `NaN` before it is known. */
  get duration(): number {
    return this.live ? Infinity : this.engine ? this.media.duration : NaN;
  }
  /** Moves the playhead (recordings; within the seekable window for live). */
  seek(seconds: number): void {
    if (this.engine && Number.isFinite(seconds)) this.media.currentTime = Math.max(0, seconds);
  }
  /**
   * Plays `url` (another source of the list: the same stream in another quality) in place of the one playing: a
   * recording from the same time at the same speed, a live stream at its edge.
   */
  switchTo(url: string): void {
    const index = this.#sources.indexOf(url);
    if (index < 0 || (index === this.#sources.index && this.engine)) return;
    const { currentTime, playbackRate } = this.media;
    const at = this.live ? 0 : currentTime;
    void this.#try(index).then(() => at && this.#attempt?.resumeAt(at, playbackRate));
  }

  updateOptions(options: Partial<SessionOptions>): void {
    this.#opts = mergeOptions(this.#opts, options);
    this.#applyMedia();
  }

  /** `loop` for recordings only; `crossorigin` on the element (set before a load, as the element reads it then). */
  #applyMedia(): void {
    const m = this.media;
    m.loop = !!(this.#opts.loop && this.engine && !this.engine.live);
    // unset (undefined) removes the attribute, as null does: the IDL attribute is nullable
    m.crossOrigin = this.#opts.crossOrigin as string | null;
  }

  /**
   * Plays `sources` from scratch (any previous source is torn down). A new input (`fresh`, the default) counts its
   * reconnects from 0; a reload of the same one does not.
   */
  start(sources: readonly PlayUrl[], fresh = true): void {
    if (this.#released) return;
    this.stop();
    if (fresh) this.#emit({ reconnects: 0 });
    const { playable, skipped } = this.#sources.order(
      sources,
      this.#opts.capabilities,
      this.#opts.playScheme,
    );
    this.#sources.set(playable);
    for (const s of skipped) {
      this.listener.onFallback({ from: s.source, to: playable[0]?.source ?? null, reason: s.reason });
    }
    if (!playable.length) {
      if (sources.length) this.#fatal(...nonePlayable(sources, skipped), sources[0]?.url ?? null);
      return;
    }
    this.#wantPlay = this.#opts.autoplay;
    const first = playable[0]!.engine;
    const preload = this.#opts.preload && this.#opts.preload !== 'none';
    if (preload) preloadEngine(first);
    if (this.#wantPlay || (preload && first === 'native')) void this.#try(0);
    else this.#setState('idle', { needsPress: true });
  }

  /** Starts fetching the engine that `sources` would start with (it is cached for `start`). */
  preload(sources: readonly PlayUrl[]): void {
    const first = this.#sources.order(sources, this.#opts.capabilities, this.#opts.playScheme).playable[0];
    if (first) preloadEngine(first.engine);
  }

  /** Starts or resumes playback (loading the first source when nothing is loaded yet). */
  play(): void {
    if (this.#released || !this.#sources.all.length) return;
    this.#wantPlay = true;
    this.#emit({ needsPress: false });
    const st = this.#snap.state;
    if (!this.engine && (st === 'error' || st === 'ended' || !this.#reconnect.pending)) {
      this.#reconnect.reset();
      void this.#try(st === 'error' ? 0 : this.#sources.index);
      return;
    }
    if (this.engine) void this.#play(false);
  }

  pause(): void {
    this.#wantPlay = false;
    this.media.pause();
  }

  /** Tears down and starts again from the first source. */
  reload(): void {
    const sources = this.#sources.all.map((c) => c.source);
    const want = this.#wantPlay || this.#opts.autoplay;
    this.start(sources, false);
    if (want && !this.#opts.autoplay) this.play();
  }

  /** Stops playback and releases everything; the session can `start()` again. */
  stop(): void {
    this.#teardown();
    this.#clearPending();
    this.#reconnect.reset();
    this.#sources.set([]);
    this.#wantPlay = false;
    this.#setState('idle', { needsPress: false });
  }

  /** The producer said its broadcast stopped: release everything and show `ended` (no checks, no error). */
  end(): void {
    this.stop();
    this.#setState('ended');
  }

  /** The input itself is wrong (malformed `sources`): stops and shows `error` with `info`. */
  fail(info: RelayErrorInfo): void {
    this.stop();
    this.#fatal(info.code as ErrorCode, info.message, null, info.module);
  }

  /** Stops and refuses further use. No timer, request, listener or media source survives this. */
  release(): void {
    this.stop();
    this.#released = true;
  }

  async #try(index: number): Promise<void> {
    this.#teardown();
    this.#clearPending();
    const gen = ++this.#gen;
    let cand = this.#sources.select(index);
    if (!cand) return;
    const { refreshSources, capabilities, playScheme } = this.#opts;
    if (refreshSources && txExpired(cand.source.url)) {
      // a signed URL past its txTime (a reconnect, a play after a long pause): fresh URLs first, same engine
      this.#setState(this.#reconnect.active ? 'reconnecting' : 'loading');
      await this.#sources.refresh(refreshSources, capabilities, playScheme);
      cand = this.#sources.current;
      if (gen !== this.#gen || this.#released || !cand) return;
    }
    this.#worked = false;
    this.#setState(this.#reconnect.active ? 'reconnecting' : 'loading');
    let engine: PlaybackEngine;
    try {
      engine = await createEngine(
        cand.engine,
        this.media,
        {
          onFailure: (f) => this.#failed(gen, f),
          onQuality: () => void (gen === this.#gen && this.#emit({})),
          onReload: () => void (gen === this.#gen && this.#wantPlay && this.#play(true)),
        },
        { latency: this.#opts.latency, url: cand.source.url, token: cand.source.token },
      );
    } catch (err) {
      this.#failed(gen, {
        code: ErrorCodes.ENGINE_LOAD_FAILED,
        message: `Could not load the ${cand.engine} engine (${(err as Error).message}).`,
      });
      return;
    }
    if (gen !== this.#gen) {
      engine.destroy();
      return;
    }
    this.#attempt = new Attempt(engine, this.media, cand, this.#opts.startupTimeoutMs, {
      works: () => this.#works(),
      metadata: () => {
        this.#applyMedia(); // live or not is known now
        // preloaded, not played: metadata is all that comes (`preload="metadata"`)
        if (!this.#wantPlay) this.#works();
      },
      playing: () => {
        this.#works();
        this.#setState('playing', { needsPress: false });
      },
      waiting: () => this.#snap.state === 'playing' && this.#setState('waiting'),
      paused: () => !this.#wantPlay && this.#worked && this.#setState('paused'),
      ended: () => this.#setState('ended'),
      failed: (f) => this.#failed(gen, f),
      tick: () => this.#onTick(),
    });
    this.#applyMedia();
    this.#stall.reset(this.media.currentTime);
    try {
      engine.load(cand.source.url);
    } catch (err) {
      this.#failed(gen, { code: ErrorCodes.MEDIA_ERROR, message: (err as Error).message });
      return;
    }
    if (this.#wantPlay) void this.#play(true);
  }

  /** The source showed something: startup is over, a break is bridged. */
  #works(): void {
    if (this.#worked) return;
    this.#worked = true;
    this.#attempt?.started();
    this.#stall.reset(this.media.currentTime);
    if (this.#reconnect.active) this.#reconnect.reset();
    if (!this.#wantPlay && this.media.paused) this.#setState('idle');
  }

  /** Plays under the autoplay policy (`autoplay`: the session asked, not the viewer). */
  async #play(autoplay: boolean): Promise<void> {
    const gen = this.#gen;
    const muted = this.media.muted;
    const outcome = await playWithPolicy(this.media, () => gen !== this.#gen);
    if (outcome === 'blocked') {
      this.#wantPlay = false;
      this.listener.onError(autoplayBlocked(this.#sources.current?.source.url ?? null, MODULE));
      return this.#setState('idle', { needsPress: true });
    }
    // the browser refused sound and the media was muted to play (also when a reload cut that play short)
    if (!muted && this.media.muted) this.#emit({ mutedByAutoplay: true });
    if (outcome === 'muted' || (outcome && autoplay)) this.#emit({ needsPress: false });
  }

  #failed(gen: number, failure: EngineFailure): void {
    if (gen !== this.#gen || this.#released) return;
    const cand = this.#sources.current;
    const url = cand?.source.url ?? null;
    const hadWorked = this.#worked || this.#reconnect.active;
    this.#teardown();
    if (!cand) return;
    if (hadWorked && (failure.ended || failure.code === ErrorCodes.NOT_FOUND)) {
      // the playlist closed, or the stream's URL is gone: the broadcast ended, it did not break
      return this.#broadcastEnded(cand);
    }
    if (hadWorked && failure.code === ErrorCodes.STREAM_ENDED && !this.#end.probing) {
      // the response ended cleanly: one quiet look at the URL tells an end (404/410) from a break
      this.#setState('waiting');
      const at = this.#gen;
      this.#end.check(cand, (result) => {
        if (at !== this.#gen || this.#released) return;
        if (result === 'gone' || result === 'ended') this.#broadcastEnded(cand);
        else this.#failed(this.#gen, { ...failure, code: ErrorCodes.NETWORK_ERROR });
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
      if (this.#reconnect.attempts >= this.#opts.maxReconnects) {
        const code = failure.code === ErrorCodes.STREAM_ENDED ? failure.code : ErrorCodes.ALL_SOURCES_FAILED;
        const message = `The stream did not come back after ${this.#opts.maxReconnects} attempts (${failure.message}).`;
        return this.#fatal(code, message, url);
      }
      this.#reconnect.schedule(() => void this.#try(this.#sources.index));
      this.#setState('reconnecting');
      return;
    }
    // the source never played: fall back to the next one
    const next = this.#sources.next;
    this.listener.onFallback({ from: cand.source, to: next?.source ?? null, reason: failure.message });
    if (next) {
      void this.#try(this.#sources.index + 1);
      return;
    }
    const at = this.#gen;
    whyAllFailed(this.#sources.all, cand, failure, MODULE, (code, message) => {
      if (at === this.#gen && !this.#released) this.#fatal(code, message, url);
    });
  }

  /** A live broadcast ended cleanly: `ended`, one non-fatal event, then quiet checks until it comes back. */
  #broadcastEnded(cand: Candidate): void {
    this.#clearPending();
    this.#reconnect.reset();
    this.#setState('ended');
    this.listener.onError({
      module: MODULE,
      code: ErrorCodes.STREAM_ENDED,
      message: 'The broadcast has ended.',
      url: cand.source.url,
      fatal: false,
    });
    const at = this.#gen;
    this.#end.watch(cand, this.#opts.resumeWindowMs, () => {
      if (at === this.#gen && !this.#released) void this.#try(this.#sources.index);
    });
  }

  /** Playback gives up: `error`, with its one fatal event. */
  #fatal(code: ErrorCode, message: string, url: string | null, module = MODULE): void {
    this.#teardown();
    this.#clearPending();
    this.#reconnect.reset();
    const detail: RelayPlayerErrorDetail = { module, code, message, url, fatal: true };
    this.#setState('error', { error: detail });
    this.listener.onError(detail);
  }

  /** Every tick while a source is active: a stall is a break; a live stream is kept near its edge. */
  #onTick(): void {
    const engine = this.engine;
    const media = this.media;
    if (!engine) return;
    const active = this.#wantPlay && !media.paused && !media.ended && this.#worked;
    const stall = this.#stall.check(media.currentTime, active, this.#opts.stallTimeoutMs);
    if (stall) return this.#failed(this.#gen, stall);
    chaseLiveEdge(media, engine, this.#worked, this.#opts);
  }

  /** Ends the attempt in progress: its engine, media listeners, timers; the media element is emptied. */
  #teardown(): void {
    this.#gen += 1;
    this.#attempt?.end();
    this.#attempt = null;
    if (this.media.hasAttribute('src') || this.media.currentSrc) {
      this.media.removeAttribute('src');
      this.media.load();
    }
    this.media.playbackRate = 1;
  }

  /** Drops a scheduled reconnect and any quiet check. */
  #clearPending(): void {
    this.#reconnect.cancel();
    this.#end.cancel();
  }

  /** The one place the state changes (see {@link withState}). */
  #setState(state: PlayerState, extra: Partial<PlayerSnapshot> = {}): void {
    this.#emit({ ...withState(this.#snap, state, this.#sources.current), ...extra });
  }

  /** Applies `patch`; tells the listener when something changed (or, for `{}`, always: the renditions). */
  #emit(patch: Partial<PlayerSnapshot>): void {
    const before = this.#snap;
    const now = { ...before, ...patch };
    const keys = Object.keys(patch) as (keyof PlayerSnapshot)[];
    if (keys.length && keys.every((k) => now[k] === before[k])) return;
    this.#snap = now;
    this.listener.onChange(this.snapshot, before);
  }
}
