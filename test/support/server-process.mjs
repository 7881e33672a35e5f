// The one way tests start a server script of this project as a child process (`node --import tsx <script>`),
// wait for the line it prints once it listens, and stop it. Used by the Node tests (relay, receiver, demo) and
// by the web-test-runner plugins. Not a dev-server plugin (its name does not end in .plugin.mjs).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: scripts are resolved against it unless `cwd` says otherwise. */
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Spawns `script` under tsx and resolves once a stdout line matches `ready` (the URL is its first group, without a
 * trailing slash). Rejects — after killing the child — if it exits first or does not get ready in `timeoutMs`; the
 * error names the script and carries what it printed.
 */
export async function startServerProcess({
  script,
  name = script,
  env = {},
  cwd = root,
  ready = /listening on (http:\/\/\S+)/,
  timeoutMs = 30_000,
  stderr = 'pipe',
  keepOutput = 100_000,
  killAfterMs,
}) {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', stderr],
  });
  const exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  let log = '';
  const capture = (chunk) => (log = (log + chunk).slice(-keepOutput));
  proc.stdout.setEncoding('utf8').on('data', capture);
  proc.stderr?.setEncoding('utf8').on('data', capture);

  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const kill = async (signal = 'SIGKILL') => {
    if (alive()) proc.kill(signal);
    return exited;
  };
  const stop = async () => {
    if (!alive()) return exited;
    proc.kill('SIGTERM');
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => kill('SIGKILL'), killAfterMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new Error(`${name} did not start in ${timeoutMs / 1000} s:\n${log}`)),
        timeoutMs,
      );
      proc.stdout.on('data', function onData(chunk) {
        out += chunk;
        const m = ready.exec(out);
        if (!m) return;
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        resolve((m[1] ?? '').replace(/\/$/, ''));
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? proc.signalCode}) before it listened:\n${log}`));
      });
    });
  } catch (err) {
    await kill();
    throw err;
  }
  return { url, proc, exited, output: () => log, stop, kill };
}
