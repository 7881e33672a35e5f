/**
 * `npm start`'s credential endpoint (server/dev-credentials.ts): pages on any loopback origin — the demo, or a page
 * a developer serves from another local port with a README snippet — get push credentials that work against the
 * relay; pages elsewhere and scripts without an Origin do not, and one visitor never gets another's stream.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoServer, type DemoServer } from './support.ts';

let server: DemoServer;
before(async () => {
  server = await startDemoServer();
});
after(async () => {
  await server?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

async function ask(origin: string | null, body: unknown, cookie?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (origin) headers.origin = origin;
  if (cookie) headers.cookie = cookie;
  const res = await fetch(`${server.base}/api/credentials`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

/** A browser's CORS preflight for `POST /api/credentials` from `origin`, with the request headers it names. */
function preflight(origin: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.base}/api/credentials`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', ...headers },
  });
}

test('a page on another loopback port gets credentials it can read (CORS with cookies) and push with', async () => {
  const page = 'http://127.0.0.1:5173';
  const allowed = await preflight(page, { 'access-control-request-headers': 'content-type' });
  assert.equal(allowed.status, 204);
  assert.equal(allowed.headers.get('access-control-allow-origin'), page);
  assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
  assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /content-type/);

  const a = await ask(page, { streamId: 'readme_cam' });
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.equal(a.headers.get('access-control-allow-origin'), page);
  assert.equal(a.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(a.body.streamId, 'readme_cam');
  const q = new URLSearchParams({ txSecret: String(a.body.txSecret), txTime: String(a.body.txTime) });
  const created = await fetch(`${server.base}/api/streams?${q}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ streamId: 'readme_cam' }),
  });
  assert.equal(created.status, 201, await created.text());

  // the same browser (its cookie) may ask again for its stream; another browser may not
  const cookie = String(a.headers.get('set-cookie')).split(';')[0];
  assert.equal((await ask(page, { streamId: 'readme_cam' }, cookie)).status, 200);
  const other = await ask('http://localhost:3000', { streamId: 'readme_cam' });
  assert.equal(other.status, 409);
  const fresh = await ask('http://[::1]:8000', {});
  assert.equal(fresh.status, 200);
  assert.match(String(fresh.body.streamId), /^s_[0-9a-f]{12}$/);
});

test('a page on a non-loopback origin, or a request without an Origin, gets no credentials', async () => {
  for (const origin of [
    'http://example.com',
    'http://127.0.0.2:8080',
    'http://localhost.example.com',
    null,
  ]) {
    const r = await ask(origin, {});
    assert.equal(r.status, 403, String(origin));
    assert.equal(r.body.error?.code, 'ORIGIN_NOT_ALLOWED');
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    assert.equal(r.body.txSecret, undefined);
  }
  const refused = await preflight('http://example.com');
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
});
