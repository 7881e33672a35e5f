// CI: packs the package as npm would publish it (`npm pack`), then installs it from that tarball into each small
// consumer project under test/consumers/ and builds it there. Each consumer is copied to a directory OUTSIDE the
// repository (under the OS temp folder), so a bundler finds only the tarball and the consumer's own dependencies
// (from the npm registry) — never the repository's node_modules (e.g. the optional peer trtc-js-sdk):
//  - bundlers: `relay-widgets/define` + `/react` built by esbuild, Vite and webpack 5 (one install);
//  - react: relay-widgets/react wrappers + relay-widgets/jsx types, type-checked with tsc and bundled by esbuild;
//  - vue-types: relay-widgets/vue (GlobalComponents) type-checked with tsc.
// Also checks that installing the widgets pulls none of the server's dependencies nor the Tencent SDKs (trtc-sdk-v5, trtc-js-sdk).
// Needs `npm run build` first (the pack skips `prepack`, which would build again). Usage:
// node scripts/check-consumers.mjs [name]
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'relay-widgets-consumers-'));
if (!relative(root, work).startsWith('..')) throw new Error(`${work} is inside the repository`);
const only = process.argv[2];
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });

for (const f of ['dist/esm/index.js', 'dist/esm/react/index.js', 'dist/relay-widgets.js', 'types/jsx.d.ts']) {
  if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
}
try {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
    }),
  )[0];
  renameSync(join(work, packed.filename), join(work, 'relay-widgets.tgz'));
  console.log(
    `packed ${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KB → ${work}`,
  );
  const leaked = packed.files.map((f) => f.path).filter((p) => /^(server|src|test|demo)\//.test(p));
  if (leaked.length) throw new Error(`the tarball carries files it should not: ${leaked.join(', ')}`);

  const mustNotPull = [
    'fastify',
    'better-sqlite3',
    'node-media-server',
    'ws',
    '@fastify/static',
    'werift',
    'trtc-js-sdk',
    'trtc-sdk-v5',
  ];
  for (const name of readdirSync(join(root, 'test', 'consumers'))) {
    if (only && name !== only) continue;
    const dir = join(work, name);
    cpSync(join(root, 'test', 'consumers', name), dir, { recursive: true });
    console.log(`\n== consumer ${name}: npm install`);
    run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=warn'], dir);
    const pulled = mustNotPull.filter((p) => existsSync(join(dir, 'node_modules', p)));
    if (pulled.length) throw new Error(`installing relay-widgets pulled ${pulled.join(', ')}`);
    for (const p of ['lit', 'hls.js', 'mpegts.js']) {
      if (!existsSync(join(dir, 'node_modules', p)))
        throw new Error(`${p} was not installed with relay-widgets`);
    }
    console.log(`== consumer ${name}: npm run build`);
    run('npm', ['run', 'build', '--silent'], dir);
    console.log(`== consumer ${name}: ok`);
  }
} finally {
  if (!process.env.KEEP_CONSUMERS) rmSync(work, { recursive: true, force: true });
}
