/**
 * Helpers for the relay's security tests: a relay built the way `npm run relay` builds it (server timeouts from
 * `relayServerOptions`), raw HTTP requests that can spoof `Host`, send from another loopback address (another
 * "client IP") or stop half-way, and push credentials.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import { relayPlugin, type RelayPluginOptions } from '../../../server/relay/plugin.ts';
import { relayServerOptions, type RelayLimits } from '../../../server/relay/streams/limits.ts';
import { txSign } from '../../../server/shared/tx-secret.ts';
import { push, sleep, tempDir, type Pusher } from './support.ts';
import { startServerProcess } from '../../support/server-process.mjs';

export interface SecureRelay {
  base: string;
  app: FastifyInstance;
  dataDir: string;
  close(): Promise<void>;
}

export async function startSecureRelay(
  options: Partial<RelayPluginOptions> = {},
  limits: Partial<RelayLimits> = {},
): Promise<SecureRelay> {
  const tmp = tempDir('relay-security-');
  const app = Fastify({ logger: false, ...relayServerOptions(limits) });
  await app.register(relayPlugin, { dataDir: tmp.dir, ...options, limits });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    base,
    app,
    dataDir: tmp.dir,
    async close() {
      await app.close();
      tmp.remove();
    },
  };
}

/** `?txSecret=…&txTime=…` for `name`, expiring `ttl` seconds from now (negative = already expired). */
export function credQuery(key: string, name: string, ttl = 600): string {
  const { txSecret, txTime } = txSign(key, name, Math.floor(Date.now() / 1000) + ttl);
  return `?txSecret=${txSecret}&txTime=${txTime}`;
}

export interface RawResponse<T> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
}

/** One HTTP request with full control of headers and the source address; JSON bodies are parsed. */
export function send<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  o: { headers?: Record<string, string>; body?: unknown; from?: string } = {},
): Promise<RawResponse<T>> {
  const u = new URL(path, base);
  const payload =
    o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const headers: Record<string, string> = {
    ...(payload !== undefined && !o.headers?.['content-type'] ? { 'content-type': 'application/json' } : {}),
    ...o.headers,
  };
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        headers,
        localAddress: o.from,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : {};
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body as T });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export type ErrorBody = { error: { module: string; code: string; message: string } };

/** Opens a WebSocket and resolves with how it ended: its close code, or the HTTP status of a refused upgrade. */
export function wsOutcome(
  url: string,
  o: { origin?: string; from?: string; onOpen?: (ws: WebSocket) => void } = {},
): Promise<{ code: number; reason: string; httpStatus?: number }> {
  const ws = new WebSocket(url, { origin: o.origin, localAddress: o.from });
  ws.on('error', () => {});
  if (o.onOpen) ws.once('open', () => o.onOpen?.(ws));
  return new Promise((resolve) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve({ code: 0, reason: '', httpStatus: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

/** Counts the FLV bytes arriving from `url` for `ms`. */
export async function flvBytes(url: string, ms: number, from?: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    let n = 0;
    const req = httpRequest(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, localAddress: from, agent: false },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          resolve(-(res.statusCode ?? 1));
          return;
        }
        res.on('data', (d: Buffer) => (n += d.length));
        setTimeout(() => {
          req.destroy();
          resolve(n);
        }, ms);
      },
    );
    req.on('error', (err) => (n ? resolve(n) : reject(err)));
    req.end();
  });
}

export interface LiveRelayProcess {
  base: string;
  server: Awaited<ReturnType<typeof startServerProcess>>;
  /** The signed FLV URL of the live stream. */
  flvUrl: string;
  /** The push credential query of the live stream. */
  q: string;
  stop(): Promise<void>;
}

/**
 * `npm run relay` as a child process with a push key, a play key and an origin list (a crash shows as a dead
 * process), with stream `id` pushed from the test source and relayed as FLV.
 */
export async function liveRelayProcess(o: {
  id: string;
  pushKey: string;
  playKey: string;
  origin: string;
  dataDir: string;
  env?: Record<string, string>;
}): Promise<LiveRelayProcess> {
  const server = await startServerProcess({
    script: 'server/relay/main.ts',
    name: 'relay',
    env: {
      RELAY_PORT: '0',
      RTMP_PORT: 'off',
      LOG_LEVEL: 'warn',
      DATA_DIR: o.dataDir,
      RELAY_PUSH_KEY: o.pushKey,
      RELAY_PLAY_KEY: o.playKey,
      ALLOWED_ORIGINS: o.origin,
      ...o.env,
    },
    ready: /relay listening on (http:\/\/\S+)/,
  });
  const base = server.url;
  const q = credQuery(o.pushKey, o.id, 3600);
  let pusher: Pusher | null = null;
  try {
    const created = await send<{ ingest: { url: string } }>(base, 'POST', `/api/streams${q}`, {
      body: { streamId: o.id },
    });
    if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
    pusher = await push(`${created.body.ingest.url}&${q.slice(1)}`, { video: 'h264' });
    const start = () =>
      send<{ urls: { encode: string; url: string }[] }>(base, 'POST', `/api/streams/${o.id}/relay${q}`, {
        body: { encode: 'flv' },
      });
    let started = await start();
    for (let i = 0; started.status === 409 && i < 100; i += 1) {
      await sleep(200); // the transcoder's first output takes a moment
      started = await start();
    }
    if (started.status !== 200) throw new Error(`relay: ${JSON.stringify(started.body)}`);
    const running = pusher;
    return {
      base,
      server,
      q,
      flvUrl: started.body.urls.find((u) => u.encode === 'flv')?.url ?? '',
      async stop() {
        await running.stop();
        await server.stop();
      },
    };
  } catch (err) {
    await pusher?.stop();
    await server.stop();
    throw err;
  }
}
