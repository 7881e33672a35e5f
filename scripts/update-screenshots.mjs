// Regenerates the README's screenshot (docs/screenshot.png: the demo's Studio view while live, 1280 px) from the demo
// test that drives it (test/server/demo/studio.e2e.test.ts, UPDATE_DOCS_SCREENSHOT=1), so the picture always shows
// the current labels and control bar. Needs `npm run build` first. Usage: node scripts/update-screenshots.mjs
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const before = Date.now();
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/server/demo/studio.e2e.test.ts'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, UPDATE_DOCS_SCREENSHOT: '1' } },
);
if (r.status !== 0) process.exit(r.status ?? 1);
const shot = statSync(new URL('../docs/screenshot.png', import.meta.url));
if (shot.mtimeMs < before) {
  console.error('docs/screenshot.png was not rewritten');
  process.exit(1);
}
console.log(`docs/screenshot.png: ${(shot.size / 1024).toFixed(0)} KB, written now`);
