// @web/dev-server plugin: a recordings backend that speaks the receiver's read API (GET /api/recordings, SSE
// GET /api/recordings/events) with the rows a test gives it, verbatim — for what the real receiver refuses to store
// (out-of-range times, huge sizes: rows an older receiver or another site backend may still hand out) — and with
// the read key of docs/contracts.md checked by the project's own server/shared/tx-secret.ts, answering 403
// READ_AUTH_FAILED as the receiver does. Each test uses its own name:
//   POST /recordings-backend/{name}/setup   { rows: Recording-like[], readKey?: string }
//   POST /recordings-backend/{name}/emit    { event: 'recording' | 'status', data } -> sent to open event streams
//   POST /recordings-backend/{name}/drop    -> ends the open event streams (the list reconnects)
//   POST /recordings-backend/{name}/sign    { recordId, expiresIn } -> { readSecret, readTime } (txSign)
//   GET  /recordings-backend/{name}/log     -> the URLs the list requested ["/api/recordings?…", …]
//   GET  /recordings-backend/{name}/api/recordings[/events]?recordId&readSecret&readTime…  (the backend itself)
import { tsImport } from 'tsx/esm/api';

const PREFIX = '/recordings-backend/';
const { txSign, txVerify } = await tsImport('../../server/shared/tx-secret.ts', import.meta.url);
const backends = new Map();

function backend(name) {
  let b = backends.get(name);
  if (!b) {
    b = { rows: [], readKey: null, log: [], clients: new Set(), seq: 0 };
    backends.set(name, b);
  }
  return b;
}

async function json(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The receiver's read-key check (docs/contracts.md: readSecret = md5(key + recordId + readTime)). */
function refusal(b, q) {
  if (!b.readKey) return null;
  const recordId = q.get('recordId');
  const why = recordId
    ? txVerify(b.readKey, recordId, q.get('readSecret'), q.get('readTime'), Math.floor(Date.now() / 1000))
    : 'MISSING';
  if (!why) return null;
  return {
    error: { module: 'recordings', code: 'READ_AUTH_FAILED', message: `Read key ${why.toLowerCase()}.` },
  };
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  const [name, ...rest] = url.pathname.slice(PREFIX.length).split('/');
  const path = `/${rest.join('/')}`;
  const b = backend(name);
  if (req.method === 'POST' && path === '/setup') {
    const body = await json(req);
    b.rows = body.rows ?? [];
    b.readKey = body.readKey ?? null;
    return send(res, 200, { ok: true });
  }
  if (req.method === 'POST' && path === '/emit') {
    const { event, data } = await json(req);
    b.seq += 1;
    for (const c of b.clients) c.write(`id: ${b.seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    return send(res, 200, { clients: b.clients.size });
  }
  if (req.method === 'POST' && path === '/drop') {
    for (const c of b.clients) c.end();
    b.clients.clear();
    return send(res, 200, { ok: true });
  }
  if (req.method === 'POST' && path === '/sign') {
    const { recordId, expiresIn } = await json(req);
    const { txSecret, txTime } = txSign(b.readKey, recordId, Math.floor(Date.now() / 1000) + expiresIn);
    return send(res, 200, { readSecret: txSecret, readTime: txTime });
  }
  if (req.method === 'GET' && path === '/log') return send(res, 200, b.log);
  if (req.method === 'GET' && (path === '/api/recordings' || path === '/api/recordings/events')) {
    b.log.push(`${path}${url.search}`);
    const refused = refusal(b, url.searchParams);
    if (refused) return send(res, 403, refused);
    if (path === '/api/recordings')
      return send(res, 200, { recordings: b.rows, next: null, lastEventId: String(b.seq) });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write(`id: ${b.seq}\nevent: ready\ndata: {}\n\n`);
    b.clients.add(res);
    req.on('close', () => b.clients.delete(res));
    return undefined;
  }
  return send(res, 404, { error: { module: 'recordings', code: 'NOT_FOUND', message: path } });
}

export default {
  name: 'recordings-backend',
  serverStart({ server }) {
    const others = server.listeners('request');
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      if (req.url?.startsWith(PREFIX)) {
        handle(req, res).catch((err) => send(res, 500, { error: { message: String(err) } }));
        return;
      }
      for (const l of others) l.call(server, req, res);
    });
  },
  serverStop() {
    for (const b of backends.values()) for (const c of b.clients) c.end();
    backends.clear();
  },
};
