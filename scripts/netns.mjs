// A private network namespace in which WebRTC stacks built on libnice (Janus, GStreamer's webrtcbin) can use
// 127.0.0.1. libnice skips loopback interfaces, so in the host's namespace (or one with only `lo`) it gathers no
// candidate. Here the namespace gets, besides `lo`, a veth pair whose first end carries 127.0.0.1/32 (IPv6 off):
// libnice offers 127.0.0.1 on that interface, and the kernel still delivers 127.0.0.1 locally, so every packet
// stays on loopback. Nothing in the namespace can reach the outside (no route out): libnice's UPnP multicast goes
// nowhere. Needs root (ip netns). Chromium offers 127.0.0.1 candidates with --allow-loopback-in-peer-connection.
//
//   node scripts/netns.mjs run -- <cmd> [args…]   runs <cmd> inside a new namespace (stdio, env and cwd
//        inherited; RELAY_NETNS and RELAY_NETNS_IFACE set for it), removes the namespace after, exits with <cmd>'s
//        status. Inside an existing one (RELAY_NETNS set) it just runs <cmd>.
//        e.g. node scripts/netns.mjs run -- bash -c 'eval "$(node scripts/webrtc-lab.mjs --detach)"; npm test'
//   node scripts/netns.mjs --detach                creates one and prints shell lines: export RELAY_NETNS=…
//        RELAY_NETNS_IFACE=… NETNS_STOP_CMD=… (run things in it with: ip netns exec "$RELAY_NETNS" <cmd>)
//
// Servers started inside the namespace are reachable only from inside it: start everything a test talks to
// (PostgreSQL, the relay, Janus, Chromium) inside, e.g. `.ci/run` runs its whole test phase under `run`.
// Other scripts: `import { createNetns, insideNetns } from './netns.mjs'`.
import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Whether this process already runs inside a namespace made here. */
export function insideNetns() {
  return Boolean(process.env.RELAY_NETNS);
}

function ip(...args) {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Creates a namespace with `lo` up and a veth pair carrying 127.0.0.1/32. Returns its name, the interface libnice
 * should use (Janus's `ice_enforce_list`), the argv prefix that runs a command in it, and `remove()`.
 */
export function createNetns() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('a network namespace needs root (ip netns add); run as root or use the host network');
  }
  // Interface names are at most 15 characters; the pid plus a random suffix keeps parallel runs apart.
  const tag = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
  const name = `rwlab-${tag}`;
  const iface = `rwl${tag}a`.slice(0, 15);
  const peer = `rwl${tag}b`.slice(0, 15);
  ip('netns', 'add', name);
  try {
    ip('link', 'add', iface, 'netns', name, 'type', 'veth', 'peer', 'name', peer, 'netns', name);
    const inNs = (...args) => ip('netns', 'exec', name, ...args);
    inNs('ip', 'link', 'set', 'lo', 'up');
    inNs('sysctl', '-qw', `net.ipv6.conf.${iface}.disable_ipv6=1`, `net.ipv6.conf.${peer}.disable_ipv6=1`);
    inNs('ip', 'addr', 'add', '127.0.0.1/32', 'dev', iface);
    inNs('ip', 'link', 'set', iface, 'up');
    inNs('ip', 'link', 'set', peer, 'up');
  } catch (err) {
    try {
      ip('netns', 'del', name);
    } catch {
      /* already gone */
    }
    throw new Error(
      `could not set up network namespace ${name}: ${err.stderr?.toString().trim() || err.message}`,
    );
  }
  return {
    name,
    iface,
    /** argv prefix: [...prefix, cmd, ...args] runs cmd inside the namespace. */
    prefix: ['ip', 'netns', 'exec', name],
    env: { RELAY_NETNS: name, RELAY_NETNS_IFACE: iface },
    stopCommand: `ip netns del ${name}`,
    remove() {
      try {
        ip('netns', 'del', name);
      } catch {
        /* already gone */
      }
    },
  };
}

/** Runs argv in a fresh namespace (or directly when already inside one); resolves with its exit status. */
export function runInNetns(argv) {
  if (insideNetns()) return runChild(argv[0], argv.slice(1), process.env);
  const ns = createNetns();
  return runChild('ip', [...ns.prefix.slice(1), ...argv], { ...process.env, ...ns.env }).finally(() =>
    ns.remove(),
  );
}

function runChild(cmd, args, env) {
  return new Promise((res) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env });
    const forward = (signal) => child.kill(signal);
    for (const s of ['SIGINT', 'SIGTERM']) process.on(s, forward);
    child.once('exit', (code, signal) => {
      for (const s of ['SIGINT', 'SIGTERM']) process.off(s, forward);
      res(code ?? (signal ? 128 + 15 : 1));
    });
    child.once('error', (err) => {
      console.error(`netns: ${err.message}`);
      res(127);
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  try {
    if (args[0] === 'run') {
      const dash = args.indexOf('--');
      const argv = dash >= 0 ? args.slice(dash + 1) : args.slice(1);
      if (argv.length === 0) throw new Error('usage: node scripts/netns.mjs run -- <cmd> [args…]');
      process.exitCode = await runInNetns(argv);
    } else if (args.includes('--detach')) {
      const ns = createNetns();
      console.log(`export RELAY_NETNS=${ns.name}`);
      console.log(`export RELAY_NETNS_IFACE=${ns.iface}`);
      console.log(`export NETNS_STOP_CMD='${ns.stopCommand}'`);
    } else {
      throw new Error('usage: node scripts/netns.mjs run -- <cmd> [args…] | node scripts/netns.mjs --detach');
    }
  } catch (err) {
    console.error(`netns: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
