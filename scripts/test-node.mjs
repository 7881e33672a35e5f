// Runs the Node-side tests (test/server/**/*.test.ts) with node:test against real servers, one file at a time.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (e.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filter = process.argv[2];
const files = find('test/server')
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.log('no node tests found');
  process.exit(0);
}
const r = spawnSync(
  process.execPath,
  // a test that waits forever fails after 3 minutes with its name, instead of running CI into its time limit
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-timeout=180000',
    '--test-force-exit',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
