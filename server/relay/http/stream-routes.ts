/**
 * The control API (`server/API.md`): create a stream, read it, start and stop its relay, delete it. A fastify
 * plugin that receives the registry and its collaborators as options.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { relayError } from '../../shared/http-error.ts';
import type { RelayAuth } from './auth.ts';
import { LIMIT_ENV, type RelayLimits } from '../streams/limits.ts';
import { newStreamId } from '../streams/live-stream.ts';
import { isValidStreamId, parseCreateStream, parseRelayOptions } from '../streams/relay-options.ts';
import type { StreamRegistry } from '../streams/registry.ts';
import type { RtmpServer } from '../rtmp/rtmp-server.ts';

export interface StreamRoutesOptions {
  registry: StreamRegistry;
  auth: RelayAuth;
  limits: RelayLimits;
  rtmp: RtmpServer | null;
  /** `RELAY_PUBLIC_URL`; default: the local address the request arrived on. */
  publicBaseUrl?: string;
  clientOf(req: IncomingMessage): string;
  log(message: string): void;
}

const BODY_LIMIT = 16 * 1024;

/** The relay's base URL for a request: the configured public URL, else the local address it arrived on. */
function baseUrlOf(socket: Socket, configured?: string): string {
  if (configured) return configured.replace(/\/+$/, '');
  const address = (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  return `http://${address.includes(':') ? `[${address}]` : address}:${socket.localPort ?? 80}`;
}

type Query = Record<string, unknown>;

export async function streamRoutes(fastify: FastifyInstance, o: StreamRoutesOptions): Promise<void> {
  const { registry, auth, rtmp } = o;
  await fastify.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      relayError(
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
        const credential = auth.checkPush(id, req.query as Query);
        if (credential) return `credential:${credential.txTime}:${credential.txSecret}`;
      } catch {
        // not a genuine credential: counted against the client below
      }
    }
    return `client:${o.clientOf(req.raw)}`;
  };
  const createRate = {
    rateLimit: {
      max: o.limits.createsPerMinute,
      timeWindow: 60_000,
      hook: 'preHandler' as const,
      keyGenerator: createRateKey,
    },
  };

  fastify.post('/api/streams', { bodyLimit: BODY_LIMIT, config: createRate }, async (req, reply) => {
    const c = parseCreateStream(req.body, auth.pushKey !== null);
    const id = c.streamId ?? newStreamId();
    const credential = auth.checkPush(id, req.query as Query);
    const s = registry.create(id, c.audioOnly, credential, o.clientOf(req.raw));
    const base = baseUrlOf(req.socket, o.publicBaseUrl);
    return reply.code(201).send({
      streamId: id,
      ingest: {
        kind: 'websocket',
        url: `${base.replace(/^http/, 'ws')}/ingest/${id}?token=${s.token}`,
        mimeType: c.audioOnly ? 'audio/webm;codecs=opus' : 'video/webm;codecs=h264,opus',
        // WebRTC ingest of the same stream (RFC 9725), what browsers use where it connects
        whip: `${base}/whip/${id}`,
      },
    });
  });

  fastify.get<{ Params: { id: string } }>('/api/streams/:id', async (req) => {
    const s = registry.controlled(req.params.id, req.query as Query);
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

  fastify.post<{ Params: { id: string } }>(
    '/api/streams/:id/relay',
    { bodyLimit: BODY_LIMIT },
    async (req) => {
      const s = registry.controlled(req.params.id, req.query as Query);
      const options = parseRelayOptions(req.body, s.audioOnly);
      if (registry.relaying(s))
        throw relayError(
          409,
          ErrorCodes.ALREADY_STARTED,
          `The relay of "${s.id}" is already running; stop it first.`,
        );
      const hub = s.transcoder?.hub;
      if (s.ingest !== 'ingesting' || !hub) {
        throw relayError(
          409,
          ErrorCodes.NOT_INGESTING,
          s.ingest === 'waiting'
            ? `Stream "${s.id}" has no ingest yet; open the ingest WebSocket and send media first.`
            : `The ingest of "${s.id}" has ended${s.lastError ? ` (${s.lastError})` : ''}; create a new stream.`,
        );
      }
      const baseUrl = baseUrlOf(req.socket, o.publicBaseUrl);
      const client = o.clientOf(req.raw);
      const releaseRelay = registry.quota.relays.acquire(client);
      const withRtmp = options.encode === 'rtmp' && rtmp !== null;
      if (withRtmp) rtmp.expect(s.id);
      await registry.startRelay(s, {
        options,
        hub,
        baseUrl,
        client,
        rtmpUrl: withRtmp ? auth.rtmpPublishUrl(rtmp.baseUrl, s.id) : null,
        release: () => {
          releaseRelay();
          if (withRtmp) rtmp.unexpect(s.id);
        },
      });
      o.log(
        `relay of ${s.id} started (${options.encode}; record ${options.recordFileTypes.join(',') || 'none'})`,
      );
      const http = [
        { encode: 'flv', url: auth.signLive(`${baseUrl}/live/${s.id}.flv`, s.id) },
        { encode: 'hls', url: auth.signLive(`${baseUrl}/live/${s.id}.m3u8`, s.id) },
      ];
      const urls = withRtmp
        ? [{ encode: 'rtmp', url: auth.signLive(`${rtmp.baseUrl}/live/${s.id}`, s.id) }, ...http]
        : http;
      // WHEP plays every ingesting stream (a WHIP push as received, any other from its hub)
      urls.push({ encode: 'webrtc', url: auth.signLive(`${baseUrl}/whep/${s.id}`, s.id) });
      urls.sort((a, b) => Number(b.encode === options.encode) - Number(a.encode === options.encode));
      return { streamId: s.id, urls };
    },
  );

  fastify.delete<{ Params: { id: string } }>('/api/streams/:id/relay', async (req) => {
    const s = registry.controlled(req.params.id, req.query as Query);
    if (!s.relay) throw relayError(409, ErrorCodes.NOT_STARTED, `The relay of "${s.id}" is not running.`);
    return { streamId: s.id, recordings: await registry.stopRelay(s) };
  });

  fastify.delete<{ Params: { id: string } }>('/api/streams/:id', async (req) => {
    const s = registry.controlled(req.params.id, req.query as Query);
    return { streamId: s.id, recordings: await registry.delete(s) };
  });
}
