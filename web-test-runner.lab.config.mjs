// The interop tests against Janus (test/webrtc-lab/), run inside the lab's network namespace by
// `node scripts/webrtc-lab.mjs -- npx web-test-runner --config web-test-runner.lab.config.mjs` (npm run test:lab).
// Same setup as the main suite, plus what WebRTC on loopback needs: pages on http://127.0.0.1 and Chromium's
// loopback candidates (webrtc-field-notes.md).
import { chromeLauncher } from '@web/test-runner-chrome';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import base from './web-test-runner.config.mjs';
import { chromiumArgs, chromiumPath } from './test/support/chromium.mjs';

const lab = {
  name: 'webrtc-lab',
  serve(context) {
    if (context.path !== '/webrtc-lab/info') return undefined;
    const { JANUS_WHIP_URL, JANUS_WHIP_TOKEN, JANUS_WHEP_URL } = process.env;
    return { body: JSON.stringify({ JANUS_WHIP_URL, JANUS_WHIP_TOKEN, JANUS_WHEP_URL }), type: 'json' };
  },
};

export default {
  ...base,
  files: ['test/webrtc-lab/**/*.test.ts'],
  hostname: '127.0.0.1',
  plugins: [...base.plugins, lab],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath,
        headless: true,
        args: chromiumArgs([
          `--user-data-dir=${mkdtempSync(join(tmpdir(), 'relay-lab-'))}`,
          '--allow-loopback-in-peer-connection',
        ]),
      },
    }),
  ],
};
