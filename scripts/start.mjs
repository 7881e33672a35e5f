// `npm start`: builds only what changed since the last build (printing progress while it does), then runs
// server/dev.ts (relay + receiver + demo). A second start with nothing changed is ready in a few seconds.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const newest = (paths) => {
  let t = 0;
  for (const p of paths) {
    const abs = join(root, p);
    if (!existsSync(abs)) continue;
    const s = statSync(abs);
    t = Math.max(t, s.isDirectory() ? newest(readdirSync(abs).map((e) => join(p, e))) : s.mtimeMs);
  }
  return t;
};
const oldest = (paths) =>
  Math.min(...paths.map((p) => (existsSync(join(root, p)) ? statSync(join(root, p)).mtimeMs : 0)));

const steps = [
  {
    what: 'ES modules (dist/esm)',
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json'],
    outputs: ['dist/esm/index.js', 'dist/esm/define.js'],
    cmd: ['npx', 'tsc', '-p', 'tsconfig.build.json'],
  },
  {
    what: 'script-tag files (dist/relay-*.js)',
    inputs: ['src', 'rollup.config.mjs', 'tsconfig.json', 'package-lock.json'],
    outputs: ['dist/relay-widgets.js', 'dist/relay-player.js', 'dist/relay-widgets-hls-light.js'],
    cmd: ['npx', 'rollup', '-c', '--silent'],
  },
];

for (const step of steps) {
  if (newest(step.inputs) < oldest(step.outputs)) continue;
  const t0 = Date.now();
  process.stdout.write(`  Building ${step.what}: src/ changed since the last build…`);
  const tick = setInterval(() => process.stdout.write(` ${Math.round((Date.now() - t0) / 1000)}s`), 5000);
  const r = spawnSync(step.cmd[0], step.cmd.slice(1), {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  clearInterval(tick);
  if (r.status !== 0) {
    process.stdout.write(' failed\n');
    process.stderr.write(r.stderr || `${step.cmd.join(' ')} exited with ${r.status}\n`);
    process.exit(1);
  }
  process.stdout.write(` done in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}

const server = spawn(process.execPath, ['--import', 'tsx', 'server/dev.ts'], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
