import type { LazyModuleName, LazyModules } from './registry.js';

/**
 * For bundler users: bare specifiers, split into their own chunks by the user's bundler. One line per lazy module.
 * (The script-tag builds replace this file with `lazy/classic.ts`, see rollup.config.mjs.)
 */
/**
 * An optional peer dependency, by a specifier no bundler follows, so that an app without it still builds (a literal
 * `import('trtc-js-sdk')` fails esbuild, Vite, webpack and Rollup there). Works as is in a browser whose import map
 * names the package; with a bundler the app hands it over: `setLazyModuleLoader('trtc', () => import('trtc-js-sdk'))`.
 */
const optionalPeer = (specifier: string): Promise<{ default: unknown }> =>
  import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<{ default: unknown }>;

const table: { [K in LazyModuleName]: () => Promise<LazyModules[K]> } = {
  hls: () => import('hls.js').then((m) => m.default),
  // the file path, not the `hls.js/light` export: bundlers without package `exports` (webpack 4) find it too
  'hls-light': () => import('hls.js/dist/hls.light.mjs').then((m) => m.default),
  'hls-adapter': () => import('../player/engines/hls-adapter.js').then((m) => m.default),
  mpegts: () => import('mpegts.js').then((m) => m.default),
  trtc: () => optionalPeer('trtc-js-sdk').then((m) => m.default),
  'trtc-provider': () => import('../push/providers/trtc-provider-impl.js').then((m) => m.default),
  'local-provider': () => import('../push/providers/local-provider-impl.js').then((m) => m.default),
  'push-session': () => import('../push/push-session.js').then((m) => m.default),
  'player-controls': () => import('../player/controls/player-controls-module.js').then((m) => m.default),
  recordings: () => import('../recordings/recordings-module.js').then((m) => m.default),
  'origin-check': () => import('../net/origin-check.js').then((m) => m.default),
};

export function defaultLazyLoader<K extends LazyModuleName>(name: K): Promise<LazyModules[K]> {
  const load = table[name] as (() => Promise<LazyModules[K]>) | undefined;
  return load ? load() : Promise.reject(new Error(`No loader registered for the "${name}" module`));
}
