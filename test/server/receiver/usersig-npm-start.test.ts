// `npm start` with TRTC_SDK_APP_ID and TRTC_SECRET_KEY: the development server passes its own authoriser, so the
// demo's pages (a loopback origin) get a UserSig and a room-bound PrivateMapKey; any other page, or a script without
// an Origin, gets none — the receiver's "refuse without an authoriser" rule stays whole.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { startDemoServer, type DemoServer } from '../demo/support.ts';

const SDK_APP_ID = 1400000000;
let server: DemoServer;
before(async () => {
  server = await startDemoServer({
    TRTC_SDK_APP_ID: String(SDK_APP_ID),
    TRTC_SECRET_KEY: '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e',
  });
});
after(async () => {
  await server?.stop();
});

const ask = (origin: string | null) =>
  fetch(`${server.base}/api/trtc/usersig`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    body: JSON.stringify({ userId: 'alice', roomId: 1234 }),
  });

test("the demo's own page gets a UserSig with a PrivateMapKey for the room it asked for", async () => {
  const res = await ask(server.base);
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('access-control-allow-origin'), server.base);
  const answer = (await res.json()) as { userSig: string; privateMapKey: string; roomId: number };
  assert.equal(answer.roomId, 1234);
  const doc = JSON.parse(
    inflateSync(
      Buffer.from(answer.privateMapKey.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '='), 'base64'),
    ).toString(),
  ) as Record<string, unknown>;
  assert.equal(doc['TLS.identifier'], 'alice');
  assert.equal(doc['TLS.sdkappid'], SDK_APP_ID);
  assert.ok(doc['TLS.userbuf'], 'a PrivateMapKey carries the room in its userbuf');
});

test('a foreign page and a script without an Origin get no UserSig', async () => {
  const foreign = await ask('https://evil.example');
  assert.equal(foreign.status, 403);
  assert.equal(((await foreign.json()) as { error: { code: string } }).error.code, 'ORIGIN_NOT_ALLOWED');
  const script = await ask(null);
  assert.equal(script.status, 403);
  assert.equal(((await script.json()) as { error: { code: string } }).error.code, 'USERSIG_NOT_ALLOWED');
});
