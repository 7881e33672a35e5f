import { defaultLazyLoader } from './esm.js';
// The packages' entries of `LazyModules` (hls.js, mpegts.js, trtc-js-sdk): with the registry in every program that
// uses it (our own modules' entries come with the files that load them). Types only: empty at run time.
import './third-party.js';

/** By name: the default loaders (`lazy/esm.ts`, `lazy/classic.ts`) follow the manifest, not this interface. */
const loadDefault = defaultLazyLoader as (name: string) => Promise<unknown>;

/**
 * Third-party engines and push providers are never in the script every page loads: they are fetched on first use.
 * How depends on the build, and is decided by `defaultLazyLoader`:
 *  - bundler users (`dist/esm`): `lazy/esm.ts`, bare `import()`s their bundler splits into chunks;
 *  - `<script src>` users (`dist/relay-*.js`): rollup builds `lazy/classic.ts` in its place, which adds a classic
 *    `<script>` for `relay-widgets-{name}.js` next to the script that loaded the widgets (no CORS needed).
 * `setLazyModuleLoader` overrides one module (tests inject fakes; a page may self-host an engine).
 *
 * The lazy modules are listed once, in `lazy/manifest.json` (see there how to add one). This file knows none of
 * them: each module's own file adds its entry to `LazyModules` (packages: `lazy/third-party.ts`):
 *
 * ```ts
 * declare module '../lazy/registry.js' {
 *   interface LazyModules {
 *     'push-session': typeof PushSession;
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface LazyModules {}
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
  // modules.generated.ts checks the manifest's table against `LazyModules`: the default loader's module has its type.
  const loader =
    (loaders[name] as Loader<K> | undefined) ?? (() => loadDefault(name) as Promise<LazyModules[K]>);
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
