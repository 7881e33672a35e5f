import type HlsType from 'hls.js';
import type MpegtsType from 'mpegts.js';
import type { LazyProviderModule } from './push/lazy-provider.js';
import type { PlayerControlsModule } from './elements/player-controls-module.js';

/**
 * Third-party engines are never in the script every page loads: they are fetched on first use.
 * How they are fetched depends on the build: bare `import()` for bundler users (`lazy-modules-esm.ts`), a file
 * next to the classic script for `<script src>` users (`classic.ts`). This registry decouples the two.
 */
export interface LazyModules {
  hls: typeof HlsType;
  mpegts: typeof MpegtsType;
  /** trtc-js-sdk's default export (typed by the provider that uses it). */
  trtc: unknown;
  /** Push providers' implementations (`src/push/*-provider-impl.ts`), fetched on their first start. */
  'trtc-provider': LazyProviderModule;
  'local-provider': LazyProviderModule;
  /** `<relay-player>`'s built-in controls (`controls` attribute), fetched the first time they are shown. */
  'player-controls': PlayerControlsModule;
}
export type LazyModuleName = keyof LazyModules;
type Loader<K extends LazyModuleName> = () => Promise<LazyModules[K]>;

const loaders: { [K in LazyModuleName]?: Loader<K> } = {};
const cache: { [K in LazyModuleName]?: Promise<LazyModules[K]> } = {};

export function setLazyModuleLoader<K extends LazyModuleName>(name: K, loader: Loader<K>): void {
  (loaders as Record<K, Loader<K>>)[name] = loader;
  delete cache[name];
}

/** Loads (once) and returns a lazy module. Rejects with a clear message when no loader is registered or it fails. */
export function loadLazyModule<K extends LazyModuleName>(name: K): Promise<LazyModules[K]> {
  const cached = cache[name] as Promise<LazyModules[K]> | undefined;
  if (cached) return cached;
  const loader = loaders[name] as Loader<K> | undefined;
  if (!loader) return Promise.reject(new Error(`No loader registered for the "${name}" module`));
  const p = loader().catch((err: unknown) => {
    delete cache[name];
    throw err;
  });
  (cache as Record<K, Promise<LazyModules[K]>>)[name] = p;
  return p;
}
