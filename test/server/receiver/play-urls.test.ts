// POST /api/trtc/play-urls: play URLs signed with the play domain's anti-leech key (Tencent's Key 鉴权,
// txSecret = md5(key + StreamName + txTime)), refused unless the site said which streams, per-client rate-limited,
// no "*" origin — and, end to end, URLs the real local relay (RELAY_PLAY_KEY) plays, until they expire.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { receiverPlugin, type ReceiverOptions } from '../../../server/receiver/plugin.ts';
import { receiverConfigFromEnv } from '../../../server/receiver/config.ts';
import { txSign, txVerify } from '../../../server/shared/tx-secret.ts';
import { createAndPush, sleep, startRelaying, waitFor } from '../relay/support.ts';
import { flvBytes, startSecureRelay } from '../relay/security-support.ts';

const KEY = 'play-domain-key';
type Answer = { urls: { encode: string; url: string }[]; expiresAt: number };

async function receiver(opts: Partial<ReceiverOptions>) {
  const app = Fastify();
  await app.register(receiverPlugin, {
    dataDir: mkdtempSync(join(tmpdir(), 'receiver-play-')),
    callbackKey: 'k',
    ...opts,
  });
  return app;
}
const play = (o: Partial<NonNullable<ReceiverOptions['trtcPlay']>> = {}) => ({
  key: KEY,
  domain: 'play.example.com',
  ...o,
});
const ask = (
  app: Awaited<ReturnType<typeof receiver>>,
  body: unknown,
  headers: Record<string, string> = {},
  remoteAddress = '127.0.0.1',
) =>
  app.inject({
    method: 'POST',
    url: '/api/trtc/play-urls',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
    remoteAddress,
  });

/** The stream name in a play URL's path (`/live/{name}.flv`) and its credential, checked against the key. */
function verify(url: string, name: string, now = Math.floor(Date.now() / 1000)) {
  const q = new URL(url.replace(/^rtmp:/, 'http:')).searchParams;
  return txVerify(KEY, name, q.get('txSecret'), q.get('txTime'), now);
}

describe('signed play URLs', () => {
  test("Tencent's documented example: MD5(e12c…ca3 + test + 5C271099) = f85a2ab3…a6fe", () => {
    // https://intl.cloud.tencent.com/document/product/267/31560 (Authentication Configuration), its worked example
    const signed = txSign('e12c46f2612d5106e2034781ab261ca3', 'test', 0x5c271099);
    assert.deepEqual(signed, { txSecret: 'f85a2ab363fe4deaffef9754d79da6fe', txTime: '5C271099' });
  });

  test('with neither TRTC_PLAY_STREAMS nor an authoriser every stream is refused, naming both', async () => {
    const app = await receiver({ trtcPlay: play() });
    try {
      const res = await ask(app, { streamId: 'anything' });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'PLAY_URL_NOT_ALLOWED');
      assert.match(res.json().error.message, /TRTC_PLAY_STREAMS/);
      assert.match(res.json().error.message, /RECEIVER_PLAY_AUTHORIZER/);
    } finally {
      await app.close();
    }
  });

  test('listed streams are signed as Tencent documents (md5(key + StreamName + txTime), hex expiry); others are not', async () => {
    const app = await receiver({
      trtcPlay: play({ allowStreams: ['1400000000_*', 'lobby'], ttlSeconds: 600 }),
    });
    try {
      const before = Math.floor(Date.now() / 1000);
      const res = await ask(app, { streamId: '1400000000_8_alice_main', encode: 'hls' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const answer = res.json() as Answer;
      assert.deepEqual(
        answer.urls.map((u) => u.encode),
        ['hls', 'rtmp', 'flv'],
      );
      assert.ok(answer.expiresAt >= before + 600 && answer.expiresAt <= before + 602);
      const hls = new URL(answer.urls[0]!.url);
      assert.equal(
        `${hls.origin}${hls.pathname}`,
        'https://play.example.com/live/1400000000_8_alice_main.m3u8',
      );
      const txTime = hls.searchParams.get('txTime')!;
      assert.equal(txTime, answer.expiresAt.toString(16).toUpperCase());
      // independently of the code under test: Tencent's formula over the name in the path
      assert.equal(
        hls.searchParams.get('txSecret'),
        createHash('md5').update(`${KEY}1400000000_8_alice_main${txTime}`).digest('hex'),
      );
      for (const u of answer.urls) assert.equal(verify(u.url, '1400000000_8_alice_main'), null, u.url);
      assert.match(
        answer.urls[1]!.url,
        /^rtmp:\/\/play\.example\.com\/live\/1400000000_8_alice_main\?txSecret=/,
      );
      assert.equal((await ask(app, { streamId: 'lobby' })).statusCode, 200);
      const other = await ask(app, { streamId: '1500000000_8_bob_main' });
      assert.equal(other.statusCode, 403);
      assert.match(other.json().error.message, /not in TRTC_PLAY_STREAMS/);
      assert.equal((await ask(app, { streamId: '../x' })).statusCode, 400);
      assert.equal((await ask(app, { streamId: 'lobby', encode: 'webm' })).statusCode, 400);
    } finally {
      await app.close();
    }
  });

  test('a transcode template must be listed; its URLs name and sign StreamName_templateId', async () => {
    const app = await receiver({
      trtcPlay: play({ allowStreams: ['s1'], templates: ['hd'], scheme: 'http' }),
    });
    try {
      const res = await ask(app, { streamId: 's1', template: 'hd' });
      assert.equal(res.statusCode, 200, res.body);
      const flv = (res.json() as Answer).urls[0]!.url;
      assert.match(
        flv,
        /^http:\/\/play\.example\.com\/live\/s1_hd\.flv\?txSecret=[0-9a-f]{32}&txTime=[0-9A-F]+$/,
      );
      assert.equal(verify(flv, 's1_hd'), null);
      assert.equal(verify(flv, 's1'), 'INVALID');
      const unlisted = await ask(app, { streamId: 's1', template: 'sd' });
      assert.equal(unlisted.statusCode, 403);
      assert.match(unlisted.json().error.message, /TRTC_PLAY_TEMPLATES/);
    } finally {
      await app.close();
    }
  });

  test("the site's hook decides per viewer (cookie), after the stream list; it sees what was asked", async () => {
    const seen: unknown[] = [];
    const app = await receiver({
      allowedOrigins: ['https://site.example'],
      trtcPlay: play(),
      authorizePlayUrl: (req, asked) => {
        seen.push(asked);
        return req.headers.cookie === 'ticket=paid' && asked.streamId.startsWith('match_');
      },
    });
    try {
      const site = { origin: 'https://site.example' };
      const ok = await ask(app, { streamId: 'match_1' }, { ...site, cookie: 'ticket=paid' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.headers['access-control-allow-origin'], 'https://site.example');
      assert.equal(ok.headers['access-control-allow-credentials'], 'true');
      assert.equal((await ask(app, { streamId: 'match_1' }, site)).statusCode, 403);
      assert.equal(
        (await ask(app, { streamId: 'other' }, { ...site, cookie: 'ticket=paid' })).statusCode,
        403,
      );
      assert.deepEqual(seen[0], { streamId: 'match_1', encode: 'flv' });
      const foreign = await ask(
        app,
        { streamId: 'match_1' },
        { origin: 'https://evil.example', cookie: 'ticket=paid' },
      );
      assert.equal(foreign.statusCode, 403);
      assert.equal(foreign.json().error.code, 'ORIGIN_NOT_ALLOWED');
      const textPlain = await app.inject({
        method: 'POST',
        url: '/api/trtc/play-urls',
        headers: { ...site, 'content-type': 'text/plain', cookie: 'ticket=paid' },
        payload: JSON.stringify({ streamId: 'match_1' }),
      });
      assert.equal(textPlain.statusCode, 415);
    } finally {
      await app.close();
    }
  });

  test('ALLOWED_ORIGINS=* does not open the endpoint to every page', async () => {
    const app = await receiver({ allowedOrigins: '*', trtcPlay: play({ allowStreams: ['s1'] }) });
    try {
      const res = await ask(app, { streamId: 's1' }, { origin: 'https://any.example' });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'ORIGIN_NOT_ALLOWED');
    } finally {
      await app.close();
    }
  });

  test('each client has its own per-minute budget; the UserSig endpoint keeps its own next to it', async () => {
    const app = await receiver({
      trtc: { sdkAppId: 1400000000, secretKey: 'secret', perMinute: 1 },
      trtcPlay: play({ allowStreams: ['s1'], perMinute: 3 }),
    });
    try {
      for (let i = 0; i < 3; i += 1) assert.equal((await ask(app, { streamId: 's1' })).statusCode, 200);
      const limited = await ask(app, { streamId: 's1' });
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
      assert.match(limited.json().error.message, /TRTC_PLAY_PER_MINUTE/);
      assert.equal((await ask(app, { streamId: 's1' }, {}, '127.0.0.2')).statusCode, 200);
      const sig = await app.inject({
        method: 'POST',
        url: '/api/trtc/usersig',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ userId: 'a', roomId: 1 }),
      });
      assert.equal(sig.statusCode, 403); // its own rule (no authoriser), not the play budget
    } finally {
      await app.close();
    }
  });

  test('configuration: key and domain together, TTL within 5 s … 7 days, scheme https|http, template ids', () => {
    const base = { CALLBACK_KEY: 'k' };
    assert.equal(receiverConfigFromEnv(base).plugin.trtcPlay, undefined);
    assert.throws(() => receiverConfigFromEnv({ ...base, TRTC_PLAY_KEY: 'x' }), /TRTC_PLAY_DOMAIN/);
    const full = { ...base, TRTC_PLAY_KEY: 'x', TRTC_PLAY_DOMAIN: 'play.example.com' };
    const c = receiverConfigFromEnv(full);
    assert.equal(c.plugin.trtcPlay?.ttlSeconds, 3600);
    assert.equal(c.plugin.trtcPlay?.scheme, 'https');
    assert.throws(() => receiverConfigFromEnv({ ...full, TRTC_PLAY_URL_TTL: '2' }), /TRTC_PLAY_URL_TTL/);
    assert.throws(() => receiverConfigFromEnv({ ...full, TRTC_PLAY_URL_TTL: '604801' }), /TRTC_PLAY_URL_TTL/);
    assert.throws(() => receiverConfigFromEnv({ ...full, TRTC_PLAY_SCHEME: 'ftp' }), /TRTC_PLAY_SCHEME/);
    assert.throws(
      () => receiverConfigFromEnv({ ...full, TRTC_PLAY_TEMPLATES: 'a b' }),
      /TRTC_PLAY_TEMPLATES/,
    );
    const listed = receiverConfigFromEnv({ ...full, TRTC_PLAY_STREAMS: 'a, b_*', TRTC_PLAY_URL_TTL: '60' });
    assert.deepEqual(listed.plugin.trtcPlay?.allowStreams, ['a', 'b_*']);
    assert.equal(listed.plugin.trtcPlay?.ttlSeconds, 60);
  });

  test('end to end: the local relay (RELAY_PLAY_KEY) plays a signed URL, refuses it once expired, plays a fresh one', async (t) => {
    const relay = await startSecureRelay({ playKey: KEY, skewSeconds: 0 }); // Tencent's CDN allows none either
    const { streamId, pusher } = await createAndPush(relay.base, { seconds: 60 });
    await waitFor(
      async () => (await startRelaying(relay.base, streamId, { encode: 'flv' })).status === 200,
      'the relay',
    );
    const app = await receiver({
      trtcPlay: play({ domain: relay.base, allowStreams: [streamId], ttlSeconds: 5 }),
    });
    t.after(async () => {
      await pusher.stop();
      await app.close();
      await relay.close();
    });
    const first = (await ask(app, { streamId })).json() as Answer;
    const flv = first.urls.find((u) => u.encode === 'flv')!.url;
    assert.ok(flv.startsWith(`${relay.base}/live/${streamId}.flv?txSecret=`), flv);
    assert.ok((await flvBytes(flv, 1000)) > 0, 'the signed URL plays');
    const unsigned = flv.split('?')[0]!;
    assert.equal(await flvBytes(unsigned, 200), -403, 'without txSecret the relay refuses');
    await waitFor(async () => Math.floor(Date.now() / 1000) > first.expiresAt || null, 'the expiry', 10_000);
    assert.equal(await flvBytes(flv, 200), -403, 'the expired URL is refused');
    await sleep(10);
    const fresh = (await ask(app, { streamId })).json() as Answer;
    const again = fresh.urls.find((u) => u.encode === 'flv')!.url;
    assert.notEqual(again, flv);
    assert.ok((await flvBytes(again, 1000)) > 0, 'a fresh URL plays again');
  });
});
