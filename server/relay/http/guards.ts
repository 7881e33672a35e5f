/**
 * What every relay request passes before a route sees it, installed on the relay's own fastify context (so the
 * route plugins registered after it inherit them): the canonical path (400 first), CORS (any origin for reads of
 * the play outputs, the origin list for the control API), writes from other origins and non-JSON bodies refused,
 * control from off the machine refused without a push key, the play credential on `/live` and `/recordings`,
 * recorded playlists re-signed, preflights, one error body, and request logs without credentials.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { ID_SOURCE } from '../../../src/contract/ids.ts';
import { HttpError, errorBody, relayError } from '../../shared/http-error.ts';
import { redact, redactingLogSerializers } from '../../shared/redact.ts';
import { RelayAuth, isLoopback, signPlaylist } from './auth.ts';
import { canonicalPath } from './canonical-path.ts';
import {
  corsHeaders,
  isAllowedOrigin,
  isJsonOrBodiless,
  isPlayPath,
  playCorsHeaders,
  playPreflightHeaders,
  preflightHeaders,
  type AllowedOrigins,
} from './cors.ts';

export interface GuardOptions {
  auth: RelayAuth;
  allowed: AllowedOrigins;
  /** The relay's own origins (known once it listens). */
  selfOf(): string[];
  /** The client address a request counts as. */
  clientOf(req: IncomingMessage): string;
}

const PLAY_PATH = new RegExp(`^/(?:live|recordings)/(${ID_SOURCE})(?:[./]|$)`);

/** The stream id a `/live/…` or `/recordings/…` path is about (`/live/S.flv`, `/live/S/seg1.ts`, `/recordings/S/…`). */
export function playNameOf(path: string): string | null {
  return PLAY_PATH.exec(path)?.[1] ?? null;
}

/** CORS headers of an answer: any origin for reads of the play outputs (as a CDN), the origin list otherwise. */
export function corsFor(o: GuardOptions, req: FastifyRequest): Record<string, string> {
  return (req.method === 'GET' || req.method === 'HEAD') && isPlayPath(req.url)
    ? playCorsHeaders()
    : corsHeaders(o.allowed, o.selfOf(), req.headers.origin);
}

export function installGuards(fastify: FastifyInstance, o: GuardOptions): void {
  const { auth } = o;
  // Request log lines name the path, never a credential in its query (txSecret, token).
  fastify.addHook('onRoute', (route) => {
    route.logSerializers = {
      ...route.logSerializers,
      req: redactingLogSerializers.req,
    };
  });

  fastify.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    void reply.headers(corsFor(o, req));
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
    return reply.code(status).send(errorBody('relay', code, err.message));
  });

  fastify.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    void reply.headers(corsFor(o, req));
    const path = canonicalPath(req.url); // 400 BAD_PATH before any other check
    const write = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
    if (write && origin !== undefined && !isAllowedOrigin(o.allowed, o.selfOf(), origin))
      throw relayError(
        403,
        ErrorCodes.ORIGIN_NOT_ALLOWED,
        `Origin ${origin} may not use this relay; add it to ALLOWED_ORIGINS.`,
      );
    // WHIP/WHEP bodies are SDP: those routes check their own content type (415 for anything else)
    const sdpRoute = path.startsWith('/whip/') || path.startsWith('/whep/');
    if (!sdpRoute && !isJsonOrBodiless(req.method, req.headers['content-type']))
      throw relayError(
        415,
        ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
        'Request bodies must be JSON: send Content-Type: application/json.',
      );
    if (write && !auth.pushKey && !isLoopback(o.clientOf(req.raw)))
      throw relayError(
        403,
        ErrorCodes.PUSH_AUTH_FAILED,
        'This relay runs without RELAY_PUSH_KEY, so only this machine may control it.',
      );
    // The play credential is checked on the same decoded path the routes and the file server read.
    if ((req.method === 'GET' || req.method === 'HEAD') && isPlayPath(path)) {
      const name = playNameOf(path);
      if (!name) throw relayError(404, ErrorCodes.NOT_FOUND, 'No such stream or recording.');
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
          : preflightHeaders(o.allowed, o.selfOf(), req.headers.origin),
      )
      .code(204)
      .send();
  };
  for (const path of ['/api/streams', '/api/streams/*', '/live/*', '/recordings/*', '/whip/*', '/whep/*'])
    fastify.options(path, preflight);
}
