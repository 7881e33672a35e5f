import { LitElement } from 'lit';
import { ErrorCodes } from '../../contract/errors.js';
import type { PlayerState } from '../../contract/events.js';
import type { EngineKind, WebRtcStats } from '../../player/engine.js';
import { forwardMediaEvents, type MediaEventType } from '../../player/media-events.js';
import { IDLE_SNAPSHOT, type LiveSession, type PlayerSnapshot } from '../../player/session/live-session.js';
import type { PlayEncode } from '../../contract/types.js';

/** What `<relay-player>`'s `getStats()` returns. */
export interface RelayPlayerStats {
  latency: number | null;
  bitrate: number | null;
  droppedFrames: number | null;
  totalFrames: number | null;
  reconnects: number;
  /** WebRTC (WHEP) playback only: RTT, jitter, packets lost, frames decoded/dropped, jitter-buffer delay. */
  webrtc?: WebRtcStats | null;
}

/** The part of `MediaError` a media UI reads: a `MediaError` code and a message. */
export interface RelayPlayerMediaError {
  code: number;
  message: string;
}

/** Properties a media element has, which a script may set before the tag is defined (classic bundles). */
const MEDIA_PROPS = ['muted', 'volume', 'currentTime', 'playbackRate'] as const;

/**
 * `<relay-player>` as a media element (media-chrome's custom media element idea): `play()`, `paused`,
 * `currentTime`, `muted`… answered by its `<video>` and its {@link LiveSession}, so that media UIs drive it as they
 * drive a `<video>`. The state it reports is the session's snapshot, never a copy.
 */
export class RelayMediaElement extends LitElement {
  /** Whether the player starts muted (the `muted` attribute); `muted` is the live value. */
  declare defaultMuted: boolean;
  declare controls: boolean;
  #video: HTMLVideoElement | null = null;
  /** What plays, and the one owner of the playback state (its snapshot); set while connected. */
  protected session: LiveSession | null = null;

  constructor() {
    super();
    // media properties a script set before the tag was defined: re-apply them through the accessors
    for (const key of MEDIA_PROPS) {
      if (Object.prototype.hasOwnProperty.call(this, key)) {
        const value = this[key] as never;
        delete (this as Record<string, unknown>)[key];
        this[key] = value;
      }
    }
  }

  /** The inner `<video>`, created on first use (not in the constructor: no DOM is needed to construct one). */
  protected get video(): HTMLVideoElement {
    return (this.#video ??= createVideo(() => {
      if (this.controls && !this.paused) this.pause();
    }));
  }
  /** The inner `<video>` if it was created (a server render has none). */
  protected get createdVideo(): HTMLVideoElement | null {
    return this.#video;
  }

  /** The session's snapshot (an idle one before the element is connected). */
  protected get snap(): PlayerSnapshot {
    return this.session?.snapshot ?? IDLE_SNAPSHOT;
  }

  /** Current state: `idle`, `loading`, `playing`, `paused`, `waiting`, `reconnecting`, `error` or `ended`. */
  get state(): PlayerState {
    return this.snap.state;
  }
  /** Protocol of the source being played (`flv`, `hls`, `mp4`, `mp3`), or `null`. */
  get protocol(): PlayEncode | null {
    return this.snap.protocol;
  }
  /** URL being played, or `null`. */
  get currentUrl(): string | null {
    return this.snap.url;
  }
  /** Engine in use: `mpegts`, `hls.js`, `native-hls`, `native`, or `null` when none is loaded. */
  get engine(): EngineKind | null {
    return this.session?.engineKind ?? null;
  }
  /** The inner `<video>` element. */
  get media(): HTMLVideoElement | null {
    return this.video;
  }

  /** Starts or resumes playback (loads the first source if nothing is loaded yet). */
  play(): Promise<void> {
    if (this.state === 'error') this.reload();
    this.session?.play();
    return Promise.resolve();
  }
  pause(): void {
    this.session?.pause();
  }
  /** True unless the viewer asked to play (a reconnect or a load in progress does not pause). */
  get paused(): boolean {
    return this.snap.paused;
  }
  get ended(): boolean {
    return this.state === 'ended';
  }
  get currentTime(): number {
    return this.#video?.currentTime ?? 0;
  }
  /** Seeks (recordings; within the seekable window for live). */
  set currentTime(seconds: number) {
    this.session?.seek(seconds);
  }
  /** Seconds; `Infinity` for a live stream, `NaN` while unknown. */
  get duration(): number {
    return this.session?.duration ?? NaN;
  }
  get seekable(): TimeRanges {
    return this.video.seekable;
  }
  get buffered(): TimeRanges {
    return this.video.buffered;
  }
  /** Whether sound is off now (the `muted` attribute only sets the start value). */
  get muted(): boolean {
    return this.#video?.muted ?? this.defaultMuted;
  }
  set muted(muted: boolean) {
    this.video.muted = muted;
  }
  /** Volume from 0 to 1. */
  get volume(): number {
    return this.#video?.volume ?? 1;
  }
  set volume(volume: number) {
    this.video.volume = volume;
  }
  /** Playback speed (live streams chase the edge by changing it themselves). */
  get playbackRate(): number {
    return this.#video?.playbackRate ?? 1;
  }
  set playbackRate(rate: number) {
    this.video.playbackRate = rate;
  }
  get readyState(): number {
    return this.#video?.readyState ?? 0;
  }
  get videoWidth(): number {
    return this.#video?.videoWidth ?? 0;
  }
  get videoHeight(): number {
    return this.#video?.videoHeight ?? 0;
  }
  get textTracks(): TextTrackList {
    return this.video.textTracks;
  }
  /** Set only when playback gave up for good (the `error` state); a reconnect or a fallback leaves it `null`. */
  get error(): RelayPlayerMediaError | null {
    const e = this.snap.error;
    return e ? { code: e.code === ErrorCodes.BAD_SOURCES ? 4 : 2, message: e.message } : null;
  }
  /**
   * Re-fires the video's media events from the element (as a `<video>` fires them) and renders again on those that
   * change what it shows, until `signal` aborts.
   */
  protected listenToMedia(signal: AbortSignal): void {
    const video = this.video;
    const rerender = (): void => this.requestUpdate();
    for (const t of RENDER_ON.split(' ')) video.addEventListener(t, rerender, { signal });
    this.addEventListener('fullscreenchange', rerender, { signal });
    forwardMediaEvents(video, this, (type) => this.#transient(type), signal);
  }

  /**
   * The media element's events that say nothing about what the viewer sees: the `emptied`/`abort`/`pause`/
   * `ended` of a reconnect or a live stream's teardown (media-chrome would otherwise show a paused or broken
   * player while it comes back). Its `error` is never forwarded: the player fires one when it gives up.
   */
  #transient(type: MediaEventType): boolean {
    const s = this.session;
    if (!s) return false;
    if (type === 'pause') return s.wantsPlay && !this.video.ended;
    if (type === 'ended') return s.live;
    if (type === 'emptied' || type === 'abort') return s.reconnecting || this.state === 'waiting';
    return false;
  }
  requestPictureInPicture(): Promise<PictureInPictureWindow> {
    return this.video.requestPictureInPicture();
  }

  /** Tears the current source down and starts again from the best source. */
  reload(): void {
    this.session?.reload();
  }

  /**
   * Live statistics for dashboards: `latency` (seconds from capture to screen where the stream dates its media: the local relay's FLV and HLS, any HLS with `EXT-X-PROGRAM-DATE-TIME`, clocks in step as with NTP; else seconds behind the newest media received), `bitrate` (bit/s of
   * the stream playing: for HLS the playing level's fragments, for FLV the download rate), `droppedFrames` /
   * `totalFrames` (from the video element), `reconnects` (since the current input was set). Fields the engine
   * cannot tell are `null`.
   */
  getStats(): RelayPlayerStats {
    const q = this.#video?.getVideoPlaybackQuality?.();
    const playing = this.session?.engineKind != null;
    return {
      ...(this.session?.engineStats() ?? { latency: null, bitrate: null }),
      droppedFrames: playing && q ? q.droppedVideoFrames : null,
      totalFrames: playing && q ? q.totalVideoFrames : null,
      reconnects: this.snap.reconnects,
    };
  }
}

/** Media events after which what the player shows (time, buffered range, volume, picture-in-picture) changes. */
const RENDER_ON =
  'play pause playing volumechange timeupdate progress durationchange seeking seeked enterpictureinpicture leavepictureinpicture';

function createVideo(onClick: () => void): HTMLVideoElement {
  const video = document.createElement('video');
  video.setAttribute('part', 'video');
  video.playsInline = true;
  video.addEventListener('click', onClick);
  return video;
}
