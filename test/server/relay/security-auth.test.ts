/**
 * Push auth, stream ownership, play anti-leech, the trusted base URL and RTMP publish auth, tried as an attacker
 * would: every attack must be refused and leave the victim's stream, its options and its viewers untouched.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import Fastify from 'fastify';
import { ffprobe } from '../../../server/relay/relay/ffmpeg.ts';
import { devSecurity } from '../../../server/dev-credentials.ts';
import { relayPlugin } from '../../../server/relay/plugin.ts';
import { callbackSink, push, sleep, tempDir, waitFor, type Pusher } from './support.ts';
import {
  credQuery,
  flvBytes,
  send,
  startSecureRelay,
  wsOutcome,
  type ErrorBody,
  type SecureRelay,
} from './security-support.ts';

const PUSH_KEY = 'push-key-for-tests';
const PLAY_KEY = 'play-key-for-tests';

type Created = { streamId: string; ingest: { url: string } };
type Started = { streamId: string; urls: { encode: string; url: string }[] };
type Info = { ingest: string; relay: { encode: string; recordId: number | null } | null };

let relay: SecureRelay;
let sink: Awaited<ReturnType<typeof callbackSink>>;
before(async () => {
  sink = await callbackSink();
  relay = await startSecureRelay({
    pushKey: PUSH_KEY,
    playKey: PLAY_KEY,
    rtmpPort: 0,
    callbackUrl: sink.url,
    callbackKey: 'cb',
    callbackRetryBaseMs: 100,
  });
});
after(async () => {
  await relay.close();
  await sink.close();
});

/** Creates `id` with `q` (the owner credential), pushes a test source and starts an FLV relay. */
async function victim(
  id: string,
  q: string,
  relayOptions: Record<string, unknown>,
): Promise<{
  pusher: Pusher;
  urls: Started['urls'];
}> {
  const created = await send<Created>(relay.base, 'POST', `/api/streams${q}`, { body: { streamId: id } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const pusher = await push(`${created.body.ingest.url}&${q.slice(1)}`, { seconds: 40 });
  await waitFor(
    async () => (await send<Info>(relay.base, 'GET', `/api/streams/${id}${q}`)).body.ingest === 'ingesting',
    'the ingest',
  );
  let started = await send<Started>(relay.base, 'POST', `/api/streams/${id}/relay${q}`, {
    body: relayOptions,
  });
  for (let i = 0; started.status === 409 && i < 50; i += 1) {
    await sleep(200); // the transcoder's first output can take a moment on a busy machine
    started = await send<Started>(relay.base, 'POST', `/api/streams/${id}/relay${q}`, { body: relayOptions });
  }
  assert.equal(started.status, 200, JSON.stringify(started.body));
  return { pusher, urls: started.body.urls };
}

test('creating a stream needs a valid, unexpired credential for its id, and the id itself', async () => {
  const cases: [string, number, string][] = [
    ['', 403, 'PUSH_AUTH_FAILED'],
    [
      `?txSecret=${'0'.repeat(32)}&txTime=${(Math.floor(Date.now() / 1000) + 600).toString(16)}`,
      403,
      'PUSH_AUTH_FAILED',
    ],
    [credQuery(PUSH_KEY, 'other_stream'), 403, 'PUSH_AUTH_FAILED'],
    [credQuery(PUSH_KEY, 'new_cam', -120), 403, 'PUSH_AUTH_FAILED'],
    [credQuery('not-the-key', 'new_cam'), 403, 'PUSH_AUTH_FAILED'],
  ];
  for (const [q, status, code] of cases) {
    const r = await send<ErrorBody>(relay.base, 'POST', `/api/streams${q}`, {
      body: { streamId: 'new_cam' },
    });
    assert.equal(r.status, status, q);
    assert.equal(r.body.error.code, code, q);
    assert.equal(r.body.error.module, 'relay');
  }
  const expired = await send<ErrorBody>(
    relay.base,
    'POST',
    `/api/streams${credQuery(PUSH_KEY, 'new_cam', -120)}`,
    {
      body: { streamId: 'new_cam' },
    },
  );
  assert.match(expired.body.error.message, /expired/);
  const noId = await send<ErrorBody>(relay.base, 'POST', `/api/streams${credQuery(PUSH_KEY, 'x')}`, {
    body: {},
  });
  assert.equal(noId.status, 400);
  assert.match(noId.body.error.message, /streamId" is required/);
  // nothing was created by any of them
  const q = credQuery(PUSH_KEY, 'new_cam');
  assert.equal((await send(relay.base, 'GET', `/api/streams/new_cam${q}`)).status, 404);
  const ok = await send<Created>(relay.base, 'POST', `/api/streams${q}`, { body: { streamId: 'new_cam' } });
  assert.equal(ok.status, 201);
  assert.equal((await send(relay.base, 'DELETE', `/api/streams/new_cam${q}`)).status, 200);
});

test('no one but the owner can stop, delete, re-relay, read or take over a stream in use', async () => {
  const id = 'victim_cam';
  const owner = credQuery(PUSH_KEY, id);
  const { pusher, urls } = await victim(id, owner, { encode: 'flv', recordId: 7, recordFileTypes: ['flv'] });
  try {
    const flv = urls.find((u) => u.encode === 'flv')?.url as string;
    const watching = flvBytes(flv, 6000); // a viewer watches through every attack
    // A valid credential for the same stream id, minted later (e.g. for another visitor), is not the owner's.
    await sleep(1100);
    const other = credQuery(PUSH_KEY, id, 900);
    const attempts: [string, string, unknown?][] = [];
    for (const q of [
      '',
      `?txSecret=${'a'.repeat(32)}&txTime=FFFFFFFF`,
      credQuery(PUSH_KEY, id, -60),
      other,
    ]) {
      attempts.push(
        ['DELETE', `/api/streams/${id}/relay${q}`],
        ['DELETE', `/api/streams/${id}${q}`],
        ['POST', `/api/streams/${id}/relay${q}`, { encode: 'hls', recordId: 666 }],
        ['GET', `/api/streams/${id}${q}`],
      );
    }
    for (const [method, path, body] of attempts) {
      const r = await send<ErrorBody>(relay.base, method, path, { body });
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(r.body.error.code, 'PUSH_AUTH_FAILED', `${method} ${path}`);
    }
    // re-creating the id, even with a valid credential, is refused while it exists
    const again = await send<ErrorBody>(relay.base, 'POST', `/api/streams${other}`, {
      body: { streamId: id },
    });
    assert.equal(again.status, 409);
    // the ingest socket: the token alone, or the token with another valid credential, is not enough
    const wsBase = relay.base.replace('http', 'ws');
    const badIngest = await wsOutcome(`${wsBase}/ingest/${id}?token=${'0'.repeat(32)}&${other.slice(1)}`);
    assert.equal(badIngest.code, 4403);
    // nothing changed: same relay options, still ingesting, the viewer kept receiving
    const info = await send<Info>(relay.base, 'GET', `/api/streams/${id}${owner}`);
    assert.equal(info.status, 200);
    assert.equal(info.body.ingest, 'ingesting');
    assert.deepEqual([info.body.relay?.encode, info.body.relay?.recordId], ['flv', '7']);
    const received = await watching;
    assert.ok(received > 20_000, `viewer got ${received} bytes`);
    // the owner can stop and delete; then the id is free for a new credential holder
    const stop = await send<{ recordings: { recordId: string | null }[] }>(
      relay.base,
      'DELETE',
      `/api/streams/${id}/relay${owner}`,
    );
    assert.equal(stop.status, 200);
    assert.deepEqual(
      stop.body.recordings.map((r) => r.recordId),
      ['7'],
    );
    assert.equal((await send(relay.base, 'DELETE', `/api/streams/${id}${owner}`)).status, 200);
    assert.equal(
      (await send(relay.base, 'POST', `/api/streams${other}`, { body: { streamId: id } })).status,
      201,
    );
    assert.equal((await send(relay.base, 'DELETE', `/api/streams/${id}${other}`)).status, 200);
  } finally {
    await pusher.stop();
  }
});

test('play anti-leech: live and recorded media need a play credential; the relay answers with signed URLs', async () => {
  const id = 'leech_target';
  const owner = credQuery(PUSH_KEY, id);
  const { pusher, urls } = await victim(id, owner, { encode: 'hls', recordFileTypes: ['mp4', 'hls'] });
  try {
    for (const u of urls) assert.match(u.url, /[?&]txSecret=[0-9a-f]{32}&txTime=[0-9A-F]+$/, u.url);
    const flv = urls.find((u) => u.encode === 'flv')?.url as string;
    const hls = urls.find((u) => u.encode === 'hls')?.url as string;
    for (const path of [`/live/${id}.flv`, `/live/${id}.m3u8`, `/live/${id}/seg0.ts`]) {
      for (const q of [
        '',
        credQuery(PLAY_KEY, 'other'),
        credQuery(PLAY_KEY, id, -60),
        credQuery(PUSH_KEY, id),
      ]) {
        const r = await send<ErrorBody>(relay.base, 'GET', path + q);
        assert.equal(r.status, 403, path + q);
        assert.equal(r.body.error.code, 'PLAY_AUTH_FAILED');
      }
    }
    assert.ok((await flvBytes(flv, 1500)) > 1000);
    // the live playlist passes its credential on to its (relative) segments, so a player just follows it
    const playlist = await (await fetch(hls)).text();
    const seg = playlist.split('\n').find((l) => l && !l.startsWith('#')) as string;
    assert.match(seg, /\.ts\?txSecret=/);
    assert.equal((await fetch(new URL(seg, hls))).status, 200);
    await sleep(2500);
    const stop = await send<{ recordings: { fileFormat: string; url: string }[] }>(
      relay.base,
      'DELETE',
      `/api/streams/${id}/relay${owner}`,
    );
    assert.equal(stop.status, 200);
    for (const rec of stop.body.recordings) {
      assert.match(rec.url, /txSecret=/);
      const bare = rec.url.split('?')[0];
      assert.equal((await send(relay.base, 'GET', new URL(bare).pathname)).status, 403, bare);
      assert.equal((await fetch(rec.url)).status, 200, rec.url);
    }
    const recHls = stop.body.recordings.find((r) => r.fileFormat === 'hls')?.url as string;
    const recSeg = (await (await fetch(recHls)).text())
      .split('\n')
      .find((l) => l && !l.startsWith('#')) as string;
    assert.match(recSeg, /\?txSecret=/);
    assert.equal((await fetch(new URL(recSeg, recHls))).status, 200);
    // the callbacks carry the same signed recording URLs
    const cb = await waitFor(
      () => sink.received.find((c) => c.body.event_type === 100 && c.body.stream_id === id),
      'a 100 callback',
    );
    assert.match(String(cb.body.video_url), /txSecret=/);
  } finally {
    await pusher.stop();
  }
});

test('a spoofed Host header reaches neither the answers nor the callbacks', async () => {
  const id = 'host_cam';
  const q = credQuery(PUSH_KEY, id);
  const evil = { host: 'evil.example' };
  const created = await send<Created>(relay.base, 'POST', `/api/streams${q}`, {
    body: { streamId: id },
    headers: evil,
  });
  assert.equal(created.status, 201);
  const port = new URL(relay.base).port;
  assert.match(created.body.ingest.url, new RegExp(`^ws://127\\.0\\.0\\.1:${port}/ingest/${id}\\?`));
  const pusher = await push(`${created.body.ingest.url}&${q.slice(1)}`, { seconds: 30 });
  try {
    let started = await send<Started>(relay.base, 'POST', `/api/streams/${id}/relay${q}`, {
      body: { encode: 'flv', recordFileTypes: ['flv'] },
      headers: evil,
    });
    for (let i = 0; started.status === 409 && i < 50; i += 1) {
      await sleep(200);
      started = await send<Started>(relay.base, 'POST', `/api/streams/${id}/relay${q}`, {
        body: { encode: 'flv', recordFileTypes: ['flv'] },
        headers: evil,
      });
    }
    assert.equal(started.status, 200, JSON.stringify(started.body));
    for (const u of started.body.urls) assert.doesNotMatch(u.url, /evil/);
    assert.equal((await fetch(started.body.urls[1].url)).status, 200); // the muxer is writing (HLS playlist up)
    await sleep(2000);
    const stop = await send<{ recordings: { url: string }[] }>(
      relay.base,
      'DELETE',
      `/api/streams/${id}/relay${q}`,
      {
        headers: evil,
      },
    );
    assert.ok(stop.body.recordings.length > 0, JSON.stringify(stop.body));
    for (const r of stop.body.recordings) assert.doesNotMatch(r.url, /evil/);
    await waitFor(
      () => sink.received.some((c) => c.body.stream_id === id && c.body.event_type === 100),
      'the 100 callback',
    );
    const mine = sink.received.filter((c) => c.body.stream_id === id);
    assert.ok(mine.length >= 3);
    for (const c of mine) assert.doesNotMatch(JSON.stringify(c.body), /evil/);
  } finally {
    await pusher.stop();
  }
});

test('only the relay can publish into its RTMP server, even from this machine', async () => {
  const id = 'rtmp_cam';
  const rtmpBase = await (async () => {
    const owner = credQuery(PUSH_KEY, id);
    const created = await send<Created>(relay.base, 'POST', `/api/streams${owner}`, {
      body: { streamId: id },
    });
    assert.equal(created.status, 201);
    return { owner, ingest: created.body.ingest.url };
  })();
  // Find the RTMP port through a relay answer of another stream.
  const probe = await victim('rtmp_probe', credQuery(PUSH_KEY, 'rtmp_probe'), { encode: 'rtmp' });
  const rtmpUrl = new URL(probe.urls[0].url.replace(/^rtmp/, 'http'));
  const publish = (name: string, query = ''): Promise<number | null> =>
    new Promise((resolve) => {
      // prettier-ignore
      const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10',
        '-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'flv', `rtmp://127.0.0.1:${rtmpUrl.port}/live/${name}${query}`], { stdio: 'ignore' });
      const t = setTimeout(() => ff.kill('SIGKILL'), 8000);
      ff.on('exit', (code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
  try {
    // publishing first, to a stream that is about to be relayed or already is, without or with a made-up credential
    const results = await Promise.all([
      publish(id),
      publish(id, `?txSecret=${'1'.repeat(32)}&txTime=FFFFFFFF`),
      publish('rtmp_probe'),
    ]);
    for (const code of results) assert.notEqual(code, 0, 'an outside publish was accepted');
    assert.ok(
      results.every((c) => c !== null),
      'an outside publish kept running',
    );
    // the relay's own publish works and its viewers get the relay's media (with a play credential)
    const pusher = await push(`${rtmpBase.ingest}&${rtmpBase.owner.slice(1)}`, { seconds: 30 });
    try {
      let started = await send<Started>(relay.base, 'POST', `/api/streams/${id}/relay${rtmpBase.owner}`, {
        body: { encode: 'rtmp' },
      });
      for (let i = 0; started.status === 409 && i < 50; i += 1) {
        await sleep(200);
        started = await send<Started>(relay.base, 'POST', `/api/streams/${id}/relay${rtmpBase.owner}`, {
          body: { encode: 'rtmp' },
        });
      }
      assert.equal(started.status, 200);
      const url = started.body.urls[0].url;
      assert.match(url, /^rtmp:.*txSecret=/);
      const p = await ffprobe(url).catch(() => ffprobe(url)); // a busy machine may need a second try
      assert.deepEqual(p.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
      await assert.rejects(ffprobe(url.split('?')[0], 6000));
    } finally {
      await pusher.stop();
    }
  } finally {
    await probe.pusher.stop();
  }
});

test("the demo server hands credentials only to its own pages, and never for another visitor's stream", async () => {
  const tmp = tempDir('relay-devcred-');
  const security = devSecurity();
  const app = Fastify({ logger: false });
  await app.register(relayPlugin, { dataDir: tmp.dir, pushKey: security.pushKey, playKey: security.playKey });
  await app.register(security.plugin);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const own = { origin: base, 'content-type': 'application/json' };
    const foreign = await send<ErrorBody>(base, 'POST', '/api/credentials', {
      body: {},
      headers: { origin: 'http://evil.test' },
    });
    assert.equal(foreign.status, 403);
    assert.equal((await send(base, 'POST', '/api/credentials', { body: {} })).status, 403); // no Origin
    const textPlain = await send(base, 'POST', '/api/credentials', {
      body: '{}',
      headers: { origin: base, 'content-type': 'text/plain' },
    });
    assert.equal(textPlain.status, 415);
    const a = await send<{ streamId: string; txSecret: string; txTime: string }>(
      base,
      'POST',
      '/api/credentials',
      {
        body: { streamId: 'alice_cam' },
        headers: own,
      },
    );
    assert.equal(a.status, 200);
    const cookie = String(a.headers['set-cookie']).split(';')[0];
    // the credential works against the relay
    const q = `?txSecret=${a.body.txSecret}&txTime=${a.body.txTime}`;
    assert.equal(
      (await send(base, 'POST', `/api/streams${q}`, { body: { streamId: 'alice_cam' } })).status,
      201,
    );
    // another browser cannot get one for alice_cam (nor for the server's own test stream); alice can again
    security.serverCredential('demo');
    for (const streamId of ['alice_cam', 'demo']) {
      const b = await send<ErrorBody>(base, 'POST', '/api/credentials', { body: { streamId }, headers: own });
      assert.equal(b.status, 409, streamId);
    }
    const again = await send(base, 'POST', '/api/credentials', {
      body: { streamId: 'alice_cam' },
      headers: { ...own, cookie },
    });
    assert.equal(again.status, 200);
    const fresh = await send<{ streamId: string }>(base, 'POST', '/api/credentials', {
      body: {},
      headers: own,
    });
    assert.match(fresh.body.streamId, /^s_[0-9a-f]{12}$/);
  } finally {
    await app.close();
    tmp.remove();
  }
});
