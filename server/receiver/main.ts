// `npm run receiver`: the callback receiver alone. Env: RECEIVER_PORT (8081; 0 = any free port), RECEIVER_HOST
// (127.0.0.1), DATA_DIR (./data), CALLBACK_KEY (required), ALLOWED_ORIGINS (comma-separated, or *),
// GROUP_COMMIT (1; 0 commits every notification in its own transaction).
import Fastify from 'fastify';
import { receiverPlugin } from './plugin.ts';

const key = process.env.CALLBACK_KEY ?? '';
if (!key) {
  console.error(
    'receiver: set CALLBACK_KEY to the callback key configured for the cloud (or the local relay).',
  );
  process.exit(1);
}
const originsEnv = (process.env.ALLOWED_ORIGINS ?? '').trim();
const allowedOrigins =
  originsEnv === '*'
    ? '*'
    : originsEnv
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
const host = process.env.RECEIVER_HOST ?? '127.0.0.1';
const port = Number(process.env.RECEIVER_PORT ?? 8081);

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' } });
await app.register(receiverPlugin, {
  dataDir: process.env.DATA_DIR ?? './data',
  callbackKey: key,
  allowedOrigins,
  groupCommit: process.env.GROUP_COMMIT !== '0',
});
const address = await app.listen({ port, host });
console.log(`receiver listening on ${address}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
