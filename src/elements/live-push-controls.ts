import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ErrorCodes, RelayError } from '../errors.js';
import {
  LivePushEvents,
  relayEvent,
  STOP_REASON_DISCONNECTED,
  STOP_REASON_REQUESTED,
  type LivePushErrorDetail,
  type LivePushStartedDetail,
  type LivePushStateDetail,
  type LivePushStoppedDetail,
  type PushState,
} from '../events.js';
import { format, pushLabels, type Messages } from '../i18n/index.js';
import { LangController } from '../i18n/lang-controller.js';
import { loadLazyModule } from '../lazy/registry.js';
import '../push/builtin-providers.js';
import type { DeviceOption } from '../push/media.js';
import { formatRecordFileTypes, parseRecordFileTypes } from '../push/options.js';
import { createPushProvider, type PushProviderConfig } from '../push/provider.js';
import type { PushSession, PushSessionListener } from '../push/push-session.js';
import { RELAY_ENCODES, RECORD_FILE_TYPES, type PlayUrl, type RelayErrorInfo } from '../types.js';
import { themeStyles } from './theme.js';

/**
 * "Copy" as an SVG (a glyph such as ⧉ is in few fonts and shows as an empty box). Drawn here rather than taken
 * from icons.ts, which would bring the player's icons into every page's script with it. (The button's
 * aria-label names it.)
 */
const copyIcon = html`<svg viewBox="0 0 24 24" width="1.2em" height="1.2em" fill="currentColor">
  <path d="M8 8h13v13H8zm2 2v9h9v-9zM3 3h13v3h-2V5H5v9h1v2H3z" />
</svg>`;

export { STOP_REASON_DISCONNECTED, STOP_REASON_REQUESTED };

function formatElapsed(totalSeconds: number): string {
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function camelCase(attr: string): string {
  return attr.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Pushes the camera and microphone to a relay backend, optionally recording, and shows the play URLs.
 *
 * ```html
 * <live-push-controls id="studio" provider="local" endpoint="http://127.0.0.1:8080"></live-push-controls>
 * <relay-player for="studio" autoplay muted></relay-player>
 * ```
 *
 * The options follow the relay model: a relay protocol (`encode`), recording file types (none, or any of
 * HLS/FLV/MP4; MP3 only when audio-only), a record id. They are checked before any backend is called. With
 * `provider="trtc"` the application's recording template in Tencent's console decides the file types: the
 * HLS/FLV/MP4 boxes are disabled and say so; MP3 on an audio-only push asks Tencent to record it.
 * With `provider="trtc"` the camera and microphone can be switched while live.
 * Backends are push providers (`provider="local"`, the default, or `"trtc"`); each reads its own attributes.
 * The camera, option checks and start/stop are fetched when the element connects (the script-tag build's
 * `relay-widgets-push-session.js`); `preview()`, `start()` and `stop()` called before that wait for it.
 *
 * @summary Camera preview, relay protocol and recording choices, Start/Stop, and the play URLs of a live push.
 *
 * @fires live-push-state - `{ state }`: `idle`, `previewing`, `starting`, `live`, `stopping` or `error`.
 * @fires live-push-started - `{ streamId, urls, recordId }` once the relay runs; `urls` are `{ encode, url }`.
 * @fires live-push-stopped - `{ streamId, reason }` when a started push ends; `reason` is `stopped`,
 *   `disconnected`, or the error code that ended it.
 * @fires live-push-error - `{ module, code, message }` for every failure (bad options, camera, backend).
 *
 * @attr provider - Push backend: `local` (default) or `trtc`.
 * @attr endpoint - Base URL of the local relay (provider `local`). Default: the page's origin.
 * @attr encode - Relay protocol: `rtmp`, `hls` or `flv` (default `flv`).
 * @attr record-file-types - Recording types, comma-separated (`hls,flv,mp4`, `mp3`), or `none` (default).
 * @attr record-id - Tags the recordings (TRTC's `userDefineRecordId`): up to 64 letters, digits, `_` or `-`.
 * @attr audio-only - Push the microphone only.
 * @attr hide-ui - Render no controls (only the default slot); drive it with `start()` / `stop()`.
 * @attr stream-id - Stream id to ask the backend for (letters, digits, `_`, `-`).
 * @attr sdk-app-id - TRTC: the application's SDKAppID.
 * @attr user-id - TRTC: the anchor's user id.
 * @attr user-sig - TRTC: a UserSig issued by your server (or use `sig-endpoint`).
 * @attr sig-endpoint - TRTC: URL on your server (e.g. the receiver's `/api/trtc/usersig`) answering
 *   `POST ?sdkAppId=&userId=` (same values in a JSON body, cookies included) with `{ "userSig": "…" }`.
 * @attr room-id - TRTC: the room to join as anchor.
 * @attr play-domain - TRTC: the CDN play domain the play URLs are built on.
 * @attr tx-secret - Local relay with `RELAY_PUSH_KEY`: `txSecret` for `stream-id`, minted by your server.
 * @attr tx-time - Local relay with `RELAY_PUSH_KEY`: the `txTime` (hex unix expiry) of `tx-secret`.
 * @attr credential-endpoint - Local relay with `RELAY_PUSH_KEY`: URL on your server answering
 *   `POST { streamId? }` with `{ streamId, txSecret, txTime }` before each start (cookies included).
 *
 * @slot - Extra content, shown under the controls (and the only thing rendered with `hide-ui`).
 *
 * @csspart preview - The camera preview `<video>`.
 * @csspart devices - The camera/microphone pickers and the audio-only switch.
 * @csspart options - The relay protocol, recording and record id fields.
 * @csspart actions - The row of buttons.
 * @csspart start-button - The Start button.
 * @csspart stop-button - The Stop button.
 * @csspart status - The state line (an `aria-live` region), with the elapsed time.
 * @csspart message - The inline error message (`role="alert"`).
 * @csspart urls - The list of play URLs.
 * @csspart url - One play URL.
 * @csspart copy-button - A URL's copy button.
 *
 * @cssprop --relay-accent - Accent colour (Start button, focus ring). Default `#0a66c2`.
 * @cssprop --relay-danger - Colour of Stop and of error messages. Default `#b3261e`.
 * @cssprop --relay-radius - Corner radius. Default `6px`.
 * @cssprop --relay-gap - Spacing between controls. Default `0.5rem`.
 * @cssprop --relay-font - Font family. Default `inherit`.
 * @cssprop --relay-preview-bg - Background behind the preview. Default `#000`.
 * @tag live-push-controls
 */
export class LivePushControls extends LitElement {
  static override styles = [
    themeStyles,
    css`
      section {
        display: grid;
        gap: var(--_gap);
      }
      video {
        width: 100%;
        aspect-ratio: 16 / 9;
        background: var(--relay-preview-bg, #000);
        border-radius: var(--_radius);
        object-fit: contain;
      }
      fieldset {
        border: 1px solid color-mix(in srgb, currentColor 25%, transparent);
        border-radius: var(--_radius);
        margin: 0;
        display: flex;
        flex-wrap: wrap;
        gap: var(--_gap);
        align-items: center;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: var(--_gap);
        align-items: center;
      }
      button {
        font: inherit;
        padding: 0.35em 0.9em;
        border-radius: var(--_radius);
        border: 1px solid currentColor;
        background: transparent;
        color: inherit;
        cursor: pointer;
      }
      button:disabled {
        opacity: 0.5;
        cursor: default;
      }
      button:focus-visible,
      input:focus-visible,
      select:focus-visible {
        outline: 2px solid var(--_accent);
        outline-offset: 2px;
      }
      [part='start-button'] {
        background: var(--_accent);
        border-color: var(--_accent);
        color: #fff;
      }
      [part='stop-button'] {
        border-color: var(--_danger);
        color: var(--_danger);
      }
      [part='message'] {
        color: var(--_danger);
        margin: 0;
      }
      [part='message'] small {
        display: block;
      }
      [part='status'] {
        margin: 0;
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
        display: grid;
        gap: calc(var(--_gap) / 2);
      }
      [part='url'] {
        display: flex;
        gap: var(--_gap);
        align-items: center;
      }
      code {
        overflow-wrap: anywhere;
        flex: 1;
      }
      .hint {
        font-size: 0.85em;
        opacity: 0.8;
      }
    `,
  ];

  /** Push backend name from the provider registry (`local`, `trtc`, …). */
  @property({ reflect: true }) provider = 'local';
  /** Base URL of the local relay. */
  @property() endpoint?: string;
  /** Relay protocol: `rtmp`, `hls` or `flv`. */
  @property({ reflect: true }) encode = 'flv';
  /** Recording file types (attribute: comma-separated or `none`). Unknown names are reported on start. */
  @property({
    attribute: 'record-file-types',
    reflect: true,
    converter: {
      fromAttribute: (v: string | null) => parseRecordFileTypes(v),
      toAttribute: (v: string[]) => formatRecordFileTypes(v),
    },
  })
  recordFileTypes: string[] = [];
  /** Record id (letters, digits, `_`, `-`; e.g. `meeting_42`), or `null`. Checked on start. */
  @property({ attribute: 'record-id' }) recordId: number | string | null = null;
  /** Push the microphone only. */
  @property({ type: Boolean, reflect: true, attribute: 'audio-only' }) audioOnly = false;
  /** Render no controls. */
  @property({ type: Boolean, reflect: true, attribute: 'hide-ui' }) hideUi = false;
  /** Stream id to ask the backend for. */
  @property({ attribute: 'stream-id' }) streamId?: string;
  /** TRTC SDKAppID. */
  @property({ attribute: 'sdk-app-id' }) sdkAppId?: string;
  /** TRTC user id. */
  @property({ attribute: 'user-id' }) userId?: string;
  /** TRTC UserSig issued by your server. Not reflected. */
  @property({ attribute: 'user-sig' }) userSig?: string;
  /** URL on your server that issues a UserSig. */
  @property({ attribute: 'sig-endpoint' }) sigEndpoint?: string;
  /** TRTC room id. */
  @property({ attribute: 'room-id' }) roomId?: string;
  /** CDN play domain (TRTC). */
  @property({ attribute: 'play-domain' }) playDomain?: string;
  /** Local relay push auth: `txSecret` minted by your server for `stream-id` (see `tx-time`). Not reflected. */
  @property({ attribute: 'tx-secret' }) txSecret?: string;
  /** Local relay push auth: `txTime`, the upper-case hex unix expiry `tx-secret` was minted with. */
  @property({ attribute: 'tx-time' }) txTime?: string;
  /** Local relay push auth: URL on your server that answers POST `{ streamId? }` with `{ streamId, txSecret, txTime }`. */
  @property({ attribute: 'credential-endpoint' }) credentialEndpoint?: string;
  /** Extra provider configuration, merged over the attributes (for values a page does not want in the DOM). */
  @property({ attribute: false }) providerConfig: PushProviderConfig = {};

  @state() private _state: PushState = 'idle';
  @state() private _error: RelayErrorInfo | null = null;
  @state() private _live: LivePushStartedDetail | null = null;
  @state() private _elapsed = 0;
  @state() private _media: MediaStream | null = null;
  @state() private _cameras: DeviceOption[] = [];
  @state() private _mics: DeviceOption[] = [];
  @state() private _notice = '';

  /** What the headless push state machine reports, turned into this element's state and DOM events. */
  readonly #listener: PushSessionListener = {
    onState: (state) => {
      this._state = state;
      if (state === 'live') this.#startTimer();
      else if (state !== 'stopping') this.#stopTimer();
      this.dispatchEvent(relayEvent<LivePushStateDetail>(LivePushEvents.STATE, { state }));
    },
    onMedia: (media) => {
      this._media = media;
    },
    onStarted: (live) => {
      this._live = live;
      this.dispatchEvent(relayEvent<LivePushStartedDetail>(LivePushEvents.STARTED, live));
    },
    onStopped: (streamId, reason) => {
      this._live = null;
      this.#stopTimer();
      this.dispatchEvent(relayEvent<LivePushStoppedDetail>(LivePushEvents.STOPPED, { streamId, reason }));
    },
    onError: (info) => {
      this._error = info;
      this.dispatchEvent(relayEvent<LivePushErrorDetail>(LivePushEvents.ERROR, info));
    },
    onDevices: (cameras, mics) => {
      this._cameras = cameras;
      this._mics = mics;
    },
  };
  /**
   * The headless push state machine (lazy module `push-session`), fetched when the element connects; `null` until
   * it has arrived. The reads below never wait for it; calls made before it arrives run, in order, once it has.
   */
  readonly #i18n = new LangController(this, pushLabels);
  #session: PushSession | null = null;
  #sessionLoading: Promise<PushSession> | null = null;
  /** Counts disconnections: a call still waiting for the session when the element left is not carried out. */
  #disconnects = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #startedAt = 0;

  /** Current state (also announced by `live-push-state`). */
  get state(): PushState {
    return this._state;
  }

  /** Play URLs of the running push (empty when not live). */
  get urls(): PlayUrl[] {
    return this._live?.urls ?? [];
  }

  /** The running push (`{ streamId, urls, recordId }`), or `null`. */
  get live(): LivePushStartedDetail | null {
    return this._live;
  }

  /** The last error shown inline, or `null`. */
  get error(): RelayErrorInfo | null {
    return this._error;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.#session) this.#session.watchDevices();
    // Fetched now so that Start does not wait for it; a failure is reported by the first call that needs it.
    else this.#loadSession().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#disconnects += 1;
    this.#session?.release();
  }

  /** The session, fetched and created once. Rejects with `ENGINE_LOAD_FAILED` (module `push`); a later call retries. */
  #loadSession(): Promise<PushSession> {
    this.#sessionLoading ??= loadLazyModule('push-session').then(
      (Session) => {
        const session = new Session(this.#listener, createPushProvider);
        void session.setChoice({ audioOnly: this.audioOnly });
        if (this.isConnected) session.watchDevices();
        this.#session = session;
        this.requestUpdate();
        return session;
      },
      (err: unknown) => {
        this.#sessionLoading = null;
        throw new RelayError(
          'push',
          ErrorCodes.ENGINE_LOAD_FAILED,
          `The push controls could not be loaded (${err instanceof Error ? err.message : String(err)}).`,
          { cause: err },
        );
      },
    );
    return this.#sessionLoading;
  }

  /**
   * Runs `call` on the session if there is one: at once, or once it has arrived (after the calls made before, so a
   * start still waiting for the session runs first, then is stopped). Nothing to do when it never came.
   */
  async #ifSession(call: (session: PushSession) => void | Promise<void>): Promise<void> {
    const session = this.#session ?? (await this.#sessionLoading?.catch(() => null));
    if (session) await call(session);
  }

  /**
   * Runs `call` on the session, at once when it is there, else once it has arrived (in the order of the calls);
   * not at all when the element left the page meanwhile (`START_CANCELLED`). A session that cannot be fetched is
   * reported like any failure.
   */
  #withSession<T>(call: (session: PushSession) => Promise<T>): Promise<T> {
    if (this.#session) return call(this.#session);
    const disconnects = this.#disconnects;
    return this.#loadSession().then(
      (session) => {
        if (this.#disconnects !== disconnects)
          throw new RelayError(
            'push',
            ErrorCodes.START_CANCELLED,
            'The element left the page before it was ready.',
          );
        return call(session);
      },
      (err: RelayError) => {
        this.#listener.onError(err.toJSON());
        throw err;
      },
    );
  }

  /**
   * Turns the camera (and microphone) on and shows the preview. Resolves when the preview runs; rejects with
   * a `{ module, code, message }` error (`CAMERA_DENIED`, `DEVICE_NOT_FOUND`, …), also shown inline.
   */
  preview(): Promise<void> {
    this._error = null;
    return this.#withSession((session) => session.preview());
  }

  /** Turns the camera off (only when not live). */
  stopPreview(): void {
    void this.#ifSession((session) => session.stopPreview());
  }

  /**
   * Starts the push with the current options. Resolves with `{ streamId, urls, recordId }` when the relay runs.
   * Calling it again while starting returns the same promise; while live it resolves with the running push.
   * Rejects with `{ module, code, message }`; the element is then in a state from which Start works again.
   * A `stop()` during the start makes it reject with `START_CANCELLED`.
   */
  start(): Promise<LivePushStartedDetail> {
    if (!this.#session?.busy) {
      this._error = null;
      this._notice = '';
    }
    const request = {
      provider: this.provider,
      config: this.#providerConfig(),
      options: {
        encode: this.encode,
        recordFileTypes: this.recordFileTypes,
        recordId: this.recordId,
        audioOnly: this.audioOnly,
        streamId: this.streamId,
      },
    };
    return this.#withSession((session) => session.start(request));
  }

  /**
   * Stops the push (or the start in progress). Resolves once the backend has released the stream and the
   * recordings are finalised; the camera preview stays on. Never rejects.
   */
  stop(): Promise<void> {
    return this.#ifSession((session) => session.stop());
  }

  #providerConfig(): PushProviderConfig {
    const fromAttributes: Record<string, string> = {};
    for (const attr of Array.from(this.attributes)) fromAttributes[camelCase(attr.name)] = attr.value;
    const fromProperties: Record<string, string | undefined> = {
      endpoint: this.endpoint,
      sdkAppId: this.sdkAppId,
      userId: this.userId,
      userSig: this.userSig,
      sigEndpoint: this.sigEndpoint,
      roomId: this.roomId,
      playDomain: this.playDomain,
      txSecret: this.txSecret,
      txTime: this.txTime,
      credentialEndpoint: this.credentialEndpoint,
    };
    const defined = Object.fromEntries(Object.entries(fromProperties).filter(([, v]) => v != null));
    return { ...fromAttributes, ...defined, ...this.providerConfig };
  }

  #startTimer(): void {
    this.#stopTimer();
    this.#startedAt = Date.now();
    this._elapsed = 0;
    this.#timer = setInterval(() => {
      this._elapsed = Math.floor((Date.now() - this.#startedAt) / 1000);
    }, 1000);
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this._elapsed = 0;
  }

  // ——— view ———

  #t(): Messages['push'] {
    return this.#i18n.messages;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The preview reopens without the camera (or with it) when audio-only changes.
    if (changed.has('audioOnly')) void this.#session?.setChoice({ audioOnly: this.audioOnly });
  }

  /** With Tencent Cloud the console's recording template decides HLS/FLV/MP4: those boxes are disabled. */
  get #typesByTemplate(): boolean {
    return this.provider.toLowerCase() === 'trtc';
  }

  #toggleRecord(type: string, on: boolean): void {
    const set = new Set(this.recordFileTypes);
    if (on) set.add(type);
    else set.delete(type);
    this.recordFileTypes = RECORD_FILE_TYPES.filter((t) => set.has(t));
  }

  async #copy(u: PlayUrl): Promise<void> {
    const t = this.#t();
    const label = (u.encode ?? '').toUpperCase();
    try {
      await navigator.clipboard.writeText(u.url);
      this._notice = format(t.copied, { encode: label });
    } catch {
      this._notice = t.copyFailed;
    }
  }

  /**
   * A camera or microphone picker: choosing a device reopens the preview with it, or switches it in the live
   * push when the backend can (`provider="trtc"`); a failed switch is shown and the push keeps its device.
   */
  #devicePicker(name: string, label: string, kind: 'audio' | 'video'): unknown {
    const devices = kind === 'video' ? this._cameras : this._mics;
    const session = this.#session;
    const selected = kind === 'video' ? session?.choice.cameraId : session?.choice.micId;
    return html`<label
      >${label}
      <select
        name=${name}
        ?disabled=${session ? !session.canSwitchDevices : false}
        @change=${(e: Event) => {
          const id = (e.target as HTMLSelectElement).value;
          void this.#withSession((s) => s.setChoice(kind === 'video' ? { cameraId: id } : { micId: id }))
            .catch(() => undefined)
            .then(() => this.requestUpdate());
        }}
      >
        <option value="">${this.#t().defaultDevice}</option>
        ${devices.map(
          (d) => html`<option value=${d.deviceId} ?selected=${d.deviceId === selected}>${d.label}</option>`,
        )}
      </select></label
    >`;
  }

  override render(): unknown {
    if (this.hideUi) return html`<slot></slot>`;
    const t = this.#t();
    const busy = this._state === 'starting' || this._state === 'stopping';
    const locked = busy || this._state === 'live';
    const errors = t.errors as Record<string, string>;
    const stateText = t.states[this._state];
    return html`
      <section role="region" aria-label=${t.region}>
        ${
          this.audioOnly
            ? nothing
            : html`<video
                part="preview"
                aria-label=${t.preview}
                .srcObject=${this._media}
                muted
                autoplay
                playsinline
              ></video>`
        }
        <fieldset part="devices">
          <legend class="hint">${t.camera} / ${t.microphone}</legend>
          ${this.audioOnly ? nothing : this.#devicePicker('camera', t.camera, 'video')}
          ${this.#devicePicker('microphone', t.microphone, 'audio')}
          <label
            ><input
              type="checkbox"
              name="audio-only"
              .checked=${this.audioOnly}
              ?disabled=${locked}
              @change=${(e: Event) => (this.audioOnly = (e.target as HTMLInputElement).checked)}
            />
            ${t.audioOnly}</label
          >
        </fieldset>
        <div part="options" class="row">
          <label
            >${t.encode}
            <select
              name="encode"
              ?disabled=${locked}
              @change=${(e: Event) => (this.encode = (e.target as HTMLSelectElement).value)}
            >
              ${RELAY_ENCODES.map(
                (e) => html`<option value=${e} ?selected=${e === this.encode}>${e.toUpperCase()}</option>`,
              )}
            </select></label
          >
          <fieldset>
            <legend>${t.record}</legend>
            ${RECORD_FILE_TYPES.map(
              (type) =>
                html`<label
                  ><input
                    type="checkbox"
                    name="record"
                    value=${type}
                    .checked=${this.recordFileTypes.includes(type)}
                    ?disabled=${locked || (type === 'mp3' ? !this.audioOnly : this.#typesByTemplate)}
                    aria-describedby=${
                      type === 'mp3' ? 'mp3-hint' : this.#typesByTemplate ? 'template-hint' : 'record-hint'
                    }
                    @change=${(e: Event) => this.#toggleRecord(type, (e.target as HTMLInputElement).checked)}
                  />
                  ${type.toUpperCase()}</label
                >`,
            )}
            <span class="hint" id="record-hint"
              >${
                this.recordFileTypes.length
                  ? format(t.recordSelected, {
                      types: this.recordFileTypes.map((r) => r.toUpperCase()).join(', '),
                    })
                  : t.recordNone
              }</span
            >
            <span class="hint" id="mp3-hint">${this.#typesByTemplate ? t.trtcMp3Hint : t.mp3Hint}</span>
            ${
              this.#typesByTemplate
                ? html`<span class="hint" id="template-hint">${t.trtcRecordHint}</span>`
                : nothing
            }
          </fieldset>
          <label
            >${t.recordId}
            <input
              name="record-id"
              size="10"
              aria-describedby="record-id-hint"
              .value=${this.recordId == null ? '' : String(this.recordId)}
              ?disabled=${locked}
              @input=${(e: Event) => {
                const v = (e.target as HTMLInputElement).value;
                this.recordId = v === '' ? null : v;
              }}
          /></label>
          <span class="hint" id="record-id-hint">${t.recordIdHint}</span>
        </div>
        <div part="actions" class="row">
          <button
            part="start-button"
            type="button"
            ?disabled=${locked}
            @click=${() => void this.start().catch(() => undefined)}
          >
            ${t.start}
          </button>
          <button
            part="stop-button"
            type="button"
            ?disabled=${!(this._state === 'live' || this._state === 'starting')}
            @click=${() => void this.stop()}
          >
            ${t.stop}
          </button>
          ${
            this._media && !locked
              ? html`<button type="button" @click=${() => this.stopPreview()}>${t.cameraOff}</button>`
              : !this._media && !locked
                ? html`<button type="button" @click=${() => void this.preview().catch(() => undefined)}>
                    ${t.cameraOn}
                  </button>`
                : nothing
          }
        </div>
        <p part="status" role="status" aria-live="polite">
          <span class="state">${stateText}</span>${
            this._live
              ? html` ·
                  <span class="elapsed">${format(t.elapsed, { time: formatElapsed(this._elapsed) })}</span>`
              : nothing
          }${this._notice ? html` · <span class="notice">${this._notice}</span>` : nothing}
        </p>
        ${
          this._error
            ? html`<p part="message" role="alert">
                ${errors[this._error.code] ?? errors.generic} <small>${this._error.message}</small>
              </p>`
            : nothing
        }
        ${
          this._live && this._live.urls.length > 0
            ? html`<div>
                <h3 class="hint" id="urls-title">${t.urls}</h3>
                <ul part="urls" aria-labelledby="urls-title">
                  ${this._live.urls.map(
                    (u) =>
                      html`<li part="url" data-encode=${u.encode ?? ''}>
                        <code>${u.url}</code>
                        <button
                          part="copy-button"
                          type="button"
                          aria-label=${format(t.copy, { encode: (u.encode ?? '').toUpperCase() })}
                          @click=${() => void this.#copy(u)}
                        >
                          ${copyIcon}
                        </button>
                      </li>`,
                  )}
                </ul>
              </div>`
            : nothing
        }
        <slot></slot>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'live-push-controls': LivePushControls;
  }
}
