// A WHIP/WHEP endpoint that misbehaves on purpose, for what a healthy server never does (the happy path is tested
// against real servers: the local relay and Janus). On a 127.0.0.1 ephemeral port of its own, so every request is
// cross-origin, as a page's requests to a WHIP/WHEP server are; it answers CORS as RFC 9725 servers must
// (exposing Location, Link, ETag) unless the scenario says otherwise.
//
// Dev-server route (same origin as the tests):
//   GET /sdp-stubs/info → {"url": "http://127.0.0.1:P"}
// On {url}, the scenario is the first path segment, e.g. POST {url}/status-401/whip/s1:
//   status-NNN     POST → NNN with the contract's JSON error body ({ error: { module: 'relay', code, message } })
//   text-NNN       POST → NNN text/plain "stub says no"
//   hang           POST never answers (the connection stays open until the client gives up)
//   no-location    POST → 201 with an SDP body and no Location
//   hidden-location POST → 201 with Location, but CORS does not expose it (a misconfigured server)
//   not-sdp        POST → 201 with Location and an HTML body
//   answer-200     POST → 200 (not 201) with Location and an SDP body
//   ok             POST → 201, Location /ok/res/N (relative), an SDP body (not a usable answer: for the HTTP half
//                  only), Link headers (one TURN server with credentials, one STUN, one rel="other"), an ETag;
//                  PATCH …/res/N → 204 with a new ETag (trickle) or, with If-Match: *, 200 + an sdpfrag (restart);
//                  DELETE …/res/N → 200
//   no-patch       like ok, but PATCH → 405
// GET {url}/log → every request seen ({ method, path, auth, type, ifMatch, body }); POST {url}/reset clears it.
import { createServer } from 'node:http';

let server = null;
let url = '';
let log = [];
let counter = 0;
const hanging = new Set();

const ANSWER =
  'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:srv1\r\na=ice-pwd:serverpassword1234567890\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n';

function cors(req, exposed = 'Location, Link, ETag') {
  return {
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-expose-headers': exposed,
  };
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

async function handle(req, res) {
  const path = new URL(req.url, 'http://x').pathname;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      ...cors(req),
      'access-control-allow-methods': 'POST, PATCH, DELETE',
      'access-control-allow-headers': 'authorization, content-type, if-match',
    });
    return res.end();
  }
  if (path === '/log') {
    res.writeHead(200, { 'content-type': 'application/json', ...cors(req) });
    return res.end(JSON.stringify(log));
  }
  if (path === '/reset') {
    log = [];
    res.writeHead(204, cors(req));
    return res.end();
  }
  const body = await readBody(req);
  log.push({
    method: req.method,
    path,
    auth: req.headers.authorization ?? null,
    type: req.headers['content-type'] ?? null,
    ifMatch: req.headers['if-match'] ?? null,
    body,
  });
  const scenario = path.split('/')[1] ?? '';
  let m;
  if ((m = /^status-(\d{3})$/.exec(scenario))) {
    res.writeHead(Number(m[1]), { 'content-type': 'application/json', ...cors(req) });
    return res.end(
      JSON.stringify({ error: { module: 'relay', code: 'STUB', message: `stub refused with ${m[1]}` } }),
    );
  }
  if ((m = /^text-(\d{3})$/.exec(scenario))) {
    res.writeHead(Number(m[1]), { 'content-type': 'text/plain', ...cors(req) });
    return res.end('stub says no');
  }
  if (scenario === 'hang') {
    hanging.add(res);
    res.on('close', () => hanging.delete(res));
    return;
  }
  if (req.method === 'POST' && !path.includes('/res/')) {
    const n = ++counter;
    const location = `/${scenario}/res/${n}`;
    if (scenario === 'no-location') {
      res.writeHead(201, { 'content-type': 'application/sdp', ...cors(req) });
      return res.end(ANSWER);
    }
    if (scenario === 'hidden-location') {
      res.writeHead(201, { 'content-type': 'application/sdp', location, ...cors(req, 'Link') });
      return res.end(ANSWER);
    }
    if (scenario === 'not-sdp') {
      res.writeHead(201, { 'content-type': 'text/html', location, ...cors(req) });
      return res.end('<html><body>Welcome</body></html>');
    }
    res.writeHead(scenario === 'answer-200' ? 200 : 201, {
      'content-type': 'application/sdp',
      location,
      etag: `"e${n}"`,
      link: [
        '<turn:127.0.0.1:3478?transport=udp>; rel="ice-server"; username="user"; credential="pass"; credential-type="password"',
        '<stun:127.0.0.1:3478>; rel="ice-server"',
        '<https://example.invalid/doc>; rel="other"',
      ].join(', '),
      ...cors(req),
    });
    return res.end(ANSWER);
  }
  if (req.method === 'PATCH') {
    if (scenario === 'no-patch') {
      res.writeHead(405, cors(req));
      return res.end();
    }
    if (req.headers['if-match'] === '*') {
      res.writeHead(200, {
        'content-type': 'application/trickle-ice-sdpfrag',
        etag: '"restarted"',
        ...cors(req),
      });
      return res.end(
        'a=ice-ufrag:srv2\r\na=ice-pwd:serverpassword0987654321\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n',
      );
    }
    res.writeHead(204, { etag: `"t${++counter}"`, ...cors(req) });
    return res.end();
  }
  if (req.method === 'DELETE') {
    res.writeHead(200, cors(req));
    return res.end();
  }
  res.writeHead(405, cors(req));
  res.end();
}

export default {
  name: 'sdp-stubs',
  async serverStart() {
    server = createServer((req, res) => {
      handle(req, res).catch((err) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${server.address().port}`;
  },
  async serverStop() {
    for (const res of hanging) res.destroy();
    await new Promise((resolve) => server?.close(resolve));
  },
  serve(context) {
    if (context.path === '/sdp-stubs/info')
      return { body: JSON.stringify({ url }), type: 'application/json' };
  },
};
