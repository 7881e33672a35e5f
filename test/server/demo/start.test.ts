/**
 * `npm start`'s server (server/dev.ts) with busy ports: a busy PORT is one clear line and exit code 1 (no stack);
 * a busy RTMP port turns RTMP off with one line and the demo still starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './support.ts';

async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

/** Runs dev.ts until it exits or prints `until`; returns what it printed and its exit code (null if stopped). */
function runDev(env: Record<string, string>, until?: RegExp): Promise<{ out: string; code: number | null }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-start-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/dev.ts'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO_STREAM: '0', ...env },
  });
  let out = '';
  return new Promise((resolve) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (until?.test(out)) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ out, code: until?.test(out) ? null : code });
    });
  });
}

test('a busy PORT: one line naming the port and the fix, exit code 1, no stack trace', async () => {
  const busy = await occupy();
  try {
    const { out, code } = await runDev({ PORT: String(busy.port), RTMP_PORT: 'off' });
    assert.equal(code, 1, out);
    assert.match(out, new RegExp(`port ${busy.port} is in use: set PORT=`));
    assert.doesNotMatch(out, /EADDRINUSE|\n\s+at /, out);
  } finally {
    busy.server.close();
  }
});

test('a busy PORT whose next port is busy too: the port it suggests is one that is free', async () => {
  const busy = await occupy();
  // the next port, taken if nobody has it (if somebody has, it is busy all the same)
  const next = createServer();
  await new Promise<void>((r) => {
    next.once('error', () => r());
    next.listen(busy.port + 1, '127.0.0.1', r);
  });
  try {
    const { out, code } = await runDev({ PORT: String(busy.port), RTMP_PORT: 'off' });
    assert.equal(code, 1, out);
    const suggested = Number(/e\.g\. PORT=(\d+) npm start/.exec(out)?.[1]);
    assert.ok(suggested > busy.port + 1, out);
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(suggested, '127.0.0.1', resolve);
    });
    probe.close();
  } finally {
    busy.server.close();
    next.close();
  }
});

test('a busy RTMP port: RTMP is off with one line, and the demo starts anyway', async () => {
  const rtmp = await occupy();
  const http = await occupy();
  http.server.close(); // a free port for the demo
  try {
    const { out } = await runDev(
      { PORT: String(http.port), RTMP_PORT: String(rtmp.port) },
      /Test stream:/, // the last line of the address block, printed after the RTMP line
    );
    assert.match(out, new RegExp(`RTMP port ${rtmp.port} is in use: RTMP is off`));
    assert.match(out, /RTMP:\s+off/);
    assert.doesNotMatch(out, /EADDRINUSE/);
  } finally {
    rtmp.server.close();
  }
});
