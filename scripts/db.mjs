// `npm run db`: a throwaway PostgreSQL cluster for the receiver, on 127.0.0.1, from Debian's `postgresql` package
// (PostgreSQL 15 binaries in /usr/lib/postgresql/<version>/bin, or PG_BIN). Prints the DATABASE_URL to give the
// receiver. PostgreSQL refuses to run as root: as root, the cluster is owned by and run as the `postgres` user.
//
//   npm run db                  cluster in data/postgres (kept between runs; as root, when the postgres user
//                               cannot reach it: $TMPDIR/relay-widgets-postgres), foreground on port 5433 (PGPORT);
//                               Ctrl-C stops it
//   npm run db -- --temp        cluster in a new temporary directory, removed on exit, on a free port
//   node scripts/db.mjs --detach   temporary cluster left running in the background (CI); prints shell lines:
//                               export RECEIVER_TEST_PG_URL=… and PG_STOP_CMD=… (stop it with: eval "$PG_STOP_CMD")
//
// Tests import `startCluster()` to get a private cluster when RECEIVER_TEST_PG_URL is not set.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of `initdb`, `pg_ctl` and `postgres`: PG_BIN, else the newest /usr/lib/postgresql/<v>/bin. */
export function pgBinDir() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed: apt-get install postgresql (or set PG_BIN to its bin directory).',
    );
  }
  return join(base, versions[0], 'bin');
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Who runs the PostgreSQL binaries: the `postgres` user when we are root, else ourselves. */
function owner() {
  if (!asRoot) return {};
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres']).toString());
  return { uid: id('-u'), gid: id('-g') };
}

function run(bin, args) {
  execFileSync(join(pgBinDir(), bin), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir(), ...owner() });
}

/** A port the OS says is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Whether the `postgres` user can reach `dir`'s parent (as root, a private checkout is often out of its reach). */
function reachable(dir) {
  if (!asRoot) return true;
  try {
    execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dirname(dir)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Creates the cluster in `dir` unless it exists (trust auth for the `postgres` superuser, loopback only). */
function initCluster(dir) {
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { uid, gid } = owner();
  if (uid !== undefined) chownSync(dir, uid, gid);
  run('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync']);
}

function serverArgs(dir, port) {
  // Durable as in production (fsync, synchronous_commit on): the bench and the crash tests measure the real thing.
  return [
    '-D',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=32MB',
  ];
}

/**
 * Initialises (if needed) and starts a cluster in `dir` (default: a new temporary directory, removed by `stop`)
 * on `port` (default: a free one). Resolves once it accepts connections, with the URL of its `postgres` database.
 */
export async function startCluster({ dir, port, detach = false } = {}) {
  const temporary = dir === undefined;
  const dataDir = resolve(dir ?? mkdtempSync(join(tmpdir(), 'receiver-pg-')));
  initCluster(dataDir);
  const p = port ?? (await freePort());
  const url = `postgres://postgres@127.0.0.1:${p}/postgres`;
  if (detach) {
    const logFile = join(dataDir, 'server.log');
    run('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      logFile,
      '-w',
      '-t',
      '60',
      '-o',
      serverArgs(dataDir, p).slice(2).join(' '),
      'start',
    ]);
    return { url, dataDir, stopCommand: stopCommandOf(dataDir, temporary) };
  }
  const proc = spawn(join(pgBinDir(), 'postgres'), serverArgs(dataDir, p), {
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: tmpdir(),
    ...owner(),
  });
  let log = '';
  proc.stderr.setEncoding('utf8').on('data', (c) => (log = (log + c).slice(-20_000)));
  const exited = new Promise((res) => proc.once('exit', res));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`postgres exited:\n${log}`);
    try {
      run('pg_isready', ['-h', '127.0.0.1', '-p', String(p), '-U', 'postgres', '-q']);
      break;
    } catch {
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`postgres did not start in 60 s:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    dataDir,
    proc,
    /** Fast shutdown (SIGINT), then removes a temporary cluster's files. */
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT');
      await exited;
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function stopCommandOf(dataDir, temporary) {
  const argv = [join(pgBinDir(), 'pg_ctl'), '-D', dataDir, '-m', 'fast', '-w', 'stop'];
  const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  const stop = (asRoot ? ['runuser', '-u', 'postgres', '--', ...argv] : argv).map(q).join(' ');
  return temporary ? `${stop}; rm -rf ${q(dataDir)}` : stop;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const temp = args.includes('--temp') || args.includes('--detach');
  let dir = temp ? undefined : resolve('data/postgres');
  // Run as root, the cluster belongs to the postgres user: keep it where that user can reach it.
  if (dir && !reachable(dir)) dir = join(tmpdir(), 'relay-widgets-postgres');
  const port = temp ? undefined : Number(process.env.PGPORT || 5433);
  try {
    if (args.includes('--detach')) {
      const c = await startCluster({ detach: true });
      const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
      console.log(`export RECEIVER_TEST_PG_URL=${q(c.url)}`);
      console.log(`export PG_STOP_CMD=${q(c.stopCommand)}`);
    } else {
      const c = await startCluster({ dir, port });
      console.log(`PostgreSQL ${pgBinDir()} running in ${c.dataDir}`);
      console.log(`DATABASE_URL=${c.url} npm run receiver`);
      console.log('Ctrl-C stops it.');
      for (const signal of ['SIGINT', 'SIGTERM'])
        process.once(signal, () => void c.stop().then(() => process.exit(0)));
    }
  } catch (err) {
    console.error(`db: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
