import resolve from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { fileURLToPath } from 'node:url';

// The ES module build (dist/esm + dist/types) is plain `tsc`; rollup builds the script-tag files:
//  - dist/relay-widgets.js: classic script (IIFE) registering every element, no engines inside;
//  - dist/relay-widgets-{hls,mpegts,trtc}.js: ES modules fetched by it on first use;
//  - dist/relay-widgets-{local,trtc}-provider.js: push providers' implementations, fetched on their first start.
// ES2022 for the script-tag files: native #private fields instead of WeakMap helpers (~0.9 KB gzip). Every
// evergreen browser runs it (Chrome/Edge 94+, Firefox 93+, Safari 15.4+); the ES module build keeps tsconfig's.
const ts = () =>
  typescript({
    tsconfig: './tsconfig.json',
    target: 'ES2022',
    declaration: false,
    declarationMap: false,
    outDir: 'dist',
    rootDir: 'src',
    sourceMap: true,
    noEmitOnError: true,
  });
const plugins = () => [resolve({ browser: true }), commonjs(), ts(), terser({ format: { comments: false } })];

// Engine files re-export the libraries' own minified ES builds: no re-minifying 1 MB of third-party code.
const prebuilt = {
  'hls.js': fileURLToPath(new URL('./node_modules/hls.js/dist/hls.min.mjs', import.meta.url)),
  'trtc-js-sdk': fileURLToPath(new URL('./node_modules/trtc-js-sdk/trtc.esm.js', import.meta.url)),
};
const usePrebuilt = { name: 'use-prebuilt', resolveId: (id) => prebuilt[id] ?? null };
const enginePlugins = () => [usePrebuilt, resolve({ browser: true }), commonjs(), ts()];

const onwarn = (warning, warn) => {
  // mpegts.js and trtc-js-sdk are UMD bundles that use `this` at top level; harmless.
  if (warning.code === 'THIS_IS_UNDEFINED') return;
  warn(warning);
};

export default [
  {
    input: 'src/classic.ts',
    output: { file: 'dist/relay-widgets.js', format: 'iife', sourcemap: true, inlineDynamicImports: true },
    plugins: plugins(),
    onwarn,
  },
  {
    input: 'src/classic-player.ts',
    output: { file: 'dist/relay-player.js', format: 'iife', sourcemap: true, inlineDynamicImports: true },
    plugins: plugins(),
    onwarn,
  },
  ...['hls', 'mpegts', 'trtc'].map((name) => ({
    input: `src/engines/${name}.ts`,
    output: { file: `dist/relay-widgets-${name}.js`, format: 'es', sourcemap: true },
    plugins: enginePlugins(),
    onwarn,
  })),
  // Push providers' implementations: fetched when a push with that provider first starts.
  ...['local', 'trtc'].map((name) => ({
    input: `src/push/${name}-provider-impl.ts`,
    output: { file: `dist/relay-widgets-${name}-provider.js`, format: 'es', sourcemap: true },
    plugins: plugins(),
  })),
  // <relay-player>'s built-in controls: fetched the first time a player shows them (`controls`).
  {
    input: 'src/elements/player-controls-module.ts',
    output: { file: 'dist/relay-widgets-player-controls.js', format: 'es', sourcemap: true },
    plugins: plugins(),
  },
];
