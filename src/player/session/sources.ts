import type { RelayError } from '../../errors.js';
import { loadLazyModule } from '../../lazy/registry.js';
import type { PlayUrl } from '../../types.js';
import {
  detectCapabilities,
  orderSources,
  type Candidate,
  type Capabilities,
  type SourceOrder,
} from '../source-order.js';

/**
 * The ordered sources of one input and the one being tried: fallback moves along this list, a reconnect stays on
 * its entry. This browser's capabilities are detected once (unless the options give them).
 */
export class SourceList {
  #list: Candidate[] = [];
  #index = 0;
  #detected: Capabilities | null = null;

  /** `sources` in the order this browser will try them, and those it skips (RTMP, unsupported). */
  order(sources: readonly PlayUrl[], caps?: Capabilities): SourceOrder {
    return orderSources(sources, caps ?? (this.#detected ??= detectCapabilities()));
  }
  set(list: Candidate[]): void {
    this.#list = list;
    this.#index = 0;
  }
  get all(): readonly Candidate[] {
    return this.#list;
  }
  get index(): number {
    return this.#index;
  }
  /** Selects entry `index` and returns it (`null` past the end). */
  select(index: number): Candidate | null {
    const cand = this.#list[index] ?? null;
    if (cand) this.#index = index;
    return cand;
  }
  get current(): Candidate | null {
    return this.#list[this.#index] ?? null;
  }
  /** The source a fallback from the current one goes to, or `null` when none is left. */
  get next(): Candidate | null {
    return this.#list[this.#index + 1] ?? null;
  }
  indexOf(url: string): number {
    return this.#list.findIndex((c) => c.source.url === url);
  }
}

/** What the error says when the last of `list` failed with `message` (fallback has nothing left). */
export function allFailedMessage(list: readonly Candidate[], message: string): string {
  return list.length === 1
    ? `The source could not be played: ${message}`
    : `None of the ${list.length} sources could be played; the last one failed: ${message}`;
}

/**
 * A source that failed without any answer (NETWORK_ERROR) may be up with this page's origin not allowed, which the
 * browser hides: the lazily loaded origin check tells (`null`: no such block found).
 */
export function originBlocked(url: string, module: string): Promise<RelayError | null> {
  return loadLazyModule('origin-check').then(
    (check) => check(url, module),
    () => null,
  );
}
