import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
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
} from '../../contract/events.js';
import { format, pushLabels } from '../../i18n/index.js';
import { LangController } from '../../i18n/lang-controller.js';
import { LazyFeature } from '../../lazy/lazy-feature.js';
import '../../push/builtin-providers.js';
import { controlsState } from '../../push/controls-state.js';
import { formatElapsed } from '../../push/elapsed.js';
import type { DeviceOption } from '../../push/media.js';
import { formatRecordFileTypes, parseRecordFileTypes } from '../../push/options.js';
import {
  createPushProvider,
  pushProviderAttributes,
  pushProviderSpec,
  type PushProviderConfig,
} from '../../push/provider.js';
import { attributeKey, pushRequest } from '../../push/push-request.js';
import type { PushSessionListener } from '../../push/push-session.js';
import { PushSessionHandle } from '../../push/session-handle.js';
import { RELAY_ENCODES, type PlayUrl, type RelayErrorInfo } from '../../contract/types.js';
import { playUrlList, recordChoices } from './live-push-controls.parts.js';
import { livePushControlsStyles } from './live-push-controls.styles.js';

export { STOP_REASON_DISCONNECTED, STOP_REASON_REQUESTED };

/**
 * Pushes the camera and microphone to a relay backend, optionally recording, and shows the play URLs.
 *
 * ```html
 * <live-push-controls id="studio" provider="local" endpoint="http://127.0.0.1:8080"></live-push-controls>
 * <relay-player for="studio" autoplay muted></relay-player>
 * ```
 *
 * The options follow the relay model: a relay protocol (`encode`), recording file types (none, or any of
 * HLS/FLV/MP4; MP3 only when audio-only), a record id. They are checked before any backend is called.
 * Backends are push providers (`provider="local"`, the default, or `"trtc"`; `src/push/providers/`), each
 * declaring the attributes it reads and what it lets the page choose; the element asks them. With
 * `provider="trtc"` the application's recording template in Tencent's console decides the file types: the
 * HLS/FLV/MP4 boxes are disabled and say so; MP3 on an audio-only push asks Tencent to record it. With
 * `provider="trtc"` the camera and microphone can be switched while live.
 * The camera, option checks and start/stop are fetched when the element connects (the script-tag build's
 * `relay-widgets-push-session.js`); `preview()`, `start()` and `stop()` called before that wait for it.
 *
 * @summary Camera preview, relay protocol and recording choices, Start/Stop, and the play URLs of a live push.
 *
 * @fires live-push-state - `{ state }`: `idle`, `previewing`, `starting`, `live`, `stopping` or `error`.
 * @fires live-push-started - `{ streamId, urls, recordId, transport? }` once the relay runs; `urls` are
 *   `{ encode, url }`; `transport` is `webrtc` (WHIP) or `websocket` (the local relay's fallback ingest).
 * @fires live-push-stopped - `{ streamId, reason }` when a started push ends; `reason` is `stopped`,
 *   `disconnected`, or the error code that ended it.
 * @fires live-push-error - `{ module, code, message }` for every failure (bad options, camera, backend).
 *
 * @attr provider - Push backend: `local` (default), `whip` (any WHIP server), `trtc` (Tencent, trtc-sdk-v5) or `trtc-v4`
 *   (Tencent, trtc-js-sdk 4.x).
 * @attr endpoint - Base URL of the local relay (provider `local`; default: the page's origin), or the WHIP URL to
 *   publish to (provider `whip`).
 * @attr transport - Local relay: `auto` (default: WebRTC over WHIP where it connects, else the WebSocket ingest),
 *   `webrtc` or `websocket`.
 * @attr token - WHIP: the Bearer token the WHIP server expects (or use `credential-endpoint`).
 * @attr whep-url - WHIP: the WHEP URL viewers play this push from, announced as `{ encode: "webrtc" }`.
 * @attr play-urls - WHIP: FLV/HLS URLs viewers play this push from (space-separated), announced with the push.
 * @attr encode - Relay protocol: `rtmp`, `hls` or `flv` (default `flv`).
 * @attr record-file-types - Recording types, comma-separated (`hls,flv,mp4`, `mp3`), or `none` (default).
 * @attr record-id - Tags the recordings (TRTC's `userDefineRecordId`): up to 64 letters, digits, `_` or `-`.
 * @attr audio-only - Push the microphone only.
 * @attr hide-ui - Render no controls (only the default slot); drive it with `start()` / `stop()`.
 * @attr stream-id - Stream id to ask the backend for (letters, digits, `_`, `-`).
 * @attr sdk-app-id - TRTC (`trtc` on trtc-sdk-v5, `trtc-v4` on trtc-js-sdk): the application's SDKAppID.
 * @attr user-id - TRTC: the anchor's user id.
 * @attr user-sig - TRTC: a UserSig issued by your server (or use `sig-endpoint`).
 * @attr sig-endpoint - TRTC: URL on your server (e.g. the receiver's `/api/trtc/usersig`) answering
 *   `POST ?sdkAppId=&userId=` (same values in a JSON body, cookies included) with `{ "userSig": "…" }`.
 * @attr room-id - TRTC: the numeric room to join as anchor (1–4294967294).
 * @attr str-room-id - TRTC: a string room to join instead (numeric and string rooms never meet).
 * @attr play-domain - TRTC: the CDN play domain the play URLs are built on.
 * @attr play-url-endpoint - TRTC: URL on your server (e.g. the receiver's `/api/trtc/play-urls`) answering
 *   `POST { streamId, encode, template? }` (cookies included) with signed `{ urls, expiresAt }`; without it the
 *   play URLs are unsigned.
 * @attr play-scheme - TRTC: `https` (default) or `http`, the scheme of the play URLs on a bare `play-domain`.
 * @attr transcode-template - TRTC: a CSS transcode template id; the play URLs name `{streamId}_{template}` only.
 * @attr tx-secret - Local relay with `RELAY_PUSH_KEY`: `txSecret` for `stream-id`, minted by your server.
 * @attr tx-time - Local relay with `RELAY_PUSH_KEY`: the `txTime` (hex unix expiry) of `tx-secret`.
 * @attr credential-endpoint - Local relay with `RELAY_PUSH_KEY` (or a WHIP server taking the same credential as
 *   `Bearer {txTime}.{txSecret}`): URL on your server answering `POST { streamId? }` with
 *   `{ streamId, txSecret, txTime }` before each start (cookies included).
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
  static override styles = livePushControlsStyles;

  /**
   * The attributes the providers declare (`endpoint`, `sdk-app-id`, …) are properties too (`endpoint`,
   * `sdkAppId`, …: strings, not reflected), made from the providers' specs (typed below).
   */
  static override properties: PropertyDeclarations = Object.fromEntries(
    pushProviderAttributes().map((a) => [attributeKey(a.name), { attribute: a.name }]),
  );

  /** Push backend name from the provider registry (`local`, `trtc`, …). */
  @property({ reflect: true }) provider = 'local';
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
  /** Base URL of the local relay (provider `local`), or the WHIP URL (provider `whip`). */
  declare endpoint?: string;
  /** Local relay: `auto`, `webrtc` or `websocket` (how the media goes out). */ declare transport?: string;
  /** WHIP: the Bearer token. Not reflected. */ declare token?: string;
  /** WHIP: the WHEP URL viewers play the push from. */ declare whepUrl?: string;
  /** WHIP: FLV/HLS URLs viewers play the push from, space-separated. */ declare playUrls?: string;
  /** TRTC SDKAppID. */ declare sdkAppId?: string;
  /** TRTC user id. */ declare userId?: string;
  /** TRTC UserSig issued by your server. Not reflected. */ declare userSig?: string;
  /** URL on your server that issues a UserSig. */ declare sigEndpoint?: string;
  /** TRTC numeric room id. */ declare roomId?: string;
  /** TRTC string room id (instead of `room-id`). */ declare strRoomId?: string;
  /** CDN play domain (TRTC). */ declare playDomain?: string;
  /** URL on your server that signs play URLs (TRTC). */ declare playUrlEndpoint?: string;
  /** `https` or `http` play URLs on a bare play domain (TRTC). */ declare playScheme?: string;
  /** CSS transcode template id the play URLs name (TRTC). */ declare transcodeTemplate?: string;
  /** Local relay push auth: `txSecret` minted by your server for `stream-id` (see `tx-time`). Not reflected. */
  declare txSecret?: string;
  /** Local relay push auth: `txTime`, the upper-case hex unix expiry `tx-secret` was minted with. */
  declare txTime?: string;
  /** Local relay push auth: URL on your server that answers POST `{ streamId? }` with `{ streamId, txSecret, txTime }`. */
  declare credentialEndpoint?: string;
  /** Extra provider configuration, merged over the attributes (for values a page does not want in the DOM). */
  @property({ attribute: false }) providerConfig: PushProviderConfig = {};

  @state() private _state: PushState = 'idle';
  @state() private _error: RelayErrorInfo | null = null;
  @state() private _live: LivePushStartedDetail | null = null;
  @state() private _media: MediaStream | null = null;
  @state() private _cameras: DeviceOption[] = [];
  @state() private _mics: DeviceOption[] = [];
  @state() private _notice = '';

  readonly #i18n = new LangController(this, pushLabels);

  /** What the headless push state machine reports, turned into this element's state and DOM events. */
  readonly #listener: PushSessionListener = {
    onState: (state) => {
      this._state = state;
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
    onElapsed: () => this.requestUpdate(),
  };
  /**
   * The headless push state machine: its code is the lazy module `push-session`, fetched when the element
   * connects; `session` is `null` until it has arrived. The reads below never wait for it; calls made before it
   * arrives run, in order, once it has.
   */
  readonly #code = new LazyFeature(this, 'push-session');
  readonly #push = new PushSessionHandle(
    () => this.#code.load(),
    (Session) => {
      const session = new Session(this.#listener, createPushProvider);
      void session.setChoice({ audioOnly: this.audioOnly });
      if (this.isConnected) session.watchDevices();
      this.requestUpdate();
      return session;
    },
    this.#listener.onError,
  );

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
    if (this.#push.session) this.#push.session.watchDevices();
    // Fetched now so that Start does not wait for it; a failure is reported by the first call that needs it.
    else this.#push.fetch().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#push.release();
  }

  /**
   * Turns the camera (and microphone) on and shows the preview. Resolves when the preview runs; rejects with
   * a `{ module, code, message }` error (`CAMERA_DENIED`, `DEVICE_NOT_FOUND`, …), also shown inline.
   */
  preview(): Promise<void> {
    this._error = null;
    return this.#push.run((session) => session.preview());
  }

  /** Turns the camera off (only when not live). */
  stopPreview(): void {
    void this.#push.ifThere((session) => session.stopPreview());
  }

  /**
   * Starts the push with the current options. Resolves with `{ streamId, urls, recordId }` when the relay runs.
   * Calling it again while starting returns the same promise; while live it resolves with the running push.
   * Rejects with `{ module, code, message }`; the element is then in a state from which Start works again.
   * A `stop()` during the start makes it reject with `START_CANCELLED`.
   */
  start(): Promise<LivePushStartedDetail> {
    if (!this.#push.session?.busy) {
      this._error = null;
      this._notice = '';
    }
    const request = pushRequest(this);
    return this.#push.run((session) => session.start(request));
  }

  /**
   * Stops the push (or the start in progress). Resolves once the backend has released the stream and the
   * recordings are finalised; the camera preview stays on. Never rejects.
   */
  stop(): Promise<void> {
    return this.#push.ifThere((session) => session.stop());
  }

  // ——— view ———

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The preview reopens without the camera (or with it) when audio-only changes.
    if (changed.has('audioOnly')) void this.#push.session?.setChoice({ audioOnly: this.audioOnly });
  }

  async #copy(u: PlayUrl): Promise<void> {
    const t = this.#i18n.messages;
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
    const session = this.#push.session;
    const selected = kind === 'video' ? session?.choice.cameraId : session?.choice.micId;
    return html`<label
      >${label}
      <select
        name=${name}
        ?disabled=${session ? !session.canSwitchDevices : false}
        @change=${(e: Event) => {
          const id = (e.target as HTMLSelectElement).value;
          void this.#push
            .run((s) => s.setChoice(kind === 'video' ? { cameraId: id } : { micId: id }))
            .catch(() => undefined)
            .then(() => this.requestUpdate());
        }}
      >
        <option value="">${this.#i18n.messages.defaultDevice}</option>
        ${devices.map(
          (d) => html`<option value=${d.deviceId} ?selected=${d.deviceId === selected}>${d.label}</option>`,
        )}
      </select></label
    >`;
  }

  override render(): unknown {
    if (this.hideUi) return html`<slot></slot>`;
    const t = this.#i18n.messages;
    const { locked, canStop, camera } = controlsState(this._state, this._media !== null);
    const caps = pushProviderSpec(this.provider).capabilities;
    const errors = t.errors as Record<string, string>;
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
              ?disabled=${locked || !caps.audioOnly}
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
          ${recordChoices(t, this.recordFileTypes, this.audioOnly, locked, caps, (types) => {
            this.recordFileTypes = types;
          })}
          <label
            >${t.recordId}
            <input
              name="record-id"
              size="10"
              aria-describedby="record-id-hint"
              .value=${this.recordId == null ? '' : String(this.recordId)}
              ?disabled=${locked || !caps.recordId}
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
          <button part="stop-button" type="button" ?disabled=${!canStop} @click=${() => void this.stop()}>
            ${t.stop}
          </button>
          ${
            camera === 'off'
              ? html`<button type="button" @click=${() => this.stopPreview()}>${t.cameraOff}</button>`
              : camera === 'on'
                ? html`<button type="button" @click=${() => void this.preview().catch(() => undefined)}>
                    ${t.cameraOn}
                  </button>`
                : nothing
          }
        </div>
        <p part="status" role="status" aria-live="polite">
          <span class="state">${t.states[this._state]}</span>${
            this._live
              ? html` ·
                  <span class="elapsed"
                    >${format(t.elapsed, { time: formatElapsed(this.#push.session?.elapsed ?? 0) })}</span
                  >${this._live.transport ? html` · <span class="transport">${t.transport[this._live.transport]}</span>` : nothing}`
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
        ${playUrlList(t, this._live?.urls ?? [], (u) => void this.#copy(u))}
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
