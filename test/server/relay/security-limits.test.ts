/**
 * Origins, request shapes and resource caps, tried as an abusive client would: each attack is refused with a
 * clear code and a stream that was already running keeps its ingest and its viewers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import {
  createAndPush,
  push,
  relayProcess,
  sleep,
  tempDir,
  waitFor,
  webmArgs,
  type Pusher,
} from './support.ts';
import { startServerProcess } from '../../support/server-process.mjs';
import {
  flvBytes,
  send,
  startSecureRelay,
  wsOutcome,
  type ErrorBody,
  type SecureRelay,
} from './security-support.ts';

type Created = { streamId: string; ingest: { url: string } };
type Info = { ingest: string; relay: unknown };

const execFileAsync = promisify(execFile);

/** Another loopback address: a second client IP for the per-client caps. */
const OTHER_IP = '127.0.0.2';

let relay: SecureRelay;
/** A stream that is pushing and relayed before any attack, and must be unharmed after each. */
let bystander: { streamId: string; pusher: Pusher; flv: string };

before(async () => {
  relay = await startSecureRelay(
    { allowedOrigins: ['http://allowed.test'] },
    {
      maxStreams: 8,
      maxStreamsPerIp: 5,
      maxIngests: 3,
      maxIngestsPerIp: 2,
      maxViewersPerIp: 3,
      createsPerMinute: 40,
      ingestIdleMs: 12_000,
      requestTimeoutMs: 1500,
      headersTimeoutMs: 1500,
    },
  );
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 120 });
  let started = await send<{ urls: { encode: string; url: string }[] }>(
    relay.base,
    'POST',
    `/api/streams/${streamId}/relay`,
    { body: { encode: 'flv' } },
  );
  for (let i = 0; started.status === 409 && i < 50; i += 1) {
    await sleep(200);
    started = await send(relay.base, 'POST', `/api/streams/${streamId}/relay`, { body: { encode: 'flv' } });
  }
  assert.equal(started.status, 200);
  bystander = { streamId, pusher, flv: started.body.urls[0].url };
});
after(async () => {
  await bystander?.pusher.stop();
  await relay.close();
});

/** The bystander still ingests, is still relayed and its viewers still get media. */
async function bystanderUnharmed(): Promise<void> {
  const info = await send<Info>(relay.base, 'GET', `/api/streams/${bystander.streamId}`);
  assert.equal(info.body.ingest, 'ingesting', JSON.stringify(info.body));
  assert.ok(info.body.relay);
  const got = await flvBytes(bystander.flv, 3000);
  assert.ok(got > 0, `bystander viewer starved: ${got} ${JSON.stringify(info.body)}`);
}

async function countStreams(ids: string[]): Promise<number> {
  let n = 0;
  for (const id of ids) if ((await send(relay.base, 'GET', `/api/streams/${id}`)).status === 200) n += 1;
  return n;
}

test('a page of another origin cannot create, relay, stop or delete, nor open the ingest socket', async () => {
  const evil = { origin: 'http://evil.test' };
  const id = bystander.streamId;
  const writes: [string, string, unknown?][] = [
    ['POST', '/api/streams', { streamId: 'evil_cam' }],
    ['POST', `/api/streams/${id}/relay`, { encode: 'hls', recordId: 666 }],
    ['DELETE', `/api/streams/${id}/relay`],
    ['DELETE', `/api/streams/${id}`],
  ];
  for (const [method, path, body] of writes) {
    const r = await send<ErrorBody>(relay.base, method, path, { body, headers: evil });
    assert.equal(r.status, 403, `${method} ${path}`);
    assert.equal(r.body.error.code, 'ORIGIN_NOT_ALLOWED');
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  }
  // a CORS-simple write (text/plain or no body at all: no preflight in a browser) is refused for everyone
  for (const [body, headers] of [
    ['{"streamId":"plain_cam"}', { 'content-type': 'text/plain' }],
    ['streamId=form_cam', { 'content-type': 'application/x-www-form-urlencoded' }],
    [undefined, {}],
  ] as [string | undefined, Record<string, string>][]) {
    const r = await send<ErrorBody>(relay.base, 'POST', '/api/streams', { body, headers });
    assert.equal(r.status, 415, JSON.stringify(headers));
    assert.equal(r.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
  }
  assert.equal(await countStreams(['evil_cam', 'plain_cam', 'form_cam']), 0);
  // the ingest socket checks Origin before anything else
  const created = await send<Created>(relay.base, 'POST', '/api/streams', { body: {} });
  const ws = await wsOutcome(created.body.ingest.url, { origin: 'http://evil.test' });
  assert.equal(ws.httpStatus, 403);
  const info = await send<Info>(relay.base, 'GET', `/api/streams/${created.body.streamId}`);
  assert.equal(info.body.ingest, 'waiting');
  // the relay's own origin and listed origins are welcome
  for (const origin of [relay.base, 'http://allowed.test']) {
    const r = await send(relay.base, 'POST', '/api/streams', { body: {}, headers: { origin } });
    assert.equal(r.status, 201, origin);
    assert.equal(r.headers['access-control-allow-origin'], origin);
    await send(relay.base, 'DELETE', `/api/streams/${(r.body as Created).streamId}`);
  }
  await send(relay.base, 'DELETE', `/api/streams/${created.body.streamId}`);
  await bystanderUnharmed();
});

test('per-client caps on streams, ingests and viewers answer 429/503 with a code; others still get in', async () => {
  const mine: string[] = [];
  const ingestUrls = new Map<string, string>();
  const create = async (from?: string) => {
    const r = await send<Created & ErrorBody>(relay.base, 'POST', '/api/streams', { body: {}, from });
    if (r.status === 201) ingestUrls.set(r.body.streamId, r.body.ingest.url);
    return r;
  };
  // 127.0.0.1 already holds the bystander: 4 more, then 429
  for (let i = 0; i < 4; i += 1) {
    const r = await create();
    assert.equal(r.status, 201);
    mine.push(r.body.streamId);
  }
  const over = await create();
  assert.equal(over.status, 429);
  assert.equal(over.body.error.code, 'STREAM_LIMIT');
  assert.match(over.body.error.message, /RELAY_MAX_STREAMS_PER_IP/);
  // another client still gets streams until the relay as a whole is full (8): then 503
  const other: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const r = await create(OTHER_IP);
    assert.equal(r.status, 201);
    other.push(r.body.streamId);
  }
  const full = await create(OTHER_IP);
  assert.equal(full.status, 503);
  assert.equal(full.body.error.code, 'STREAM_LIMIT');
  // ingests: the bystander is one of this client's 2
  const ingest1 = await push(ingestUrls.get(mine[0]) as string, { seconds: 20 });
  const second = await wsOutcome(ingestUrls.get(mine[1]) as string);
  assert.equal(second.code, 4429);
  assert.match(second.reason, /INGEST_LIMIT/);
  // viewers: 3 per client
  const viewers = await Promise.all([1, 2, 3, 4].map(() => flvBytes(bystander.flv, 3000)));
  assert.equal(viewers.filter((n) => n === -429).length, 1, JSON.stringify(viewers));
  assert.equal(viewers.filter((n) => n >= 0).length, 3, JSON.stringify(viewers));
  assert.ok((await flvBytes(bystander.flv, 3000, OTHER_IP)) > 0, 'another client could not watch');
  // giving back a stream frees its slot
  await ingest1.stop();
  for (const id of [...mine, ...other]) await send(relay.base, 'DELETE', `/api/streams/${id}`);
  const again = await create();
  assert.equal(again.status, 201);
  await send(relay.base, 'DELETE', `/api/streams/${again.body.streamId}`);
  await bystanderUnharmed();
});

test('a create flood is rate-limited per client and changes nothing else', async () => {
  const results = await Promise.all(
    Array.from({ length: 120 }, () =>
      send<ErrorBody>(relay.base, 'POST', '/api/streams', { body: {}, from: OTHER_IP }),
    ),
  );
  const limited = results.filter((r) => r.status === 429);
  assert.ok(limited.length >= 80, `only ${limited.length} of 120 refused`);
  assert.ok(limited.some((r) => r.body.error.code === 'RATE_LIMITED'));
  const created = results.filter((r) => r.status === 201);
  assert.ok(created.length <= 5, `${created.length} created`);
  for (const r of created)
    await send(relay.base, 'DELETE', `/api/streams/${(r.body as unknown as Created).streamId}`, {
      from: OTHER_IP,
    });
  await bystanderUnharmed();
});

test('slow bodies and slow headers are cut at the request timeout; nothing is created', async () => {
  const port = Number(new URL(relay.base).port);
  const opened = Array.from({ length: 20 }, (_, i) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now())));
    socket.write(
      i % 2
        ? 'POST /api/streams HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"streamId":'
        : 'GET /api/streams/x HTTP/1.1\r\nHost: x\r\n',
    );
    const drip = setInterval(() => socket.write(' '), 300); // keep trickling: an idle timer alone would not cut it
    return { closed, stop: () => clearInterval(drip), socket };
  });
  const t0 = Date.now();
  const closedAt = await Promise.all(opened.map((o) => o.closed));
  for (const o of opened) o.stop();
  const worst = Math.max(...closedAt) - t0;
  assert.ok(worst < 6000, `a slow request was held ${worst} ms`);
  assert.equal((await send(relay.base, 'GET', '/api/streams/x')).status, 404);
  await bystanderUnharmed();
});

test('a slow-drip ingest is closed (4408) though bytes keep arriving; a real push is not', async () => {
  // a real WebM stream (as MediaRecorder makes it), sent one byte at a time: valid, but it never decodes
  const webm = (
    await execFileAsync(
      'ffmpeg',
      webmArgs({ seconds: 1 }).map((a) => (a === 'pipe:1' ? '-' : a)),
      {
        encoding: 'buffer',
        maxBuffer: 1 << 24,
      },
    )
  ).stdout;
  const created = await send<Created>(relay.base, 'POST', '/api/streams', { body: {} });
  const ws = new WebSocket(created.body.ingest.url);
  ws.on('error', () => {});
  await new Promise((r) => ws.once('open', r));
  let sent = 0;
  const drip = setInterval(() => ws.send(webm.subarray(sent, ++sent)), 200);
  const t0 = Date.now();
  const { code } = await new Promise<{ code: number }>((r) => ws.once('close', (c) => r({ code: c })));
  clearInterval(drip);
  assert.equal(code, 4408);
  assert.ok(sent > 10, `only ${sent} drips`);
  assert.ok(Date.now() - t0 < 25_000);
  await waitFor(
    async () =>
      (await send<Info>(relay.base, 'GET', `/api/streams/${created.body.streamId}`)).body.ingest === 'ended',
    'the dripping ingest to end',
  );
  await bystanderUnharmed(); // pushing for longer than ingestIdleMs in real time, still alive
  await send(relay.base, 'DELETE', `/api/streams/${created.body.streamId}`);
});

test('an oversize ingest frame closes only that ingest (1009), without buffering it', async () => {
  const created = await send<Created>(relay.base, 'POST', '/api/streams', { body: {} });
  const outcome = await wsOutcome(created.body.ingest.url, {
    onOpen: (ws) => ws.send(Buffer.alloc(1024 * 1024 + 1)),
  });
  assert.equal(outcome.code, 1009);
  await bystanderUnharmed();
  await send(relay.base, 'DELETE', `/api/streams/${created.body.streamId}`);
});

test('the relay refuses to listen beyond loopback without a push key, and says why', async () => {
  const tmp = tempDir();
  try {
    await assert.rejects(
      startServerProcess({
        script: 'server/relay/main.ts',
        env: {
          RELAY_PORT: '0',
          RELAY_HOST: '0.0.0.0',
          RELAY_PUSH_KEY: '',
          RTMP_PORT: 'off',
          DATA_DIR: tmp.dir,
        },
        ready: /relay listening on (http:\/\/\S+)/,
      }),
      /refusing to listen on 0\.0\.0\.0 without RELAY_PUSH_KEY/,
    );
  } finally {
    tmp.remove();
  }
});

test('npm run relay runs node directly and exits 0 on SIGTERM', async () => {
  const pkg = (await import('../../../package.json', { with: { type: 'json' } })).default as {
    scripts: Record<string, string>;
  };
  assert.match(pkg.scripts.relay, /^(exec )?node --import tsx server\/relay\/main\.ts$/);
  const tmp = tempDir();
  try {
    const child = await relayProcess({ DATA_DIR: tmp.dir });
    const exited = new Promise<number | null>((r) => child.proc.once('exit', (code) => r(code)));
    child.proc.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    tmp.remove();
  }
});
