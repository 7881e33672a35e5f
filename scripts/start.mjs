// `npm start`: builds only what is missing or changed since the last build (printing each file as it is written),
// then runs server/dev.ts (relay + receiver + demo). A second start with nothing changed is ready in a few seconds.
// SIGINT, SIGTERM or SIGHUP to this process, or its parent (npm) going away, stops everything it started: the build
// in progress, or the server (which stops its test stream's ffmpeg and the relay's own ffmpegs before it exits).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
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
    args: [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  },
  {
    what: 'script-tag files (dist/relay-*.js)',
    inputs: ['src', 'rollup.config.mjs', 'tsconfig.json', 'package-lock.json'],
    outputs: ['dist/relay-widgets.js', 'dist/relay-player.js', 'dist/relay-widgets-hls-light.js'],
    // without --silent rollup prints "created dist/… in 3.2s" per file: that is the progress shown
    args: [join(root, 'node_modules/rollup/dist/bin/rollup'), '-c', '--no-stdin'],
    progress: /^created (\S+)/,
  },
];

let child = null;
let stopping = false;
function stop(sig) {
  if (stopping) return;
  stopping = true;
  if (child && child.exitCode === null && child.signalCode === null) child.kill(sig);
  else process.exit(0);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stop(sig));
// npm does not always pass its signal on (and a SIGKILL cannot be): when our parent goes, we go.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, 500).unref();

/** Runs one build step, printing progress; resolves when it succeeded, exits the process when it failed. */
function build(step, reason) {
  const t0 = Date.now();
  const secs = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
  console.log(`  Building ${step.what}: ${reason}…`);
  let said = Date.now();
  const say = (line) => {
    said = Date.now();
    console.log(line);
  };
  // a line at least every 15 s, so a slow first build never looks stuck
  const tick = setInterval(() => Date.now() - said >= 14000 && say(`    … ${secs()}`), 1000);
  child = spawn(process.execPath, step.args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onText = (chunk) => {
    out += chunk;
    for (const line of String(chunk).split('\n')) {
      // rollup colours its lines; strip the escapes before matching
      const m = step.progress?.exec(line.replace(/\x1b\[[0-9;]*m/g, '').trim());
      if (m) say(`    wrote ${m[1]} (${secs()})`);
    }
  };
  child.stdout.on('data', onText);
  child.stderr.on('data', onText);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(tick);
      child = null;
      if (stopping) process.exit(signal ? 0 : (code ?? 0));
      if (code !== 0) {
        console.log(`  Building ${step.what} failed after ${secs()}:`);
        process.stderr.write(out || `${step.args.join(' ')} exited with ${code ?? signal}\n`);
        process.exit(1);
      }
      console.log(`  Built ${step.what} in ${secs()}`);
      resolve();
    });
  });
}

for (const step of steps) {
  const built = step.outputs.every((p) => existsSync(join(root, p)));
  if (built && newest(step.inputs) < oldest(step.outputs)) continue;
  await build(
    step,
    built ? 'src/ changed since the last build' : 'first build (a few minutes on a slow machine)',
  );
}

child = spawn(process.execPath, ['--import', 'tsx', 'server/dev.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, RELAY_DEV_WATCH_PARENT: '1' },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
