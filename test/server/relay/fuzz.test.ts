/**
 * Property-based fuzzing (fast-check) of everything the relay parses from a stranger: every HTTP route, the
 * WebSocket upgrade, WebSocket frames on the ingest, and the RTMP port. Each case is hostile bytes from another
 * client; after each one the relay process must be alive and a legitimate viewer of a live stream must still be
 * receiving it; at the end, that viewer must have played at real time throughout. `FUZZ_RUNS` scales the number
 * of cases (default 1 = about 1100 cases, under a minute on a quiet machine).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FUZZER_IP,
  PAGE,
  PLAY_KEY,
  PUSH_KEY,
  STREAM,
  rawExchange,
  startFuzzRelay,
  type FuzzRelay,
} from './fuzz-support.ts';
import { credQuery } from './security-support.ts';

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));
let relay: FuzzRelay;
let port: number;
let cases = 0;

before(async () => {
  relay = await startFuzzRelay();
  port = Number(new URL(relay.base).port);
});
after(async () => {
  await relay?.stop();
});

// ---------- building blocks ----------

/** Path pieces that have broken path handling somewhere: encodings, dot segments, slashes, overlong UTF-8. */
const hostilePiece = fc.constantFrom(
  '%',
  '%Z',
  '%ZZ',
  '%2',
  '%2e',
  '%2E',
  '%2f',
  '%2F',
  '%5c',
  '%00',
  '%0a',
  '%C0%AE',
  '%C0%AF',
  '%E0%80%AE',
  '%F0%80%80%AE',
  '%ED%A0%80',
  '%FF',
  '%25',
  '%252e',
  '..',
  '.',
  '/',
  '//',
  '\\',
  ';',
  '~',
  '%73',
  's2',
  STREAM,
  `${STREAM}.flv`,
  `${STREAM}.m3u8`,
  'seg1.ts',
  'x'.repeat(70),
  '%u002e',
  '\u00e9',
  '\u{1F600}',
  '*',
  '?',
  '#',
);
const segment = fc.oneof(
  hostilePiece,
  fc.stringMatching(/^[A-Za-z0-9_.~%-]{0,12}$/),
  fc.array(hostilePiece, { maxLength: 4 }).map((a) => a.join('')),
);
const prefix = fc.constantFrom(
  '/api/streams',
  `/api/streams/${STREAM}`,
  `/api/streams/${STREAM}/relay`,
  '/api/streams/x/relay',
  '/live/',
  `/live/${STREAM}.flv`,
  `/live/${STREAM}.m3u8`,
  `/live/${STREAM}/`,
  '/recordings/',
  `/recordings/${STREAM}/`,
  '/ingest/',
  `/ingest/${STREAM}`,
  '/',
  '//',
  '',
);
const path = fc
  .tuple(prefix, fc.array(segment, { maxLength: 4 }))
  .map(([p, segs]) => (p + segs.join('/')).replace(/[\s]/g, '') || '/');
const query = fc.oneof(
  fc.constant(''),
  fc.constant(credQuery(PLAY_KEY, STREAM)),
  fc.constant(credQuery(PUSH_KEY, STREAM)),
  fc.constant(credQuery(PUSH_KEY, 's2')),
  fc
    .array(fc.tuple(fc.constantFrom('txSecret', 'txTime', 'token', 'a', '', '%', 'txSecret[]'), segment), {
      maxLength: 4,
    })
    .map((kv) => `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`),
);
const header = fc.oneof(
  fc.constantFrom(
    `Origin: ${PAGE}`,
    'Origin: https://evil.example',
    'Origin: null',
    'Content-Type: application/json',
    'Content-Type: text/plain',
    'Content-Type: application/json; charset=utf-8',
    'Content-Type: multipart/form-data',
    'X-Forwarded-For: 127.0.0.1',
    'Range: bytes=0-10',
    'Range: bytes=-5',
    'Range: bytes=99999999999-',
    'Transfer-Encoding: chunked',
    'Expect: 100-continue',
    'Content-Length: 5',
    'Content-Length: -1',
    'Host: evil.example',
    'Connection: Upgrade',
    'Upgrade: websocket',
  ),
  fc
    .tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), fc.stringMatching(/^[ -~]{0,40}$/))
    .map(([k, v]) => `${k}: ${v}`),
);
const body = fc.oneof(
  fc.constant(''),
  fc.json(),
  fc.constantFrom(
    '{"streamId":"x"}',
    '{"streamId":{"$gt":""}}',
    '{"encode":"flv","recordFileTypes":["mp4"]}',
    '{',
    '[]',
    'null',
    '{"__proto__":{"a":1}}',
  ),
  fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b).toString('latin1')),
);
const method = fc.constantFrom(
  'GET',
  'HEAD',
  'POST',
  'DELETE',
  'OPTIONS',
  'PUT',
  'PATCH',
  'TRACE',
  'CONNECT',
  'GeT',
  'XYZ',
);

/** One HTTP/1.1 request as raw bytes. */
function httpRequestBytes(
  m: string,
  target: string,
  headers: string[],
  payload: string,
  lie: boolean,
): Buffer {
  const bytes = Buffer.from(payload, 'latin1');
  const lines = [`${m} ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...headers];
  if (payload && !headers.some((h) => /^content-length|^transfer-encoding/i.test(h)))
    lines.push(`Content-Length: ${lie ? bytes.length + 10 : bytes.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes]);
}

/** A WebSocket frame with any header fields, including lengths that do not match the payload. */
const wsFrame = fc
  .record({
    fin: fc.boolean(),
    rsv: fc.integer({ min: 0, max: 7 }),
    opcode: fc.integer({ min: 0, max: 15 }),
    masked: fc.boolean(),
    len: fc.oneof(
      fc.constant(-1), // the payload's own length
      fc.integer({ min: 0, max: 125 }),
      fc.constant(126),
      fc.constant(127),
    ),
    ext: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    payload: fc.uint8Array({ maxLength: 300 }),
  })
  .map((f) => {
    const payload = Buffer.from(f.payload);
    const first = (f.fin ? 0x80 : 0) | (f.rsv << 4) | f.opcode;
    const mask = f.masked ? 0x80 : 0;
    let head: Buffer;
    if (f.len === 126) {
      head = Buffer.alloc(4);
      head.writeUInt16BE(Number(f.ext & 0xffffn), 2);
      head[1] = mask | 126;
    } else if (f.len === 127) {
      head = Buffer.alloc(10);
      head.writeBigUInt64BE(f.ext, 2);
      head[1] = mask | 127;
    } else {
      head = Buffer.alloc(2);
      head[1] = mask | (f.len < 0 ? Math.min(payload.length, 125) : f.len);
    }
    head[0] = first;
    return Buffer.concat([head, f.masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0), payload]);
  });

function upgradeBytes(target: string, headers: string[], key: string | null): Buffer {
  const lines = [
    `GET ${target} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    ...(key === null ? [] : [`Sec-WebSocket-Key: ${key}`]),
    ...headers,
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Runs `property` for `numRuns` cases, checking the relay and the legitimate viewer after each. */
async function fuzz<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  numRuns: number,
  run: (v: T) => Promise<Buffer>,
): Promise<void> {
  let n = 0;
  let answered = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (v) => {
      if ((await run(v)).length > 0) answered += 1;
      n += 1;
      relay.check();
    }),
    { numRuns, endOnFailure: true },
  );
  cases += n;
  console.log(
    `fuzz ${name}: ${n} cases, ${answered} answered with bytes (the others were closed or timed out)`,
  );
}

// ---------- properties ----------

test('hostile HTTP requests to every route leave the relay serving its viewer', async () => {
  await fuzz(
    'http',
    fc.record({
      m: method,
      p: path,
      q: query,
      h: fc.array(header, { maxLength: 4 }),
      b: body,
      lie: fc.boolean(),
      halfClose: fc.boolean(),
    }),
    runs(500),
    ({ m, p, q, h, b, lie, halfClose }) =>
      rawExchange(port, [httpRequestBytes(m, p + q, h, b, lie)], { halfClose, waitMs: 80 }),
  );
});

test('hostile WebSocket upgrades, and garbage after a valid upgrade header, leave the relay serving', async () => {
  await fuzz(
    'upgrade',
    fc.record({
      p: fc.oneof(
        path,
        segment.map((s) => `/ingest/${s}`),
      ),
      q: query,
      h: fc.array(header, { maxLength: 3 }),
      key: fc.oneof(
        fc.constant(Buffer.alloc(16, 7).toString('base64')),
        fc.constant(null),
        fc.stringMatching(/^[ -~]{0,30}$/),
      ),
      garbage: fc.uint8Array({ maxLength: 200 }),
      halfClose: fc.boolean(),
    }),
    runs(250),
    ({ p, q, h, key, garbage, halfClose }) =>
      rawExchange(port, [upgradeBytes(p + q, h, key), Buffer.from(garbage)], { halfClose, waitMs: 80 }),
  );
});

test('malformed, oversized and invalid frames on ingest sockets leave the relay serving', async () => {
  const key = Buffer.alloc(16, 9).toString('base64');
  await fuzz(
    'frames',
    fc.record({
      target: fc.constantFrom(
        `/ingest/nosuch?token=x`,
        `/ingest/${STREAM}?token=wrong`,
        `/ingest/${STREAM}?token=wrong&${credQuery(PUSH_KEY, STREAM).slice(1)}`,
      ),
      frames: fc.array(wsFrame, { minLength: 1, maxLength: 6 }),
      halfClose: fc.boolean(),
    }),
    runs(250),
    ({ target, frames, halfClose }) =>
      rawExchange(port, [upgradeBytes(target, [], key), ...frames], { halfClose, waitMs: 80 }),
  );
});

test('garbage on the RTMP port, before and after a valid handshake, leaves the relay serving', async () => {
  const c1 = Buffer.alloc(1536, 0);
  await fuzz(
    'rtmp',
    fc.record({
      handshake: fc.constantFrom('none', 'c0', 'c0c1', 'c0c1c2'),
      version: fc.constantFrom(3, 6, 0, 255),
      garbage: fc.uint8Array({ maxLength: 600 }),
      halfClose: fc.boolean(),
    }),
    runs(150),
    ({ handshake, version, garbage, halfClose }) => {
      const hs =
        handshake === 'none'
          ? []
          : handshake === 'c0'
            ? [Buffer.from([version])]
            : handshake === 'c0c1'
              ? [Buffer.from([version]), c1]
              : [Buffer.from([version]), c1, c1];
      return rawExchange(relay.rtmpPort, [...hs, Buffer.from(garbage)], { halfClose, waitMs: 80 });
    },
  );
});

test('the legitimate viewer played at real time through all of it', () => {
  relay.check();
  const speed = relay.viewer.speed();
  console.log(
    `fuzz total: ${cases} cases; the viewer's media advanced ×${speed.toFixed(3)} of real time (from ${FUZZER_IP})`,
  );
  assert.ok(cases > 0);
  assert.ok(speed > 0.9 && speed < 1.1, `the viewer played at ×${speed.toFixed(3)} of real time`);
});
