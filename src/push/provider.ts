/**
 * The one interface every push backend implements, and the registry the element creates providers from.
 *
 * A provider turns `(options, media)` into a live relay and back. It reports what happens after `start()` has
 * resolved (the ingest dropped, the cloud kicked the client out) through its events, so the element never needs
 * to know which backend it talks to. Adding a backend = a new file in `providers/` calling
 * {@link registerPushProvider} with its {@link PushProviderSpec} (the attributes it reads, what it lets the page
 * choose), plus one import line in `builtin-providers.ts`; the element does not change: it asks the spec.
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';
import type { PlayUrl, RelayErrorInfo } from '../contract/types.js';
import type { PushOptions } from './options.js';

/** What a successful start returns: the stream id and the play URLs (requested encode first). */
export interface PushResult {
  streamId: string;
  urls: PlayUrl[];
  /** How the media goes out: `webrtc` (WHIP) or `websocket` (the local relay's fallback ingest); absent for SDKs. */
  transport?: PushTransport;
}

/** How a push's media reaches the server. */
export type PushTransport = 'webrtc' | 'websocket';

/** Lifecycle of a provider, reported through {@link PushProviderEvents.STATE}. */
export type PushProviderState = 'idle' | 'starting' | 'live' | 'stopping';

/** Event names a provider dispatches (it is an `EventTarget`). */
export const PushProviderEvents = {
  /** `CustomEvent<{ state: PushProviderState }>` */
  STATE: 'push-provider-state',
  /**
   * `CustomEvent<RelayErrorInfo>`: a failure after `start()` resolved (ingest lost, kicked out…). The provider
   * has already released its backend resources when it fires this; the push is over.
   */
  ERROR: 'push-provider-error',
} as const;

/**
 * Backend configuration: every attribute of the host element, camel-cased (`sdk-app-id` → `sdkAppId`), plus
 * anything the page put in the element's `providerConfig` property. Each provider reads the keys it knows.
 */
export type PushProviderConfig = Readonly<Record<string, string | number | boolean | undefined>>;

export interface PushProvider extends EventTarget {
  /** The registry name (`local`, `trtc`, …). */
  readonly name: string;
  /**
   * Starts ingest and the relay. Resolves once the relay answers with play URLs. Rejects with a
   * {@link RelayError}; on rejection nothing is left running on the backend. When `signal` aborts, the start
   * is abandoned, whatever it created is released, and it rejects with code `START_CANCELLED`.
   */
  start(options: PushOptions, media: MediaStream, signal?: AbortSignal): Promise<PushResult>;
  /**
   * Stops the relay and ingest and releases everything. Safe at any time, including during `start()` (it
   * waits for the start to unwind) and twice. Never rejects: a failure to stop cleanly is reported as an
   * error event, because the push is over either way.
   */
  stop(): Promise<void>;
  /**
   * Swaps the live push's audio or video track for `track` (a device switch) without interrupting the relay.
   * Optional: a backend that cannot (the local relay records one `MediaStream` with `MediaRecorder`) leaves it
   * out, and the element keeps its device pickers locked while live. Rejects with a {@link RelayError}.
   */
  replaceTrack?(track: MediaStreamTrack): Promise<void>;
}

export type PushProviderFactory = (config: PushProviderConfig) => PushProvider;

/**
 * An attribute of `<live-push-controls>` a provider reads. Its config key, and the element's property, is the
 * camel-cased name (`sdk-app-id` → `sdkAppId`). The element documents it (`@attr`, the manifest);
 * `test/push/provider-spec.test.ts` checks the two lists agree.
 */
export interface PushProviderAttribute {
  /** The attribute, kebab-case (`sdk-app-id`). */
  readonly name: string;
  /** How the provider reads the (string) value: as text (the default), a number, or a URL (against the page). */
  readonly type?: 'number' | 'url';
  /** A start fails without it (for alternatives, such as `user-sig` / `sig-endpoint`, neither is). */
  readonly required?: boolean;
}

/** What a backend lets the page choose; the element asks these instead of naming providers. */
export interface PushProviderCapabilities {
  /** The browser chooses the recorded file types (HLS/FLV/MP4); false when the backend does (Tencent's template). */
  readonly chooseRecordFormats: boolean;
  /** It can push the microphone alone. */
  readonly audioOnly: boolean;
  /** It tags recordings with the page's record id. */
  readonly recordId: boolean;
  /** It can swap the camera or microphone of a live push (`replaceTrack`). */
  readonly switchDevicesLive: boolean;
}

/** What a provider declares when it registers: the attributes it reads and its capabilities. */
export interface PushProviderSpec {
  readonly attributes: readonly PushProviderAttribute[];
  readonly capabilities: PushProviderCapabilities;
}

/** The spec of a provider registered without one (a page's own provider reads whatever attributes it likes). */
export const DEFAULT_PROVIDER_SPEC: PushProviderSpec = {
  attributes: [],
  capabilities: { chooseRecordFormats: true, audioOnly: true, recordId: true, switchDevicesLive: false },
};

const registry = new Map<string, { factory: PushProviderFactory; spec: PushProviderSpec }>();

/**
 * Makes a provider available under `name` (lower-case), with the attributes it reads and its capabilities.
 * Replaces a previous registration of that name.
 */
export function registerPushProvider(
  name: string,
  factory: PushProviderFactory,
  spec: PushProviderSpec = DEFAULT_PROVIDER_SPEC,
): void {
  registry.set(name.toLowerCase(), { factory, spec });
}

/** The spec of provider `name`; {@link DEFAULT_PROVIDER_SPEC} for a name nobody registered (yet). */
export function pushProviderSpec(name: string): PushProviderSpec {
  return registry.get(name.toLowerCase())?.spec ?? DEFAULT_PROVIDER_SPEC;
}

/** The attributes the registered providers read (a name two providers share comes twice). */
export function pushProviderAttributes(): PushProviderAttribute[] {
  return [...registry.values()].flatMap((e) => e.spec.attributes);
}

/** Names of the registered providers. */
export function pushProviderNames(): string[] {
  return [...registry.keys()];
}

/** Creates a provider by name; throws `PROVIDER_UNKNOWN` for a name nobody registered. */
export function createPushProvider(name: string, config: PushProviderConfig): PushProvider {
  const entry = registry.get(name.toLowerCase());
  if (!entry) {
    throw new RelayError(
      'push',
      ErrorCodes.PROVIDER_UNKNOWN,
      `No push provider is called "${name}". Use one of: ${pushProviderNames().join(', ')}.`,
    );
  }
  return entry.factory(config);
}

/** Base class with the event plumbing every provider shares. */
export abstract class BasePushProvider extends EventTarget implements PushProvider {
  abstract readonly name: string;
  #state: PushProviderState = 'idle';

  get state(): PushProviderState {
    return this.#state;
  }

  protected setState(state: PushProviderState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.dispatchEvent(new CustomEvent(PushProviderEvents.STATE, { detail: { state } }));
  }

  protected fail(info: RelayErrorInfo): void {
    this.dispatchEvent(new CustomEvent<RelayErrorInfo>(PushProviderEvents.ERROR, { detail: info }));
  }

  #starting: Promise<PushResult> | null = null;
  #abort: AbortController | null = null;

  /** The start in progress, if any. */
  protected get starting(): Promise<PushResult> | null {
    return this.#starting;
  }

  /** Abandons the start in progress (its `body` sees its signal abort). */
  protected abortStart(): void {
    this.#abort?.abort();
  }

  /**
   * The start wiring every provider shares: refuses a second start, links the caller's `signal`, reports
   * `starting` → `live` (or back to `idle`), and on failure lets `unwind` release what `body` created and
   * choose the error to reject with (`aborted` is true when the start was abandoned).
   */
  protected runStart(
    signal: AbortSignal | undefined,
    body: (signal: AbortSignal) => Promise<PushResult>,
    unwind: (err: unknown, aborted: boolean) => Promise<unknown>,
  ): Promise<PushResult> {
    if (this.#starting || this.#state === 'live') {
      return Promise.reject(
        new RelayError('push', ErrorCodes.ALREADY_STARTED, 'This push is already running.'),
      );
    }
    const abort = new AbortController();
    this.#abort = abort;
    const onOuterAbort = (): void => abort.abort();
    signal?.addEventListener('abort', onOuterAbort);
    if (signal?.aborted) abort.abort();
    this.setState('starting');
    const p = body(abort.signal).then(
      (result) => {
        this.#starting = null;
        signal?.removeEventListener('abort', onOuterAbort);
        this.setState('live');
        return result;
      },
      async (err: unknown) => {
        signal?.removeEventListener('abort', onOuterAbort);
        this.#starting = null;
        const reported = await unwind(err, abort.signal.aborted);
        this.setState('idle');
        throw reported;
      },
    );
    this.#starting = p;
    return p;
  }

  /** For `stop()`: abandons a start in progress and waits until it has unwound (or went live first). */
  protected async cancelStart(): Promise<void> {
    const starting = this.#starting;
    if (!starting) return;
    this.#abort?.abort();
    await starting.catch(() => undefined);
  }

  abstract start(options: PushOptions, media: MediaStream, signal?: AbortSignal): Promise<PushResult>;
  abstract stop(): Promise<void>;
}

/** The rejection of a start abandoned through its `AbortSignal`. */
export function cancelledError(): RelayError {
  return new RelayError('push', ErrorCodes.START_CANCELLED, 'The push was stopped before it went live.');
}

/** Reads a string config value (numbers are stringified; empty strings count as missing). */
export function configString(config: PushProviderConfig, key: string): string | undefined {
  const v = config[key];
  if (v === undefined || v === null || v === false) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}
