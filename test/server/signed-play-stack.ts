// A Tencent-like signed-play setup for the browser tests, started by `test/support/signed-play.plugin.mjs` as one child process
// (`node --import tsx`): the REAL local relay with a play key (it checks txSecret/txTime on /live/*, no clock skew
// allowed, as Tencent's CDN), the REAL receiver signing play URLs for that relay with the same key (5 s lifetime,
// the page's origin allowed), and a test source pushed and relayed as FLV. A small control server answers
// GET /info ({ relay, receiver, streamId }) and POST /cut (drops every open connection to the relay: the viewers'
// streams break, the stream itself goes on).
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { relayPlugin } from '../../server/relay/plugin.ts';
import { receiverPlugin } from '../../server/receiver/plugin.ts';
import { createAndPush, startRelaying, waitFor } from './relay/support.ts';

const KEY = 'signed-play-test-key';
const origin = process.env.SIGNED_PLAY_ORIGIN ?? '';

const relay = Fastify({ logger: false });
await relay.register(relayPlugin, {
  dataDir: mkdtempSync(join(tmpdir(), 'signed-play-relay-')),
  playKey: KEY,
  skewSeconds: 0,
});
const relayBase = await relay.listen({ port: 0, host: '127.0.0.1' });
const { streamId, pusher } = await createAndPush(relayBase, { seconds: 600 });
await waitFor(
  async () => (await startRelaying(relayBase, streamId, { encode: 'flv' })).status === 200,
  'the relay',
);

const receiver = Fastify({ logger: false });
await receiver.register(receiverPlugin, {
  dataDir: mkdtempSync(join(tmpdir(), 'signed-play-receiver-')),
  callbackKey: 'unused',
  allowedOrigins: [origin],
  trtcPlay: { key: KEY, domain: relayBase, allowStreams: [streamId], ttlSeconds: 5, perMinute: 1000 },
});
const receiverBase = await receiver.listen({ port: 0, host: '127.0.0.1' });

const control = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/cut') relay.server.closeAllConnections();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ relay: relayBase, receiver: receiverBase, streamId }));
});
control.listen(0, '127.0.0.1', () => {
  const { port } = control.address() as { port: number };
  console.log(`signed-play listening on http://127.0.0.1:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void pusher.stop().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  });
}
