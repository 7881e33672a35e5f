// The WebRTC lab: software we did not write, for interop tests. Debian's Janus 1.1.2 with Meetecho's WHIP server
// (simple-whip-server, Debian's package unpacked: its .deb depends on Debian's nodejs, which conflicts with
// NodeSource's) and WHEP server (janus-whep-server, npm), all in a network namespace of their own together with
// the command given, e.g. the lab's browser tests:
//
//   node scripts/webrtc-lab.mjs [--] <command…>       (as root; `npm run test:lab` runs the lab's tests)
//
// Why a namespace: libnice (Janus's ICE) skips loopback interfaces, so on a machine's `lo` Janus has no candidate
// to offer. In the namespace a veth pair carries 127.0.0.1/32 too, Janus gathers on it (`ice_enforce_list`), and
// every packet still goes to 127.0.0.1 (webrtc-field-notes.md; the namespace is scripts/netns.mjs's, the same the
// relay's GStreamer test runs in). Nothing leaves the namespace.
//
// Wiring (one stream, endpoint id `lab`): WHIP publisher → simple-whip-server → Janus VideoRoom room 1234 (H.264
// 42e01f + Opus) → `rtp_forward` to 127.0.0.1:5004/5002 → Janus Streaming mountpoint 1 → janus-whep-server →
// WHEP viewers. The command gets JANUS_WHIP_URL and JANUS_WHEP_URL (and JANUS_WHIP_TOKEN, the Bearer the WHIP
// endpoint requires). Janus's API (WebSocket 8188) and both HTTP servers listen on 127.0.0.1 inside the namespace.
//
// The servers' npm dependencies are installed once into node_modules/.cache/webrtc-lab (pinned versions).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetns } from './netns.mjs';

const root = new URL('..', import.meta.url).pathname;
const cache = join(root, 'node_modules/.cache/webrtc-lab');
const WHIP_PORT = 7080;
const WHEP_PORT = 7090;
const TOKEN = 'lab-whip-token';

const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
if (args.length === 0) {
  console.error('usage: node scripts/webrtc-lab.mjs [--] <command…>');
  process.exit(2);
}

/** Without what it needs the lab fails in CI, and outside CI says loudly that its tests were skipped. */
function need(cond, why) {
  if (cond) return;
  if (process.env.CI) {
    console.error(`webrtc-lab: ${why}`);
    process.exit(1);
  }
  console.error(`webrtc-lab: SKIPPED the interop tests against Janus: ${why}.`);
  process.exit(0);
}
need(process.getuid?.() === 0, 'needs root (a network namespace of its own)');
need(existsSync('/usr/bin/janus'), 'needs Debian\'s janus package (apt-get install -y janus)');

const sh = (cmd, a, opts = {}) => execFileSync(cmd, a, { stdio: ['ignore', 'pipe', 'inherit'], ...opts });

/** simple-whip-server (Debian .deb, unpacked) and janus-whep-server + the WHIP server's deps, once. */
function ensureServers() {
  const whipSrc = join(cache, 'whip/usr/share/simple-whip-server/src/server.js');
  if (!existsSync(whipSrc)) {
    mkdirSync(join(cache, 'deb'), { recursive: true });
    console.error('webrtc-lab: fetching simple-whip-server (Debian)');
    try {
      sh('apt-get', ['download', 'simple-whip-server'], { cwd: join(cache, 'deb') });
    } catch {
      sh('apt-get', ['update', '-qq']);
      sh('apt-get', ['download', 'simple-whip-server'], { cwd: join(cache, 'deb') });
    }
    const deb = readdirSync(join(cache, 'deb')).find((f) => f.endsWith('.deb'));
    sh('dpkg-deb', ['-x', join(cache, 'deb', deb), join(cache, 'whip')]);
  }
  if (!existsSync(join(cache, 'node_modules/janus-whep-server'))) {
    console.error('webrtc-lab: installing the servers\' npm dependencies');
    writeFileSync(join(cache, 'package.json'), '{"private":true}\n');
    sh(
      'npm',
      [
        'install', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', cache,
        'express@4.21.2', 'cors@2.8.5', 'colors@1.4.0', 'debug@4.4.0', 'websocket@1.0.35', 'async@3.2.6',
        'body-parser@1.20.3', 'janus-whep-server@1.1.0',
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
  }
  return whipSrc;
}

function janusConfig(dir) {
  const lib = '/usr/lib/x86_64-linux-gnu/janus';
  const files = {
    'janus.jcfg': `general: {
  configs_folder = "${dir}"
  plugins_folder = "${lib}/plugins"
  transports_folder = "${lib}/transports"
  events_folder = "${lib}/events"
  loggers_folder = "${lib}/loggers"
  debug_level = 4
  session_timeout = 60
}
certificates: {}
media: { rtp_port_range = "20000-20999" }
nat: {
  ice_enforce_list = "${ns.iface}"
  ice_ipv6 = false
  nice_debug = false
}
plugins: { disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so" }
transports: { disable = "libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so" }
events: { broadcast = false }
loggers: { disable = "libjanus_jsonlog.so" }
`,
    'janus.transport.websockets.jcfg': `general: {
  json = "compact"
  ws = true
  ws_port = 8188
  ws_ip = "127.0.0.1"
  wss = false
}
admin: { admin_ws = false admin_wss = false }
`,
    'janus.plugin.videoroom.jcfg': `general: {}
room-1234: {
  description = "webrtc-lab"
  publishers = 2
  bitrate = 2000000
  fir_freq = 1
  audiocodec = "opus"
  videocodec = "h264"
  h264_profile = "42e01f"
}
`,
    // Janus 1.1.2's Streaming plugin answers a viewer's offer with the mountpoint's own payload types, whatever the
    // offer said: the video \`pt\` must be the one browsers offer for H.264 42e01f packetization-mode 1 (108 in
    // Chromium 156; 111 is Opus everywhere), or the browser reads the H.264 as the codec it put on that number.
    'janus.plugin.streaming.jcfg': `general: {}
lab: {
  type = "rtp"
  id = 1
  description = "webrtc-lab"
  media = (
    { type = "video" mid = "v" port = 5004 rtcpport = 5005 pt = 108 codec = "h264" fmtp = "profile-level-id=42e01f;packetization-mode=1" },
    { type = "audio" mid = "a" port = 5002 pt = 111 codec = "opus" }
  )
}
`,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

const children = [];
/** The lab's network namespace (scripts/netns.mjs), once made. */
let ns = null;
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGKILL');
  try {
    ns?.remove();
  } catch {
    /* already gone */
  }
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => (cleanup(), process.exit(130)));

/** Starts `cmd` in the namespace; resolves when a line of its output matches `ready`. */
function startIn(name, cmd, a, ready, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', NS, cmd, ...a], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let log = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${log.slice(-3000)}`)), 20000);
    const onData = (d) => {
      log += d;
      if (process.env.WEBRTC_LAB_DEBUG) process.stderr.write(`[${name}] ${d}`);
      if (ready.test(log)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${log.slice(-3000)}`));
    });
  });
}

const whipSrc = ensureServers();
// the namespace where libnice (Janus) has a 127.0.0.1 candidate: scripts/netns.mjs
ns = createNetns();
const NS = ns.name;
const inNs = (...a) => sh('ip', ['netns', 'exec', NS, ...a]);

const work = mkdtempSync(join(tmpdir(), 'webrtc-lab-'));
let status = 1;
try {
  janusConfig(work);
  await startIn('janus', 'janus', ['-F', work, '-C', join(work, 'janus.jcfg')], /WebSockets thread started/i);
  // the WHIP server reads ./config.js next to its sources (in the package, a link to /etc/simple-whip-server)
  rmSync(join(whipSrc, '../config.js'), { force: true });
  writeFileSync(
    join(whipSrc, '../config.js'),
    `module.exports = { janus: { address: 'ws://127.0.0.1:8188', multistream: true }, port: ${WHIP_PORT}, rest: '/whip', allowTrickle: true, strictETags: false, iceServers: [] };\n`,
  );
  await startIn('whip', process.execPath, [whipSrc], /WHIP REST API listening/, {
    NODE_PATH: join(cache, 'node_modules'),
    DEBUG: 'janus:info,janus:error,whip:info,whip:error',
  });
  await startIn('whep', process.execPath, [join(root, 'scripts/webrtc-lab-whep.mjs'), String(WHEP_PORT)], /WHEP ready/, {
    NODE_PATH: join(cache, 'node_modules'),
  });
  // the WHIP endpoint, forwarding to the Streaming mountpoint the WHEP endpoint serves
  const body = JSON.stringify({
    id: 'lab',
    room: 1234,
    token: TOKEN,
    label: 'lab',
    recipient: { host: '127.0.0.1', audioPort: 5002, videoPort: 5004, videoRtcpPort: 5005 },
  });
  const created = inNs(
    process.execPath,
    '-e',
    `fetch('http://127.0.0.1:${WHIP_PORT}/whip/create', { method: 'POST', headers: { 'content-type': 'application/json' }, body: process.argv[1] }).then((r) => console.log(r.status))`,
    body,
  )
    .toString()
    .trim();
  if (created !== '200') throw new Error(`creating the WHIP endpoint answered ${created}`);
  const cmd = spawn('ip', ['netns', 'exec', NS, ...args], {
    stdio: 'inherit',
    env: {
      ...process.env,
      JANUS_WHIP_URL: `http://127.0.0.1:${WHIP_PORT}/whip/endpoint/lab`,
      JANUS_WHIP_TOKEN: TOKEN,
      JANUS_WHEP_URL: `http://127.0.0.1:${WHEP_PORT}/whep/endpoint/lab`,
    },
  });
  status = await new Promise((r) => cmd.on('exit', (code, sig) => r(code ?? (sig ? 1 : 0))));
} catch (err) {
  console.error(`webrtc-lab: ${err.message}`);
} finally {
  cleanup();
  rmSync(work, { recursive: true, force: true });
}
process.exit(status);
