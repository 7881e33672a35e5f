/**
 * Bounded resources: every cap the relay enforces, its default (sized for a 2-core machine: each ingest is one
 * libx264 transcoder, each relay one or two copy-only ffmpeg), the environment variable that sets it, and the
 * small counters that enforce them. A cap reached for one client answers `429`; the relay as a whole full, `503`.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { HttpError, errorBody, relayError } from '../../shared/http-error.ts';

export interface RelayLimits {
  /** Streams that exist (created, ingesting or ended but not deleted), in total / per client IP. */
  maxStreams: number;
  maxStreamsPerIp: number;
  /** Live ingests (one transcoder each), in total / per client IP. */
  maxIngests: number;
  maxIngestsPerIp: number;
  /** Running relays (one muxer, plus one RTMP pusher for `rtmp`), in total / per client IP. */
  maxRelays: number;
  maxRelaysPerIp: number;
  /** HTTP-FLV viewers in total / per client IP. */
  maxViewers: number;
  maxViewersPerIp: number;
  /** Open TCP connections per client IP (HTTP, keep-alive and WebSocket alike). */
  maxConnectionsPerIp: number;
  /** `POST /api/streams` per client IP per minute. */
  createsPerMinute: number;
  /** Largest ingest WebSocket message. */
  maxIngestFrameBytes: number;
  /** An ingest whose decoded media falls this far behind the wall clock is closed (4408). */
  ingestIdleMs: number;
  /** Whole request (headers + body) must arrive within this. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** A connection with no traffic at all for this long is closed. */
  connectionTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<RelayLimits> = {
  maxStreams: 64,
  maxStreamsPerIp: 16,
  maxIngests: 4,
  maxIngestsPerIp: 2,
  maxRelays: 4,
  maxRelaysPerIp: 2,
  maxViewers: 200,
  maxViewersPerIp: 20,
  maxConnectionsPerIp: 64,
  createsPerMinute: 30,
  maxIngestFrameBytes: 1024 * 1024,
  ingestIdleMs: 15_000,
  requestTimeoutMs: 15_000,
  headersTimeoutMs: 10_000,
  connectionTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
};

/** Environment variable of each limit (documented in the README's Security section). */
export const LIMIT_ENV: Readonly<Record<keyof RelayLimits, string>> = {
  maxStreams: 'RELAY_MAX_STREAMS',
  maxStreamsPerIp: 'RELAY_MAX_STREAMS_PER_IP',
  maxIngests: 'RELAY_MAX_INGESTS',
  maxIngestsPerIp: 'RELAY_MAX_INGESTS_PER_IP',
  maxRelays: 'RELAY_MAX_RELAYS',
  maxRelaysPerIp: 'RELAY_MAX_RELAYS_PER_IP',
  maxViewers: 'RELAY_MAX_VIEWERS',
  maxViewersPerIp: 'RELAY_MAX_VIEWERS_PER_IP',
  maxConnectionsPerIp: 'RELAY_MAX_CONNECTIONS_PER_IP',
  createsPerMinute: 'RELAY_CREATES_PER_MINUTE',
  maxIngestFrameBytes: 'RELAY_MAX_INGEST_FRAME_BYTES',
  ingestIdleMs: 'RELAY_INGEST_IDLE_MS',
  requestTimeoutMs: 'RELAY_REQUEST_TIMEOUT_MS',
  headersTimeoutMs: 'RELAY_HEADERS_TIMEOUT_MS',
  connectionTimeoutMs: 'RELAY_CONNECTION_TIMEOUT_MS',
  keepAliveTimeoutMs: 'RELAY_KEEP_ALIVE_TIMEOUT_MS',
};

/** Limits from `env` over the defaults; a value that is not a positive integer is a startup error naming it. */
export function limitsFromEnv(env: NodeJS.ProcessEnv): RelayLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_ENV) as (keyof RelayLimits)[]) {
    const raw = env[LIMIT_ENV[key]];
    if (raw === undefined || raw === '') continue;
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw)))
      throw new Error(`${LIMIT_ENV[key]} must be a positive integer (got "${raw}")`);
    limits[key] = Number(raw);
  }
  return limits;
}

/**
 * Fastify/Node server options that enforce the request, header, idle and keep-alive timeouts. The connection
 * check runs every second so a slow body is cut close to `requestTimeoutMs` (Node's default checks every 30 s).
 */
export function relayServerOptions(limits: Partial<RelayLimits> = {}): {
  requestTimeout: number;
  connectionTimeout: number;
  keepAliveTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
  frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => void;
} {
  const l = { ...DEFAULT_LIMITS, ...limits };
  return {
    requestTimeout: l.requestTimeoutMs,
    connectionTimeout: l.connectionTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(l.headersTimeoutMs, l.requestTimeoutMs),
      requestTimeout: l.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, l.requestTimeoutMs),
    },
    frameworkErrors: refuseUnroutable,
  };
}

/**
 * A request fastify cannot route (bad percent-encoding in a path parameter, an overlong one) gets the relay's
 * error body rather than fastify's own, like every other refusal.
 */
function refuseUnroutable(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const badUrl = err.code === 'FST_ERR_BAD_URL';
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const message = badUrl
    ? 'Bad request path: it has invalid percent-encoding. Use the URL the relay gave.'
    : err.message;
  void reply
    .code(status)
    .send(errorBody('relay', badUrl ? ErrorCodes.BAD_PATH : ErrorCodes.INVALID_OPTIONS, message));
}

/**
 * Tightens the timeouts of a server the relay was registered on (when it was not built with
 * {@link relayServerOptions}) and caps open connections per client IP.
 */
export function guardServer(server: Server, limits: RelayLimits): () => void {
  if (!server.requestTimeout || server.requestTimeout > limits.requestTimeoutMs)
    server.requestTimeout = limits.requestTimeoutMs;
  if (!server.headersTimeout || server.headersTimeout > limits.headersTimeoutMs)
    server.headersTimeout = Math.min(limits.headersTimeoutMs, server.requestTimeout);
  const perIp = new Map<string, number>();
  const onConnection = (socket: Socket): void => {
    const ip = socket.remoteAddress ?? '?';
    const n = (perIp.get(ip) ?? 0) + 1;
    if (n > limits.maxConnectionsPerIp) {
      socket.destroy();
      return;
    }
    perIp.set(ip, n);
    socket.once('close', () => {
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left) perIp.set(ip, left);
      else perIp.delete(ip);
    });
  };
  server.on('connection', onConnection);
  return () => server.off('connection', onConnection);
}

/** Counts one kind of resource in total and per client IP; `acquire` throws 503/429 with `code` when full. */
export class Quota {
  private total = 0;
  private readonly perIp = new Map<string, number>();

  constructor(
    private readonly what: string,
    private readonly code: string,
    private readonly max: number,
    private readonly maxPerIp: number,
    private readonly envTotal: string,
    private readonly envPerIp: string,
  ) {}

  /** The error `acquire` would throw now for `ip`, or null when there is room. */
  refusal(ip: string): HttpError | null {
    if ((this.perIp.get(ip) ?? 0) >= this.maxPerIp)
      return relayError(
        429,
        this.code,
        `This client already has ${this.maxPerIp} ${this.what} (the per-client cap, ${this.envPerIp}); end one first.`,
      );
    if (this.total >= this.max)
      return relayError(
        503,
        this.code,
        `The relay is at its cap of ${this.max} ${this.what} (${this.envTotal}); try again later.`,
      );
    return null;
  }

  /** Takes one unit for `ip`; the returned function gives it back (idempotent). */
  acquire(ip: string): () => void {
    const refused = this.refusal(ip);
    if (refused) throw refused;
    this.total += 1;
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left) this.perIp.set(ip, left);
      else this.perIp.delete(ip);
    };
  }

  get count(): number {
    return this.total;
  }
}
