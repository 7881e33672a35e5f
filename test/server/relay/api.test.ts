import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { api, createAndPush, startRelay, waitFor, type RunningRelay } from './support.ts';

type ErrorBody = { error: { module: string; code: string; message: string } };

let relay: RunningRelay;
before(async () => {
  relay = await startRelay({ allowedOrigins: ['http://allowed.test'], ingestIdleMs: 1500 });
});
after(async () => {
  await relay.close();
});

test('creating a stream answers 201 with a websocket ingest URL and a MediaRecorder mime type', async () => {
  const r = await api<{ streamId: string; ingest: { kind: string; url: string; mimeType: string } }>(
    relay.base,
    'POST',
    '/api/streams',
    {
      streamId: 'cam_1',
    },
  );
  assert.equal(r.status, 201);
  assert.equal(r.body.streamId, 'cam_1');
  assert.equal(r.body.ingest.kind, 'websocket');
  assert.match(r.body.ingest.url, /^ws:\/\/127\.0\.0\.1:\d+\/ingest\/cam_1\?token=[0-9a-f]{32}$/);
  assert.equal(r.body.ingest.mimeType, 'video/webm;codecs=h264,opus');
  const audio = await api<{ ingest: { mimeType: string } }>(relay.base, 'POST', '/api/streams', {
    audioOnly: true,
  });
  assert.equal(audio.body.ingest.mimeType, 'audio/webm;codecs=opus');
  const dup = await api<ErrorBody>(relay.base, 'POST', '/api/streams', { streamId: 'cam_1' });
  assert.equal(dup.status, 409);
});

test('bad create bodies are 400 with a message naming the problem', async () => {
  const cases: [unknown, RegExp][] = [
    [{ streamId: '../etc' }, /streamId/],
    [{ audioOnly: 'yes' }, /audioOnly/],
    [{ colour: 'red' }, /Unknown option "colour"/],
    ['[1,2]', /JSON object/],
  ];
  for (const [body, msg] of cases) {
    const r = await api<ErrorBody>(relay.base, 'POST', '/api/streams', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.error.module, 'relay');
    assert.match(r.body.error.message, msg);
  }
  const broken = await fetch(`${relay.base}/api/streams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"a":',
  });
  assert.equal(broken.status, 400);
  assert.equal(((await broken.json()) as ErrorBody).error.module, 'relay');
});

test('request bodies over 16 KiB are refused with 413', async () => {
  const r = await api<ErrorBody>(relay.base, 'POST', '/api/streams', { streamId: 'x'.repeat(20_000) });
  assert.equal(r.status, 413);
  assert.equal(r.body.error.code, 'BODY_TOO_LARGE');
});

test('relay options are validated like the push model', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 20 });
  try {
    const cases: [unknown, number, string, RegExp][] = [
      [{ recordFileTypes: ['mp4'] }, 400, 'RECORD_WITHOUT_RELAY', /rides on a relay/],
      [{}, 400, 'INVALID_OPTIONS', /"encode" is required/],
      [{ encode: 'webrtc' }, 400, 'INVALID_OPTIONS', /rtmp, hls, flv/],
      [{ encode: 'hls', recordFileTypes: ['mp3'] }, 400, 'MP3_REQUIRES_AUDIO_ONLY', /audio-only/],
      [{ encode: 'hls', recordFileTypes: ['avi'] }, 400, 'INVALID_OPTIONS', /Unknown record file type "avi"/],
      [{ encode: 'hls', recordFileTypes: 'mp4' }, 400, 'INVALID_OPTIONS', /array/],
      [{ encode: 'hls', recordId: 1.5 }, 400, 'INVALID_RECORD_ID', /1-64 characters/],
      [{ encode: 'hls', recordId: 'meeting 42' }, 400, 'INVALID_RECORD_ID', /1-64 characters/],
      [{ encode: 'hls', bitrate: 1 }, 400, 'INVALID_OPTIONS', /Unknown option "bitrate"/],
      [{ encode: 'hls', audioOnly: true }, 400, 'INVALID_OPTIONS', /audioOnly/],
    ];
    for (const [body, status, code, msg] of cases) {
      const r = await api<ErrorBody>(relay.base, 'POST', `/api/streams/${streamId}/relay`, body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal(r.body.error.code, code, JSON.stringify(body));
      assert.match(r.body.error.message, msg);
    }
    const stopEarly = await api<ErrorBody>(relay.base, 'DELETE', `/api/streams/${streamId}/relay`);
    assert.equal(stopEarly.status, 409);
    assert.equal(stopEarly.body.error.code, 'NOT_STARTED');
    const ok = await api(relay.base, 'POST', `/api/streams/${streamId}/relay`, {
      encode: 'HLS',
      recordId: 42,
    });
    assert.equal(ok.status, 200);
    const twice = await api<ErrorBody>(relay.base, 'POST', `/api/streams/${streamId}/relay`, {
      encode: 'hls',
    });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'ALREADY_STARTED');
    const stop = await api<{ recordings: unknown[] }>(relay.base, 'DELETE', `/api/streams/${streamId}/relay`);
    assert.equal(stop.status, 200);
    assert.deepEqual(stop.body.recordings, []);
  } finally {
    await pusher.stop();
  }
});

test('unknown streams are 404 on every route, and a stream without ingest cannot be relayed', async () => {
  for (const [method, path] of [
    ['GET', '/api/streams/nope'],
    ['POST', '/api/streams/nope/relay'],
    ['DELETE', '/api/streams/nope/relay'],
    ['DELETE', '/api/streams/nope'],
    ['GET', '/live/nope.flv'],
    ['GET', '/live/nope.m3u8'],
  ]) {
    const r = await api<ErrorBody>(
      relay.base,
      method,
      path,
      method === 'POST' ? { encode: 'flv' } : undefined,
    );
    assert.equal(r.status, 404, `${method} ${path}`);
    assert.equal(r.body.error.code, 'NOT_FOUND');
  }
  const created = await api<{ streamId: string }>(relay.base, 'POST', '/api/streams', {});
  const r = await api<ErrorBody>(relay.base, 'POST', `/api/streams/${created.body.streamId}/relay`, {
    encode: 'flv',
  });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'NOT_INGESTING');
});

test('the ingest socket refuses unknown streams, bad tokens and a second ingest with close codes', async () => {
  const created = await api<{ streamId: string; ingest: { url: string } }>(
    relay.base,
    'POST',
    '/api/streams',
    {},
  );
  const closeCode = async (url: string): Promise<number> => {
    const ws = new WebSocket(url);
    ws.on('error', () => {});
    return new Promise((r) => ws.once('close', (code) => r(code)));
  };
  const wsBase = relay.base.replace('http', 'ws');
  assert.equal(await closeCode(`${wsBase}/ingest/unknown?token=x`), 4404);
  assert.equal(await closeCode(`${wsBase}/ingest/${created.body.streamId}?token=wrong`), 4403);
  const first = new WebSocket(created.body.ingest.url);
  await new Promise((r) => first.once('open', r));
  assert.equal(await closeCode(created.body.ingest.url), 4409);
  first.close();
  // the ingest (and its per-client ingest slot) is released once its transcoder has exited
  await waitFor(
    async () =>
      (await api<{ ingest: string }>(relay.base, 'GET', `/api/streams/${created.body.streamId}`)).body
        .ingest === 'ended',
    'the refused-twice ingest to end',
  );
});

test('an ingest socket that stays silent is closed with 4408 and the stream ends', async () => {
  const created = await api<{ streamId: string; ingest: { url: string } }>(
    relay.base,
    'POST',
    '/api/streams',
    {},
  );
  const ws = new WebSocket(created.body.ingest.url);
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.once('close', (code, reason) => r({ code, reason: reason.toString() })),
  );
  const { code, reason } = await closed;
  assert.equal(code, 4408);
  assert.match(reason, /no media/);
  await waitFor(
    async () =>
      (await api<{ ingest: string }>(relay.base, 'GET', `/api/streams/${created.body.streamId}`)).body
        .ingest === 'ended',
    'the ingest to end',
  );
});

test('recordings cannot be read outside the data directory', async () => {
  for (const path of [
    '/recordings/../relay-outbox.sqlite',
    '/recordings/%2e%2e/relay-outbox.sqlite',
    '/recordings/..%2frelay-outbox.sqlite',
  ]) {
    const res = await fetch(`${relay.base}${path}`);
    assert.notEqual(res.status, 200, path);
    await res.arrayBuffer();
  }
});

test('CORS: allowed origins get headers and preflights, others do not', async () => {
  const ok = await fetch(`${relay.base}/api/streams`, {
    method: 'OPTIONS',
    headers: { origin: 'http://allowed.test', 'access-control-request-method': 'POST' },
  });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), 'http://allowed.test');
  assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/);
  const bad = await fetch(`${relay.base}/api/streams/x`, { headers: { origin: 'http://evil.test' } });
  assert.equal(bad.headers.get('access-control-allow-origin'), null);
  await bad.arrayBuffer();
});
