import { readdirSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { fromRollup } from '@web/dev-server-rollup';
import rollupCommonjs from '@rollup/plugin-commonjs';
import { chromeLauncher } from '@web/test-runner-chrome';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, chromiumPath } from './test/support/chromium.mjs';

const commonjs = fromRollup(rollupCommonjs);

// Each area of the test suite contributes its own server-side support (media fixtures, a running relay, a
// receiver…) as `test/support/*.plugin.mjs`, each default-exporting a @web/dev-server plugin.
const supportDir = new URL('./test/support/', import.meta.url);
const supportPlugins = await Promise.all(
  readdirSync(supportDir)
    .filter((f) => f.endsWith('.plugin.mjs'))
    .sort()
    .map(async (f) => (await import(new URL(f, supportDir).href)).default),
);

export default {
  // test/webrtc-lab/ runs against Janus inside the lab's network namespace: web-test-runner.lab.config.mjs
  files: ['test/**/*.test.ts', '!test/server/**', '!test/webrtc-lab/**'],
  nodeResolve: { browser: true },
  // Media tests decode real video; two cores do not take many pages at once.
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 60000,
  testsStartTimeout: 60000,
  testsFinishTimeout: 300000,
  testFramework: { config: { timeout: 30000 } },
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2021', tsconfig: './tsconfig.json' }),
    commonjs({
      include: ['**/node_modules/mpegts.js/**', '**/node_modules/trtc-js-sdk/**', '**/node_modules/sdp/**'],
      strictRequires: false,
    }),
    // trtc-sdk-v5's `main` is its UMD file; its ES module (what bundlers and rollup.config.mjs use) is trtc.esm.js.
    {
      name: 'trtc-sdk-v5-esm',
      resolveImport: ({ source }) =>
        source === 'trtc-sdk-v5'
          ? new URL('./node_modules/trtc-sdk-v5/trtc.esm.js', import.meta.url).pathname
          : undefined,
    },
    ...supportPlugins,
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath,
        headless: true,
        args: chromiumArgs([`--user-data-dir=${mkdtempSync(join(tmpdir(), 'relay-wtr-'))}`]),
      },
    }),
  ],
};
