import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  notificationCount,
  postCallback,
  receiverEnv,
  recordingNotification,
  signed,
  SseReader,
  startReceiver,
} from './receiver-process.ts';
import { forEachStore } from './stores.ts';

const KEY = 'shutdown-key';

/** Every process below `pid` with its command line (Linux /proc). */
function descendants(pid: number): { pid: number; cmd: string }[] {
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
  return children.flatMap((c) => [
    { pid: Number(c), cmd: readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0').join(' ').trim() },
    ...descendants(Number(c)),
  ]);
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 150; i++) {
    if (!existsSync(`/proc/${pid}`)) return true;
    await new Promise((res) => setTimeout(res, 100));
  }
  return false;
}

forEachStore(() => {
  test('npm run receiver runs the server as npm’s own child (no sh, no tsx CLI) and SIGTERM to npm stops it cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'receiver-npm-'));
    const npm = spawn('npm', ['run', '--silent', 'receiver'], {
      env: { ...process.env, CALLBACK_KEY: KEY, RECEIVER_PORT: '0', ...(await receiverEnv(dataDir)) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        npm.stdout.setEncoding('utf8').on('data', (c) => {
          out += c;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        void exited.then(() => reject(new Error(`npm run receiver exited: ${out}`)));
      });
      const nodes = descendants(npm.pid ?? 0).filter((p) => /(^|\/)node /.test(p.cmd));
      assert.equal(nodes.length, 1, nodes.map((p) => p.cmd).join('\n'));
      assert.match(nodes[0].cmd, /--import tsx server\/receiver\/main\.ts$/);
      assert.equal((await postCallback(url, signed(KEY, recordingNotification('npm-1')))).status, 200);
      npm.kill('SIGTERM'); // npm passes it on to the server
      await exited;
      assert.ok(await gone(nodes[0].pid), 'the server process outlived npm');
      await assert.rejects(fetch(`${url}/api/recordings`));
      assert.equal(await notificationCount(dataDir), 1);
    } finally {
      npm.kill('SIGKILL');
    }
  });

  test('SIGTERM with a live subscriber and a half-sent body in flight: exits 0, what was acknowledged is kept', async () => {
    const r = await startReceiver({ key: KEY });
    const sse = await SseReader.open(`${r.url}/api/recordings/events`);
    await sse.waitFor((m) => m.some((x) => x.event === 'ready'));
    assert.equal((await postCallback(r.url, signed(KEY, recordingNotification('kept-1')))).status, 200);
    const half = connect(Number(new URL(r.url).port), '127.0.0.1');
    half.on('error', () => undefined);
    half.write(
      'POST /callbacks/tencent HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"event_',
    );
    await new Promise((res) => setTimeout(res, 200));
    let answer = '';
    half.setEncoding('utf8').on('data', (c) => (answer += c));
    const code = await Promise.race([r.stop(), new Promise((res) => setTimeout(() => res('hung'), 15_000))]);
    sse.close();
    half.destroy();
    assert.equal(code, 0);
    // The half-sent request was answered "shutting down" rather than waited for (its body deadline is 10 s).
    assert.match(answer, /^HTTP\/1.1 503[\s\S]*SHUTTING_DOWN/);
    assert.equal(await notificationCount(r.dataDir), 1);
  });
});
