/**
 * Test helpers: a real relay (in-process fastify on port 0, or a child process), the MediaRecorder-like pusher of
 * `server/relay/test-source.ts`, and a small callback endpoint that records what it receives.
 */
import type { ChildProcess } from 'node:child_process';
import { push, type Pusher, type TestVideoCodec } from '../../../server/relay/test-source.ts';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { relayPlugin, type RelayPluginOptions } from '../../../server/relay/plugin.ts';
import { startServerProcess } from '../../support/server-process.mjs';

export interface RunningRelay {
  base: string;
  app: FastifyInstance;
  dataDir: string;
  close(): Promise<void>;
}

export function tempDir(prefix = 'relay-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startRelay(options: Partial<RelayPluginOptions> = {}): Promise<RunningRelay> {
  const tmp = options.dataDir ? null : tempDir();
  const dataDir = options.dataDir ?? (tmp as { dir: string }).dir;
  const app = Fastify({ logger: false });
  await app.register(relayPlugin, { dataDir, ...options });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    base: address,
    app,
    dataDir,
    async close() {
      await app.close();
      tmp?.remove();
    },
  };
}

export async function api<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

export interface RelayStarted {
  streamId: string;
  urls: { encode: string; url: string }[];
}

/** `POST /api/streams/{id}/relay` with `options` (the push model's startPushStream). */
export function startRelaying(
  base: string,
  streamId: string,
  options: Record<string, unknown>,
): Promise<{ status: number; body: RelayStarted }> {
  return api<RelayStarted>(base, 'POST', `/api/streams/${streamId}/relay`, options);
}

export {
  push,
  webmArgs,
  type Pusher,
  type TestVideoCodec as PushVideoCodec,
} from '../../../server/relay/test-source.ts';

/** Creates a stream and starts pushing to it. */
export async function createAndPush(
  base: string,
  opts: {
    audioOnly?: boolean;
    seconds?: number;
    streamId?: string;
    video?: TestVideoCodec;
    captureClockOffsetMs?: number;
  } = {},
): Promise<{ streamId: string; pusher: Pusher }> {
  const created = await api<{ streamId: string; ingest: { url: string } }>(base, 'POST', '/api/streams', {
    ...(opts.streamId ? { streamId: opts.streamId } : {}),
    ...(opts.audioOnly ? { audioOnly: true } : {}),
  });
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  const pusher = await push(created.body.ingest.url, opts);
  return { streamId: created.body.streamId, pusher };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor<T>(
  fn: () => T | Promise<T>,
  what: string,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Reads an HTTP-FLV stream for `ms` and returns the bytes. */
export async function readFlv(url: string, ms: number): Promise<Buffer> {
  const ctrl = new AbortController();
  const res = await fetch(url, { signal: ctrl.signal });
  if (res.status !== 200) throw new Error(`FLV ${url}: HTTP ${res.status}`);
  const chunks: Buffer[] = [];
  const timer = setTimeout(() => ctrl.abort(), ms);
  try {
    for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  } catch {
    // aborted after ms
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks);
}

export interface ReceivedCallback {
  body: Record<string, unknown>;
  at: number;
  /** The status this endpoint answered with. */
  status: number;
  /** Request path (per-event callback URLs) and headers, and the body exactly as sent (for signatures). */
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
}

/**
 * A callback endpoint whose answer status can be changed (0 = never answers), for all requests or per body with
 * `decide`; records every POST.
 */
export async function callbackSink(port = 0): Promise<{
  url: string;
  port: number;
  received: ReceivedCallback[];
  status: number;
  decide: ((body: Record<string, unknown>) => number) | null;
  close(): Promise<void>;
}> {
  const state: { status: number; decide: ((body: Record<string, unknown>) => number) | null } = {
    status: 200,
    decide: null,
  };
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (data += d));
    req.on('end', () => {
      let status = state.status;
      try {
        const body = JSON.parse(data) as Record<string, unknown>;
        status = state.decide ? state.decide(body) : state.status;
        received.push({ body, at: Date.now(), status, path: req.url ?? '', headers: req.headers, raw: data });
      } catch {
        // not JSON: ignore
      }
      if (status === 0) return; // 0 = hang: never answer
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{"code":0}' : '{"code":1}');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/callbacks/tencent`,
    port: actual,
    received,
    get status() {
      return state.status;
    },
    set status(v: number) {
      state.status = v;
    },
    get decide() {
      return state.decide;
    },
    set decide(f: ((body: Record<string, unknown>) => number) | null) {
      state.decide = f;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Runs `npm run relay` equivalent as a child process; resolves once it listens. */
export async function relayProcess(
  env: Record<string, string>,
): Promise<{ base: string; proc: ChildProcess; stop(): Promise<void> }> {
  const relay = await startServerProcess({
    script: 'server/relay/main.ts',
    name: 'relay',
    env: { RELAY_PORT: '0', RTMP_PORT: 'off', LOG_LEVEL: 'warn', ...env },
    ready: /relay listening on (http:\/\/\S+)/,
    stderr: 'inherit',
  });
  return {
    base: relay.url,
    proc: relay.proc,
    stop: async () => {
      await relay.stop();
    },
  };
}
