import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { genUserSig, ROLE_PRIVILEGES } from '../../../server/receiver/usersig.ts';
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

  /** The PrivateMapKey's `TLS.userbuf`, read as tls-sig-api-v2 writes it (big-endian fields). */
  function userbufOf(privateMapKey: string) {
    const doc = decode(privateMapKey);
    const buf = Buffer.from(String(doc['TLS.userbuf']), 'base64');
    const accountLength = buf.readUInt16BE(1);
    let o = 3 + accountLength;
    const fields = {
      version: buf[0],
      account: buf.subarray(3, o).toString('latin1'),
      sdkAppId: buf.readUInt32BE(o),
      roomId: buf.readUInt32BE(o + 4),
      expireAt: buf.readUInt32BE(o + 8),
      privileges: buf.readUInt32BE(o + 12),
      accountType: buf.readUInt32BE(o + 16),
      strRoomId: null as string | null,
    };
    o += 20;
    if (fields.version === 1)
      fields.strRoomId = buf.subarray(o + 2, o + 2 + buf.readUInt16BE(o)).toString('latin1');
    // The ticket is signed like a UserSig, with the userbuf in the signed content.
    const content =
      `TLS.identifier:${doc['TLS.identifier']}\nTLS.sdkappid:${SDK_APP_ID}\nTLS.time:${doc['TLS.time']}\n` +
      `TLS.expire:${doc['TLS.expire']}\nTLS.userbuf:${doc['TLS.userbuf']}\n`;
    assert.equal(doc['TLS.sig'], createHmac('sha256', SECRET).update(content).digest('base64'));
    return { doc, ...fields };
  }

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
    remoteAddress = '127.0.0.1',
  ) =>
    app.inject({
      method: 'POST',
      url: '/api/trtc/usersig',
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
      remoteAddress,
    });

  test('without an authoriser every request is refused, with a message naming RECEIVER_USERSIG_AUTHORIZER', async () => {
    const app = await plugin({ trtc: { sdkAppId: SDK_APP_ID, secretKey: SECRET, allowUsers: ['alice'] } });
    try {
      const res = await ask(app, { userId: 'alice', roomId: 1234 });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'USERSIG_NOT_ALLOWED');
      assert.match(res.json().error.message, /RECEIVER_USERSIG_AUTHORIZER/);
      assert.match(res.json().error.message, /authorizeUserSig/);
      assert.equal(res.json().userSig, undefined);
    } finally {
      await app.close();
    }
  });

  test('the site authorises by session, user, room and role; a UserSig and a room-bound PrivateMapKey come back', async () => {
    const seen: unknown[] = [];
    const app = await plugin({
      allowedOrigins: ['https://site.example'],
      authorizeUserSig: async (req, asked) => {
        seen.push(asked);
        return req.headers.cookie === 'session=alice' && asked.userId === 'alice' && asked.roomId !== 666;
      },
    });
    try {
      const before = Math.floor(Date.now() / 1000);
      const ok = await ask(
        app,
        { userId: 'alice', roomId: 4294967294 },
        { cookie: 'session=alice', origin: 'https://site.example' },
      );
      assert.equal(ok.statusCode, 200, ok.body);
      const answer = ok.json() as {
        userSig: string;
        privateMapKey: string;
        userId: string;
        sdkAppId: number;
        roomId: number;
        role: string;
        expire: number;
      };
      assert.deepEqual(
        [answer.userId, answer.sdkAppId, answer.roomId, answer.role, answer.expire],
        ['alice', SDK_APP_ID, 4294967294, 'anchor', 3600],
      );
      assert.deepEqual(seen, [{ userId: 'alice', roomId: 4294967294, role: 'anchor' }]);
      const doc = decode(answer.userSig);
      assert.equal(doc['TLS.identifier'], 'alice');
      const content = `TLS.identifier:alice\nTLS.sdkappid:${SDK_APP_ID}\nTLS.time:${doc['TLS.time']}\nTLS.expire:3600\n`;
      assert.equal(doc['TLS.sig'], createHmac('sha256', SECRET).update(content).digest('base64'));
      // The ticket: this user, this app, this room, the anchor's bits (create, enter, send and receive audio/video).
      const key = userbufOf(answer.privateMapKey);
      assert.equal(key.doc['TLS.identifier'], 'alice');
      assert.equal(key.doc['TLS.expire'], 3600);
      assert.deepEqual(
        [key.version, key.account, key.sdkAppId, key.roomId, key.privileges, key.strRoomId],
        [0, 'alice', SDK_APP_ID, 4294967294, 1 | 2 | 4 | 8 | 16 | 32, null],
      );
      assert.equal(key.privileges, ROLE_PRIVILEGES.anchor);
      assert.ok(key.expireAt >= before + 3600 && key.expireAt <= Math.floor(Date.now() / 1000) + 3600);
      assert.equal(ok.headers['access-control-allow-origin'], 'https://site.example');
      assert.equal(ok.headers['cache-control'], 'no-store');

      // A string room and an audience member: enter and receive only.
      const str = await ask(
        app,
        { userId: 'alice', strRoomId: 'room-1', role: 'audience' },
        { cookie: 'session=alice' },
      );
      assert.equal(str.statusCode, 200, str.body);
      const sk = userbufOf(str.json().privateMapKey);
      assert.deepEqual(
        [sk.version, sk.roomId, sk.strRoomId, sk.privileges, str.json().strRoomId, str.json().roomId],
        [1, 0, 'room-1', 2 | 8 | 32, 'room-1', undefined],
      );

      const refused: [unknown, Record<string, string>, number, string, RegExp?][] = [
        [{ userId: 'alice', roomId: 1 }, {}, 403, 'USERSIG_NOT_ALLOWED'], // no session
        [{ userId: 'bob', roomId: 1 }, { cookie: 'session=alice' }, 403, 'USERSIG_NOT_ALLOWED'], // someone else
        [{ userId: 'alice', roomId: 666 }, { cookie: 'session=alice' }, 403, 'USERSIG_NOT_ALLOWED'], // that room
        [
          { userId: 'alice', roomId: 1 },
          { cookie: 'session=alice', origin: 'https://evil.example' },
          403,
          'ORIGIN_NOT_ALLOWED',
        ],
        [
          { userId: 'alice', roomId: 4294967295 },
          { cookie: 'session=alice' },
          400,
          'BAD_BODY',
          /1 to 4294967294/,
        ],
        [{ userId: 'alice', roomId: 0 }, { cookie: 'session=alice' }, 400, 'BAD_BODY', /1 to 4294967294/],
        [{ userId: 'alice', roomId: '123' }, { cookie: 'session=alice' }, 400, 'BAD_BODY', /strRoomId/],
        [{ userId: 'alice' }, { cookie: 'session=alice' }, 400, 'BAD_BODY', /exactly one of/],
        [{ userId: 'alice', roomId: 1, strRoomId: 'x' }, { cookie: 'session=alice' }, 400, 'BAD_BODY'],
        [{ userId: 'alice', roomId: 1, role: 'admin' }, { cookie: 'session=alice' }, 400, 'BAD_BODY'],
        [{ userId: 'bad id!', roomId: 1 }, { cookie: 'session=alice' }, 400, 'BAD_BODY'],
        [{ userId: 'alice', roomId: 1, sdkAppId: 1 }, { cookie: 'session=alice' }, 400, 'BAD_BODY'],
        [
          'userId=alice',
          { cookie: 'session=alice', 'content-type': 'application/x-www-form-urlencoded' },
          415,
          'UNSUPPORTED_CONTENT_TYPE',
        ],
      ];
      for (const [body, headers, status, code, message] of refused) {
        const res = await ask(app, body, headers);
        const what = `${JSON.stringify(body)} ${JSON.stringify(headers)}: ${res.body}`;
        assert.equal(res.statusCode, status, what);
        assert.equal(res.json().error.code, code, what);
        if (message) assert.match(res.json().error.message, message, what);
        assert.equal(res.json().userSig, undefined);
      }
    } finally {
      await app.close();
    }
  });

  test('one client is limited to TRTC_USERSIG_PER_MINUTE requests (429); another client is still served', async () => {
    const app = await plugin({
      trtc: { sdkAppId: SDK_APP_ID, secretKey: SECRET, perMinute: 3 },
      authorizeUserSig: () => true,
    });
    try {
      for (let i = 0; i < 3; i++) {
        assert.equal((await ask(app, { userId: 'u1', roomId: 7 }, {}, '10.0.0.1')).statusCode, 200);
      }
      const limited = await ask(app, { userId: 'u1', roomId: 7 }, {}, '10.0.0.1');
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
      assert.match(limited.json().error.message, /TRTC_USERSIG_PER_MINUTE/);
      assert.ok(limited.headers['retry-after']);
      const other = await ask(app, { userId: 'u2', roomId: 7 }, {}, '10.0.0.2');
      assert.equal(other.statusCode, 200, other.body);
      assert.equal(decode(other.json().userSig)['TLS.identifier'], 'u2');
    } finally {
      await app.close();
    }
  });

  test('the standalone receiver loads RECEIVER_USERSIG_AUTHORIZER; without it, or with TRTC unset, no UserSig', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usersig-authorizer-'));
    const hook = join(dir, 'authorize.mjs');
    writeFileSync(
      hook,
      "export default async (request, { userId, roomId }) => request.headers['x-session'] === userId && roomId === 42;\n",
    );
    const trtcEnv = { TRTC_SDK_APP_ID: String(SDK_APP_ID), TRTC_SECRET_KEY: SECRET };
    const closed = await startReceiver({
      key: 'k',
      env: { ...trtcEnv, TRTC_USERSIG_ALLOW_USERS: 'kiosk_1' },
    });
    const hooked = await startReceiver({
      key: 'k',
      env: { ...trtcEnv, RECEIVER_USERSIG_AUTHORIZER: hook, TRTC_USERSIG_ALLOW_USERS: 'kiosk_1,kiosk_2' },
    });
    const unset = await startReceiver({ key: 'k' });
    const post = (url: string, userId: string, roomId: number, session = userId) =>
      fetch(`${url}/api/trtc/usersig`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-session': session },
        body: JSON.stringify({ userId, roomId }),
      });
    try {
      const none = await post(closed.url, 'kiosk_1', 42);
      assert.equal(none.status, 403);
      const noneBody = (await none.json()) as { error: { code: string; message: string } };
      assert.equal(noneBody.error.code, 'USERSIG_NOT_ALLOWED');
      assert.match(noneBody.error.message, /RECEIVER_USERSIG_AUTHORIZER/);
      assert.equal((await post(hooked.url, 'kiosk_2', 43)).status, 403); // the hook: not that room
      assert.equal((await post(hooked.url, 'kiosk_2', 42, 'kiosk_1')).status, 403); // the hook: not that session
      assert.equal((await post(hooked.url, 'kiosk_3', 42)).status, 403); // not in TRTC_USERSIG_ALLOW_USERS
      const ok = await post(hooked.url, 'kiosk_2', 42);
      assert.equal(ok.status, 200);
      const answer = (await ok.json()) as { userSig: string; privateMapKey: string };
      assert.equal(decode(answer.userSig)['TLS.identifier'], 'kiosk_2');
      assert.equal(userbufOf(answer.privateMapKey).roomId, 42);
      // Without TRTC settings the endpoint does not exist.
      assert.equal((await post(unset.url, 'kiosk_1', 42)).status, 404);
    } finally {
      await Promise.all([closed.stop(), hooked.stop(), unset.stop()]);
    }
  });
});
