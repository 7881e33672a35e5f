// Test-side backends for the push tests (module `push`), all on 127.0.0.1 ephemeral ports:
//   a stub relay that misbehaves on purpose (4xx/5xx, slow answers, dropped ingest), a port where nothing listens
//   (relay down), and a UserSig endpoint for the trtc provider. The happy path is tested against the REAL relay
//   (relay.plugin.mjs); this only covers what a healthy relay never does.
//
// Dev-server routes (same origin as the tests):
//   GET /push-stubs/info                  {"stubUrl": "http://127.0.0.1:P", "deadUrl": "http://127.0.0.1:Q"}
// Stub relay (stubUrl), scenario = first path segment, e.g. POST {stubUrl}/create-400/api/streams:
//   create-400  POST /api/streams → 400 { error: { module: 'relay', code: 'INVALID_STREAM_ID', … } }
//   create-500  POST /api/streams → 500 text/plain (no contract body)
//   relay-503   POST …/relay → 503 { error: { module: 'relay', code: 'RELAY_UNAVAILABLE', … } }
//   slow        POST /api/streams answers after 1500 ms
//   drop        the ingest WebSocket is closed (1011, "ingest dropped by test") 1500 ms after the relay starts
//   anything else: a well-behaved contract answer (URLs point nowhere playable)
//   auth        like a relay with RELAY_PUSH_KEY=PUSH_KEY: every request (and the ingest socket) must carry
//               txSecret = md5(PUSH_KEY + streamId + txTime) and an unexpired txTime, else 403 PUSH_AUTH_FAILED;
//               POST /api/streams needs `streamId` in its body and uses it. Log entries carry `auth`.
//   GET|POST {stubUrl}/usersig?sdkAppId&userId  {"userSig": "sig-<sdkAppId>-<userId>", "privateMapKey":
//     "pmk-<room>-<role>" (when the body names a room)}; userId=broken → 500
//   POST {stubUrl}/credentials {streamId?} → {streamId (given or cred-N), txSecret, txTime} minted with PUSH_KEY,
//               valid 10 min; logs origin, content type and body. POST {stubUrl}/credentials-403 → 403.
//   GET {stubUrl}/log → every request and ingest byte count seen so far; POST {stubUrl}/reset clears it.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

let stub = null;
let wss = null;
let stubUrl = '';
let deadUrl = '';
let log = [];
let counter = 0;
const sockets = new Map();

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(type === 'application/json' ? JSON.stringify(body) : body);
}

/** The push key of the `auth` scenario (a relay started with RELAY_PUSH_KEY). */
const PUSH_KEY = 'test-push-key';
const md5 = (s) => createHash('md5').update(s).digest('hex');

function mint(streamId, ttlSeconds = 600) {
  const txTime = (Math.floor(Date.now() / 1000) + ttlSeconds).toString(16).toUpperCase();
  return { streamId, txSecret: md5(PUSH_KEY + streamId + txTime), txTime };
}

/** 'ok', or why the query's txSecret/txTime do not authorise `streamId`. */
function checkAuth(searchParams, streamId) {
  const txSecret = searchParams.get('txSecret');
  const txTime = searchParams.get('txTime');
  if (!txSecret || !txTime || !streamId) return 'MISSING';
  if (md5(PUSH_KEY + streamId + txTime) !== txSecret) return 'INVALID';
  if (parseInt(txTime, 16) < Date.now() / 1000) return 'EXPIRED';
  return 'ok';
}

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    return null;
  }
}

function relayError(code, message) {
  return { error: { module: 'relay', code, message } };
}

async function handle(req, res) {
  // The test page's origin, with credentials: `sig-endpoint` and `credential-endpoint` send the site's cookies.
  res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
  res.setHeader('access-control-allow-credentials', 'true');
  res.setHeader('vary', 'origin');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'access-control-allow-methods': 'GET,POST,DELETE,OPTIONS',
      'access-control-allow-headers': 'content-type',
    });
    return res.end();
  }
  const url = new URL(req.url, stubUrl);
  if (url.pathname === '/log') return send(res, 200, log);
  if (url.pathname === '/reset') {
    log = [];
    return send(res, 200, {});
  }
  if (url.pathname === '/usersig') {
    const userId = url.searchParams.get('userId');
    const body = req.method === 'POST' ? await readJson(req) : null;
    log.push({ scenario: 'usersig', method: req.method, path: url.pathname + url.search, body });
    if (userId === 'broken') return send(res, 500, 'sig service down', 'text/plain');
    // like the receiver: a room permission ticket bound to the room and role the body names
    const room = body?.roomId ?? body?.strRoomId;
    return send(res, 200, {
      userSig: `sig-${url.searchParams.get('sdkAppId')}-${userId}`,
      ...(room !== undefined ? { privateMapKey: `pmk-${room}-${body.role}` } : {}),
    });
  }
  if (url.pathname === '/credentials' || url.pathname === '/credentials-403') {
    const body = await readJson(req);
    log.push({
      scenario: 'credentials',
      method: req.method,
      path: url.pathname,
      origin: req.headers.origin ?? null,
      contentType: req.headers['content-type'] ?? null,
      body,
    });
    if (url.pathname === '/credentials-403') return send(res, 403, { error: 'not signed in (stub)' });
    return send(res, 200, mint(body?.streamId ?? `cred-${++counter}`));
  }
  const [, scenario, ...rest] = url.pathname.split('/');
  const path = '/' + rest.join('/');
  const entry = { scenario, method: req.method, path };
  log.push(entry);
  let m;
  if (scenario === 'auth') {
    const body = req.method === 'POST' ? await readJson(req) : null;
    const named = path.match(/^\/api\/streams\/([^/]+)/);
    const streamId = named ? decodeURIComponent(named[1]) : body?.streamId;
    entry.auth = checkAuth(url.searchParams, streamId);
    if (entry.auth !== 'ok') {
      return send(res, 403, {
        error: {
          module: 'relay',
          code: 'PUSH_AUTH_FAILED',
          message: `Push credentials ${entry.auth} (stub).`,
        },
      });
    }
    if (req.method === 'POST' && path === '/api/streams') {
      return send(res, 201, {
        streamId,
        ingest: {
          kind: 'websocket',
          url: `${stubUrl.replace('http', 'ws')}/auth/ingest/${streamId}?token=t0k`,
        },
      });
    }
  }
  if (req.method === 'POST' && path === '/api/streams') {
    if (scenario === 'create-400') {
      return send(
        res,
        400,
        relayError('INVALID_STREAM_ID', 'The stream id is taken (stub). Choose another.'),
      );
    }
    if (scenario === 'create-500') return send(res, 500, 'boom', 'text/plain');
    if (scenario === 'slow') await new Promise((r) => setTimeout(r, 1500));
    const streamId = `stub-${++counter}`;
    const ingest = {
      kind: 'websocket',
      url: `${stubUrl.replace('http', 'ws')}/${scenario}/ingest/${streamId}`,
    };
    return send(res, 201, { streamId, ingest });
  }
  if ((m = path.match(/^\/api\/streams\/([^/]+)\/relay$/))) {
    const streamId = m[1];
    if (req.method === 'DELETE') return send(res, 200, { streamId, recordings: [] });
    if (scenario === 'relay-503') {
      return send(
        res,
        503,
        relayError('RELAY_UNAVAILABLE', 'The relay cannot start ffmpeg (stub). Try later.'),
      );
    }
    if (scenario === 'drop') {
      setTimeout(() => sockets.get(streamId)?.close(1011, 'ingest dropped by test'), 1500);
    }
    return send(res, 200, {
      streamId,
      urls: [
        { encode: 'flv', url: `${stubUrl}/live/${streamId}.flv` },
        { encode: 'hls', url: `${stubUrl}/live/${streamId}.m3u8` },
      ],
    });
  }
  if ((m = path.match(/^\/api\/streams\/([^/]+)$/)) && req.method === 'DELETE') {
    sockets.get(m[1])?.close(1000, 'stream deleted');
    return send(res, 200, { streamId: m[1] });
  }
  return send(res, 404, relayError('NOT_FOUND', `No route ${req.method} ${path} (stub)`));
}

export default {
  name: 'push-stubs',
  async serverStart() {
    stub = createServer((req, res) => {
      handle(req, res).catch((err) => send(res, 500, relayError('STUB_BUG', String(err))));
    });
    wss = new WebSocketServer({
      server: stub,
      // The auth scenario refuses an ingest socket without valid credentials, as the relay does (403).
      verifyClient: ({ req }, done) => {
        const url = new URL(req.url, stubUrl);
        const [, scenario, , streamId] = url.pathname.split('/');
        if (scenario !== 'auth') return done(true);
        const auth = checkAuth(url.searchParams, streamId);
        log.push({
          scenario,
          method: 'WS-UPGRADE',
          path: url.pathname,
          auth,
          token: url.searchParams.get('token'),
        });
        done(auth === 'ok', 403);
      },
    });
    wss.on('connection', (ws, req) => {
      const [, scenario, , streamId] = new URL(req.url, stubUrl).pathname.split('/');
      sockets.set(streamId, ws);
      const entry = { scenario, method: 'WS', path: `/ingest/${streamId}`, bytes: 0, chunks: 0 };
      log.push(entry);
      ws.on('message', (data) => {
        entry.bytes += data.length;
        entry.chunks += 1;
      });
      ws.on('close', () => sockets.get(streamId) === ws && sockets.delete(streamId));
    });
    await new Promise((r) => stub.listen(0, '127.0.0.1', r));
    stubUrl = `http://127.0.0.1:${stub.address().port}`;
    const dead = createServer();
    await new Promise((r) => dead.listen(0, '127.0.0.1', r));
    deadUrl = `http://127.0.0.1:${dead.address().port}`;
    await new Promise((r) => dead.close(r));
  },
  async serverStop() {
    for (const ws of wss?.clients ?? []) ws.terminate();
    wss?.close();
    await new Promise((r) => (stub ? stub.close(r) : r()));
    stub = null;
  },
  serve(context) {
    if (context.path === '/push-stubs/info') {
      return { body: JSON.stringify({ stubUrl, deadUrl }), type: 'json' };
    }
    return undefined;
  },
};
