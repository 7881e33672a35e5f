/**
 * The push session: camera preview, start/stop of a push through a {@link PushProvider}, their races, device
 * switches, device loss and the elapsed time — everything `<live-push-controls>` does that is not rendering.
 * Headless (no DOM besides `navigator.mediaDevices` once used), so it is tested without the element.
 *
 * It reports through a {@link PushSessionListener}; the element turns those calls into DOM events and renders.
 * Constructing one touches nothing (safe in server-side rendering); `release()` leaves nothing running.
 *
 * For `<script src>` pages this is the lazy module `push-session` (`dist/relay-widgets-push-session.js`, its default
 * export), fetched when a `<live-push-controls>` connects. It creates providers through the factory it is given
 * (`createPushProvider` of the script that loaded it), so the providers registered there are the ones it sees.
 */
import { ErrorCodes, RelayError, toErrorInfo } from '../contract/errors.js';
import {
  STOP_REASON_DISCONNECTED,
  STOP_REASON_REQUESTED,
  type LivePushStartedDetail,
  type PushState,
} from '../contract/events.js';
import type { RelayErrorInfo } from '../contract/types.js';
import {
  closeMedia,
  deviceLostError,
  listDevices,
  openMedia,
  openTrack,
  watchDevices,
  watchTracks,
} from './media.js';
import { validatePushOptions, type PushOptions } from './options.js';
import { ElapsedClock } from './elapsed.js';
import { PushProviderEvents, type PushProvider } from './provider.js';
import type {
  CreatePushProvider,
  DeviceChoice,
  PushRequest,
  PushSessionListener,
} from './push-session-types.js';

export type { CreatePushProvider, DeviceChoice, PushRequest, PushSessionListener };

const cancelled = (): RelayError =>
  new RelayError('push', ErrorCodes.START_CANCELLED, 'Stopped before going live.');

export class PushSession {
  readonly #listener: PushSessionListener;
  readonly #createProvider: CreatePushProvider;
  #state: PushState = 'idle';
  #error: RelayErrorInfo | null = null;
  #live: LivePushStartedDetail | null = null;
  #media: MediaStream | null = null;
  #choice: DeviceChoice = { cameraId: '', micId: '', audioOnly: false };
  #provider: PushProvider | null = null;
  #startPromise: Promise<LivePushStartedDetail> | null = null;
  #stopPromise: Promise<void> | null = null;
  #abort: AbortController | null = null;
  #mediaPromise: Promise<MediaStream> | null = null;
  #unwatchTracks: (() => void) | null = null;
  #unwatchDevices: (() => void) | null = null;
  #switching = false;
  readonly #clock = new ElapsedClock(() => this.#listener.onElapsed?.(this.#clock.seconds));

  constructor(listener: PushSessionListener, createProvider: CreatePushProvider) {
    this.#listener = listener;
    this.#createProvider = createProvider;
  }

  get state(): PushState {
    return this.#state;
  }
  /** The running push (`{ streamId, urls, recordId }`), or `null`. */
  get live(): LivePushStartedDetail | null {
    return this.#live;
  }
  /** The camera/microphone stream of the preview (and of the push), or `null`. */
  get media(): MediaStream | null {
    return this.#media;
  }
  /** The last error reported, or `null` (cleared by the next preview or start). */
  get error(): RelayErrorInfo | null {
    return this.#error;
  }
  /** Whole seconds since the push went live (held while stopping, 0 otherwise). */
  get elapsed(): number {
    return this.#clock.seconds;
  }
  get choice(): Readonly<DeviceChoice> {
    return this.#choice;
  }
  /** True while a push is starting, live or stopping: options and backend cannot change. */
  get busy(): boolean {
    return this.#state === 'starting' || this.#state === 'live' || this.#state === 'stopping';
  }
  /** True when devices can be switched now: not busy, or live on a backend that replaces tracks. */
  get canSwitchDevices(): boolean {
    if (this.#switching) return false;
    if (!this.busy) return true;
    return this.#state === 'live' && typeof this.#provider?.replaceTrack === 'function';
  }

  /** Starts following plugged/unplugged devices (the element calls it when connected). */
  watchDevices(): void {
    if (this.#unwatchDevices) return;
    this.#unwatchDevices = watchDevices(() => void this.#refreshDevices());
    void this.#refreshDevices();
  }

  /**
   * Turns the camera (and microphone) on. Resolves when the preview runs; rejects with a
   * `{ module, code, message }` error (`CAMERA_DENIED`, `DEVICE_NOT_FOUND`, …), also reported.
   */
  async preview(): Promise<void> {
    if (this.#state === 'starting' || this.#state === 'stopping') return;
    this.#error = null;
    try {
      await this.#ensureMedia();
      if (this.#state === 'idle' || this.#state === 'error') this.#setState('previewing');
    } catch (err) {
      this.#fail(err, ErrorCodes.DEVICE_NOT_FOUND);
      throw err;
    }
  }

  /** Turns the camera off (only when not pushing). */
  stopPreview(): void {
    if (this.busy) return;
    this.#closeMedia();
    this.#setState('idle');
  }

  /**
   * Changes the devices to use. While previewing the preview reopens with them; while live on a backend that
   * replaces tracks, the changed device is swapped into the running push (see {@link switchDevice}).
   */
  async setChoice(choice: Partial<DeviceChoice>): Promise<void> {
    const next = { ...this.#choice, ...choice };
    const changed = (Object.keys(next) as (keyof DeviceChoice)[]).filter((k) => next[k] !== this.#choice[k]);
    if (changed.length === 0) return;
    if (this.#state === 'live' && !changed.includes('audioOnly')) {
      const kind = changed.includes('cameraId') ? 'video' : 'audio';
      await this.switchDevice(kind, kind === 'video' ? next.cameraId : next.micId);
      return;
    }
    this.#choice = next;
    if (this.#media && this.#state === 'previewing') {
      this.#closeMedia();
      await this.preview().catch(() => undefined);
    }
  }

  /**
   * Switches the camera (`video`) or microphone (`audio`) of a live push without interrupting it. Rejects with
   * `SWITCH_UNSUPPORTED` on a backend that cannot (the push keeps its device), or the device's error; the push
   * goes on with the old device either way.
   */
  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    const provider = this.#provider;
    const media = this.#media;
    if (this.#state !== 'live' || !provider || !media) {
      await this.setChoice(kind === 'video' ? { cameraId: deviceId } : { micId: deviceId });
      return;
    }
    if (!provider.replaceTrack || this.#switching) {
      const err = new RelayError(
        'push',
        ErrorCodes.SWITCH_UNSUPPORTED,
        `The "${provider.name}" backend cannot switch devices during a push. Stop, pick the device, then start again.`,
      );
      this.#report(err, err.code);
      throw err;
    }
    if ((kind === 'video' && this.#choice.audioOnly) || !media.getTracks().some((t) => t.kind === kind)) {
      const err = new RelayError(
        'push',
        ErrorCodes.SWITCH_UNSUPPORTED,
        `This push has no ${kind} to switch.`,
      );
      this.#report(err, err.code);
      throw err;
    }
    this.#switching = true;
    let track: MediaStreamTrack | null = null;
    try {
      track = await openTrack(kind, deviceId || null);
      await provider.replaceTrack(track);
      if (this.#media !== media || this.#state !== 'live') throw cancelled();
    } catch (err) {
      track?.stop();
      this.#switching = false;
      if ((err as Partial<RelayErrorInfo>).code !== ErrorCodes.START_CANCELLED) {
        this.#report(err, ErrorCodes.DEVICE_NOT_FOUND);
      }
      throw err;
    }
    this.#switching = false;
    this.#choice = { ...this.#choice, ...(kind === 'video' ? { cameraId: deviceId } : { micId: deviceId }) };
    const kept = media.getTracks().filter((t) => t.kind !== kind);
    const replaced = media.getTracks().filter((t) => t.kind === kind);
    this.#unwatchTracks?.();
    replaced.forEach((t) => t.stop());
    this.#adoptMedia(new MediaStream([...kept, track]));
  }

  /**
   * Starts a push. Resolves with `{ streamId, urls, recordId }` when the relay runs. Calling it again while
   * starting returns the same promise; while live it resolves with the running push. Rejects with
   * `{ module, code, message }`; the session is then in a state from which a start works again. A `stop()`
   * during the start makes it reject with `START_CANCELLED`.
   */
  start(request: PushRequest): Promise<LivePushStartedDetail> {
    if (this.#startPromise) return this.#startPromise;
    // Checked before `live`: a push that is stopping is still `live` until its backend has let go.
    if (this.#stopPromise) {
      return Promise.reject(
        new RelayError('push', ErrorCodes.ALREADY_STARTED, 'The previous push is still stopping; try again.'),
      );
    }
    if (this.#live) return Promise.resolve(this.#live);
    this.#error = null;
    let options: PushOptions;
    try {
      options = validatePushOptions(request.options);
    } catch (err) {
      this.#report(err, ErrorCodes.INVALID_OPTIONS);
      return Promise.reject(err);
    }
    if (options.audioOnly !== this.#choice.audioOnly) {
      this.#choice = { ...this.#choice, audioOnly: options.audioOnly };
      this.#closeMedia();
    }
    const abort = new AbortController();
    this.#abort = abort;
    this.#setState('starting');
    // Deferred one microtask so that #startPromise is set before #start runs (and cleared by it, before any
    // caller awaiting the promise resumes).
    const p = Promise.resolve().then(() => this.#start(request, options, abort));
    this.#startPromise = p;
    return p;
  }

  async #start(
    request: PushRequest,
    options: PushOptions,
    abort: AbortController,
  ): Promise<LivePushStartedDetail> {
    try {
      const media = await this.#ensureMedia();
      if (abort.signal.aborted) throw cancelled();
      const provider = this.#createProvider(request.provider, request.config);
      this.#provider = provider;
      provider.addEventListener(PushProviderEvents.ERROR, this.#onProviderError);
      const result = await provider.start(options, media, abort.signal);
      const live: LivePushStartedDetail = {
        streamId: result.streamId,
        urls: result.urls,
        recordId: options.recordId,
        ...(result.transport ? { transport: result.transport } : {}),
      };
      this.#live = live;
      this.#setState('live');
      this.#listener.onStarted(live);
      return live;
    } catch (err) {
      this.#detachProvider();
      // A cancelled start is finished by stop(); anything else is an error the user sees.
      if ((err as Partial<RelayErrorInfo>)?.code !== ErrorCodes.START_CANCELLED) {
        this.#fail(err, ErrorCodes.INGEST_FAILED);
      }
      throw err;
    } finally {
      if (this.#abort === abort) this.#abort = null;
      this.#startPromise = null;
    }
  }

  /**
   * Stops the push (or the start in progress). Resolves once the backend has released the stream and the
   * recordings are finalised; the camera preview stays on. Never rejects.
   */
  stop(): Promise<void> {
    if (this.#stopPromise) return this.#stopPromise;
    const p = Promise.resolve()
      .then(() => this.#stop())
      .finally(() => {
        // Cleared before callers resume (they await the outer promise below).
        if (this.#stopPromise === outer) this.#stopPromise = null;
      });
    const outer: Promise<void> = p.then(() => undefined);
    this.#stopPromise = outer;
    return outer;
  }

  async #stop(): Promise<void> {
    if (this.#startPromise) {
      this.#setState('stopping');
      this.#abort?.abort();
      await this.#startPromise.catch(() => undefined);
      if (this.#live) {
        // The start won the race: stop the push it produced.
        await this.#stopLive();
      } else if (this.#state === 'stopping') {
        this.#setState(this.#media ? 'previewing' : 'idle');
      }
      return;
    }
    if (this.#live) await this.#stopLive();
  }

  async #stopLive(): Promise<void> {
    const live = this.#live;
    const provider = this.#provider;
    if (!live) return;
    this.#setState('stopping');
    await provider?.stop();
    this.#detachProvider();
    this.#live = null;
    this.#listener.onStopped(live.streamId, STOP_REASON_REQUESTED);
    this.#setState(this.#media ? 'previewing' : 'idle');
  }

  /**
   * Ends everything at once (the element left the page): abandons a start, stops the push without waiting,
   * turns the camera off and stops following devices. The session can be used again afterwards.
   */
  release(): void {
    this.#unwatchDevices?.();
    this.#unwatchDevices = null;
    this.#abort?.abort();
    const provider = this.#provider;
    const live = this.#live;
    this.#detachProvider();
    if (provider) void provider.stop();
    this.#live = null;
    if (live) this.#listener.onStopped(live.streamId, STOP_REASON_DISCONNECTED);
    this.#closeMedia();
    this.#setState('idle');
  }

  /** The provider ended a live push by itself (ingest lost, kicked out). It has released the backend. */
  readonly #onProviderError = (ev: Event): void => {
    const info = (ev as CustomEvent<RelayErrorInfo>).detail;
    if (!this.#live || this.#state === 'stopping') {
      this.#report(info, info.code);
      return;
    }
    this.#endWithError(info);
  };

  #endWithError(info: RelayErrorInfo): void {
    const live = this.#live;
    this.#detachProvider();
    this.#live = null;
    this.#fail(info, info.code);
    if (live) this.#listener.onStopped(live.streamId, info.code);
  }

  /** A device went away under the preview or the push. */
  readonly #onTrackLost = (track: MediaStreamTrack): void => {
    const err = deviceLostError(track).toJSON();
    const provider = this.#provider;
    this.#closeMedia();
    if (this.#startPromise) {
      this.#abort?.abort();
      this.#fail(err, err.code);
      return;
    }
    if (this.#live) {
      void provider?.stop();
      this.#endWithError(err);
      return;
    }
    this.#fail(err, err.code);
  };

  #detachProvider(): void {
    this.#provider?.removeEventListener(PushProviderEvents.ERROR, this.#onProviderError);
    this.#provider = null;
  }

  async #ensureMedia(): Promise<MediaStream> {
    if (this.#media && this.#media.getTracks().every((t) => t.readyState === 'live')) return this.#media;
    if (this.#mediaPromise) return this.#mediaPromise;
    this.#closeMedia();
    const p = openMedia(this.#choice);
    this.#mediaPromise = p;
    try {
      const media = await p;
      this.#adoptMedia(media);
      void this.#refreshDevices();
      return media;
    } finally {
      if (this.#mediaPromise === p) this.#mediaPromise = null;
    }
  }

  #adoptMedia(media: MediaStream): void {
    this.#media = media;
    this.#unwatchTracks = watchTracks(media, this.#onTrackLost);
    this.#listener.onMedia(media);
  }

  #closeMedia(): void {
    this.#unwatchTracks?.();
    this.#unwatchTracks = null;
    const had = this.#media !== null;
    closeMedia(this.#media);
    this.#media = null;
    if (had) this.#listener.onMedia(null);
  }

  async #refreshDevices(): Promise<void> {
    try {
      const { cameras, mics } = await listDevices();
      this.#listener.onDevices?.(cameras, mics);
    } catch {
      // Device lists are a convenience; the default devices still work.
    }
  }

  #setState(state: PushState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#clock.follow(state);
    this.#listener.onState(state);
  }

  /** Reports an error without changing state (bad options, a failed device switch). */
  #report(err: unknown, fallbackCode: string): RelayErrorInfo {
    const info = toErrorInfo(err, 'push', fallbackCode);
    this.#error = info;
    this.#listener.onError(info);
    return info;
  }

  /** Reports an error and moves to `error`, from which a start works again. */
  #fail(err: unknown, fallbackCode: string): void {
    this.#report(err, fallbackCode);
    this.#setState('error');
  }
}

export default PushSession;

// This file's entry in the lazy-module registry (src/lazy/manifest.json lists the modules).
declare module '../lazy/registry.js' {
  interface LazyModules {
    /** <live-push-controls>' push state machine (camera, option checks, start/stop), fetched when one connects. */
    'push-session': typeof PushSession;
  }
}
