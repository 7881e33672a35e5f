// A media host that admits only viewers carrying its cookie, as a site's own CDN with cookie auth does: the
// player's media on its own 127.0.0.1 port (cross-origin to the test page, same site), answering with credentialed
// CORS (the page's exact origin + Access-Control-Allow-Credentials) and 403 to any request without the cookie.
//
// Dev-server route: GET /cookie-gate/info → {"port": P}. On P:
//   GET /set-cookie      sets `gate=open` (fetch it with credentials: 'include')
//   GET /media/…         the media fixtures (media-server.mjs) when the request carries gate=open, else 403
//   GET /log             every /media/ request seen: { path, cookie: true|false }; POST /reset clears it
import { createServer } from 'node:http';
import { createMediaServer } from './media-server.mjs';

let server = null;
let media = null;
let log = [];

function credentialedCors(req) {
  return req.headers.origin
    ? {
        'access-control-allow-origin': req.headers.origin,
        'access-control-allow-credentials': 'true',
        vary: 'Origin',
      }
    : {};
}

function handle(req, res) {
  const path = new URL(req.url, 'http://x').pathname;
  const cors = credentialedCors(req);
  if (path === '/set-cookie') {
    res.writeHead(204, { ...cors, 'set-cookie': 'gate=open; Path=/; SameSite=Lax' });
    return res.end();
  }
  if (path === '/log') {
    res.writeHead(200, { 'content-type': 'application/json', ...cors });
    return res.end(JSON.stringify(log));
  }
  if (path === '/reset') {
    log = [];
    res.writeHead(204, cors);
    return res.end();
  }
  if (path.startsWith('/media/')) {
    const cookie = /(?:^|;\s*)gate=open(?:;|$)/.test(req.headers.cookie ?? '');
    log.push({ path, cookie });
    if (!cookie) {
      res.writeHead(403, { 'content-type': 'text/plain', ...cors });
      return res.end('no cookie');
    }
    // the fixtures answer with `*`, which a credentialed request may not read: answer as a cookie-auth CDN does
    const writeHead = res.writeHead.bind(res);
    res.writeHead = (status, headers = {}) => {
      const h = Object.fromEntries(
        Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'access-control-allow-origin'),
      );
      return writeHead(status, { ...h, ...cors });
    };
    if (media.handle(req, res)) return;
  }
  res.writeHead(404, cors);
  res.end();
}

export default {
  name: 'cookie-gate',
  async serverStart() {
    media = createMediaServer();
    server = createServer(handle);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  },
  async serverStop() {
    media?.close();
    server?.closeAllConnections?.();
    await new Promise((resolve) => server?.close(resolve));
  },
  serve(context) {
    if (context.path === '/cookie-gate/info')
      return { body: JSON.stringify({ port: server.address().port }), type: 'application/json' };
  },
};
