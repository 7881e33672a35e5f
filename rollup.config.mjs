import resolve from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { transformSync } from 'esbuild';
import MagicString from 'magic-string';
import { fileURLToPath } from 'node:url';
import { readManifest } from './scripts/gen-lazy.mjs';

// The ES module build (dist/esm + dist/types) is plain `tsc`; rollup builds the script-tag files, all classic
// scripts (IIFE), so that every one of them loads from any host without CORS headers:
//  - dist/relay-widgets.js: every element; dist/relay-player.js: <relay-player> only. No engines inside;
//  - dist/relay-widgets-{name}.js, one per lazy module of src/lazy/manifest.json: added as a <script> by the first
//    two on first use (src/lazy/classic.ts), each storing its default export in the shared registry.
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

// The lazy modules' default loader is src/lazy/esm.ts (bare `import()`s, for bundler users). The script-tag builds
// load them by <script> instead: wherever src/lazy/esm.ts is imported (by src/lazy/registry.ts), they take
// src/lazy/classic.ts, which exports the same `defaultLazyLoader(name)`. Swapped by file, not by importer, and
// only here: TypeScript, the ES module build and the tests see esm.ts.
const lazyEsm = src('lazy/esm.ts');
const scriptTagLazyLoader = {
  name: 'script-tag-lazy-loader',
  async resolveId(id, importer, options) {
    if (!importer || !/(^|\/)esm(\.[jt]s)?$/.test(id)) return null; // only what may name esm.ts is resolved twice
    const resolved = await this.resolve(id, importer, { ...options, skipSelf: true });
    return resolved?.id === lazyEsm ? src('lazy/classic.ts') : resolved;
  },
  load(id) {
    // its import()s would be inlined: every engine in the script every page loads
    if (id === src('lazy/esm.generated.ts'))
      this.error(`${id} is imported other than through src/lazy/esm.ts`);
    return null;
  },
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
  scriptTagLazyLoader,
  resolve({ browser: true }),
  commonjs(),
  ts(),
  ...(min
    ? [minifyTemplates, terser({ ecma: 2020, compress: { passes: 2 }, format: { comments: false } })]
    : []),
];

// The lazy modules, their files and companions: src/lazy/manifest.json, the one list (scripts/gen-lazy.mjs writes
// what src/lazy/ needs from it). Each is built to dist/relay-widgets-{name}.js from its `file`.
const manifest = readManifest();
const lazyFiles = Object.fromEntries(Object.entries(manifest.modules).map(([name, m]) => [name, m.file]));
// Entry files that wrap the libraries' own minified builds: no re-minifying 1 MB of third-party code.
const prebuilt = new Set(['hls', 'hls-light', 'trtc-js-sdk', 'trtc-sdk-v5', 'trtc-cdn-streaming']);
for (const name of prebuilt)
  if (!lazyFiles[name]) throw new Error(`prebuilt: "${name}" is not a lazy module`);
const prebuiltFiles = {
  'hls.js': fileURLToPath(new URL('./node_modules/hls.js/dist/hls.min.mjs', import.meta.url)),
  'hls.js/dist/hls.light.mjs': fileURLToPath(
    new URL('./node_modules/hls.js/dist/hls.light.min.mjs', import.meta.url),
  ),
  'trtc-js-sdk': fileURLToPath(new URL('./node_modules/trtc-js-sdk/trtc.esm.js', import.meta.url)),
  // its package `main` is the UMD file; the ES module is what bundlers should take
  'trtc-sdk-v5': fileURLToPath(new URL('./node_modules/trtc-sdk-v5/trtc.esm.js', import.meta.url)),
};
const usePrebuilt = { name: 'use-prebuilt', resolveId: (id) => prebuiltFiles[id] ?? null };

// The entry of a lazy file: its module's default export, stored under its name in the manifest's `registryGlobal`
// (src/lazy/classic.ts reads it there), then the same for its companions (`rides`: more lazy modules in the same
// file, registered under their own names; the hls.js engine's adapter rides with both builds of hls.js).
const REGISTRY = manifest.registryGlobal;
const companions = Object.fromEntries(
  Object.entries(manifest.modules).map(([name, m]) => [name, m.rides ?? []]),
);
const lazyEntry = (name, file) => ({
  name: 'lazy-entry',
  resolveId: (id) => (id === `\0lazy:${name}` ? id : null),
  load: (id) => {
    if (id !== `\0lazy:${name}`) return null;
    const modules = [[name, file], ...companions[name].map((n) => [n, lazyFiles[n]])];
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
