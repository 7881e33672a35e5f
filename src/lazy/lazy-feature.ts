import type { ReactiveControllerHost } from 'lit';
import { loadLazyModule, type LazyModuleName, type LazyModules } from './registry.js';

/**
 * How every element loads a lazy part of itself (the player's controls, the push session, the list's data layer),
 * one way: `load()` fetches it once (concurrent calls share the request), then {@link value} holds it and the host
 * re-renders; a failure is kept in {@link error} (the host re-renders to show it) and the next `load()` tries again.
 *
 * ```ts
 * readonly #data = new LazyFeature(this, 'recordings');
 * connectedCallback() { …; void this.#data.load().catch(() => {}); }
 * render() { const data = this.#data.value; … }
 * ```
 */
export class LazyFeature<K extends LazyModuleName> {
  /** The module, once loaded. */
  value: LazyModules[K] | null = null;
  /** Why the last load failed (cleared when a load starts). */
  error: Error | null = null;
  #pending: Promise<LazyModules[K]> | null = null;

  /** `host` is re-rendered when the module arrives or fails (no lifecycle of its own: nothing to set up or end). */
  constructor(
    private readonly host: Pick<ReactiveControllerHost, 'requestUpdate'>,
    readonly name: K,
  ) {}

  /** Loads the module (once) and resolves with it; rejects with an error naming what failed. */
  load(): Promise<LazyModules[K]> {
    if (this.value) return Promise.resolve(this.value);
    if (this.#pending) return this.#pending;
    this.error = null;
    const pending = loadLazyModule(this.name).then(
      (m) => {
        this.value = m;
        this.#pending = null;
        this.host.requestUpdate();
        return m;
      },
      (err: unknown) => {
        this.error = err instanceof Error ? err : new Error(String(err));
        this.#pending = null;
        this.host.requestUpdate();
        throw this.error;
      },
    );
    this.#pending = pending;
    return pending;
  }
}
