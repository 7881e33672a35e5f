/**
 * The local relay as a fastify plugin: its options, what it registers and in which order, and the order it tears
 * down in. A development and test server that behaves like the cloud for what a widget or backend observes — not
 * a CDN. Contracts: `server/API.md`, `docs/contracts.md`; the model it follows: `docs/push-model.md`.
 *
 * - `http/`: the guards every request passes, the control API (`stream-routes.ts`), the play outputs
 *   (`live-routes.ts`)
 * - `ingest/`: the WebSocket ingest, the transcoder, the ingest's media clock
 * - `streams/`: the stream registry (caps, sweep, relay start/stop), `LiveStream`, option parsing, limits
 * - `relay/`: one relay session (FLV hub, on-demand muxers, RTMP push), ffmpeg
 * - `recordings/`: finished files, crash recovery; `callbacks/`: bodies and the outbox; `rtmp/`: the RTMP server
 * - `webrtc/`: WHIP ingest into the same hub, WHEP egress of WHIP pushes, ICE addresses and ports
 */
import type { IncomingMessage } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Recording } from '../../src/contract/events.ts';
import { redact } from '../shared/redact.ts';
import { RelayAuth, type RelayAuthOptions } from './http/auth.ts';
import { clientAddress } from './http/client-address.ts';
import { selfOrigins, type AllowedOrigins } from './http/cors.ts';
import { corsFor, installGuards, type GuardOptions } from './http/guards.ts';
import { streamRoutes } from './http/stream-routes.ts';
import { liveRoutes } from './http/live-routes.ts';
import { IngestServer } from './ingest/ingest-socket.ts';
import { DEFAULT_LIMITS, guardServer, type RelayLimits } from './streams/limits.ts';
import { StreamRegistry } from './streams/registry.ts';
import { Outbox, type CallbackUrls } from './callbacks/outbox.ts';
import { recoverPushes, type RecordingUrl } from './recordings/recovery.ts';
import { startRtmpServer, type RtmpServer } from './rtmp/rtmp-server.ts';
import { DEFAULT_NETWORK, type WebRtcNetwork } from './webrtc/network.ts';
import { whipRoutes } from './webrtc/whip-routes.ts';
import { whepRoutes } from './webrtc/whep-routes.ts';

export { IngestClose, type RelayRecording } from './streams/registry.ts';
export type { Recording };

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
  /** Resource caps (see `streams/limits.ts`); unset fields take the defaults. */
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
  /** WebRTC (WHIP/WHEP): candidate addresses, UDP port range, STUN/TURN; loopback only by default. */
  webrtc?: WebRtcNetwork;
}

export async function relayPlugin(fastify: FastifyInstance, opts: RelayPluginOptions): Promise<void> {
  const dataDir = resolve(opts.dataDir);
  const liveRoot = join(dataDir, 'live');
  const recordingsRoot = join(dataDir, 'recordings');
  mkdirSync(liveRoot, { recursive: true });
  mkdirSync(recordingsRoot, { recursive: true });
  const limits: RelayLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  if (opts.ingestIdleMs !== undefined) limits.ingestIdleMs = opts.ingestIdleMs;
  const auth = new RelayAuth(opts);
  const log = (msg: string): void => fastify.log.info(`[relay] ${redact(msg)}`);
  const trustProxy = opts.trustProxy ?? 0;
  let self: string[] | null = null;
  const guards: GuardOptions = {
    auth,
    allowed: opts.allowedOrigins ?? [],
    selfOf: () => {
      if (self) return self;
      const a = fastify.server.address();
      const bound = a && typeof a === 'object' ? a : null;
      const list = selfOrigins(opts.publicBaseUrl, bound?.address ?? null, bound?.port ?? null);
      if (bound) self = list;
      return list;
    },
    clientOf: (req: IncomingMessage) => clientAddress(req.socket.remoteAddress, req.headers, trustProxy),
  };

  // Callbacks: the outbox first, then the pushes a crash left open (their files finalised, their 100s and 0
  // queued) before anything is sent.
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
  await recoverPushes({ outbox, recordingsRoot, liveRoot, urlOf: recordingUrl, log });
  outbox.start();

  const rtmp: RtmpServer | null =
    opts.rtmpPort === null || opts.rtmpPort === undefined
      ? null
      : await startRtmpServer(opts.rtmpPort, opts.rtmpHost ?? '127.0.0.1', {
          mayPublish: (name, args) => auth.isOwnRtmpPublish(name, args),
          mayPlay: (name, args) => auth.mayPlayRtmp(name, args),
        });

  const registry = new StreamRegistry({
    auth,
    limits,
    outbox,
    liveRoot,
    recordingsRoot,
    recordingUrl,
    appid: opts.appid ?? 0,
    log,
  });
  const unguard = guardServer(fastify.server, limits);
  installGuards(fastify, guards);
  await fastify.register(streamRoutes, {
    registry,
    auth,
    limits,
    rtmp,
    publicBaseUrl: opts.publicBaseUrl,
    clientOf: guards.clientOf,
    log,
  });
  await fastify.register(liveRoutes, {
    registry,
    recordingsRoot,
    corsFor: (req) => corsFor(guards, req),
    clientOf: guards.clientOf,
  });
  const webrtc = {
    registry,
    auth,
    limits,
    network: opts.webrtc ?? DEFAULT_NETWORK,
    clientOf: guards.clientOf,
    log,
  };
  await fastify.register(whipRoutes, webrtc);
  await fastify.register(whepRoutes, webrtc);
  const ingest = new IngestServer({
    server: fastify.server,
    registry,
    auth,
    limits,
    allowed: guards.allowed,
    selfOf: guards.selfOf,
    clientOf: guards.clientOf,
    log,
    error: (m) => fastify.log.error(m),
  });
  registry.startSweep();

  // Teardown: no new connections, every stream ended (recordings finalised, callbacks queued), then the sockets,
  // the RTMP server and last the outbox.
  fastify.addHook('onClose', async () => {
    unguard();
    ingest.stopAccepting();
    await registry.close(); // ingests closed with 1001 first
    ingest.close();
    await rtmp?.close();
    await registry.drained();
    outbox.close();
  });
}
