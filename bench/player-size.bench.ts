// Bytes a page downloads for the player: gzip size of the classic script alone, and with each lazily loaded
// engine, as ratios against the raw engine file (what a page using mpegts.js / hls.js directly downloads). Then the
// lazy files the other two elements fetch, and what a push page and a list page download in all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureBuild, root } from './player-support.ts';

ensureBuild();
const gz = (f: string) => gzipSync(readFileSync(join(root, 'dist', f)), { level: 9 }).length;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const bytes = (n: number) => `${kb(n)} (${n} B)`;

const core = gz('relay-widgets.js');
const mpegts = gz('relay-widgets-mpegts.js');
const hls = gz('relay-widgets-hls.js');
const hlsLight = gz('relay-widgets-hls-light.js');

const playerScript = gz('relay-player.js');
console.log(`relay-widgets.js (every page, all elements): ${bytes(core)} gzip (target <= 30 KB)`);
console.log(`relay-player.js (pages that only play):      ${bytes(playerScript)} gzip (target <= 20 KB)`);
console.log(
  `+ mpegts engine (first FLV play):            ${kb(core + mpegts)}  = ${((core + mpegts) / mpegts).toFixed(2)}x raw mpegts.js (${kb(mpegts)})`,
);
console.log(
  `+ hls engine (first HLS play, light build):  ${kb(core + hlsLight)}  = ${((core + hlsLight) / hls).toFixed(2)}x raw hls.js (${kb(hls)}), ${((core + hlsLight) / hlsLight).toFixed(2)}x raw light build (${kb(hlsLight)})`,
);
console.log(
  `+ full hls.js (streams that need it):        ${kb(core + hlsLight + hls)}  = ${((core + hlsLight + hls) / hls).toFixed(2)}x raw hls.js`,
);

const pushSession = gz('relay-widgets-push-session.js');
const localProvider = gz('relay-widgets-local-provider.js');
const recordings = gz('relay-widgets-recordings.js');
console.log(`relay-widgets-push-session.js (a <live-push-controls> connects): ${bytes(pushSession)}`);
console.log(`relay-widgets-local-provider.js (first Start, provider="local"): ${bytes(localProvider)}`);
console.log(`relay-widgets-recordings.js (a <recording-list> connects):       ${bytes(recordings)}`);
console.log(
  `relay-widgets-whip-provider.js (first Start, provider="whip"):  ${bytes(gz('relay-widgets-whip-provider.js'))}`,
);
console.log(
  `relay-widgets-whep-engine.js (first WebRTC source played):     ${bytes(gz('relay-widgets-whep-engine.js'))}`,
);
console.log(
  `push page in all (+ push session + local provider):            ${bytes(core + pushSession + localProvider)}`,
);
console.log(`list page in all (+ recordings):                               ${bytes(core + recordings)}`);
console.log(
  `push + list page in all (the demo's Studio):                   ${bytes(core + pushSession + localProvider + recordings)}`,
);

// The player's own share of the classic script: the same kind of bundle with only <relay-player> (and Lit).
const { build } = await import('esbuild');
async function bundleGzip(contents: string): Promise<number> {
  const out = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2021',
    write: false,
    tsconfig: join(root, 'tsconfig.json'),
    // engines, push providers, the push session and the recordings' data layer are lazy chunks in a real bundle,
    // not part of the player's share
    external: [
      'hls.js',
      'mpegts.js',
      'trtc-js-sdk',
      'trtc-sdk-v5',
      '*-provider-impl.js',
      '*/push-session.js',
      '*/recordings-module.js',
    ],
    legalComments: 'none',
  });
  return gzipSync(out.outputFiles[0]!.contents, { level: 9 }).length;
}
const playerOnly = await bundleGzip(
  `import { RelayPlayer } from './src/elements/relay-player/relay-player.js'; customElements.define('relay-player', RelayPlayer);`,
);
const litOnly = await bundleGzip(
  `import { LitElement, html } from 'lit'; import { property, state, query } from 'lit/decorators.js';
   console.log(LitElement, html, property, state, query);`,
);
console.log(
  `<relay-player> alone (esbuild, minified):     ${kb(playerOnly)} gzip, of which Lit ${kb(litOnly)}`,
);
