// The REAL local relay for end-to-end browser tests, started on first use as a child process
// (`node --import tsx server/relay/main.ts`) on ephemeral ports (HTTP and RTMP), with DATA_DIR in a fresh temp
// dir and its callbacks pointed at a small collector, so tests can see recordings arrive the way a backend does.
//
// Dev-server routes (same origin as the tests):
//   GET /relay-support/info        {"url": "http://127.0.0.1:P"} once the relay listens, or {"error": <its log>}
//   GET /relay-support/callbacks   every callback body the relay POSTed so far (JSON array, oldest first)
// The process and the temp dir are removed when the test run ends.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from './server-process.mjs';

let child = null;
let starting = null;
let dataDir = null;
let collector = null;
let callbacks = [];

function startCollector() {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        callbacks.push(JSON.parse(body));
      } catch {
        callbacks.push({ unparsable: body });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"code":0}');
    });
  });
  return new Promise((r) =>
    collector.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${collector.address().port}/cb`)),
  );
}

/** `origin`: the test page's origin, the one web page allowed to use the relay (ALLOWED_ORIGINS). */
async function startRelay(origin) {
  const callbackUrl = await startCollector();
  dataDir = mkdtempSync(join(tmpdir(), 'relay-e2e-'));
  child = await startServerProcess({
    script: 'server/relay/main.ts',
    name: 'relay',
    env: {
      RELAY_PORT: '0',
      RELAY_HOST: '127.0.0.1',
      RTMP_PORT: '0',
      DATA_DIR: dataDir,
      RELAY_CALLBACK_URL: callbackUrl,
      RELAY_CALLBACK_KEY: 'e2e-key',
      RELAY_CALLBACK_RETRY_MS: '200',
      ALLOWED_ORIGINS: origin,
      // every test page is the same client (127.0.0.1) for the whole run: room for all of them
      RELAY_MAX_STREAMS: '500',
      RELAY_MAX_STREAMS_PER_IP: '500',
      RELAY_CREATES_PER_MINUTE: '1000',
      LOG_LEVEL: 'warn',
    },
    ready: /relay listening on (http:\/\/\S+)/,
    keepOutput: 8000,
    killAfterMs: 5000,
  });
  return child.url;
}

export default {
  name: 'relay-e2e',
  async serve(context) {
    if (context.path === '/relay-support/callbacks') {
      return { body: JSON.stringify(callbacks), type: 'json' };
    }
    if (context.path === '/relay-support/info') {
      starting ??= startRelay(context.origin);
      try {
        return { body: JSON.stringify({ url: await starting }), type: 'json' };
      } catch (err) {
        return { body: JSON.stringify({ error: String(err && err.message) }), type: 'json' };
      }
    }
    return undefined;
  },
  async serverStop() {
    await starting?.catch(() => undefined); // a relay still starting is stopped too
    await child?.stop();
    child = null;
    await new Promise((r) => (collector ? collector.close(r) : r()));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  },
};
