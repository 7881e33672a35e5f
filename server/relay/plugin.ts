/**
 * The local relay as a fastify plugin: REST API (`/api/streams…`), WebSocket ingest (`/ingest/{id}`), live
 * outputs (`/live/…`), recordings (`/recordings/…`), signed callbacks from a persistent outbox, optional RTMP.
 * A development and test server that behaves like the cloud for what a widget or backend observes — not a CDN.
 * Contracts: `server/API.md`.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import rateLimit from '@fastify/rate-limit';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { ErrorCodes } from '../../src/errors.ts';
import { ID_SOURCE } from '../../src/contract/ids.ts';
import type { Recording } from '../../src/events.ts';
import { HttpError } from './http-error.ts';
import {
  corsHeaders,
  isAllowedOrigin,
  isJsonOrBodiless,
  isPlayPath,
  playCorsHeaders,
  playPreflightHeaders,
  preflightHeaders,
  selfOrigins,
  type AllowedOrigins,
} from './cors.ts';
import { canonicalPath } from './http/canonical-path.ts';
import { clientAddress } from './http/client-address.ts';
import { redact } from '../shared/redact.ts';
import { RelayAuth, isLoopback, signPlaylist, type RelayAuthOptions } from './auth.ts';
import { DEFAULT_LIMITS, LIMIT_ENV, MediaClock, Quota, guardServer, type RelayLimits } from './limits.ts';
import { parseCreateStream, parseRelayOptions, isValidStreamId } from './relay-options.ts';
import { LiveStream, newStreamId } from './live-stream.ts';
import { RelaySession, type FinishedFile } from './relay-session.ts';
import { Outbox, type CallbackUrls } from './outbox.ts';
import { numericId, streamParam, StreamEnd, type PushContext, type StreamEndReason } from './callbacks.ts';
import { beginPush, endPush, recoverPushes, type RecordingUrl } from './recovery.ts';
import { startRtmpServer, type RtmpServer } from './rtmp-server.ts';

export interface RelayPluginOptions extends RelayAuthOptions {
  /** Root for live HLS, recordings and the callback outbox. */
  dataDir: string;
  /**
   * `http(s)://host[:port]` used in URLs and callbacks (`RELAY_PUBLIC_URL`); default: the local address the
   * request arrived on (the bound address). Never the Host header.
   */
  publicBaseUrl?: string;
  /** Where callbacks are POSTed (every event type); `callbackUrls` overrides it per type. */
  callbackUrl?: string | null;
  /** One URL per event type, as in Tencent's console: push (1), stream end (0), record (100). */
  callbackUrls?: CallbackUrls;
  callbackKey?: string;
  /** Port for the RTMP output server; `0` picks a free one; `null`/undefined disables RTMP. */
  rtmpPort?: number | null;
  /** Host the RTMP server binds to and that appears in rtmp:// URLs. Default 127.0.0.1. */
  rtmpHost?: string;
  /** Origins besides the relay's own that may use it from a browser; default none. */
  allowedOrigins?: AllowedOrigins;
  /** Resource caps (see `limits.ts`); unset fields take the defaults. */
  limits?: Partial<RelayLimits>;
  /** `appid` reported in callbacks. */
  appid?: number;
  /** Outbox tuning, Tencent's cadence by default (tests use short delays): answer timeout (20 000 ms), */
  callbackTimeoutMs?: number;
  /** delay before each retry (60 000 ms), */
  callbackRetryIntervalMs?: number;
  /** retries before giving up (12). */
  callbackRetries?: number;
  /** @deprecated older name of `callbackRetryIntervalMs`. */
  callbackRetryBaseMs?: number;
  /** @deprecated ignored: retries are evenly spaced, as Tencent's. */
  callbackRetryMaxMs?: number;
  /**
   * `RELAY_TRUST_PROXY`: how many reverse proxies stand in front of the relay (0, the default: none, the TCP peer
   * is the client). Per-client caps and rate limits then count the address those proxies put in X-Forwarded-For.
   */
  trustProxy?: number;
  /** Same as `limits.ingestIdleMs`: an ingest whose media lags real time by this much is closed. Default 15000. */
  ingestIdleMs?: number;
}

export type { Recording };
/** A recording in the relay's answers: record ids are strings (CONTRACTS), as TRTC's `userdefinerecordid`. */
export type RelayRecording = Omit<Recording, 'recordId'> & { recordId: string | null };

const BODY_LIMIT = 16 * 1024;
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
  /** An ingest cap is reached (the reason names it). */
  LIMIT: 4429,
} as const;

/** Compares two secrets in constant time. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The relay's base URL for a request: the configured public URL, else the local address it arrived on. */
function baseUrlOf(socket: Socket, configured?: string): string {
  if (configured) return configured.replace(/\/+$/, '');
  const address = (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  return `http://${address.includes(':') ? `[${address}]` : address}:${socket.localPort ?? 80}`;
}

const PLAY_PATH = new RegExp(`^/(?:live|recordings)/(${ID_SOURCE})(?:[./]|$)`);
const LIVE_NAME = new RegExp(`^(${ID_SOURCE})\\.(flv|m3u8)$`);

/** The stream id a `/live/…` or `/recordings/…` path is about (`/live/S.flv`, `/live/S/seg1.ts`, `/recordings/S/…`). */
function playNameOf(path: string): string | null {
  const m = PLAY_PATH.exec(path);
  return m ? m[1] : null;
}

export async function relayPlugin(fastify: FastifyInstance, opts: RelayPluginOptions): Promise<void> {
  const dataDir = resolve(opts.dataDir);
  const liveRoot = join(dataDir, 'live');
  const recordingsRoot = join(dataDir, 'recordings');
  mkdirSync(liveRoot, { recursive: true });
  mkdirSync(recordingsRoot, { recursive: true });
  const allowed = opts.allowedOrigins ?? [];
  const limits: RelayLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  if (opts.ingestIdleMs !== undefined) limits.ingestIdleMs = opts.ingestIdleMs;
  const ingestIdleMs = limits.ingestIdleMs;
  const auth = new RelayAuth(opts);
  const quota = {
    streams: new Quota(
      'streams',
      ErrorCodes.STREAM_LIMIT,
      limits.maxStreams,
      limits.maxStreamsPerIp,
      LIMIT_ENV.maxStreams,
      LIMIT_ENV.maxStreamsPerIp,
    ),
    ingests: new Quota(
      'ingests',
      ErrorCodes.INGEST_LIMIT,
      limits.maxIngests,
      limits.maxIngestsPerIp,
      LIMIT_ENV.maxIngests,
      LIMIT_ENV.maxIngestsPerIp,
    ),
    relays: new Quota(
      'relays',
      ErrorCodes.RELAY_LIMIT,
      limits.maxRelays,
      limits.maxRelaysPerIp,
      LIMIT_ENV.maxRelays,
      LIMIT_ENV.maxRelaysPerIp,
    ),
    viewers: new Quota(
      'viewers',
      ErrorCodes.VIEWER_LIMIT,
      limits.maxViewers,
      limits.maxViewersPerIp,
      LIMIT_ENV.maxViewers,
      LIMIT_ENV.maxViewersPerIp,
    ),
  };
  /** What each stream holds against the caps, given back when it goes. */
  const held = new WeakMap<LiveStream, { stream: () => void; relay: () => void }>();
  const unguard = guardServer(fastify.server, limits);
  let self: string[] | null = null;
  const selfOf = (): string[] => {
    if (self) return self;
    const a = fastify.server.address();
    const bound = a && typeof a === 'object' ? a : null;
    const list = selfOrigins(opts.publicBaseUrl, bound?.address ?? null, bound?.port ?? null);
    if (bound) self = list;
    return list;
  };
  const streams = new Map<string, LiveStream>();
  const log = (msg: string): void => fastify.log.info(`[relay] ${redact(msg)}`);
  const trustProxy = opts.trustProxy ?? 0;
  /** The client a request counts as for caps and rate limits (the TCP peer unless proxies are trusted). */
  const clientOf = (req: IncomingMessage): string =>
    clientAddress(req.socket.remoteAddress, req.headers, trustProxy);
  // Request log lines name the path, never a credential in its query (txSecret, token).
  fastify.addHook('onRoute', (route) => {
    route.logSerializers = {
      ...route.logSerializers,
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: redact(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    };
  });

  const callbackUrl = opts.callbackUrl ?? null;
  const outbox = new Outbox({
    file: join(dataDir, 'relay-outbox.sqlite'),
    urls: {
      push: opts.callbackUrls?.push ?? callbackUrl,
      streamEnd: opts.callbackUrls?.streamEnd ?? callbackUrl,
      record: opts.callbackUrls?.record ?? callbackUrl,
    },
    key: opts.callbackKey ?? '',
    timeoutMs: opts.callbackTimeoutMs,
    retryIntervalMs: opts.callbackRetryIntervalMs ?? opts.callbackRetryBaseMs,
    retries: opts.callbackRetries,
    log: (m) => fastify.log.warn(`[relay] ${redact(m)}`),
  });
  const recordingUrl: RecordingUrl = (ctx, f) =>
    auth.signRecording(`${ctx.baseUrl}/recordings/${f.relPath}`, ctx.streamId);
  // Pushes a crash left open: finalise their files and queue their 100s and 0 before sending anything.
  await recoverPushes({ outbox, recordingsRoot, liveRoot, urlOf: recordingUrl, log });
  outbox.start();

  const rtmp: RtmpServer | null =
    opts.rtmpPort === null || opts.rtmpPort === undefined
      ? null
      : await startRtmpServer(opts.rtmpPort, opts.rtmpHost ?? '127.0.0.1', {
          mayPublish: (name, args) => auth.isOwnRtmpPublish(name, args),
          mayPlay: (name, args) => auth.mayPlayRtmp(name, args),
        });

  // ---------- errors, CORS ----------
  /** CORS headers of an answer: any origin for reads of the play outputs (as a CDN), the origin list otherwise. */
  const corsFor = (req: FastifyRequest): Record<string, string> =>
    (req.method === 'GET' || req.method === 'HEAD') && isPlayPath(req.url)
      ? playCorsHeaders()
      : corsHeaders(allowed, selfOf(), req.headers.origin);
  fastify.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    void reply.headers(corsFor(req));
    if (err instanceof HttpError) {
      if (err.status === 429) void reply.header('retry-after', '60');
      return reply.code(err.status).send(err.toBody());
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    const code =
      status === 413
        ? ErrorCodes.BODY_TOO_LARGE
        : status < 500
          ? ErrorCodes.INVALID_OPTIONS
          : ErrorCodes.INTERNAL_ERROR;
    if (status >= 500) req.log.error(redact(String(err.stack ?? err.message)));
    return reply.code(status).send({ error: { module: 'relay', code, message: err.message } });
  });
  // Every request: a path that is not canonical refused first (400); CORS headers; writes from other origins and
  // non-JSON bodies refused before anything is read or changed; control calls from off the machine refused when no
  // push key is set; play credentials on /live and /recordings, checked on the same decoded path the routes and
  // the file server read.
  fastify.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    void reply.headers(corsFor(req));
    const path = canonicalPath(req.url);
    const write = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
    if (write && origin !== undefined && !isAllowedOrigin(allowed, selfOf(), origin))
      throw new HttpError(
        403,
        ErrorCodes.ORIGIN_NOT_ALLOWED,
        `Origin ${origin} may not use this relay; add it to ALLOWED_ORIGINS.`,
      );
    if (!isJsonOrBodiless(req.method, req.headers['content-type']))
      throw new HttpError(
        415,
        ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
        'Request bodies must be JSON: send Content-Type: application/json.',
      );
    if (write && !auth.pushKey && !isLoopback(clientOf(req.raw)))
      throw new HttpError(
        403,
        ErrorCodes.PUSH_AUTH_FAILED,
        'This relay runs without RELAY_PUSH_KEY, so only this machine may control it.',
      );
    if ((req.method === 'GET' || req.method === 'HEAD') && isPlayPath(path)) {
      const name = playNameOf(path);
      if (!name) throw new HttpError(404, ErrorCodes.NOT_FOUND, 'No such stream or recording.');
      auth.checkPlay(name, req.query as Record<string, unknown>);
    }
  });
  // Recorded HLS playlists name their segments relatively: they get the playlist's own credential appended.
  fastify.addHook('onSend', async (req, reply, payload) => {
    if (!auth.playKey || reply.statusCode !== 200) return payload;
    const path = req.url.split('?')[0];
    if (!path.startsWith('/recordings/') || !path.endsWith('.m3u8')) return payload;
    const chunks: Buffer[] = [];
    if (payload && typeof payload === 'object' && Symbol.asyncIterator in payload) {
      for await (const c of payload as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
    } else chunks.push(Buffer.from(String(payload ?? '')));
    reply.removeHeader('content-length');
    return signPlaylist(
      Buffer.concat(chunks).toString('utf8'),
      RelayAuth.playQuery(req.query as Record<string, unknown>),
    );
  });
  const preflight = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    void reply
      .headers(
        isPlayPath(req.url)
          ? playPreflightHeaders()
          : preflightHeaders(allowed, selfOf(), req.headers.origin),
      )
      .code(204)
      .send();
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
  /** A control call on stream `id`: with a push key, only the credential the stream was created with. */
  const controlled = (id: string, req: FastifyRequest): LiveStream => {
    const q = req.query as Record<string, unknown>;
    const s = isValidStreamId(id) ? streams.get(id) : undefined;
    if (!s) auth.checkPush(id, q); // 403 before 404: no probing which streams exist
    const found = getStream(id);
    auth.checkOwner(found, id, q);
    return found;
  };
  /** Removes `s` from the table (if it is still the one under its id) and gives back what it held. */
  const forget = (s: LiveStream): void => {
    if (streams.get(s.id) === s) streams.delete(s.id);
    held.get(s)?.stream();
  };

  const toRecording = (ctx: PushContext, f: FinishedFile): RelayRecording => ({
    id: f.fileId,
    streamId: ctx.streamId,
    recordId: ctx.recordId,
    fileFormat: f.format,
    startTime: f.startTime,
    endTime: f.endTime,
    duration: f.duration,
    fileSize: f.fileSize,
    url: recordingUrl(ctx, f),
  });

  /** The callbacks' view of one relay run (Tencent's push), journalled until it ends. */
  const pushes = new WeakMap<RelaySession, PushContext>();
  const pushContext = (s: LiveStream, relay: RelaySession, userIp: string): PushContext => ({
    sequence: numericId(relay.startedAt),
    appid: opts.appid ?? 0,
    app: s.baseUrl.replace(/^https?:\/\//, ''),
    streamId: s.id,
    recordId: relay.options.recordId,
    recordFileTypes: relay.options.recordFileTypes,
    streamParam: streamParam(relay.options.recordId, relay.options.recordFileTypes),
    baseUrl: s.baseUrl,
    userIp,
    startedAt: relay.startedAt,
    width: relay.videoSize.width,
    height: relay.videoSize.height,
  });

  /** Relays being stopped right now: shutdown waits for them before it closes the outbox. */
  const stopping = new Set<Promise<unknown>>();
  /** Stops the running relay of `s` (if any), finalising files and queueing its 100s then its 0. */
  const stopRelay = async (
    s: LiveStream,
    reason: StreamEndReason | null = null,
  ): Promise<RelayRecording[]> => {
    const relay = s.relay;
    if (!relay) return [];
    s.relay = null;
    held.get(s)?.relay();
    const finished = relay.stop();
    stopping.add(finished);
    const files = await finished.finally(() => stopping.delete(finished));
    const endedAt = Date.now();
    const started = pushes.get(relay) as PushContext;
    const ctx = { ...started, width: relay.videoSize.width, height: relay.videoSize.height };
    endPush(outbox, ctx, files, recordingUrl, endedAt, reason ?? StreamEnd.clientStopped());
    log(`relay of ${s.id} stopped; ${files.length} recording(s)${reason ? `; ${reason.errmsg}` : ''}`);
    return files.map((f) => toRecording(ctx, f));
  };

  // ---------- REST API ----------
  await fastify.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(
        429,
        ErrorCodes.RATE_LIMITED,
        `Too many streams created from this client (${ctx.max} a minute, ${LIMIT_ENV.createsPerMinute}); retry in ${ctx.after}.`,
      ),
  });
  // Creates count per credential when the request carries a valid one, else per client: a flood of refused
  // (unauthenticated) creates from one address never uses up the budget of a pusher with a genuine credential.
  // Counted after the body is parsed (preHandler), as the credential is for the stream id in the body.
  const createRateKey = (req: FastifyRequest): string => {
    const body = req.body as { streamId?: unknown } | null | undefined;
    const id = typeof body === 'object' && body !== null ? body.streamId : undefined;
    if (auth.pushKey && typeof id === 'string' && isValidStreamId(id)) {
      try {
        const credential = auth.checkPush(id, req.query as Record<string, unknown>);
        if (credential) return `credential:${credential.txTime}:${credential.txSecret}`;
      } catch {
        // not a genuine credential: counted against the client below
      }
    }
    return `client:${clientOf(req.raw)}`;
  };
  const createRate = {
    rateLimit: {
      max: limits.createsPerMinute,
      timeWindow: 60_000,
      hook: 'preHandler' as const,
      keyGenerator: createRateKey,
    },
  };
  fastify.post('/api/streams', { bodyLimit: BODY_LIMIT, config: createRate }, async (req, reply) => {
    const o = parseCreateStream(req.body, auth.pushKey !== null);
    const id = o.streamId ?? newStreamId();
    const credential = auth.checkPush(id, req.query as Record<string, unknown>);
    if (streams.has(id))
      throw new HttpError(
        409,
        ErrorCodes.ALREADY_STARTED,
        `Stream "${id}" already exists; delete it first or pick another id.`,
      );
    const release = quota.streams.acquire(clientOf(req.raw));
    const s = new LiveStream(id, o.audioOnly);
    streams.set(id, s);
    auth.bindOwner(s, credential);
    held.set(s, { stream: release, relay: () => {} });
    const base = baseUrlOf(req.socket, opts.publicBaseUrl);
    return reply.code(201).send({
      streamId: id,
      ingest: {
        kind: 'websocket',
        url: `${base.replace(/^http/, 'ws')}/ingest/${id}?token=${s.token}`,
        mimeType: o.audioOnly ? 'audio/webm;codecs=opus' : 'video/webm;codecs=h264,opus',
      },
    });
  });

  fastify.get<{ Params: { id: string } }>('/api/streams/:id', async (req) => {
    const s = controlled(req.params.id, req);
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
      const s = controlled(req.params.id, req);
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
      s.baseUrl = baseUrlOf(req.socket, opts.publicBaseUrl);
      const releaseRelay = quota.relays.acquire(clientOf(req.raw));
      starting.add(s.id);
      const withRtmp = o.encode === 'rtmp' && rtmp !== null;
      if (withRtmp) rtmp.expect(s.id);
      let relay: RelaySession;
      try {
        relay = await RelaySession.start({
          streamId: s.id,
          options: o,
          hub: s.transcoder.hub,
          liveRoot,
          recordingsRoot,
          rtmpUrl: withRtmp ? auth.rtmpPublishUrl(rtmp.baseUrl, s.id) : null,
        });
      } catch (err) {
        releaseRelay();
        if (withRtmp) rtmp.unexpect(s.id);
        throw err;
      } finally {
        starting.delete(s.id);
      }
      s.relay = relay;
      const h = held.get(s);
      if (h)
        h.relay = () => {
          releaseRelay();
          if (withRtmp) rtmp.unexpect(s.id);
        };
      // A muxer or RTMP push that dies ends the relay with an error the widget sees (GET error, 0's errcode).
      void relay.failed.then((why) => {
        if (s.relay !== relay) return;
        s.lastError = why;
        void stopRelay(s, StreamEnd.internal(why));
      });
      const push = pushContext(s, relay, clientOf(req.raw));
      pushes.set(relay, push);
      beginPush(outbox, { ctx: push, sessionId: relay.sessionId });
      log(`relay of ${s.id} started (${o.encode}; record ${o.recordFileTypes.join(',') || 'none'})`);
      const http = [
        { encode: 'flv', url: auth.signLive(`${s.baseUrl}/live/${s.id}.flv`, s.id) },
        { encode: 'hls', url: auth.signLive(`${s.baseUrl}/live/${s.id}.m3u8`, s.id) },
      ];
      const urls = withRtmp
        ? [{ encode: 'rtmp', url: auth.signLive(`${rtmp.baseUrl}/live/${s.id}`, s.id) }, ...http]
        : http;
      urls.sort((a, b) => Number(b.encode === o.encode) - Number(a.encode === o.encode));
      return { streamId: s.id, urls };
    },
  );

  fastify.delete<{ Params: { id: string } }>('/api/streams/:id/relay', async (req) => {
    const s = controlled(req.params.id, req);
    if (!s.relay) throw new HttpError(409, ErrorCodes.NOT_STARTED, `The relay of "${s.id}" is not running.`);
    const recordings = await stopRelay(s);
    return { streamId: s.id, recordings };
  });

  const endIngest = (s: LiveStream, code: number, reason: string): void => {
    if (s.socket && s.socket.readyState <= 1) s.socket.close(code, reason.slice(0, 120));
    s.transcoder?.end();
  };

  fastify.delete<{ Params: { id: string } }>('/api/streams/:id', async (req) => {
    const s = controlled(req.params.id, req);
    forget(s);
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
    const m = LIVE_NAME.exec(req.params.name);
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
      const releaseViewer = quota.viewers.acquire(clientOf(req.raw));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...corsFor(req),
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
      res.on('close', () => {
        detach();
        releaseViewer();
      });
      return reply;
    }
    relay.useLiveHls(); // the HLS muxer runs only while HLS is fetched
    const deadline = Date.now() + PLAYLIST_WAIT_MS;
    for (;;) {
      try {
        const text = await readFile(relay.livePlaylist, 'utf8');
        return reply
          .type('application/vnd.apple.mpegurl')
          .header('cache-control', 'no-cache')
          .send(signPlaylist(text, RelayAuth.playQuery(req.query as Record<string, unknown>)));
      } catch {
        if (Date.now() > deadline || s.relay !== relay) {
          throw new HttpError(
            404,
            ErrorCodes.NOT_FOUND,
            `The HLS playlist of "${s.id}" is not ready; no media has arrived yet.`,
          );
        }
        relay.useLiveHls(); // still wanted: a slow first playlist must not let the idle timer stop the muxer
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  fastify.get<{ Params: { id: string; seg: string } }>('/live/:id/:seg', async (req, reply) => {
    const s = getStream(req.params.id);
    const relay = s.relay;
    if (!relay || !/^seg\d+\.ts$/.test(req.params.seg))
      throw new HttpError(404, ErrorCodes.NOT_FOUND, 'No such segment.');
    relay.useLiveHls();
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
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxIngestFrameBytes });
  const attachIngest = (s: LiveStream, ws: WebSocket, releaseIngest: () => void): void => {
    const tc = s.startIngest(ws);
    // Liveness is measured in decoded media, not bytes: the transcoder's output timestamps must keep up with
    // the wall clock, or the ingest is closed once it lags by ingestIdleMs.
    const idleError = `no media for ${ingestIdleMs} ms`;
    const clock = new MediaClock();
    let first = true;
    const unclock = tc.hub.subscribe({
      write(chunk) {
        if (first)
          first = false; // the joiner prefix (header + cached tags), not one tag
        else clock.onTag(chunk);
      },
      end() {},
    });
    const every = Math.min(500, ingestIdleMs / 4);
    let checkedAt = Date.now();
    const idle = setInterval(() => {
      const late = Date.now() - checkedAt - every;
      checkedAt = Date.now();
      if (late > every) clock.forgive(late); // this process stalled: the pusher is not to blame
      // after this turn's I/O, so media that arrived during a stall is counted first
      setImmediate(() => {
        // a transcoder too slow to take more input (backpressure) is the relay's problem, not the pusher's
        if (ws.isPaused || !clock.starved(ingestIdleMs) || s.ingest !== 'ingesting') return;
        clearInterval(idle);
        s.lastError = idleError;
        endIngest(s, IngestClose.IDLE, `no media received for ${ingestIdleMs} ms`);
        setTimeout(() => ws.terminate(), 2000).unref(); // a vanished peer never answers the close frame
      });
    }, every);
    log(`ingest of ${s.id} connected (transcoder pid ${tc.pid})`);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) return; // text frames are reserved; media is binary
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      clock.onBytes(buf.length);
      if (!tc.write(buf)) {
        ws.pause();
        tc.stdin.once('drain', () => ws.resume());
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      clearInterval(idle);
      tc.end(); // flush what was sent; the transcoder exits and ends the relay
    });
    void tc.exited.then(async (exit) => {
      clearInterval(idle);
      unclock();
      releaseIngest();
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
      const idled = s.lastError === idleError;
      await stopRelay(
        s,
        idled
          ? StreamEnd.idle(idleError)
          : failed
            ? StreamEnd.internal(s.lastError ?? 'ingest failed')
            : null,
      );
    });
  };

  /** Why an ingest request may not attach (close code + reason), or null when it may. */
  const ingestRefusal = (
    id: string,
    s: LiveStream | undefined,
    query: URLSearchParams,
    ip: string,
  ): { code: number; reason: string } | null => {
    // With push auth, an unknown stream and someone else's get the same answer: stream ids cannot be probed.
    const unknownOrForeign = { code: IngestClose.BAD_TOKEN, reason: 'unknown stream or bad ingest token' };
    if (!s)
      return auth.pushKey
        ? unknownOrForeign
        : { code: IngestClose.NOT_FOUND, reason: `unknown stream ${id.slice(0, 64)}` };
    if (!sameSecret(query.get('token') ?? '', s.token))
      return auth.pushKey ? unknownOrForeign : { code: IngestClose.BAD_TOKEN, reason: 'bad ingest token' };
    try {
      auth.checkOwner(s, id, Object.fromEntries(query));
    } catch (err) {
      return { code: IngestClose.BAD_TOKEN, reason: `PUSH_AUTH_FAILED: ${(err as Error).message}` };
    }
    if (s.ingest !== 'waiting')
      return { code: IngestClose.ALREADY_INGESTING, reason: 'stream already has (or had) an ingest' };
    const full = quota.ingests.refusal(ip);
    if (full) return { code: IngestClose.LIMIT, reason: `${full.code}: ${full.message}` };
    return null;
  };

  /** Answers a refused upgrade with an HTTP status and closes the socket. */
  const refuseUpgrade = (socket: Duplex, status: 400 | 403 | 500, text: string): void => {
    if (socket.writable)
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  };
  // Everything an upgrade carries is parsed inside the guard: a fault in one request closes that socket only.
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const target = req.url ?? '/';
    socket.on('error', () => {}); // a peer that resets mid-handshake ends its own socket, nothing else
    if (!target.startsWith('/ingest/')) {
      // someone else's upgrade, unless no one else listens: then it would hang until the peer gives up
      if (fastify.server.listenerCount('upgrade') === 1)
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    try {
      let path: string;
      try {
        path = canonicalPath(target);
      } catch {
        refuseUpgrade(socket, 400, 'Bad Request');
        return;
      }
      const id = path.slice('/ingest/'.length);
      const query = new URLSearchParams(target.includes('?') ? target.slice(target.indexOf('?') + 1) : '');
      const origin = req.headers.origin;
      const ip = clientOf(req);
      const offMachine = !auth.pushKey && !isLoopback(ip);
      if ((origin !== undefined && !isAllowedOrigin(allowed, selfOf(), origin)) || offMachine) {
        refuseUpgrade(socket, 403, 'Forbidden');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => {}); // oversized or invalid frames close this socket; they never throw
        try {
          const s = isValidStreamId(id) ? streams.get(id) : undefined;
          const refused = ingestRefusal(id, s, query, ip);
          if (refused || !s)
            return ws.close(refused?.code ?? IngestClose.NOT_FOUND, refused?.reason.slice(0, 120));
          attachIngest(s, ws, quota.ingests.acquire(ip));
        } catch (err) {
          fastify.log.error(`[relay] ingest upgrade failed: ${redact(String(err))}`);
          ws.terminate();
        }
      });
    } catch (err) {
      fastify.log.error(`[relay] upgrade failed: ${redact(String(err))}`);
      refuseUpgrade(socket, 500, 'Internal Server Error');
    }
  };
  fastify.server.on('upgrade', onUpgrade);

  // Forget streams that ended (or never got an ingest) long ago, so a long-running dev server does not grow.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const s of streams.values()) {
      const ended = s.ingest === 'ended' && !s.relay && now - (s.endedAt ?? now) > STREAM_TTL_MS;
      const abandoned = s.ingest === 'waiting' && now - s.createdAt > STREAM_TTL_MS;
      if (ended || abandoned) forget(s);
    }
  }, 60_000);
  sweep.unref();

  // ---------- teardown ----------
  fastify.addHook('onClose', async () => {
    clearInterval(sweep);
    unguard();
    fastify.server.off('upgrade', onUpgrade);
    const all = [...streams.values()];
    streams.clear();
    await Promise.all(
      all.map(async (s) => {
        await stopRelay(s, StreamEnd.shutdown()).catch(() => []);
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
    await Promise.allSettled([...stopping]);
    await new Promise((r) => setImmediate(r)); // let their callbacks be queued
    outbox.close();
  });
}
