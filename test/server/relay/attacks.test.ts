/**
 * The attacks of issue 20, tried on the relay started the README way (`npm run relay` with a push key, a play key
 * and an origin list) in a child process, so a crash shows as a dead process rather than a failed test runner:
 * each must be refused, and the relay must keep serving a legitimate viewer afterwards.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, tempDir, waitFor } from './support.ts';
import {
  credQuery,
  flvBytes,
  send,
  liveRelayProcess,
  startSecureRelay,
  wsOutcome,
  type ErrorBody,
  type LiveRelayProcess,
} from './security-support.ts';

const PUSH_KEY = 'attack-push-key';
const PLAY_KEY = 'attack-play-key';
const PAGE = 'http://127.0.0.1:5999';
const STRANGER = 'https://stranger.example';
const ID = 's2';

let relay: LiveRelayProcess;
let server: LiveRelayProcess['server'];
let base: string;
let data: ReturnType<typeof tempDir>;
let flvUrl: string;
let q: string;

before(async () => {
  data = tempDir('relay-attacks-');
  // a finished recording of s2, as the relay leaves one
  mkdirSync(join(data.dir, 'recordings', ID), { recursive: true });
  writeFileSync(join(data.dir, 'recordings', ID, 'rec.flv'), Buffer.from('FLV\x01recorded'));
  relay = await liveRelayProcess({
    id: ID,
    pushKey: PUSH_KEY,
    playKey: PLAY_KEY,
    origin: PAGE,
    dataDir: data.dir,
    env: { LOG_LEVEL: 'info' },
  });
  ({ server, base, flvUrl, q } = relay);
});

after(async () => {
  await relay?.stop();
  data?.remove();
});

/** The relay process is alive and a signed viewer still gets the live FLV. */
async function stillServing(): Promise<void> {
  assert.equal(server.proc.exitCode, null, `the relay exited:\n${server.output().slice(-2000)}`);
  assert.equal(server.proc.signalCode, null);
  assert.ok((await flvBytes(flvUrl, 1500)) > 0, 'the legitimate viewer got no FLV');
}

/**
 * Sends a raw HTTP request with the path exactly as given (URL classes would normalise `%2e` and `..` away, as a
 * browser does; an attacker's client does not) and resolves with the status and the body.
 */
function raw(path: string, headers = ''): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    let text = '';
    const done = (): void => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    };
    socket.on('error', reject);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('end', done);
    socket.on('close', done);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n${headers}\r\n`);
  });
}

const UPGRADE = `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${Buffer.alloc(16, 1).toString('base64')}\r\nOrigin: ${STRANGER}\r\n`;

test('a WebSocket upgrade to a malformed ingest path is refused (400) and the relay keeps running', async () => {
  for (const path of ['/ingest/%ZZ', '/ingest/%C0%AE', '/ingest/a%2fb', '/ingest/%2e%2e', '/ingest/s2/../s2'])
    assert.equal((await raw(path, UPGRADE)).status, 400, path);
  // the same from a page: `new WebSocket('ws://…/ingest/%ZZ')` on another origin
  const ws = base.replace(/^http/, 'ws');
  assert.equal((await wsOutcome(`${ws}/ingest/%ZZ`, { origin: STRANGER })).httpStatus, 400);
  // `//` is no path of the relay's; an upgrade to it is answered, not left hanging, and crashes nothing
  assert.equal((await raw('//', UPGRADE)).status, 404);
  await stillServing();
});

test('oversized and invalid frames on a refused ingest close that socket only', async () => {
  const ws = base.replace(/^http/, 'ws');
  const big = await wsOutcome(`${ws}/ingest/nosuch?token=x`, {
    onOpen: (s) => s.send(Buffer.alloc(2 * 1024 * 1024)),
  });
  assert.ok([4403, 4404, 1009, 1006].includes(big.code), `closed with ${big.code}`);
  const invalid = await wsOutcome(`${ws}/ingest/${ID}?token=wrong`, {
    onOpen: (s) => {
      // a masked frame with the reserved opcode 0x3
      (s as unknown as { _socket: { write(b: Buffer): void } })._socket.write(
        Buffer.from([0x83, 0x80, 1, 2, 3, 4]),
      );
    },
  });
  assert.ok([4403, 1002, 1006].includes(invalid.code), `closed with ${invalid.code}`);
  await sleep(300); // an error the relay did not handle takes its process down on the next turn
  await stillServing();
});

test('the play key cannot be bypassed with another spelling of the path', async () => {
  const spellings = [
    '/live/%732.flv',
    '/live/%732.m3u8',
    '/live/s%32.flv',
    `/recordings/%2e/${ID}/rec.flv`,
    `/recordings//${ID}/rec.flv`,
    `/recordings/${ID}/%2e%2e/${ID}/rec.flv`,
    `/recordings/${ID}%2frec.flv`,
    `/recordings/%C0%AE/${ID}/rec.flv`,
    `/recordings/${ID}/./rec.flv`,
    '/live/%ZZ.flv',
    `/recordings/${ID}/../${ID}/rec.flv`,
  ];
  for (const path of spellings) {
    const r = await raw(path);
    assert.equal(r.status, 400, `${path} → ${r.status}`);
    assert.equal((JSON.parse(r.body) as ErrorBody).error.code, 'BAD_PATH', path);
  }
  // the canonical spellings still need the key, and play with it
  assert.equal((await send(base, 'GET', `/live/${ID}.flv`)).status, 403);
  assert.equal((await send(base, 'GET', `/recordings/${ID}/rec.flv`)).status, 403);
  assert.equal((await send(base, 'GET', `/recordings/${ID}/rec.flv${credQuery(PLAY_KEY, ID)}`)).status, 200);
  assert.equal((await raw('/live/%2573%2532.flv')).status, 404); // decodes to "%s2.flv": no stream
  await stillServing();
});

test('refused creates from one client do not use up the budget of a pusher with a valid credential', async () => {
  const refused = await Promise.all(
    Array.from({ length: 35 }, () =>
      send<ErrorBody>(base, 'POST', '/api/streams', { body: { streamId: 'x' } }),
    ),
  );
  assert.ok(
    refused.every((r) => r.status === 403 || r.status === 429),
    refused.map((r) => r.status).join(),
  );
  assert.ok(
    refused.some((r) => r.status === 429),
    'the refused client itself is rate-limited',
  );
  const id = 'pusher2';
  const q2 = credQuery(PUSH_KEY, id);
  const created = await send<ErrorBody>(base, 'POST', `/api/streams${q2}`, { body: { streamId: id } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal((await send(base, 'DELETE', `/api/streams/${id}${q2}`)).status, 200);
});

test('an unknown stream and someone else’s stream get the same ingest refusal', async () => {
  const ws = base.replace(/^http/, 'ws');
  const unknown = await wsOutcome(`${ws}/ingest/nosuch?token=x&${credQuery(PUSH_KEY, 'nosuch').slice(1)}`);
  const foreign = await wsOutcome(`${ws}/ingest/${ID}?token=x&${credQuery(PUSH_KEY, ID).slice(1)}`);
  assert.deepEqual(unknown, foreign);
  assert.equal(unknown.code, 4403);
});

test('play outputs are readable from any origin; the control API keeps its origin list', async () => {
  const flv = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const ws = new URL(flvUrl);
    const socket = connect(Number(ws.port), ws.hostname);
    let text = '';
    socket.on('error', reject);
    socket.on('data', (d) => {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.destroy();
      const headers: Record<string, unknown> = {};
      for (const line of text.slice(0, end).split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve(headers);
    });
    socket.write(
      `GET ${ws.pathname}${ws.search} HTTP/1.1\r\nHost: ${ws.host}\r\nOrigin: ${STRANGER}\r\nConnection: close\r\n\r\n`,
    );
  });
  assert.equal(flv['access-control-allow-origin'], '*');
  const rec = await send(base, 'GET', `/recordings/${ID}/rec.flv${credQuery(PLAY_KEY, ID)}`, {
    headers: { origin: STRANGER },
  });
  assert.equal(rec.status, 200);
  assert.equal(rec.headers['access-control-allow-origin'], '*');
  // a refusal on a play output is readable too (the page learns it needs a key)
  const noKey = await send<ErrorBody>(base, 'GET', `/live/${ID}.flv`, { headers: { origin: STRANGER } });
  assert.equal(noKey.status, 403);
  assert.equal(noKey.headers['access-control-allow-origin'], '*');
  const preflight = await send(base, 'OPTIONS', `/live/${ID}.m3u8`, {
    headers: {
      origin: STRANGER,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'range',
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], '*');
  assert.match(String(preflight.headers['access-control-allow-headers']), /range/i);
  // the control API: no `*`, refusal names ALLOWED_ORIGINS
  const write = await send<ErrorBody>(base, 'POST', `/api/streams${credQuery(PUSH_KEY, 'x9')}`, {
    body: { streamId: 'x9' },
    headers: { origin: STRANGER },
  });
  assert.equal(write.status, 403);
  assert.equal(write.body.error.code, 'ORIGIN_NOT_ALLOWED');
  assert.match(write.body.error.message, /ALLOWED_ORIGINS/);
  assert.equal(write.headers['access-control-allow-origin'], undefined);
  const read = await send(base, 'GET', `/api/streams/${ID}${q}`, { headers: { origin: STRANGER } });
  assert.equal(read.headers['access-control-allow-origin'], undefined);
  const listed = await send(base, 'GET', `/api/streams/${ID}${q}`, { headers: { origin: PAGE } });
  assert.equal(listed.headers['access-control-allow-origin'], PAGE);
});

test('the relay logs no credential: no txSecret, no ingest token', async () => {
  const secret = new URL(flvUrl).searchParams.get('txSecret') ?? '';
  assert.ok(secret.length > 0);
  await flvBytes(flvUrl, 300);
  await send(base, 'GET', `/api/streams/${ID}${q}`);
  await waitFor(() => server.output().includes('incoming request'), 'a request log line', 5000);
  const log = server.output();
  const pushSecret = new URLSearchParams(q.slice(1)).get('txSecret') ?? '';
  assert.ok(!log.includes(secret), 'a play txSecret was logged');
  assert.ok(!log.includes(pushSecret), 'a push txSecret was logged');
  assert.doesNotMatch(log, /token=[0-9a-f]{8}/);
});

test('behind a trusted reverse proxy each client has its own budget; without RELAY_TRUST_PROXY the header is ignored', async () => {
  // 4 refused creates from client A (3 a minute), then one from client B: what B gets
  const budgetOfB = async (trustProxy: number): Promise<number> => {
    const r = await startSecureRelay({ trustProxy, pushKey: PUSH_KEY }, { createsPerMinute: 3 });
    const create = (client: string) =>
      send(r.base, 'POST', '/api/streams', {
        body: { streamId: 'p1' },
        headers: { 'x-forwarded-for': client },
      });
    try {
      const a = await Promise.all(Array.from({ length: 4 }, () => create('203.0.113.7')));
      assert.deepEqual(a.map((x) => x.status).sort(), [403, 403, 403, 429]);
      return (await create('203.0.113.8')).status;
    } finally {
      await r.close();
    }
  };
  assert.equal(await budgetOfB(1), 403, 'another client behind the proxy was rate-limited');
  assert.equal(await budgetOfB(0), 429, 'a spoofed X-Forwarded-For bought a new budget');
});
