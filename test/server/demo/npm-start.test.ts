/**
 * `npm start` as a user runs it (npm → sh → scripts/start.mjs → server/dev.ts → ffmpeg): a signal to any of its
 * processes stops every one of them and frees the port; callbacks are logged as a site's backend would read them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, freePort, root } from './support.ts';

/** Every process below `pid`, with its command line. */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${c}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        continue;
      }
      out.push({ pid: c, cmd });
      walk(c);
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    // a zombie counts as gone
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function startNpm(): Promise<{ npm: ChildProcess; base: string; out: () => string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-npm-start-'));
  const port = await freePort();
  const npm = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', RTMP_PORT: 'off', DATA_DIR: dataDir },
  });
  let out = '';
  npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const t0 = Date.now();
  while (!/test stream live/.test(out)) {
    if (Date.now() - t0 > 90_000 || npm.exitCode !== null)
      throw new Error(`npm start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { npm, base: `http://127.0.0.1:${port}`, out: () => out, dataDir };
}

async function gone(pids: number[], ms = 20_000): Promise<number[]> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (!pids.some(alive)) return [];
    await new Promise((r) => setTimeout(r, 200));
  }
  return pids.filter(alive);
}

for (const [who, sig] of [
  ['npm', 'SIGTERM'],
  ['scripts/start.mjs', 'SIGINT'],
  ['server/dev.ts', 'SIGTERM'],
] as const) {
  test(`${sig} to ${who} stops every process npm start started (the test stream's ffmpeg too) and frees the port`, async () => {
    assertBuilt();
    const run = await startNpm();
    try {
      const tree = descendants(run.npm.pid!);
      assert.ok(
        tree.some((p) => /^ffmpeg /.test(p.cmd)),
        `no ffmpeg under npm start: ${JSON.stringify(tree)}`,
      );
      assert.doesNotMatch(run.out(), /changed since the last build/); // built already: nothing to say
      // the node process itself (not the `sh -c` npm puts in between)
      const target =
        who === 'npm' ? run.npm.pid! : tree.find((p) => /^\S*node\b/.test(p.cmd) && p.cmd.includes(who))?.pid;
      assert.ok(target, `no ${who} in ${JSON.stringify(tree)}`);
      process.kill(target, sig);
      const left = await gone([run.npm.pid!, ...tree.map((p) => p.pid)]);
      assert.deepEqual(
        left.map((p) => tree.find((t) => t.pid === p)?.cmd ?? 'npm'),
        [],
        'processes left running',
      );
      await assert.rejects(fetch(run.base, { signal: AbortSignal.timeout(2000) }));
    } finally {
      run.npm.kill('SIGKILL');
      for (const p of descendants(run.npm.pid!)) process.kill(p.pid, 'SIGKILL');
      rmSync(run.dataDir, { recursive: true, force: true });
    }
  });
}
