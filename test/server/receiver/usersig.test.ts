import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { genUserSig } from '../../../server/receiver/usersig.ts';
import { receiverPlugin, type ReceiverOptions } from '../../../server/receiver/plugin.ts';
import { startReceiver } from './receiver-process.ts';

// The inputs of Tencent's published test (TLSSigAPITest in every tls-sig-api-v2 port).
const SDK_APP_ID = 1400000000;
const SECRET = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const EXPIRE = 180 * 86400;

/** Undoes Tencent's url-safe base64 (* + , - /, _ =) and the zlib deflate: the signed JSON document. */
function decode(userSig: string): Record<string, unknown> {
  const b64 = userSig.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '=');
  return JSON.parse(inflateSync(Buffer.from(b64, 'base64')).toString('utf8'));
}

describe('TRTC UserSig (TLS signature v2)', () => {
  test("Tencent's test vector: xiaojun on 1400000000, signed at a fixed time, matches the independently computed HMAC", (t) => {
    t.mock.method(Date, 'now', () => 1_700_000_000_000);
    const sig = genUserSig(SDK_APP_ID, SECRET, 'xiaojun', EXPIRE);
    assert.match(sig, /^[A-Za-z0-9*_-]+$/); // url-safe: no + / =
    // The document, field order included (Tencent's servers parse it; the order is the reference implementation's).
    assert.equal(
      JSON.stringify(decode(sig)),
      '{"TLS.ver":"2.0","TLS.identifier":"xiaojun","TLS.sdkappid":1400000000,"TLS.time":1700000000,' +
        '"TLS.expire":15552000,"TLS.sig":"LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4="}',
    );
    // TLS.sig above was computed with Python's hmac module over the documented content string; check it here too.
    const content =
      'TLS.identifier:xiaojun\nTLS.sdkappid:1400000000\nTLS.time:1700000000\nTLS.expire:15552000\n';
    assert.equal(
      createHmac('sha256', SECRET).update(content).digest('base64'),
      'LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=',
    );
    // Python's zlib deflates the same document to other bytes; both decode to the same signed document.
    const fromPython =
      'eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMogMiUZOamAkXNUUVTKwoyi0DipqamRnDR4sx0oMk*ZY7mKfqe5ebpwcV5xdllYVVOLgH*zs4uSaV*zuUm7h7lIc4GSZkF2k4mtkq1AKIXMfI_';
    assert.deepEqual(decode(fromPython), decode(sig));
  });

  const plugin = async (opts: Partial<ReceiverOptions>) => {
    const app = Fastify();
    await app.register(receiverPlugin, {
      dataDir: mkdtempSync(join(tmpdir(), 'receiver-usersig-')),
      callbackKey: 'k',
      trtc: { sdkAppId: SDK_APP_ID, secretKey: SECRET },
      ...opts,
    });
    return app;
  };
  const ask = (
    app: Awaited<ReturnType<typeof plugin>>,
    body: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method: 'POST',
      url: '/api/trtc/usersig',
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  test('with the authorizeUserSig hook, a UserSig is issued only for the user the hook names', async () => {
    const app = await plugin({
      allowedOrigins: ['https://site.example'],
      authorizeUserSig: (req) => (req.headers.cookie === 'session=alice' ? 'alice' : null),
    });
    try {
      const ok = await ask(
        app,
        { userId: 'alice' },
        { cookie: 'session=alice', origin: 'https://site.example' },
      );
      assert.equal(ok.statusCode, 200, ok.body);
      const answer = ok.json() as { userSig: string; userId: string; sdkAppId: number; expire: number };
      assert.deepEqual([answer.userId, answer.sdkAppId, answer.expire], ['alice', SDK_APP_ID, 3600]);
      const doc = decode(answer.userSig);
      assert.equal(doc['TLS.identifier'], 'alice');
      const content = `TLS.identifier:alice\nTLS.sdkappid:${SDK_APP_ID}\nTLS.time:${doc['TLS.time']}\nTLS.expire:3600\n`;
      assert.equal(doc['TLS.sig'], createHmac('sha256', SECRET).update(content).digest('base64'));
      assert.equal(ok.headers['access-control-allow-origin'], 'https://site.example');
      assert.equal(ok.headers['cache-control'], 'no-store');
      // The hook's user when the body names none.
      assert.equal((await ask(app, {}, { cookie: 'session=alice' })).json().userId, 'alice');

      const refused: [unknown, Record<string, string>, number, string][] = [
        [{ userId: 'alice' }, {}, 403, 'USERSIG_NOT_ALLOWED'], // no session
        [{ userId: 'bob' }, { cookie: 'session=alice' }, 403, 'USERSIG_NOT_ALLOWED'], // someone else's id
        [
          { userId: 'alice' },
          { cookie: 'session=alice', origin: 'https://evil.example' },
          403,
          'ORIGIN_NOT_ALLOWED',
        ],
        [{ userId: 'alice', sdkAppId: 1 }, { cookie: 'session=alice' }, 400, 'BAD_BODY'],
        [
          'userId=alice',
          { cookie: 'session=alice', 'content-type': 'application/x-www-form-urlencoded' },
          415,
          'UNSUPPORTED_CONTENT_TYPE',
        ],
        [
          '{"userId":"alice"}',
          { cookie: 'session=alice', 'content-type': 'text/plain' },
          415,
          'UNSUPPORTED_CONTENT_TYPE',
        ],
      ];
      for (const [body, headers, status, code] of refused) {
        const res = await ask(app, body, headers);
        assert.equal(
          res.statusCode,
          status,
          `${JSON.stringify(body)} ${JSON.stringify(headers)}: ${res.body}`,
        );
        assert.equal(res.json().error.code, code);
        assert.equal(res.json().userSig, undefined);
      }
    } finally {
      await app.close();
    }
  });

  test('nobody gets a UserSig by default; TRTC_USERSIG_ALLOW_USERS lets only the listed users have one', async () => {
    const closed = await startReceiver({
      key: 'k',
      env: { TRTC_SDK_APP_ID: String(SDK_APP_ID), TRTC_SECRET_KEY: SECRET },
    });
    const listed = await startReceiver({
      key: 'k',
      env: {
        TRTC_SDK_APP_ID: String(SDK_APP_ID),
        TRTC_SECRET_KEY: SECRET,
        TRTC_USERSIG_ALLOW_USERS: 'kiosk_1,kiosk_2',
      },
    });
    const unset = await startReceiver({ key: 'k' });
    const post = (url: string, userId: string) =>
      fetch(`${url}/api/trtc/usersig`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId }),
      });
    try {
      const none = await post(closed.url, 'kiosk_1');
      assert.equal(none.status, 403);
      assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'USERSIG_NOT_ALLOWED');
      assert.equal((await post(listed.url, 'kiosk_3')).status, 403);
      assert.equal((await post(listed.url, 'bad id!')).status, 400);
      const ok = await post(listed.url, 'kiosk_2');
      assert.equal(ok.status, 200);
      assert.equal(decode(((await ok.json()) as { userSig: string }).userSig)['TLS.identifier'], 'kiosk_2');
      // Without TRTC settings the endpoint does not exist.
      assert.equal((await post(unset.url, 'kiosk_1')).status, 404);
    } finally {
      await Promise.all([closed.stop(), listed.stop(), unset.stop()]);
    }
  });
});
