import type HlsType from 'hls.js';
import type MpegtsType from 'mpegts.js';
import type { LazyProviderModule } from '../push/lazy-provider.js';
import type { PushSession } from '../push/push-session.js';
import type { PlayerControlsModule } from '../player/controls/player-controls-module.js';
import type { RecordingsModule } from '../recordings/recordings-module.js';
import type hlsAdapter from '../player/engines/hls-adapter.js';
import type originBlocked from '../net/origin-check.js';
import { defaultLazyLoader } from './esm.js';

/**
 * Third-party engines and push providers are never in the script every page loads: they are fetched on first use.
 * How depends on the build, and is decided by `defaultLazyLoader`:
 *  - bundler users (`dist/esm`): `lazy/esm.ts`, bare `import()`s their bundler splits into chunks;
 *  - `<script src>` users (`dist/relay-*.js`): rollup swaps in `lazy/classic.ts`, which adds a classic
 *    `<script>` for `relay-widgets-{name}.js` next to the script that loaded the widgets (no CORS needed).
 * `setLazyModuleLoader` overrides one module (tests inject fakes; a page may self-host an engine).
 *
 * Adding a lazy module: a line here, a line in `lazy/esm.ts`'s table and a line in rollup.config.mjs's
 * `lazyFiles`.
 */
export interface LazyModules {
  hls: typeof HlsType;
  /**
   * hls.js's light build (`hls.js/dist/hls.light.mjs`: 117 KB gzip against 182 KB; no alternate audio, subtitles,
   * captions, DRM, variable substitution, interstitials, HEVC/AC-3/E-AC-3 in MPEG-TS). The HLS engine starts with
   * it and moves to `hls` as soon as a stream needs one of those (`hls-features.ts`).
   */
  'hls-light': typeof HlsType;
  /** The hls.js engine's code that runs once hls.js is there (inside both hls.js files of the script-tag build). */
  'hls-adapter': typeof hlsAdapter;
  mpegts: typeof MpegtsType;
  /** trtc-js-sdk's default export (typed by the provider that uses it). */
  trtc: unknown;
  /** Push providers' implementations (`src/push/*-provider-impl.ts`), fetched on their first start. */
  'trtc-provider': LazyProviderModule;
  'local-provider': LazyProviderModule;
  /** `<live-push-controls>`'s push state machine (camera, option checks, start/stop), fetched when one connects. */
  'push-session': typeof PushSession;
  /** `<relay-player>`'s built-in controls (`controls` attribute), fetched the first time they are shown. */
  'player-controls': PlayerControlsModule;
  /** `<recording-list>`'s data layer (reading, live updates, takes), fetched when a list connects. */
  recordings: RecordingsModule;
  /** Tells a request blocked by the origin policy from an unreachable server; fetched when a player's sources all fail. */
  'origin-check': typeof originBlocked;
}
export type LazyModuleName = keyof LazyModules;
type Loader<K extends LazyModuleName> = () => Promise<LazyModules[K]>;

const loaders: { [K in LazyModuleName]?: Loader<K> } = {};
const cache: { [K in LazyModuleName]?: Promise<LazyModules[K]> } = {};

/** Overrides how lazy module `name` is loaded; `null` restores the default. */
export function setLazyModuleLoader<K extends LazyModuleName>(name: K, loader: Loader<K> | null): void {
  if (loader) (loaders as Record<K, Loader<K>>)[name] = loader;
  else delete loaders[name];
  delete cache[name];
}

/** Whether the page loads `name` its own way (`setLazyModuleLoader`). */
export function hasOwnLoader(name: LazyModuleName): boolean {
  return name in loaders;
}

/** Loads (once) and returns a lazy module. Rejects with a message naming what failed; the next call retries. */
export function loadLazyModule<K extends LazyModuleName>(name: K): Promise<LazyModules[K]> {
  const cached = cache[name] as Promise<LazyModules[K]> | undefined;
  if (cached) return cached;
  const loader = (loaders[name] as Loader<K> | undefined) ?? (() => defaultLazyLoader(name));
  // The loader runs now, not in a microtask: the file's request then goes out before whatever else the caller's
  // task does (a player's first render took ~17 ms that the engine request used to wait for).
  let started: Promise<LazyModules[K]>;
  try {
    started = loader();
  } catch (err) {
    started = Promise.reject(err as Error);
  }
  const p = started.catch((err: unknown) => {
    delete cache[name];
    throw err;
  });
  (cache as Record<K, Promise<LazyModules[K]>>)[name] = p;
  return p;
}
