/**
 * The local relay under an abusive client at its caps: does a legitimate push still start, and does a legitimate
 * viewer still get real-time playback? Same run, same relay settings (the defaults of `server/relay/streams/limits.ts`),
 * once without and once with the abuser; the ratios say what the abuse costs the legitimate user.
 *
 * The abuser (from 127.0.0.2, so it is "another client") holds as much as the relay lets one client hold: its
 * 2 ingests with real media (2 transcoders), a relay with an MP4 recording on each, 20 HTTP-FLV viewers, as many
 * streams as it may create; meanwhile it floods stream creation (2 requests in flight, back to back) and keeps
 * 30 connections trickling request bodies.
 * The legitimate user (127.0.0.1) creates a stream, pushes a 320x240@15 test source and starts an FLV relay (time
 * measured), then a viewer decodes the FLV for 20 s (frames per second delivered, measured after the first frame).
 *
 * Usage: node bench/run.mjs relay-abuse [rounds=2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { WebSocket } from 'ws';
import { push, relayProcess, tempDir } from '../test/server/relay/support.ts';
import { flvBytes, send } from '../test/server/relay/security-support.ts';
import { webmArgs } from '../server/relay/test-source.ts';

const ABUSER = '127.0.0.2';
const VIEW_SECONDS = 20;
const FPS = 15;

type Created = { streamId: string; ingest: { url: string } };
type Started = { urls: { encode: string; url: string }[] };

async function startRelay(
  base: string,
  id: string,
  body: unknown,
  from?: string,
): Promise<{ status: number; body: Started }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await send<Started>(base, 'POST', `/api/streams/${id}/relay`, { body, from });
    if (r.status !== 409 || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** A pusher from `from` (the test source's WebM over the ingest socket). */
function pushFrom(url: string, from: string): { stop(): void; closed: Promise<number> } {
  const ws = new WebSocket(url, { localAddress: from });
  ws.on('error', () => {});
  const ff = spawn('ffmpeg', webmArgs({ seconds: 600 }), { stdio: ['ignore', 'pipe', 'ignore'] });
  ff.stdout.on('data', (c: Buffer) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(c);
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  return {
    closed,
    stop() {
      ff.kill('SIGKILL');
      ws.terminate();
    },
  };
}

interface Abuser {
  held: Record<string, number>;
  refused: Record<string, number>;
  stop(): void;
}

/** `media`: also hold its ingests (real media, one transcoder each) and relays; otherwise only the HTTP abuse. */
async function abuse(base: string, media: boolean): Promise<Abuser> {
  const held: Record<string, number> = { streams: 0, ingests: 0, relays: 0, viewers: 0 };
  const refused: Record<string, number> = {};
  const count = (code: string): void => void (refused[code] = (refused[code] ?? 0) + 1);
  const stoppers: (() => void)[] = [];
  const ids: { id: string; url: string }[] = [];
  for (;;) {
    const r = await send<Created & { error?: { code: string } }>(base, 'POST', '/api/streams', {
      body: {},
      from: ABUSER,
    });
    if (r.status !== 201) {
      count(`create ${r.status} ${r.body.error?.code}`);
      break;
    }
    held.streams += 1;
    ids.push({ id: r.body.streamId, url: r.body.ingest.url });
  }
  for (const { id, url } of media ? ids.slice(0, 3) : []) {
    const p = pushFrom(url, ABUSER);
    stoppers.push(p.stop);
    const code = await Promise.race([p.closed, new Promise<number>((r) => setTimeout(() => r(0), 1500))]);
    if (code) count(`ingest close ${code}`);
    else {
      held.ingests += 1;
      const started = await startRelay(base, id, { encode: 'flv', recordFileTypes: ['mp4'] }, ABUSER);
      if (started.status === 200) held.relays += 1;
      else count(`relay ${started.status}`);
    }
  }
  const flv = `${base}/live/${ids[0].id}.flv`;
  for (let i = 0; i < 21; i += 1) {
    void flvBytes(flv, 10 * 60_000, ABUSER).then((n) => {
      if (n < 0) count(`viewer ${-n}`);
    });
  }
  held.viewers = 20;
  // create flood, as fast as answers come back (2 in flight)
  let flooding = true;
  const flood = async (): Promise<void> => {
    while (flooding) {
      const r = await send<{ error?: { code: string } }>(base, 'POST', '/api/streams', {
        body: {},
        from: ABUSER,
      }).catch(() => null);
      if (r) count(`flood ${r.status} ${r.body.error?.code ?? ''}`.trim());
      else await new Promise((res) => setTimeout(res, 10)); // connection refused: the per-client cap
    }
  };
  for (let i = 0; i < 2; i += 1) void flood();
  // 30 connections that trickle a request body, reopened whenever the relay cuts them
  const port = Number(new URL(base).port);
  const sockets = new Set<Socket>();
  const slow = (): void => {
    if (!flooding) return;
    const s = connect({ port, host: '127.0.0.1', localAddress: ABUSER });
    sockets.add(s);
    s.on('error', () => {});
    s.write(
      'POST /api/streams HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const t = setInterval(() => s.write(' '), 500);
    s.once('close', () => {
      clearInterval(t);
      sockets.delete(s);
      count('slow body cut');
      setTimeout(slow, 100);
    });
  };
  for (let i = 0; i < 30; i += 1) slow();
  return {
    held,
    refused,
    stop() {
      flooding = false;
      for (const s of sockets) s.destroy();
      for (const stop of stoppers) stop();
    },
  };
}

/** Decodes `url` to tiny gray frames; frames per second over VIEW_SECONDS after the first one. */
function viewFps(url: string): Promise<number> {
  return new Promise((resolve) => {
    // prettier-ignore
    const ff: ChildProcess = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', url, '-map', '0:v',
      '-vf', 'scale=32:24', '-fps_mode', 'passthrough', '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    let firstAt = 0;
    ff.stdout?.on('data', (c: Buffer) => {
      if (!firstAt) {
        firstAt = Date.now();
        setTimeout(() => {
          ff.kill('SIGKILL');
          resolve(bytes / (32 * 24) / VIEW_SECONDS);
        }, VIEW_SECONDS * 1000);
        return;
      }
      bytes += c.length;
    });
    ff.on('exit', () => {
      if (!firstAt) resolve(0);
    });
  });
}

async function legitimate(base: string): Promise<{ startMs: number; fps: number; status: number }> {
  const t0 = Date.now();
  const created = await send<Created>(base, 'POST', '/api/streams', { body: {} });
  if (created.status !== 201) return { startMs: NaN, fps: 0, status: created.status };
  const pusher = await push(created.body.ingest.url, { seconds: 120, fps: FPS });
  try {
    const started = await startRelay(base, created.body.streamId, { encode: 'flv' });
    const startMs = Date.now() - t0;
    if (started.status !== 200) return { startMs, fps: 0, status: started.status };
    const fps = await viewFps(started.body.urls[0].url);
    return { startMs, fps, status: 200 };
  } finally {
    await pusher.stop();
  }
}

async function run(
  withAbuser: false | 'http' | 'full',
): Promise<{ startMs: number; fps: number; status: number; abuser?: Abuser }> {
  const tmp = tempDir('relay-abuse-');
  const relay = await relayProcess({ DATA_DIR: tmp.dir, LOG_LEVEL: 'error' });
  try {
    const abuser = withAbuser ? await abuse(relay.base, withAbuser === 'full') : undefined;
    if (abuser) await new Promise((r) => setTimeout(r, 3000)); // let it settle at its caps
    const result = await legitimate(relay.base);
    abuser?.stop();
    return { ...result, abuser };
  } finally {
    await relay.stop();
    tmp.remove();
  }
}

const ROUNDS = Number(process.argv[2] ?? 2);
type Result = Awaited<ReturnType<typeof run>>;
const results: Record<'baseline' | 'http' | 'full', Result[]> = { baseline: [], http: [], full: [] };
// Interleaved rounds: the machine is shared, so its load drifts during a run; medians over the rounds.
for (let i = 0; i < ROUNDS; i += 1) {
  results.baseline.push(await run(false));
  results.http.push(await run('http'));
  results.full.push(await run('full'));
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
console.log(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (other work shares this machine)`,
);
console.log(
  `source: ${FPS} fps; viewer measured for ${VIEW_SECONDS} s after its first frame; ${ROUNDS} interleaved rounds`,
);
const base = results.baseline;
for (const [name, rs] of [
  ['no abuser', base],
  ['HTTP abuse only (no media)', results.http],
  ['full abuse (at every cap)', results.full],
] as const) {
  const start = median(rs.map((r) => r.startMs));
  const fps = median(rs.map((r) => r.fps));
  const ratio =
    rs === base
      ? ''
      : `; ratio to no abuser: start ${(start / median(base.map((r) => r.startMs))).toFixed(2)}, fps ${(fps / median(base.map((r) => r.fps))).toFixed(2)}`;
  console.log(
    `${name}: push+relay start ${start} ms, viewer ${fps.toFixed(2)} fps (runs: ${rs.map((r) => `${r.startMs} ms/${r.fps.toFixed(1)} fps/HTTP ${r.status}`).join(', ')})${ratio}`,
  );
}
const last = results.full[results.full.length - 1].abuser;
console.log(`abuser held: ${JSON.stringify(last?.held)}`);
console.log(`abuser refused: ${JSON.stringify(last?.refused)}`);
process.exit(0);
