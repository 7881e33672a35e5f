// `npm run receiver` (= `node --import tsx server/receiver/main.ts`, one process): the callback receiver alone.
// Settings: environment variables, all listed with their defaults in server/receiver/README.md (config.ts reads them;
// DATABASE_URL, which selects the PostgreSQL store instead of SQLite, is read here).
import Fastify from 'fastify';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { receiverConfigFromEnv, type ReceiverConfig } from './config.ts';
import { receiverPlugin } from './plugin.ts';

let config: ReceiverConfig;
try {
  config = receiverConfigFromEnv(process.env);
} catch (err) {
  console.error(`receiver: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
const databaseUrl = process.env.DATABASE_URL?.trim();
if (databaseUrl) {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    console.error('receiver: DATABASE_URL must be a postgres:// (or postgresql://) URL.');
    process.exit(1);
  }
  config.plugin.databaseUrl = databaseUrl;
}
if (config.plugin.allowedOrigins === '*') {
  console.warn('receiver: ALLOWED_ORIGINS=* lets every web site read the recordings API (local demo only).');
}
/** The site's hook in the module at `path` (its default export), or exit naming the variable. */
async function loadHook(variable: string, path: string, shape: string): Promise<unknown> {
  let hook: unknown;
  try {
    hook = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
  } catch (err) {
    console.error(`receiver: ${variable}=${path} could not be loaded: ${String(err)}`);
    process.exit(1);
  }
  if (typeof hook !== 'function') {
    console.error(`receiver: ${variable}=${path} must default-export a function ${shape} → boolean.`);
    process.exit(1);
  }
  return hook;
}

if (config.userSigAuthorizer) {
  // The site's hook: `export default function authorizeUserSig(request, { userId, roomId | strRoomId, role })`.
  config.plugin.authorizeUserSig = (await loadHook(
    'RECEIVER_USERSIG_AUTHORIZER',
    resolve(config.userSigAuthorizer),
    'authorizeUserSig(request, { userId, roomId | strRoomId, role })',
  )) as NonNullable<typeof config.plugin.authorizeUserSig>;
} else if (config.plugin.trtc) {
  console.warn(
    'receiver: TRTC UserSigs are configured but RECEIVER_USERSIG_AUTHORIZER is not set: every request is refused (403).',
  );
}
if (config.playAuthorizer) {
  // The site's hook: `export default function authorizePlayUrl(request, { streamId, encode, template })`.
  config.plugin.authorizePlayUrl = (await loadHook(
    'RECEIVER_PLAY_AUTHORIZER',
    resolve(config.playAuthorizer),
    'authorizePlayUrl(request, { streamId, encode, template })',
  )) as NonNullable<typeof config.plugin.authorizePlayUrl>;
} else if (config.plugin.trtcPlay && !config.plugin.trtcPlay.allowStreams?.length) {
  console.warn(
    'receiver: TRTC play URLs are configured but neither TRTC_PLAY_STREAMS nor RECEIVER_PLAY_AUTHORIZER is set: every request is refused (403).',
  );
}

const app = Fastify({
  logger: { level: config.logLevel },
  trustProxy: config.trustProxy,
  // node:http enforces these on every connection: slow headers, slow whole requests, idle or stalled sockets.
  serverFactory: (handler) =>
    createServer(
      {
        headersTimeout: config.headersTimeoutMs,
        requestTimeout: config.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
        keepAliveTimeout: 5000,
      },
      handler,
    ).setTimeout(config.idleTimeoutMs),
});
await app.register(receiverPlugin, config.plugin);
const address = await app.listen({ port: config.port, host: config.host });
console.log(`receiver listening on ${address}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // Live subscribers are ended (preClose) and pending writes committed (onClose); a connection that will not let
    // go cannot keep the process alive past 10 s.
    setTimeout(() => process.exit(1), 10_000).unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
