/**
 * The local relay as a fastify plugin: REST API (`/api/streams…`), WebSocket ingest (`/ingest/{id}`), live
 * outputs (`/live/…`), recordings (`/recordings/…`), signed callbacks from a persistent outbox, optional RTMP.
 * A development and test server that behaves like the cloud for what a widget or backend observes — not a CDN.
 * Contracts: `server/API.md`.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { mkdirSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { ErrorCodes } from '../../src/errors.ts';
import type { Recording } from '../../src/events.ts';
import { HttpError } from './http-error.ts';
import { corsHeaders, preflightHeaders, type AllowedOrigins } from './cors.ts';
import { parseCreateStream, parseRelayOptions, isValidStreamId } from './relay-options.ts';
import { LiveStream, newStreamId } from './live-stream.ts';
import { RelaySession, type FinishedFile } from './relay-session.ts';
import { Outbox } from './outbox.ts';
import {
  recordFileEvent,
  streamEvent,
  streamParam,
  EVENT_STREAM_END,
  EVENT_STREAM_START,
  type CallbackContext,
} from './callbacks.ts';
import { startRtmpServer, type RtmpServer } from './rtmp-server.ts';

export interface RelayPluginOptions {
  /** Root for live HLS, recordings and the callback outbox. */
  dataDir: string;
  /** `http(s)://host[:port]` used in URLs; default: taken from each request's Host header. */
  publicBaseUrl?: string;
  /** Where callbacks are POSTed; without it no callback is queued. */
  callbackUrl?: string | null;
  callbackKey?: string;
  /** Port for the RTMP output server; `0` picks a free one; `null`/undefined disables RTMP. */
  rtmpPort?: number | null;
  /** Host the RTMP server binds to and that appears in rtmp:// URLs. Default 127.0.0.1. */
  rtmpHost?: string;
  allowedOrigins?: AllowedOrigins;
  /** `appid` reported in callbacks. */
  appid?: number;
  /** Outbox tuning (tests use short delays). */
  callbackTimeoutMs?: number;
  callbackRetryBaseMs?: number;
  callbackRetryMaxMs?: number;
  /** An ingest socket that sends nothing for this long is closed (client vanished). Default 15000. */
  ingestIdleMs?: number;
}

export type { Recording };

const BODY_LIMIT = 16 * 1024;
const INGEST_MAX_MESSAGE = 16 * 1024 * 1024;
const FLV_VIEWER_MAX_BUFFER = 8 * 1024 * 1024;
const PLAYLIST_WAIT_MS = 10_000;
const STREAM_TTL_MS = 10 * 60_000;

/** WebSocket close codes the ingest uses (the browser cannot see an HTTP status on a failed upgrade). */
export const IngestClose = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  TRANSCODER_FAILED: 1011,
  NOT_FOUND: 4404,
  BAD_TOKEN: 4403,
  ALREADY_INGESTING: 4409,
  IDLE: 4408,
} as const;

function baseUrlOf(req: FastifyRequest, configured?: string): string {
  if (configured) return configured.replace(/\/+$/, '');
  return `${req.protocol}://${req.host}`;
}

export async function relayPlugin(fastify: FastifyInstance, opts: RelayPluginOptions): Promise<void> {
  const dataDir = resolve(opts.dataDir);
  const liveRoot = join(dataDir, 'live');
  const recordingsRoot = join(dataDir, 'recordings');
  mkdirSync(liveRoot, { recursive: true });
  mkdirSync(recordingsRoot, { recursive: true });
  const allowed = opts.allowedOrigins ?? '*';
  const ingestIdleMs = opts.ingestIdleMs ?? 15_000;
  const streams = new Map<string, LiveStream>();
  const log = (msg: string): void => fastify.log.info(`[relay] ${msg}`);

  const outbox = new Outbox({
    file: join(dataDir, 'relay-outbox.sqlite'),
    url: opts.callbackUrl ?? null,
    key: opts.callbackKey ?? '',
    timeoutMs: opts.callbackTimeoutMs,
    retryBaseMs: opts.callbackRetryBaseMs,
    retryMaxMs: opts.callbackRetryMaxMs,
    log: (m) => fastify.log.warn(`[relay] ${m}`),
  });
  outbox.start();

  const rtmp: RtmpServer | null =
    opts.rtmpPort === null || opts.rtmpPort === undefined
      ? null
      : await startRtmpServer(opts.rtmpPort, opts.rtmpHost ?? '127.0.0.1');

  const enqueue = (body: Parameters<Outbox['enqueue']>[0]): void => {
    if (opts.callbackUrl) outbox.enqueue(body);
  };

  // ---------- errors, CORS ----------
  fastify.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    void reply.headers(corsHeaders(allowed, req.headers.origin));
    if (err instanceof HttpError) return reply.code(err.status).send(err.toBody());
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    const code =
      status === 413
        ? ErrorCodes.BODY_TOO_LARGE
        : status < 500
          ? ErrorCodes.INVALID_OPTIONS
          : ErrorCodes.INTERNAL_ERROR;
    if (status >= 500) req.log.error(err);
    return reply.code(status).send({ error: { module: 'relay', code, message: err.message } });
  });
  fastify.addHook('onRequest', async (req, reply) => {
    void reply.headers(corsHeaders(allowed, req.headers.origin));
  });
  const preflight = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    void reply.headers(preflightHeaders(allowed, req.headers.origin)).code(204).send();
  };
  for (const path of ['/api/streams', '/api/streams/*', '/live/*', '/recordings/*'])
    fastify.options(path, preflight);

  const getStream = (id: string): LiveStream => {
    const s = isValidStreamId(id) ? streams.get(id) : undefined;
    if (!s)
      throw new HttpError(
        404,
        ErrorCodes.NOT_FOUND,
        `Unknown stream "${id}"; create it with POST /api/streams.`,
      );
    return s;
  };

  const toRecording = (s: LiveStream, recordId: number | null, f: FinishedFile): Recording => ({
    id: f.fileId,
    streamId: s.id,
    recordId,
    fileFormat: f.format,
    startTime: f.startTime,
    endTime: f.endTime,
    duration: f.duration,
    fileSize: f.fileSize,
    url: `${s.baseUrl}/recordings/${f.relPath}`,
  });

  const callbackCtx = (s: LiveStream, relay: RelaySession): CallbackContext => ({
    appid: opts.appid ?? 0,
    app: s.baseUrl.replace(/^https?:\/\//, ''),
    streamId: s.id,
    recordId: relay.options.recordId,
    streamParam: streamParam(relay.options.recordId, relay.options.recordFileTypes),
  });

  /** Stops the running relay of `s` (if any), finalising files and queueing callbacks. */
  const stopRelay = async (s: LiveStream, error: string | null = null): Promise<Recording[]> => {
    const relay = s.relay;
    if (!relay) return [];
    s.relay = null;
    const files = await relay.stop();
    const ctx = callbackCtx(s, relay);
    const recordings = files.map((f) => toRecording(s, relay.options.recordId, f));
    enqueue(streamEvent(ctx, EVENT_STREAM_END, error ? { code: 1, message: error } : undefined));
    files.forEach((f, i) => enqueue(recordFileEvent(ctx, f, recordings[i].url)));
    log(`relay of ${s.id} stopped; ${files.length} recording(s)${error ? `; error: ${error}` : ''}`);
    return recordings;
  };

  // ---------- REST API ----------
  fastify.post('/api/streams', { bodyLimit: BODY_LIMIT }, async (req, reply) => {
    const o = parseCreateStream(req.body);
    const id = o.streamId ?? newStreamId();
    if (streams.has(id))
      throw new HttpError(
        409,
        ErrorCodes.ALREADY_STARTED,
        `Stream "${id}" already exists; delete it first or pick another id.`,
      );
    const s = new LiveStream(id, o.audioOnly);
    streams.set(id, s);
    const base = baseUrlOf(req, opts.publicBaseUrl);
    return reply.code(201).send({
      streamId: id,
      ingest: {
        kind: 'websocket',
        url: `${base.replace(/^http/, 'ws')}/ingest/${id}?token=${s.token}`,
        mimeType: o.audioOnly ? 'audio/webm;codecs=opus' : 'video/webm;codecs=vp8,opus',
      },
    });
  });

  fastify.get<{ Params: { id: string } }>('/api/streams/:id', async (req) => {
    const s = getStream(req.params.id);
    const r = s.relay;
    return {
      streamId: s.id,
      audioOnly: s.audioOnly,
      ingesting: s.ingest === 'ingesting',
      ingest: s.ingest,
      error: s.lastError,
      relay: r
        ? {
            encode: r.options.encode,
            recordFileTypes: r.options.recordFileTypes,
            recordId: r.options.recordId,
            startedAt: r.startedAt,
            viewers: r.viewerCount,
          }
        : null,
    };
  });

  const starting = new Set<string>();
  fastify.post<{ Params: { id: string } }>(
    '/api/streams/:id/relay',
    { bodyLimit: BODY_LIMIT },
    async (req) => {
      const s = getStream(req.params.id);
      const o = parseRelayOptions(req.body, s.audioOnly);
      if (s.relay || starting.has(s.id))
        throw new HttpError(
          409,
          ErrorCodes.ALREADY_STARTED,
          `The relay of "${s.id}" is already running; stop it first.`,
        );
      if (s.ingest !== 'ingesting' || !s.transcoder) {
        throw new HttpError(
          409,
          ErrorCodes.NOT_INGESTING,
          s.ingest === 'waiting'
            ? `Stream "${s.id}" has no ingest yet; open the ingest WebSocket and send media first.`
            : `The ingest of "${s.id}" has ended${s.lastError ? ` (${s.lastError})` : ''}; create a new stream.`,
        );
      }
      s.baseUrl = baseUrlOf(req, opts.publicBaseUrl);
      starting.add(s.id);
      let relay: RelaySession;
      try {
        relay = await RelaySession.start({
          streamId: s.id,
          options: o,
          hub: s.transcoder.hub,
          liveRoot,
          recordingsRoot,
          rtmpUrl: o.encode === 'rtmp' && rtmp ? `${rtmp.baseUrl}/live/${s.id}` : null,
        });
      } finally {
        starting.delete(s.id);
      }
      s.relay = relay;
      void relay.muxerExited.then((exit) => {
        if (s.relay === relay && relay.failure) {
          const why = `relay muxer exited (${exit.code ?? exit.signal}): ${exit.stderr.slice(-200)}`;
          s.lastError = why;
          void stopRelay(s, why);
        }
      });
      enqueue(streamEvent(callbackCtx(s, relay), EVENT_STREAM_START));
      log(`relay of ${s.id} started (${o.encode}; record ${o.recordFileTypes.join(',') || 'none'})`);
      const http = [
        { encode: 'flv', url: `${s.baseUrl}/live/${s.id}.flv` },
        { encode: 'hls', url: `${s.baseUrl}/live/${s.id}.m3u8` },
      ];
      const urls =
        o.encode === 'rtmp' && rtmp
          ? [{ encode: 'rtmp', url: `${rtmp.baseUrl}/live/${s.id}` }, ...http]
          : http;
      urls.sort((a, b) => Number(b.encode === o.encode) - Number(a.encode === o.encode));
      return { streamId: s.id, urls };
    },
  );

  fastify.delete<{ Params: { id: string } }>('/api/streams/:id/relay', async (req) => {
    const s = getStream(req.params.id);
    if (!s.relay) throw new HttpError(409, ErrorCodes.NOT_STARTED, `The relay of "${s.id}" is not running.`);
    const recordings = await stopRelay(s);
    return { streamId: s.id, recordings };
  });

  const endIngest = (s: LiveStream, code: number, reason: string): void => {
    if (s.socket && s.socket.readyState <= 1) s.socket.close(code, reason.slice(0, 120));
    s.transcoder?.end();
  };

  fastify.delete<{ Params: { id: string } }>('/api/streams/:id', async (req) => {
    const s = getStream(req.params.id);
    streams.delete(s.id);
    const recordings = await stopRelay(s);
    endIngest(s, IngestClose.NORMAL, 'stream deleted');
    if (s.transcoder) {
      const t = setTimeout(() => s.transcoder?.kill(), 5000);
      await s.transcoder.exited;
      clearTimeout(t);
    }
    return { streamId: s.id, recordings };
  });

  // ---------- live outputs ----------
  fastify.get<{ Params: { name: string } }>('/live/:name', async (req, reply) => {
    const m = /^([A-Za-z0-9_-]{1,64})\.(flv|m3u8)$/.exec(req.params.name);
    if (!m)
      throw new HttpError(
        404,
        ErrorCodes.NOT_FOUND,
        'Live URLs are /live/{streamId}.flv or /live/{streamId}.m3u8.',
      );
    const s = getStream(m[1]);
    const relay = s.relay;
    if (!relay) throw new HttpError(404, ErrorCodes.NOT_FOUND, `Stream "${s.id}" is not being relayed.`);
    if (m[2] === 'flv') {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...corsHeaders(allowed, req.headers.origin),
        'content-type': 'video/x-flv',
        'cache-control': 'no-cache, no-store',
      });
      let detach = (): void => {};
      detach = relay.addViewer({
        write(chunk) {
          if (res.writableLength > FLV_VIEWER_MAX_BUFFER) {
            detach(); // a viewer that cannot keep up is dropped rather than buffered forever
            res.destroy();
            return;
          }
          res.write(chunk);
        },
        end() {
          res.end();
        },
      });
      res.on('close', () => detach());
      return reply;
    }
    const deadline = Date.now() + PLAYLIST_WAIT_MS;
    for (;;) {
      try {
        const text = await readFile(relay.livePlaylist, 'utf8');
        return reply.type('application/vnd.apple.mpegurl').header('cache-control', 'no-cache').send(text);
      } catch {
        if (Date.now() > deadline || s.relay !== relay) {
          throw new HttpError(
            404,
            ErrorCodes.NOT_FOUND,
            `The HLS playlist of "${s.id}" is not ready; no media has arrived yet.`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  fastify.get<{ Params: { id: string; seg: string } }>('/live/:id/:seg', async (req, reply) => {
    const s = getStream(req.params.id);
    const relay = s.relay;
    if (!relay || !/^seg\d+\.ts$/.test(req.params.seg))
      throw new HttpError(404, ErrorCodes.NOT_FOUND, 'No such segment.');
    const file = join(relay.liveDir, req.params.seg);
    try {
      await access(file);
    } catch {
      throw new HttpError(404, ErrorCodes.NOT_FOUND, 'Segment expired or not written yet.');
    }
    return reply
      .type('video/mp2t')
      .header('cache-control', 'max-age=60')
      .send(await readFile(file));
  });

  // ---------- recordings (path traversal is refused by @fastify/static's send) ----------
  await fastify.register(fastifyStatic, {
    root: recordingsRoot,
    prefix: '/recordings/',
    decorateReply: false,
    index: false,
    list: false,
    dotfiles: 'deny',
    setHeaders(res, path) {
      if (path.endsWith('.m3u8')) res.setHeader('content-type', 'application/vnd.apple.mpegurl');
    },
  });

  // ---------- WebSocket ingest ----------
  const wss = new WebSocketServer({ noServer: true, maxPayload: INGEST_MAX_MESSAGE });
  const attachIngest = (s: LiveStream, ws: WebSocket): void => {
    const tc = s.startIngest(ws);
    let idle: NodeJS.Timeout | null = null;
    const armIdle = (): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => {
        s.lastError = `no media for ${ingestIdleMs} ms`;
        endIngest(s, IngestClose.IDLE, `no media received for ${ingestIdleMs} ms`);
        setTimeout(() => ws.terminate(), 2000).unref(); // a vanished peer never answers the close frame
      }, ingestIdleMs);
    };
    armIdle();
    log(`ingest of ${s.id} connected (transcoder pid ${tc.pid})`);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) return; // text frames are reserved; media is binary
      armIdle();
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (!tc.write(buf)) {
        ws.pause();
        tc.stdin.once('drain', () => ws.resume());
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (idle) clearTimeout(idle);
      tc.end(); // flush what was sent; the transcoder exits and ends the relay
    });
    void tc.exited.then(async (exit) => {
      if (idle) clearTimeout(idle);
      s.ingest = 'ended';
      s.endedAt = Date.now();
      const failed = exit.code !== 0 && s.lastError === null && streams.get(s.id) === s;
      if (failed)
        s.lastError = `transcoder exited (${exit.code ?? exit.signal}): ${exit.stderr.slice(-300) || 'no output'}`;
      if (ws.readyState <= 1) {
        if (failed)
          ws.close(
            IngestClose.TRANSCODER_FAILED,
            `ingest failed: ${exit.stderr.split('\n').pop() ?? ''}`.slice(0, 120),
          );
        else ws.close(IngestClose.NORMAL, 'ingest ended');
      }
      log(`ingest of ${s.id} ended${failed ? `: ${s.lastError}` : ''}`);
      await stopRelay(s, failed ? s.lastError : null);
    });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://relay.invalid');
    if (!url.pathname.startsWith('/ingest/')) return; // someone else's upgrade
    const id = decodeURIComponent(url.pathname.slice('/ingest/'.length));
    const origin = req.headers.origin;
    if (origin && allowed !== '*' && !allowed.includes(origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s = isValidStreamId(id) ? streams.get(id) : undefined;
      if (!s) return ws.close(IngestClose.NOT_FOUND, `unknown stream ${id.slice(0, 64)}`);
      if (url.searchParams.get('token') !== s.token)
        return ws.close(IngestClose.BAD_TOKEN, 'bad ingest token');
      if (s.ingest !== 'waiting')
        return ws.close(IngestClose.ALREADY_INGESTING, 'stream already has (or had) an ingest');
      attachIngest(s, ws);
    });
  };
  fastify.server.on('upgrade', onUpgrade);

  // Forget streams that ended (or never got an ingest) long ago, so a long-running dev server does not grow.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, s] of streams) {
      const ended = s.ingest === 'ended' && !s.relay && now - (s.endedAt ?? now) > STREAM_TTL_MS;
      const abandoned = s.ingest === 'waiting' && now - s.createdAt > STREAM_TTL_MS;
      if (ended || abandoned) streams.delete(id);
    }
  }, 60_000);
  sweep.unref();

  // ---------- teardown ----------
  fastify.addHook('onClose', async () => {
    clearInterval(sweep);
    fastify.server.off('upgrade', onUpgrade);
    const all = [...streams.values()];
    streams.clear();
    await Promise.all(
      all.map(async (s) => {
        await stopRelay(s, null).catch(() => []);
        endIngest(s, IngestClose.GOING_AWAY, 'relay shutting down');
        if (s.transcoder) {
          const t = setTimeout(() => s.transcoder?.kill(), 3000);
          await s.transcoder.exited;
          clearTimeout(t);
        }
      }),
    );
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await rtmp?.close();
    outbox.close();
  });
}
