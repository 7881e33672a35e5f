import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ErrorCodes, RelayError, toErrorInfo } from '../errors.js';
import {
  LivePushEvents,
  RelayPlayerEvents,
  relayEvent,
  type LivePushStartedDetail,
  type PlayerState,
  type RelayPlayerErrorDetail,
  type RelayPlayerFallbackDetail,
  type RelayPlayerStateDetail,
} from '../events.js';
import { format, messagesFor, resolveLang, type Messages } from '../i18n/index.js';
import { mutedIcon, pauseIcon, playIcon, volumeIcon } from './icons.js';
import type { EngineKind, LatencyMode } from '../player/engine.js';
import { LiveSession, type AutoplayOutcome } from '../player/live-session.js';
import { normaliseSources, parseSourcesAttribute } from '../player/protocol.js';
import type { PlayEncode, PlayUrl } from '../types.js';
import { themeStyles } from './theme.js';

const MODULE = 'player';

/** What {@link RelayPlayer.getStats} returns. */
export interface RelayPlayerStats {
  latency: number | null;
  bitrate: number | null;
  droppedFrames: number | null;
  totalFrames: number | null;
  reconnects: number;
}

/**
 * Plays a live relay (HTTP-FLV, HLS) or a recording (MP4, MP3) from one URL or a list of play URLs, picking what
 * this browser can play, lowest latency first, and falling back to the next source when one fails.
 *
 * ```html
 * <relay-player src="https://example.com/live/s1.flv" autoplay muted></relay-player>
 * <relay-player sources='[{"encode":"flv","url":"https://…/s1.flv"},{"encode":"hls","url":"https://…/s1.m3u8"}]'></relay-player>
 * <relay-player for="studio" autoplay muted></relay-player>
 * ```
 *
 * Live streams reconnect with backoff after a break, stay near the live edge and keep their buffers bounded.
 * HTTP-FLV is played with mpegts.js and HLS with hls.js (or the browser's own HLS without Media Source
 * Extensions); both are fetched only when first needed. RTMP cannot play in a browser and is skipped.
 *
 * @summary Multi-protocol live player: HTTP-FLV, HLS, MP4, MP3, with fallback, reconnect and live-edge chasing.
 *
 * @fires relay-player-state - `{ state, protocol, url }` on every state change (`idle`, `loading`, `playing`,
 *   `waiting`, `reconnecting`, `error`, `ended`).
 * @fires relay-player-fallback - `{ from, to, reason }` when a source is skipped (RTMP, unsupported) or fails
 *   and the next one is tried; `to` is `null` when none is left.
 * @fires relay-player-error - `{ module, code, message, url, fatal }`; `fatal: true` means the player stopped
 *   in the `error` state (all sources failed, malformed `sources`, stream did not come back).
 *
 * @attr src - One URL to play; the protocol is guessed from it (`.flv`, `.m3u8`, `.mp4`, `.mp3`, `rtmp:`).
 * @attr sources - JSON array of `{ "encode"?, "url" }` (or URL strings). Of `src` and `sources`, the one set last plays.
 * @attr for - Id of a `<live-push-controls>`: plays its URLs when its push starts, stops when it stops.
 * @attr autoplay - Start at once; if the browser blocks sound, plays muted, else shows a play button.
 * @attr muted - Start muted.
 * @attr controls - Show the player's control bar (play/pause, mute).
 * @attr poster - Image shown before the first frame.
 * @attr latency - `low` (smallest delay, less buffer) or `normal` (default).
 * @attr lang - `en` or `zh-CN` labels (else the nearest `lang` or the browser's language).
 *
 * @csspart base - The wrapper.
 * @csspart video - The `<video>` element.
 * @csspart overlay - The centred layer with the big play button, spinner or error.
 * @csspart play-button - The big play button shown when playback needs a press.
 * @csspart unmute-button - Shown after muted autoplay.
 * @csspart controls - The control bar (`controls` attribute).
 * @csspart control-button - Each control-bar button.
 * @csspart status - The state text (an `aria-live` region).
 * @csspart error - The error message.
 *
 * @cssprop --relay-player-aspect-ratio - Aspect ratio of the box (default `16 / 9`).
 * @cssprop --relay-player-background - Background behind the video (default `#000`).
 * @cssprop --relay-color-text - Text colour of overlays (default `#fff`).
 * @cssprop --relay-accent - Accent of buttons (default `#0a66c2`).
 * @cssprop --relay-radius - Corner radius (default `6px`).
 * @cssprop --relay-font - Font of the labels (default `inherit`).
 * @tag relay-player
 */
export class RelayPlayer extends LitElement {
  static override styles = [
    themeStyles,
    css`
      :host {
        position: relative;
        aspect-ratio: var(--relay-player-aspect-ratio, 16 / 9);
        background: var(--relay-player-background, #000);
        border-radius: var(--_radius);
        overflow: hidden;
        color: var(--relay-color-text, #fff);
      }
      [part='base'],
      video {
        width: 100%;
        height: 100%;
        display: block;
      }
      video {
        object-fit: contain;
        background: transparent;
      }
      [part='overlay'] {
        position: absolute;
        inset: 0;
        display: flex;
        flex-direction: column;
        align-items: center;
        justify-content: center;
        gap: 0.5em;
        pointer-events: none;
        text-align: center;
        padding: 1em;
      }
      [part='overlay'] > * {
        pointer-events: auto;
      }
      button {
        font: inherit;
        color: inherit;
        background: var(--_accent);
        border: 0;
        border-radius: var(--_radius);
        padding: 0.5em 1em;
        cursor: pointer;
      }
      .icon {
        vertical-align: -0.125em;
      }
      button:focus-visible {
        outline: 2px solid var(--relay-color-text, #fff);
        outline-offset: 2px;
      }
      [part='play-button'] {
        font-size: 1.25em;
        padding: 0.6em 1.4em;
      }
      [part='unmute-button'] {
        position: absolute;
        top: 0.5em;
        left: 0.5em;
      }
      [part='controls'] {
        position: absolute;
        left: 0;
        right: 0;
        bottom: 0;
        display: flex;
        gap: 0.5em;
        align-items: center;
        padding: 0.5em;
        background: linear-gradient(transparent, rgb(0 0 0 / 0.6));
      }
      [part='controls'] [part='status'] {
        margin-left: auto;
      }
      [part='status'] {
        font-size: 0.875em;
        text-shadow: 0 1px 2px #000;
      }
      .visually-hidden {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
        white-space: nowrap;
      }
      [part='error'] {
        max-width: 32em;
        text-shadow: 0 1px 2px #000;
      }
      .spinner {
        width: 2em;
        height: 2em;
        border: 3px solid rgb(255 255 255 / 0.3);
        border-top-color: var(--relay-color-text, #fff);
        border-radius: 50%;
        animation: spin 1s linear infinite;
      }
      @keyframes spin {
        to {
          transform: rotate(360deg);
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .spinner {
          animation: none;
        }
      }
    `,
  ];

  /** One URL to play (protocol guessed from the URL). */
  @property() src: string | null = null;
  /** Play URLs, tried lowest latency first. Set as a property, or as a JSON attribute `sources`. */
  @property({ attribute: false }) sources: PlayUrl[] | null = null;
  /** Id of a `<live-push-controls>` whose live push this player follows. */
  @property({ attribute: 'for' }) htmlFor: string | null = null;
  @property({ type: Boolean }) autoplay = false;
  @property({ type: Boolean }) muted = false;
  @property({ type: Boolean }) controls = false;
  @property() poster: string | null = null;
  @property() latency: LatencyMode = 'normal';
  @property({ reflect: true }) override lang = '';

  /** The raw `sources` attribute (parsed into `sources`). */
  @property({ attribute: 'sources' }) private sourcesAttr: string | null = null;

  @state() private _state: PlayerState = 'idle';
  @state() private _protocol: PlayEncode | null = null;
  @state() private _url: string | null = null;
  @state() private _error: RelayPlayerErrorDetail | null = null;
  @state() private _needsPress = false;
  @state() private _mutedByAutoplay = false;
  @state() private _mutedNow = false;
  @state() private _paused = true;

  /** Owned by the element for its whole life, so the session can start before the first render. */
  private readonly video: HTMLVideoElement = createVideo(() => {
    if (this.controls && !this._paused) this.pause();
  });

  #session: LiveSession | null = null;
  #pushUrls: PlayUrl[] | null = null;
  #inputError: RelayError | null = null;
  #docListeners: AbortController | null = null;
  #mediaListeners: AbortController | null = null;
  /** Set when a session was just created and has not been given its inputs yet. */
  #freshSession = false;
  #listeningFor: string | null = null;
  #reconnects = 0;

  /** Current state: `idle`, `loading`, `playing`, `waiting`, `reconnecting`, `error` or `ended`. */
  get state(): PlayerState {
    return this._state;
  }
  /** Protocol of the source being played (`flv`, `hls`, `mp4`, `mp3`), or `null`. */
  get protocol(): PlayEncode | null {
    return this._protocol;
  }
  /** URL being played, or `null`. */
  get currentUrl(): string | null {
    return this._url;
  }
  /** Engine in use: `mpegts`, `hls.js`, `native-hls`, `native`, or `null` when none is loaded. */
  get engine(): EngineKind | null {
    return this.#session?.engineKind ?? null;
  }
  /** The `<video>` element (read it for `currentTime`, `videoWidth`, volume…). */
  get media(): HTMLVideoElement | null {
    return this.video ?? null;
  }

  /** Starts or resumes playback (loads the first source if nothing is loaded yet). */
  play(): void {
    this._needsPress = false;
    this.#session?.play();
  }
  pause(): void {
    this.#session?.pause();
  }
  /** Tears the current source down and starts again from the best source. */
  reload(): void {
    this._error = null;
    this.#session?.reload();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#listenForPush();
    // first connection, or re-added after a disconnect: (re)start with the current inputs on the next update
    if (!this.#session) {
      this.#attachSession();
      this.requestUpdate();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#docListeners?.abort();
    this.#docListeners = null;
    this.#listeningFor = null;
    this.#mediaListeners?.abort();
    this.#mediaListeners = null;
    this.#session?.destroy();
    this.#session = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The field initialiser's undefined → null is not an attribute change: it must not wipe a `sources`
    // property set by a script before the first update.
    const attrKey = 'sourcesAttr' as keyof RelayPlayer;
    const attrChanged =
      changed.has(attrKey) && (changed.get(attrKey) !== undefined || this.sourcesAttr !== null);
    // Last one set wins (embed helper): a new `src` replaces earlier `sources`, new `sources` an earlier `src`.
    const srcSet = changed.has('src') && this.src !== null;
    const sourcesSet = attrChanged || (changed.has('sources') && this.sources !== null);
    if (srcSet && !sourcesSet) this.sources = null;
    else if (sourcesSet && !srcSet) this.src = null;
    if (attrChanged) {
      this.#inputError = null;
      if (this.sourcesAttr === null) this.sources = null;
      else {
        try {
          this.sources = parseSourcesAttribute(this.sourcesAttr);
        } catch (err) {
          this.#inputError = err as RelayError;
          this.sources = null;
        }
      }
    } else if (changed.has('sources') && this.sources !== null) {
      this.#inputError = null;
      try {
        this.sources = normaliseSources(this.sources);
      } catch (err) {
        this.#inputError = err as RelayError;
        this.sources = null;
      }
    }
    const video = this.video;
    // the video's volumechange event brings _mutedNow/_mutedByAutoplay in line
    if (changed.has('muted')) video.muted = this.muted;
    if (changed.has('poster')) {
      if (this.poster) video.poster = this.poster;
      else video.removeAttribute('poster');
    }
    video.setAttribute('aria-label', this.#messages().region);
    if (!this.#session) return;
    if (changed.has('autoplay') || changed.has('latency')) {
      this.#session.updateOptions({ autoplay: this.autoplay, latency: this.#latency() });
    }
    if (
      this.#freshSession ||
      changed.has('src') ||
      changed.has('sources') ||
      changed.has('sourcesAttr' as keyof RelayPlayer) ||
      changed.has('latency')
    ) {
      this.#freshSession = false;
      this.#startInputs();
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('htmlFor') && this.isConnected) this.#listenForPush();
  }

  /** Restarts from the inputs on the next update. */
  #restartInputs(): void {
    this.#freshSession = true;
    this.requestUpdate();
  }

  #latency(): LatencyMode {
    return this.latency === 'low' ? 'low' : 'normal';
  }

  #attachSession(): void {
    const video = this.video;
    video.muted = this.muted;
    this._mutedNow = this.muted;
    this.#mediaListeners?.abort();
    const ac = new AbortController();
    this.#mediaListeners = ac;
    const sync = (): void => {
      this._paused = video.paused;
      this._mutedNow = video.muted;
      if (!video.muted) this._mutedByAutoplay = false;
    };
    for (const t of ['play', 'pause', 'playing', 'volumechange'])
      video.addEventListener(t, sync, { signal: ac.signal });
    this.#session = new LiveSession(
      video,
      {
        onState: (s, protocol, url) => this.#onState(s, protocol, url),
        onFallback: (d) =>
          this.dispatchEvent(relayEvent<RelayPlayerFallbackDetail>(RelayPlayerEvents.FALLBACK, d)),
        onError: (d) => {
          if (d.fatal) this._error = d;
          this.dispatchEvent(relayEvent<RelayPlayerErrorDetail>(RelayPlayerEvents.ERROR, d));
        },
        onAutoplay: (o) => this.#onAutoplay(o),
      },
      { autoplay: this.autoplay, latency: this.#latency() },
    );
    this.#freshSession = true;
  }

  /** (Re)starts the session from the inputs: a live push followed with `for`, else `sources`, else `src`. */
  #startInputs(): void {
    const session = this.#session;
    if (!session) return;
    this._error = null;
    this._needsPress = false;
    if (this.#inputError && !this.#pushUrls) {
      session.stop();
      const info = this.#inputError.toJSON();
      const detail: RelayPlayerErrorDetail = { ...info, url: null, fatal: true };
      this._error = detail;
      this.#onState('error', null, null);
      this.dispatchEvent(relayEvent<RelayPlayerErrorDetail>(RelayPlayerEvents.ERROR, detail));
      return;
    }
    const list =
      this.#pushUrls ?? (this.sources?.length ? this.sources : this.src ? [{ url: this.src }] : []);
    this.#reconnects = 0;
    session.start(list);
    if (list.length && !this.autoplay && session.state === 'idle') this._needsPress = true;
  }

  /**
   * Live statistics for dashboards: `latency` (seconds behind the newest media received), `bitrate` (bit/s),
   * `droppedFrames` / `totalFrames` (from the video element), `reconnects` (since the current input was set).
   * Fields the engine cannot tell are `null`.
   */
  getStats(): RelayPlayerStats {
    const q = this.video.getVideoPlaybackQuality?.();
    const playing = this.#session?.engineKind != null;
    return {
      ...(this.#session?.engineStats() ?? { latency: null, bitrate: null }),
      droppedFrames: playing && q ? q.droppedVideoFrames : null,
      totalFrames: playing && q ? q.totalVideoFrames : null,
      reconnects: this.#reconnects,
    };
  }

  #onState(s: PlayerState, protocol: PlayEncode | null, url: string | null): void {
    if (s === 'reconnecting' && this._state !== 'reconnecting') this.#reconnects += 1;
    const changed = s !== this._state || protocol !== this._protocol || url !== this._url;
    this._state = s;
    this._protocol = protocol;
    this._url = url;
    if (s === 'playing') this._needsPress = false;
    if (s !== 'error') this._error = s === 'idle' || s === 'loading' ? null : this._error;
    if (changed) {
      this.dispatchEvent(
        relayEvent<RelayPlayerStateDetail>(RelayPlayerEvents.STATE, { state: s, protocol, url }),
      );
    }
  }

  #onAutoplay(outcome: AutoplayOutcome): void {
    this._mutedByAutoplay = outcome === 'muted' && !this.muted;
    this._needsPress = outcome === 'blocked';
  }

  #listenForPush(): void {
    const id = this.htmlFor;
    if (this.#docListeners && this.#listeningFor === id) return;
    this.#docListeners?.abort();
    this.#docListeners = null;
    this.#listeningFor = id;
    if (this.#pushUrls) {
      // following another producer now (or none): its stream is not ours any more
      this.#pushUrls = null;
      this.#restartInputs();
    }
    if (!id) return;
    const ac = new AbortController();
    this.#docListeners = ac;
    // a producer that is already live (it started before this player appeared) is followed at once
    const producer = document.getElementById(id) as (Element & { live?: { urls?: unknown } | null }) | null;
    if (producer?.live?.urls) {
      try {
        this.#pushUrls = normaliseSources(producer.live.urls);
        this.#restartInputs();
      } catch {
        // malformed: wait for its next live-push-started
      }
    }
    const fromProducer = (e: Event): boolean => {
      // the producer itself, or (when it dispatches from inside its shadow root) its host as seen from here
      const origin = e.composedPath()[0];
      return (
        (e.target instanceof Element && e.target.id === id) || (origin instanceof Element && origin.id === id)
      );
    };
    document.addEventListener(
      LivePushEvents.STARTED,
      (e) => {
        if (!fromProducer(e)) return;
        try {
          this.#pushUrls = normaliseSources((e as CustomEvent<LivePushStartedDetail>).detail?.urls);
        } catch (err) {
          const info = toErrorInfo(err, MODULE, ErrorCodes.BAD_SOURCES);
          this.dispatchEvent(
            relayEvent<RelayPlayerErrorDetail>(RelayPlayerEvents.ERROR, { ...info, url: null, fatal: false }),
          );
          return;
        }
        this.#startInputs();
      },
      { signal: ac.signal },
    );
    document.addEventListener(
      LivePushEvents.STOPPED,
      (e) => {
        if (!fromProducer(e) || !this.#pushUrls) return;
        this.#pushUrls = null;
        this._needsPress = false;
        this.#session?.stop();
      },
      { signal: ac.signal },
    );
  }

  #messages(): Messages['player'] {
    return messagesFor(resolveLang(this)).player;
  }

  #onPlayPress(): void {
    if (this._state === 'error') this.reload();
    this.play();
  }

  #onUnmute(): void {
    const video = this.video;
    video.muted = false;
    this._mutedByAutoplay = false;
    if (video.paused) this.play();
  }

  protected override render(): unknown {
    const m = this.#messages();
    const st = this._state;
    const busy = st === 'loading' || st === 'waiting' || st === 'reconnecting';
    const err = this._error;
    const errText = err ? ((m.errors as Record<string, string>)[err.code] ?? m.errors.generic) : '';
    const showPlay =
      st !== 'error' && (this._needsPress || (st === 'idle' && this._paused && this.#hasInput()));
    const statusText =
      st === 'playing' && this._protocol
        ? `${m.states.playing} · ${format(m.via, { protocol: this._protocol.toUpperCase() })}`
        : m.states[st];
    return html`
      <div part="base" role="region" aria-label=${m.region}>
        ${this.video}
        <div part="overlay">
          ${busy ? html`<div class="spinner" role="presentation"></div>` : nothing}
          ${
            showPlay
              ? html`<button part="play-button" type="button" @click=${this.#onPlayPress}>
                  ${playIcon} ${m.play}
                </button>`
              : nothing
          }
          ${
            err
              ? html`<div part="error" role="alert">${errText}<br /><small>${err.message}</small></div>
                  <button part="play-button" type="button" @click=${() => this.reload()}>${m.retry}</button>`
              : nothing
          }
        </div>
        ${
          this._mutedByAutoplay && this._mutedNow
            ? html`<button
                part="unmute-button"
                type="button"
                title=${m.mutedAutoplay}
                @click=${this.#onUnmute}
              >
                ${mutedIcon} ${m.unmute}
              </button>`
            : nothing
        }
        ${
          this.controls
            ? html`<div part="controls">
                <button
                  part="control-button"
                  type="button"
                  aria-label=${this._paused ? m.play : m.pause}
                  @click=${() => (this._paused ? this.#onPlayPress() : this.pause())}
                >
                  ${this._paused ? playIcon : pauseIcon}
                </button>
                <button
                  part="control-button"
                  type="button"
                  aria-label=${this._mutedNow ? m.unmute : m.mute}
                  aria-pressed=${this._mutedNow ? 'true' : 'false'}
                  @click=${() => (this._mutedNow ? this.#onUnmute() : (this.video.muted = true))}
                >
                  ${this._mutedNow ? mutedIcon : volumeIcon}
                </button>
                <span part="status" role="status" aria-live="polite">${statusText}</span>
              </div>`
            : html`<span part="status" class="visually-hidden" role="status" aria-live="polite"
                >${statusText}</span
              >`
        }
      </div>
    `;
  }

  #hasInput(): boolean {
    return Boolean(this.#pushUrls?.length || this.sources?.length || this.src);
  }
}

function createVideo(onClick: () => void): HTMLVideoElement {
  const video = document.createElement('video');
  video.setAttribute('part', 'video');
  video.playsInline = true;
  video.addEventListener('click', onClick);
  return video;
}

declare global {
  interface HTMLElementTagNameMap {
    'relay-player': RelayPlayer;
  }
}
