import resolve from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { transformSync } from 'esbuild';
import MagicString from 'magic-string';
import { fileURLToPath } from 'node:url';

// The ES module build (dist/esm + dist/types) is plain `tsc`; rollup builds the script-tag files, all classic
// scripts (IIFE), so that every one of them loads from any host without CORS headers:
//  - dist/relay-widgets.js: every element; dist/relay-player.js: <relay-player> only. No engines inside;
//  - dist/relay-widgets-{name}.js, one per lazy module (`lazyFiles` below): added as a <script> by the first two on
//    first use (src/lazy/classic.ts), each storing its default export in the shared registry.
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
const src = (path) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

// Script-tag builds load lazy modules by <script>, not by the bundler-style import() of src/lazy/esm.ts.
const classicLazyLoader = {
  name: 'classic-lazy-loader',
  resolveId: (id, importer) =>
    id === './esm.js' && importer === src('lazy/registry.ts')
      ? src('lazy/classic.ts')
      : null,
};
// terser keeps template literals as they are: the indentation of our Lit templates ended up in the script-tag files.
// After TypeScript, in our own sources: `css` templates are minified by esbuild's CSS minifier, and each run of
// white space in the static parts of `html` templates becomes one space (what HTML rendering does with it anyway;
// none of our templates has <pre>, <textarea> or `white-space: pre`). ≈ 0.7 KB gzip off relay-widgets.js.
const minifyTemplates = {
  name: 'minify-lit-templates',
  transform(code, id) {
    if (!id.startsWith(src('')) || !/\b(css|html)\s*`/.test(code)) return null;
    const out = new MagicString(code);
    const visit = (node) => {
      if (!node || typeof node.type !== 'string') return;
      if (node.type === 'TaggedTemplateExpression' && node.tag.type === 'Identifier') {
        const parts = node.quasi.quasis;
        if (node.tag.name === 'css' && parts.length === 1 && parts[0].end > parts[0].start) {
          const css = transformSync(parts[0].value.raw, { loader: 'css', minify: true }).code.trim();
          out.overwrite(parts[0].start, parts[0].end, css);
        } else if (node.tag.name === 'html') {
          for (const p of parts)
            if (p.end > p.start && /\s\s|\n/.test(p.value.raw))
              out.overwrite(p.start, p.end, p.value.raw.replace(/\s+/g, ' '));
        }
      }
      for (const value of Object.values(node))
        if (Array.isArray(value)) value.forEach(visit);
        else if (value && typeof value === 'object') visit(value);
    };
    visit(this.parse(code));
    return out.hasChanged() ? { code: out.toString(), map: out.generateMap({ hires: true }) } : null;
  },
};
const plugins = (min = true) => [
  classicLazyLoader,
  resolve({ browser: true }),
  commonjs(),
  ts(),
  ...(min
    ? [minifyTemplates, terser({ ecma: 2020, compress: { passes: 2 }, format: { comments: false } })]
    : []),
];

// Lazy module name → entry whose default export it is. Adding a lazy module is one line here (plus its type in
// src/lazy/registry.ts and its import() in src/src/lazy/esm.ts). Built to dist/relay-widgets-{name}.js.
const lazyFiles = {
  hls: 'src/engines/hls.ts',
  // hls.js's light build: what the HLS engine starts with (src/player/engines/hls-features.ts says when not)
  'hls-light': 'src/engines/hls-light.ts',
  // the hls.js engine's code that runs once hls.js is there; normally taken from an hls.js file (companions below)
  'hls-adapter': 'src/player/engines/hls-adapter.ts',
  mpegts: 'src/engines/mpegts.ts',
  trtc: 'src/engines/trtc.ts',
  'local-provider': 'src/push/providers/local-provider-impl.ts',
  'trtc-provider': 'src/push/providers/trtc-provider-impl.ts',
  // <live-push-controls>' state machine (camera, option checks, start/stop): fetched when one connects.
  'push-session': 'src/push/push-session.ts',
  // <relay-player>'s built-in controls: fetched the first time a player shows them (`controls`).
  'player-controls': 'src/player/controls/player-controls-module.ts',
  // <recording-list>'s data layer: fetched when a list connects (it shows its loading state meanwhile).
  recordings: 'src/recordings/recordings-module.ts',
  // tells a blocked origin from an unreachable server: fetched when all of a player's sources failed unanswered.
  'origin-check': 'src/net/origin-check.ts',
};
// Engine files wrap the libraries' own minified builds: no re-minifying 1 MB of third-party code.
const prebuilt = new Set(['hls', 'hls-light', 'trtc']);
const prebuiltFiles = {
  'hls.js': fileURLToPath(new URL('./node_modules/hls.js/dist/hls.min.mjs', import.meta.url)),
  'hls.js/dist/hls.light.mjs': fileURLToPath(new URL('./node_modules/hls.js/dist/hls.light.min.mjs', import.meta.url)),
  'trtc-js-sdk': fileURLToPath(new URL('./node_modules/trtc-js-sdk/trtc.esm.js', import.meta.url)),
};
const usePrebuilt = { name: 'use-prebuilt', resolveId: (id) => prebuiltFiles[id] ?? null };

// The entry of a lazy file: its module's default export, stored under its name (see src/lazy/classic.ts).
const REGISTRY = '__relayWidgetsLazy';
// Companions: more lazy modules in the same file (loaded with it, registered under their own names; the classic
// loader's RIDES_WITH in src/lazy/classic.ts must list them). The hls.js engine's adapter rides with
// both builds of hls.js, and has its own file too (`lazyFiles`) for pages that load hls.js their own way.
const companions = { hls: ['hls-adapter'], 'hls-light': ['hls-adapter'] };
const lazyEntry = (name, file) => ({
  name: 'lazy-entry',
  resolveId: (id) => (id === `\0lazy:${name}` ? id : null),
  load: (id) => {
    if (id !== `\0lazy:${name}`) return null;
    const modules = [[name, file], ...(companions[name] ?? []).map((n) => [n, lazyFiles[n]])];
    return modules
      .map(
        ([n, f], i) =>
          `import m${i} from ${JSON.stringify(fileURLToPath(new URL(`./${f}`, import.meta.url)))};\n` +
          `(globalThis.${REGISTRY} ??= {})[${JSON.stringify(n)}] = m${i};\n`,
      )
      .join('');
  },
});

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
  ...Object.entries(lazyFiles).map(([name, file]) => ({
    input: `\0lazy:${name}`,
    output: {
      file: `dist/relay-widgets-${name}.js`,
      format: 'iife',
      sourcemap: true,
      inlineDynamicImports: true,
    },
    plugins: [
      lazyEntry(name, file),
      ...(prebuilt.has(name) ? [usePrebuilt] : []),
      ...plugins(!prebuilt.has(name)),
    ],
    onwarn,
  })),
];
