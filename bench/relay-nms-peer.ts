/**
 * The benches' baseline peer: node-media-server 2 (already a dependency, for the relay's RTMP output) as a plain
 * RTMP-in, HTTP-FLV-out fan-out server with its GOP cache, on free loopback ports. Prints
 * `nms listening on http://127.0.0.1:H rtmp://127.0.0.1:R` once both listen.
 */
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const NodeMediaServer = require('node-media-server') as new (config: object) => { run(): void };
const [rtmpPort, httpPort] = [await freePort(), await freePort()];
const nms = new NodeMediaServer({
  logType: 0,
  rtmp: { port: rtmpPort, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 },
  http: { port: httpPort, allow_origin: '*', mediaroot: mkdtempSync(join(tmpdir(), 'nms-peer-')) },
});
nms.run();
await new Promise((r) => setTimeout(r, 300)); // run() listens asynchronously and does not say when
console.log(`nms listening on http://127.0.0.1:${httpPort} rtmp://127.0.0.1:${rtmpPort}`);
process.on('SIGTERM', () => process.exit(0));
