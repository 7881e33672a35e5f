import { ErrorCodes, type ErrorCode } from '../../contract/errors.js';
import { loadLazyModule } from '../../lazy/registry.js';
import type { PlayUrl } from '../../contract/types.js';
import type { Skipped } from '../source-order.js';
import { expandLebSources } from '../leb.js';
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

  /**
   * `sources` in the order this browser will try them, and those it skips (RTMP, unsupported); `webrtc://` ones
   * become their FLV and HLS fallbacks first (`leb.ts`, over `scheme`).
   */
  order(sources: readonly PlayUrl[], caps?: Capabilities, scheme?: 'https' | 'http'): SourceOrder {
    return orderSources(expandLebSources(sources, scheme), caps ?? (this.#detected ??= detectCapabilities()));
  }
  /**
   * Before a reconnect: when the current URL's `txTime` has passed, fresh sources from `how` (the page's refresher,
   * or the `play-url-endpoint` URL), through the lazy `play-url-refresh` module.
   */
  async refresh(
    how: SourceRefresher | string | undefined,
    caps?: Capabilities,
    scheme?: 'https' | 'http',
  ): Promise<void> {
    const url = this.current?.source.url;
    if (how && url && txExpired(url)) {
      await loadLazyModule('play-url-refresh').then(
        (refresh) => refresh(this, how, caps, scheme),
        () => undefined,
      );
    }
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

/**
 * Why playback gave up after the last of `list` (`last`) failed with `failure`: `then(code, message)`, at once, or
 * (a failure without any answer) once the lazily loaded origin check tells whether this page's origin was refused,
 * which the browser hides.
 */
export function whyAllFailed(
  list: readonly Candidate[],
  last: Candidate,
  failure: { code: string; message: string },
  module: string,
  then: (code: ErrorCode, message: string) => void,
): void {
  const message =
    list.length === 1
      ? `The source could not be played: ${failure.message}`
      : `None of the ${list.length} sources could be played; the last one failed: ${failure.message}`;
  if (failure.code !== ErrorCodes.NETWORK_ERROR) return then(ErrorCodes.ALL_SOURCES_FAILED, message);
  void loadLazyModule('origin-check')
    .then(
      (check) => check(last.source.url, module),
      () => null,
    )
    .then((blocked) =>
      then(
        (blocked?.code as ErrorCode | undefined) ?? ErrorCodes.ALL_SOURCES_FAILED,
        blocked?.message ?? message,
      ),
    );
}

/** The error when none of `sources` can be played in this browser at all (`skipped` says why for each). */
export function nonePlayable(sources: readonly PlayUrl[], skipped: readonly Skipped[]): [ErrorCode, string] {
  return [
    skipped.length === 1 ? ErrorCodes.UNSUPPORTED_PROTOCOL : ErrorCodes.ALL_SOURCES_FAILED,
    `None of the ${sources.length} source(s) can be played in this browser: ${skipped.map((s) => s.reason).join(' ')}`,
  ];
}

/** Fresh play URLs for `expired` (the sources in use, the one playing first), from the page's own server. */
export type SourceRefresher = (expired: readonly PlayUrl[]) => Promise<PlayUrl[]>;

/** Whether `url` carries a `txTime` (hex unix seconds, Tencent's anti-leech expiry) that has passed. */
export function txExpired(url: string, nowMs = Date.now()): boolean {
  const t = /[?&]txTime=([0-9a-fA-F]{1,12})(&|#|$)/.exec(url)?.[1];
  return t !== undefined && parseInt(t, 16) * 1000 <= nowMs;
}
