import { html, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { ErrorCodes, RelayError, toErrorInfo } from '../../contract/errors.js';
import {
  RelayPlayerEvents,
  relayEvent,
  type RelayPlayerErrorDetail,
  type RelayPlayerFallbackDetail,
  type RelayPlayerStateDetail,
} from '../../contract/events.js';
import { playerLabels } from '../../i18n/index.js';
import { LangController } from '../../i18n/lang-controller.js';
import { LazyFeature } from '../../lazy/lazy-feature.js';
import { followProducer } from '../../links/links.js';
import type { ControlContext, PlayerActions } from '../../player/controls/player-actions.js';
import type { AutoHide } from '../../player/controls/player-auto-hide.js';
import type { LatencyMode } from '../../player/engine.js';
import { normaliseSources } from '../../player/protocol.js';
import { LiveSession, type PlayerSnapshot, type SessionOptions } from '../../player/session/live-session.js';
import type { SourceRefresher } from '../../player/session/sources.js';
import { isAudioOnly } from '../../player/view-state.js';
import type { PlayUrl } from '../../contract/types.js';
import { themeStyles } from '../theme.js';
import { RelayMediaElement } from './media-element.js';
import { readInputs } from './inputs.js';
import { overlay, statusText, type OverlayInput } from './overlay.js';
import { relayPlayerStyles } from './relay-player.styles.js';

export type { RelayPlayerMediaError, RelayPlayerStats } from './media-element.js';

const MODULE = 'player';

/**
 * Plays a live relay (HTTP-FLV, HLS) or a recording (MP4, MP3) from one URL or a list of play URLs, picking what
 * this browser can play, lowest latency first, and falling back to the next source when one fails.
 *
 * ```html
 * <relay-player src="https://example.com/live/s1.flv" autoplay muted controls></relay-player>
 * <relay-player sources='[{"encode":"flv","url":"https://…/s1.flv"},{"encode":"hls","url":"https://…/s1.m3u8"}]'></relay-player>
 * <relay-player for="studio" autoplay muted></relay-player>
 * ```
 *
 * It is a media element: `play()`, `pause()`, `paused`, `currentTime` (set it to seek), `duration`
 * (`Infinity` for live), `seekable`, `buffered`, `muted`, `volume`, `playbackRate`, `readyState`, `ended`,
 * `error`, and the standard media events fired from the element itself, so media UIs (media-chrome's
 * `<media-controller>` with `slot="media"`) can drive it.
 *
 * Live streams reconnect with backoff after a break, stay near the live edge and keep their buffers bounded.
 * A broadcast that ends cleanly (the stream's URL answers 404/410, the HLS playlist closes, or the followed
 * producer stops) shows `ended` and is checked quietly for `resume-window` seconds: it plays again by itself
 * when it comes back. HTTP-FLV is played with mpegts.js and HLS with hls.js (or the browser's own HLS without
 * Media Source Extensions); both are fetched only when first needed. RTMP cannot play in a browser and is skipped.
 *
 * With `controls`: play/pause, a seek bar with time and buffered range (recordings, and HLS live windows of 15 s or
 * more: seek back, then "Go to live"), thumbnails over it from a `<track kind="metadata" label="thumbnails">`
 * (WebVTT sprite cues, `sprite.jpg#xywh=x,y,w,h`), a LIVE badge that becomes "Go to live" when behind, mute and
 * volume, captions (the `<track>` children and an HLS stream's subtitle renditions), speed (recordings), quality
 * (HLS levels, or `sources` entries with a `quality` label), picture-in-picture and full screen; keyboard
 * shortcuts while focus is inside (Space/K, F, M, ←/→); the bar fades while playing and comes back on pointer
 * or focus. Audio-only media gets a compact bar instead of a black box (`:state(audio-only)`). `<track>` children
 * (`kind` subtitles or captions, WebVTT) show on the video with or without `controls` (`default` shows one at once).
 *
 * @summary Multi-protocol live player: HTTP-FLV, HLS, MP4, MP3, with fallback, reconnect and live-edge chasing.
 *
 * @fires relay-player-state - `{ state, protocol, url }` on every state change (`idle`, `loading`, `playing`,
 *   `paused` (the viewer paused), `waiting`, `reconnecting`, `error`, `ended`).
 * @fires relay-player-fallback - `{ from, to, reason }` when a source is skipped (RTMP, unsupported) or fails
 *   and the next one is tried; `to` is `null` when none is left.
 * @fires relay-player-error - `{ module, code, message, url, fatal }`; `fatal: true` means the player stopped
 *   in the `error` state (all sources failed, malformed `sources`, stream did not come back). A clean end is one
 *   non-fatal `STREAM_ENDED`.
 * @fires play - Standard media events (not bubbling), as a `<video>` fires them: also `pause`, `playing`,
 *   `waiting`, `timeupdate`, `durationchange`, `loadedmetadata`, `volumechange`, `seeking`, `seeked`,
 *   `ratechange`, `ended`, `emptied`, `error` (only when playback gave up).
 *
 * @attr src - One URL to play; the protocol is guessed from it (`.flv`, `.m3u8`, `.mp4`, `.mp3`, `rtmp:`).
 * @attr sources - JSON array of `{ "encode"?, "url", "quality"? }` (or URL strings). Of `src` and `sources`, the one
 *   set last plays. Entries of one protocol with a `quality` label ("1080p", "超清") are the same stream in several
 *   bitrates: the quality menu switches between them (a recording at the same time, a live stream at its edge).
 * @attr for - Id of a `<live-push-controls>`: plays its URLs when its push starts, shows ended when it stops.
 * @attr autoplay - Start at once; if the browser blocks sound, plays muted, else shows a play button.
 * @attr muted - Start muted (the `muted` property is the live value).
 * @attr controls - Show the player's control bar.
 * @attr poster - Image shown before the first frame.
 * @attr loop - Play a recording again from the start when it ends (a live stream has no end).
 * @attr preload - `none` (default: nothing is fetched before play), `metadata` or `auto`: a recording (MP4, MP3)
 *   loads its duration and first frame; for FLV and HLS only the engine's code is fetched, never the live stream.
 * @attr crossorigin - `anonymous` or `use-credentials`, as on `<video>` (with `use-credentials` the FLV and HLS
 *   engines' requests send the viewer's cookies too; the media host must answer with credentialed CORS).
 * @attr latency - `low` (smallest delay, less buffer) or `normal` (default).
 * @attr resume-window - Seconds to keep checking for a broadcast that ended cleanly to come back (default 120).
 * @attr lang - Not set by the player: labels follow the nearest `lang` (`zh*` → Simplified Chinese, else English).
 *
 * @slot - `<track>` elements: subtitles or captions (WebVTT), and `kind="metadata" label="thumbnails"` for the seek
 *   bar. Nothing else is shown.
 *
 * @csspart base - The wrapper.
 * @csspart video - The `<video>` element.
 * @csspart overlay - The centred layer with the big play button, spinner, placeholder or error.
 * @csspart placeholder - "Waiting for the broadcast", "Pick a recording", "The broadcast has ended".
 * @csspart play-button - The big play button shown when playback needs a press.
 * @csspart unmute-button - Shown after muted autoplay.
 * @csspart controls - The control bar (`controls` attribute).
 * @csspart control-button - Each control-bar button (also `play-toggle`, `mute-toggle`, `go-live`,
 *   `pip-toggle`, `fullscreen-toggle`).
 * @csspart seek-bar - The seek bar (a range input; recordings only).
 * @csspart time - Current time / duration.
 * @csspart live-badge - LIVE, or the "Go to live" button.
 * @csspart volume - The volume slider.
 * @csspart quality-menu - The quality select (HLS with several levels, or labelled sources).
 * @csspart rate-menu-button - The speed menu's button (recordings); its list is `rate-menu`.
 * @csspart captions-menu-button - The captions menu's button (when there are subtitle or caption tracks); its list
 *   is `captions-menu`.
 * @csspart menu - Each menu's list (a popover above the player; also `rate-menu`, `captions-menu`).
 * @csspart menu-item - Each choice in a menu (`aria-checked` on the one in use).
 * @csspart seek-thumbnail - The thumbnail (and its time) over the seek bar.
 * @csspart status - The state text (an `aria-live` region).
 * @csspart error - The error message.
 *
 * @cssprop --relay-player-aspect-ratio - Aspect ratio of the box (default `16 / 9`).
 * @cssprop --relay-player-background - Background behind the video (default `#000`).
 * @cssprop --relay-player-controls-background - Background of the control bar.
 * @cssprop --relay-player-seek-played - Played part of the seek bar (default the accent).
 * @cssprop --relay-player-seek-buffered - Buffered part of the seek bar.
 * @cssprop --relay-player-live-color - Background of the LIVE badge (default `#c4181f`).
 * @cssprop --relay-player-volume-width - Width of the volume slider (default `4.5em`).
 * @cssprop --relay-player-menu-background - Background of the speed and captions menus.
 * @cssprop --relay-color-text - Text colour of overlays (default `#fff`).
 * @cssprop --relay-accent - Accent of buttons (default `#0a66c2`).
 * @cssprop --relay-radius - Corner radius (default `6px`).
 * @cssprop --relay-font - Font of the labels (default `inherit`).
 * @tag relay-player
 */
export class RelayPlayer extends RelayMediaElement {
  static override styles = [themeStyles, relayPlayerStyles];

  /** One URL to play (protocol guessed from the URL). */
  @property() src: string | null = null;
  /**
   * Play URLs, tried lowest latency first. Set as a property, or as a JSON attribute `sources`. Entries with a
   * `quality` label are offered in the quality menu.
   */
  @property({ attribute: false }) sources: PlayUrl[] | null = null;
  /** Id of a `<live-push-controls>` whose live push this player follows. */
  @property({ attribute: 'for' }) htmlFor: string | null = null;
  @property({ type: Boolean }) autoplay = false;
  /** Whether the player starts muted (the `muted` attribute); `muted` is the live value. */
  @property({ type: Boolean, attribute: 'muted' }) override defaultMuted = false;
  @property({ type: Boolean }) override controls = false;
  @property() poster: string | null = null;
  /** Play a recording again from the start when it ends (live streams have no end). */
  @property({ type: Boolean }) loop = false;
  /** `none` (default), `metadata` or `auto`: what a recording loads before play; live streams only fetch code. */
  @property() preload: 'none' | 'metadata' | 'auto' | null = null;
  /** `anonymous` or `use-credentials` (FLV and HLS requests then send cookies), as on `<video>`. */
  @property({ attribute: 'crossorigin' }) crossOrigin: 'anonymous' | 'use-credentials' | null = null;
  @property() latency: LatencyMode = 'normal';
  /** Seconds to keep checking quietly for a broadcast that ended cleanly to come back. */
  @property({ type: Number, attribute: 'resume-window' }) resumeWindow = 120;
  /**
   * URL on the site's server that signs play URLs (e.g. the receiver's `POST /api/trtc/play-urls`): asked with
   * `POST { streamId, encode, url }` (cookies included) for `{ urls }` before it (re)connects to a URL whose
   * `txTime` has passed.
   */
  @property({ attribute: 'play-url-endpoint' }) playUrlEndpoint: string | null = null;
  /**
   * The page's own refresh of expired signed URLs: `(expired: PlayUrl[]) => Promise<PlayUrl[]>` (the playing one
   * first). Wins over `play-url-endpoint`.
   */
  @property({ attribute: false }) refreshSources: SourceRefresher | null = null;
  /** `https` (default) or `http`: the scheme of the FLV/HLS fallbacks a `webrtc://` (LEB) source is played through. */
  @property({ attribute: 'play-scheme' }) playScheme: 'https' | 'http' | null = null;

  /** The raw `sources` attribute (parsed into `sources`). */
  @property({ attribute: 'sources' }) private sourcesAttr: string | null = null;

  #pushUrls: PlayUrl[] | null = null;
  #inputError: RelayError | null = null;
  #unfollow: (() => void) | null = null;
  readonly #i18n = new LangController(this, playerLabels);
  #mediaListeners: AbortController | null = null;
  /** Set when a session was just created and has not been given its inputs yet. */
  #freshSession = false;
  #listeningFor: string | null = null;
  #internals: ElementInternals | null = null;
  /** The built-in controls, fetched on first use (`controls`, or `<track>` children). */
  readonly #controls = new LazyFeature(this, 'player-controls');
  /** Fades the bar while playing; set when the controls arrived and their styles are in this shadow root. */
  #autoHide: AutoHide | null = null;
  /** What the controls' presses do (they come with the controls). */
  #actions: PlayerActions | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#listenForPush();
    // first connection, or re-added after a disconnect: (re)start with the current inputs on the next update
    if (!this.session) {
      const session = this.#attachSession();
      this.requestUpdate();
      // The engine file is the longest wait before the first frame: ask for it now rather than after the first
      // update (~10 ms later). Not for a `sources` attribute, which is parsed in that update.
      if (this.autoplay && (this.#pushUrls || this.sourcesAttr === null)) session.preload(this.#inputList());
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unfollow?.();
    this.#unfollow = null;
    this.#listeningFor = null;
    this.#mediaListeners?.abort();
    this.#mediaListeners = null;
    this.session?.release();
    this.session = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const error = readInputs(this, changed, this.sourcesAttr);
    if (error !== undefined) this.#inputError = error;
    const controls = this.#controls.value;
    const root = this.renderRoot as ShadowRoot;
    if (controls && !this.#autoHide && root.adoptedStyleSheets) {
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, ...controls.styles.map((s) => s.styleSheet!)];
      controls.syncTracks(this, this.video);
      this.#autoHide = new controls.AutoHide(this, () => this.state === 'playing' && !this.#audioOnly());
      this.#actions = controls.playerActions(this, () => this.session);
    }
    // without a session (not connected, or rendered on a server) there is no media element to configure
    if (!this.session) return;
    const video = this.video;
    if (changed.has('defaultMuted') && (changed.get('defaultMuted') !== undefined || this.defaultMuted))
      video.muted = this.defaultMuted;
    if (changed.has('poster')) {
      if (this.poster) video.poster = this.poster;
      else video.removeAttribute('poster');
    }
    video.setAttribute('aria-label', this.#i18n.messages.region);
    this.session.updateOptions(this.#sessionOptions());
    if (
      this.#freshSession ||
      changed.has('src') ||
      changed.has('sources') ||
      changed.has('sourcesAttr' as keyof RelayPlayer) ||
      changed.has('latency') ||
      changed.has('playScheme')
    ) {
      this.#freshSession = false;
      this.#startInputs();
    }
  }

  /** `<track>` children (captions, thumbnails): the controls module copies them into the video. */
  #onTracks(): void {
    const controls = this.#controls.value;
    if (controls && this.#autoHide) controls.syncTracks(this, this.video);
    else if (this.querySelector('track')) this.#loadControls();
  }

  #loadControls(): void {
    // no controls file: the player still plays, with its overlay buttons
    this.#controls.load().catch(() => undefined);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.controls && !this.#controls.value) this.#loadControls();
    if (changed.has('htmlFor') && this.isConnected) this.#listenForPush();
    this.#setCustomState('audio-only', this.#audioOnly());
    this.#setCustomState('inactive', this.controls && !!this.#autoHide?.hidden);
  }

  #sessionOptions(): Partial<SessionOptions> {
    const seconds = Number.isFinite(this.resumeWindow) && this.resumeWindow >= 0 ? this.resumeWindow : 120;
    return {
      autoplay: this.autoplay,
      latency: this.latency === 'low' ? 'low' : 'normal',
      resumeWindowMs: seconds * 1000,
      loop: this.loop,
      preload: this.preload,
      crossOrigin: this.crossOrigin,
      refreshSources: this.refreshSources ?? (this.playUrlEndpoint || undefined),
      playScheme: this.playScheme === 'http' ? 'http' : 'https',
    };
  }

  #attachSession(): LiveSession {
    const video = this.video;
    this.#mediaListeners?.abort();
    this.#mediaListeners = new AbortController();
    this.listenToMedia(this.#mediaListeners.signal);
    const session = new LiveSession(
      video,
      {
        onChange: (now, before) => this.#onChange(now, before),
        onFallback: (d) =>
          this.dispatchEvent(relayEvent<RelayPlayerFallbackDetail>(RelayPlayerEvents.FALLBACK, d)),
        onError: (d) => {
          this.dispatchEvent(relayEvent<RelayPlayerErrorDetail>(RelayPlayerEvents.ERROR, d));
          if (d.fatal) this.dispatchEvent(new Event('error'));
        },
      },
      this.#sessionOptions(),
    );
    this.session = session;
    this.#freshSession = true;
    return session;
  }

  /** What to play: a live push followed with `for`, else `sources`, else `src`. */
  #inputList(): readonly PlayUrl[] {
    return this.#pushUrls ?? (this.sources?.length ? this.sources : this.src ? [{ url: this.src }] : []);
  }

  /** (Re)starts the session from the inputs: a live push followed with `for`, else `sources`, else `src`. */
  #startInputs(): void {
    const session = this.session;
    if (!session) return;
    if (this.#inputError && !this.#pushUrls) session.fail(this.#inputError.toJSON());
    else session.start(this.#inputList());
  }

  /** The session changed: the view follows it, and the element tells the page (state, a live broadcast's end). */
  #onChange(now: PlayerSnapshot, before: PlayerSnapshot): void {
    const { state, protocol, url } = now;
    if (state === 'playing') this.#autoHide?.show();
    if (state !== before.state || protocol !== before.protocol || url !== before.url) {
      this.dispatchEvent(
        relayEvent<RelayPlayerStateDetail>(RelayPlayerEvents.STATE, { state, protocol, url }),
      );
    }
    // a live broadcast's end: the media element itself was torn down and says nothing
    if (state === 'ended' && before.state !== 'ended' && !this.createdVideo?.ended)
      this.dispatchEvent(new Event('ended'));
    this.requestUpdate();
  }

  /** Plays the URLs of the producer `for` names while its push is live; shows `ended` when it stops. */
  #listenForPush(): void {
    const id = this.htmlFor;
    if (this.#unfollow && this.#listeningFor === id) return;
    this.#unfollow?.();
    this.#unfollow = null;
    this.#listeningFor = id;
    if (this.#pushUrls) {
      // following another producer now (or none): its stream is not ours any more
      this.#pushUrls = null;
      this.#restartInputs();
    }
    if (!id) return;
    this.#unfollow = followProducer(this, id, {
      // a producer that is already live (it started before this player appeared) is followed at once
      started: (urls, already) => {
        try {
          this.#pushUrls = normaliseSources(urls);
        } catch (err) {
          // malformed at follow time: wait for its next live-push-started
          if (already) return;
          const info = toErrorInfo(err, MODULE, ErrorCodes.BAD_SOURCES);
          this.dispatchEvent(
            relayEvent<RelayPlayerErrorDetail>(RelayPlayerEvents.ERROR, { ...info, url: null, fatal: false }),
          );
          return;
        }
        if (already) this.#restartInputs();
        else this.#startInputs();
      },
      stopped: () => {
        if (!this.#pushUrls) return;
        this.#pushUrls = null;
        // the producer said so: the broadcast ended (its next start plays again)
        this.session?.end();
      },
    });
  }

  /** Restarts from the inputs on the next update. */
  #restartInputs(): void {
    this.#freshSession = true;
    this.requestUpdate();
  }

  #setCustomState(name: string, on: boolean): void {
    try {
      this.#internals ??= this.attachInternals();
      if (on) this.#internals.states.add(name);
      else this.#internals.states.delete(name);
    } catch {
      // no custom states here (older browser): the layout stays the video one
    }
  }

  #audioOnly(): boolean {
    const { state, protocol } = this.snap;
    return isAudioOnly(this.video, state, protocol);
  }

  protected override render(): unknown {
    const m = this.#i18n.messages;
    const snap = this.snap;
    const input: OverlayInput = {
      m,
      hasInput: this.#hasInput(),
      following: !!this.htmlFor,
      mediaEnded: !!this.createdVideo?.ended,
      muted: this.muted,
      play: () => void this.play(),
      retry: () => this.reload(),
      unmute: () => {
        this.muted = false;
        if (this.video.paused) void this.play();
      },
    };
    const status = statusText(snap, input);
    const video = this.createdVideo;
    const controls = this.controls && this.#autoHide ? this.#controls.value : null;
    const ctx: ControlContext | null =
      controls && video && this.#actions
        ? {
            v: controls.readViewState(video, this.session, this.#hasInput()),
            m,
            act: this.#actions,
            media: this,
            screen: {
              canFullscreen: document.fullscreenEnabled,
              fullscreen: document.fullscreenElement === this,
              canPip: document.pictureInPictureEnabled && !video.disablePictureInPicture,
              pip: document.pictureInPictureElement === this,
            },
          }
        : null;
    return html`
      <div
        part="base"
        role="region"
        aria-label=${m.region}
        tabindex=${this.controls ? '0' : '-1'}
        @keydown=${(e: KeyboardEvent) => ctx && controls?.handleShortcut(e, ctx)}
      >
        ${video ?? html`<video part="video" playsinline></video>`}
        <slot hidden @slotchange=${this.#onTracks}></slot>
        ${overlay(snap, input)}
        ${
          ctx && controls
            ? controls.controlBar(ctx, status, !!this.#autoHide?.hidden)
            : html`<span part="status" class="visually-hidden" role="status" aria-live="polite"
                >${status}</span
              >`
        }
      </div>
    `;
  }

  #hasInput(): boolean {
    return this.#inputList().length > 0;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'relay-player': RelayPlayer;
  }
}
