/**
 * Providers whose implementation is fetched on first start, so that the script every page loads carries only a
 * small shell per provider (`dist/relay-widgets-{name}-provider.js` for `<script src>` users, a chunk of the
 * user's bundler otherwise).
 *
 * The implementation file carries its own copies of the small shared helpers it imports (`RelayError`,
 * `BasePushProvider`, `requestJson`…): errors are recognised by `isRelayError` (by name, not by class identity),
 * so they cross that boundary intact. The one thing that must be shared is the lazy-module registry (the TRTC SDK
 * is fetched through it, and tests inject fakes into it): it comes in the {@link ProviderKit}.
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';
import { loadLazyModule } from '../lazy/registry.js';
import {
  PushProviderEvents,
  cancelledError,
  registerPushProvider,
  type PushProvider,
  type PushProviderConfig,
  type PushProviderFactory,
  type PushProviderSpec,
  type PushResult,
} from './provider.js';
import type { PushOptions } from './options.js';

/** What a lazily loaded provider implementation gets from the script that loaded it. */
export interface ProviderKit {
  loadLazyModule: typeof loadLazyModule;
}
const providerKit: ProviderKit = { loadLazyModule };

/** Default export of a lazy provider module: given the kit, the provider factory. */
export type LazyProviderModule = (kit: ProviderKit) => PushProviderFactory;

/** Lazy module names of the providers' implementations. */
export type LazyProviderName = 'local-provider' | 'trtc-provider' | 'trtc-v4-provider' | 'whip-provider';

/**
 * The registered shell: loads the implementation on the first `start()`, then delegates to it and re-dispatches
 * its events, so the element sees the same provider contract.
 */
class LazyPushProvider extends EventTarget implements PushProvider {
  #impl: PushProvider | null = null;
  #starting: Promise<PushResult> | null = null;
  #abort: AbortController | null = null;

  constructor(
    readonly name: string,
    private readonly module: LazyProviderName,
    private readonly config: PushProviderConfig,
  ) {
    super();
  }

  readonly #forward = (ev: Event): void => {
    this.dispatchEvent(new CustomEvent(ev.type, { detail: (ev as CustomEvent<unknown>).detail }));
  };

  async #load(): Promise<PushProvider> {
    if (this.#impl) return this.#impl;
    let factory: PushProviderFactory;
    try {
      factory = (await loadLazyModule(this.module))(providerKit);
    } catch (err) {
      throw new RelayError(
        'push',
        ErrorCodes.ENGINE_LOAD_FAILED,
        `The "${this.name}" push provider could not be loaded (${err instanceof Error ? err.message : String(err)}).`,
        { cause: err },
      );
    }
    const impl = factory(this.config);
    impl.addEventListener(PushProviderEvents.STATE, this.#forward);
    impl.addEventListener(PushProviderEvents.ERROR, this.#forward);
    this.#impl = impl;
    return impl;
  }

  start(options: PushOptions, media: MediaStream, signal?: AbortSignal): Promise<PushResult> {
    if (this.#starting) {
      return Promise.reject(
        new RelayError('push', ErrorCodes.ALREADY_STARTED, 'This push is already running.'),
      );
    }
    const abort = new AbortController();
    const onOuterAbort = (): void => abort.abort();
    signal?.addEventListener('abort', onOuterAbort);
    if (signal?.aborted) abort.abort();
    this.#abort = abort;
    const p = this.#load()
      .then((impl) => {
        if (abort.signal.aborted) throw cancelledError();
        return impl.start(options, media, abort.signal);
      })
      .finally(() => {
        signal?.removeEventListener('abort', onOuterAbort);
        if (this.#starting === p) this.#starting = null;
      });
    this.#starting = p;
    return p;
  }

  /** Present only when the implementation can switch devices live (known once it has loaded). */
  get replaceTrack(): ((track: MediaStreamTrack) => Promise<void>) | undefined {
    const impl = this.#impl;
    return impl?.replaceTrack ? (track) => impl.replaceTrack!(track) : undefined;
  }

  async stop(): Promise<void> {
    const starting = this.#starting;
    if (starting) {
      this.#abort?.abort();
      await starting.catch(() => undefined);
    }
    await this.#impl?.stop();
  }
}

/** Registers provider `name` whose implementation is the lazy module `module`, with its spec. */
export function registerLazyPushProvider(
  name: string,
  module: LazyProviderName,
  spec: PushProviderSpec,
): void {
  registerPushProvider(name, (config) => new LazyPushProvider(name, module, config), spec);
}

// The push providers' implementations in the lazy-module registry (src/lazy/manifest.json lists the modules; a
// `LazyProviderName` without its entry here fails to compile in `#load`).
declare module '../lazy/registry.js' {
  interface LazyModules {
    /** Push providers' implementations (`src/push/providers/*-provider-impl.ts`), fetched on their first start. */
    'local-provider': LazyProviderModule;
    'trtc-provider': LazyProviderModule;
    'trtc-v4-provider': LazyProviderModule;
    'whip-provider': LazyProviderModule;
  }
}
