/**
 * WHIP ingest (RFC 9725): `POST /whip/{streamId}` with an SDP offer → `201`, the answer and a `Location` to
 * `DELETE` when the push ends. The stream is created first with `POST /api/streams` (as for the WebSocket ingest);
 * WHIP replaces only the ingest socket, so relay start/stop, record ids, recording types and callbacks are the
 * same. Authorised by the stream's push credential as a Bearer token (`sdp-exchange.ts`), under the same ingest
 * caps. Everything is checked — credential, state, body, codecs, caps — before a port or a process is taken.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { relayError } from '../../shared/http-error.ts';
import type { RelayAuth } from '../http/auth.ts';
import type { RelayLimits } from '../streams/limits.ts';
import type { LiveStream } from '../streams/live-stream.ts';
import type { StreamRegistry } from '../streams/registry.ts';
import { StreamEnd } from '../callbacks/callbacks.ts';
import type { WebRtcNetwork } from './network.ts';
import { parseOffer, pickH264, pickOpus, pickVp8, sectionOf } from './sdp.ts';
import { acceptSdpBodies, bearer, created, credentialOf, noTrickle, sdpBody } from './sdp-exchange.ts';
import { WhipIngest, type WhipTracks } from './whip-ingest.ts';

export interface WebRtcRoutesOptions {
  registry: StreamRegistry;
  auth: RelayAuth;
  limits: RelayLimits;
  network: WebRtcNetwork;
  clientOf(req: IncomingMessage): string;
  log(message: string): void;
}

type Params = { Params: { id: string; session?: string } };

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The stream a WHIP request may push to or end: 403 PUSH_AUTH_FAILED / 404 NOT_FOUND otherwise. */
export function pushTarget(o: WebRtcRoutesOptions, req: FastifyRequest<Params>): LiveStream {
  const { id } = req.params;
  const token = bearer(req);
  if (o.auth.pushKey) return o.registry.controlled(id, credentialOf(token));
  const s = o.registry.get(id);
  if (!token || !sameSecret(token, s.token))
    throw relayError(
      403,
      ErrorCodes.PUSH_AUTH_FAILED,
      `WHIP to "${id}" needs Authorization: Bearer <the ingest token from POST /api/streams>.`,
    );
  return s;
}

/**
 * The tracks the relay takes from an offer: video (unless audio-only) as H.264 whenever offered, else VP8 (which
 * ffmpeg re-encodes to H.264), and Opus audio; 400 otherwise.
 */
export function whipTracks(offer: string, audioOnly: boolean): WhipTracks {
  const parsed = parseOffer(offer);
  const v = audioOnly ? null : sectionOf(parsed, 'video', true);
  const a = sectionOf(parsed, 'audio', true);
  const video = v ? (pickH264(v) ?? pickVp8(v)) : null;
  const audio = a ? pickOpus(a) : null;
  if (v && !video)
    throw relayError(
      400,
      ErrorCodes.INVALID_OPTIONS,
      'The offer sends video in neither H.264 nor VP8, the codecs the relay takes. Offer H.264 (or VP8).',
    );
  if (!video && !audio)
    throw relayError(
      400,
      ErrorCodes.INVALID_OPTIONS,
      `The offer sends no ${audioOnly ? 'Opus audio' : 'H.264 video or Opus audio'} the relay can take.`,
    );
  return {
    video: v && video ? { section: v, codec: video } : null,
    audio: a && audio ? { section: a, codec: audio } : null,
  };
}

export async function whipRoutes(fastify: FastifyInstance, o: WebRtcRoutesOptions): Promise<void> {
  const { registry } = o;
  acceptSdpBodies(fastify);
  const pushes = new Map<string, { stream: LiveStream; ingest: WhipIngest }>();

  fastify.post<Params>('/whip/:id', async (req, reply) => {
    const s = pushTarget(o, req);
    if (s.ingest !== 'waiting')
      throw relayError(
        409,
        ErrorCodes.ALREADY_STARTED,
        `Stream "${s.id}" already has (or had) an ingest; create a new stream.`,
      );
    const tracks = whipTracks(sdpBody(req), s.audioOnly);
    const client = o.clientOf(req.raw);
    const release = registry.quota.ingests.acquire(client);
    let ingest: WhipIngest;
    try {
      ingest = await WhipIngest.open(req.body as string, tracks, o.network, o.limits.ingestIdleMs);
    } catch (err) {
      release();
      throw err;
    }
    if (s.ingest !== 'waiting' || !registry.isCurrent(s)) {
      // deleted, or another ingest attached, while the answer was made
      release();
      ingest.kill();
      throw relayError(409, ErrorCodes.ALREADY_STARTED, `Stream "${s.id}" changed; create a new stream.`);
    }
    s.attachIngest(ingest);
    pushes.set(ingest.sessionId, { stream: s, ingest });
    o.log(`WHIP ingest of ${s.id} connected (ffmpeg pid ${ingest.pid})`);
    void ingest.exited.then(async (exit) => {
      pushes.delete(ingest.sessionId);
      release();
      const broken =
        exit.code !== 0 ? `ffmpeg exited (${exit.code ?? exit.signal}): ${exit.stderr.slice(-300)}` : null;
      const why = ingest.failure ?? broken;
      s.ingestEnded(why && registry.isCurrent(s) ? why : null);
      o.log(`WHIP ingest of ${s.id} ended${why ? `: ${why}` : ''}`);
      const idle = ingest.failure?.startsWith('no media') || ingest.failure?.includes('did not connect');
      await registry.stopRelay(
        s,
        broken ? StreamEnd.internal(broken) : idle && why ? StreamEnd.idle(why) : null,
      );
    });
    return created(reply, `/whip/${s.id}/${ingest.sessionId}`, ingest.answer);
  });

  fastify.delete<Params>('/whip/:id/:session', async (req, reply) => {
    const s = pushTarget(o, req);
    const push = pushes.get(req.params.session ?? '');
    if (!push || push.stream !== s)
      throw relayError(404, ErrorCodes.NOT_FOUND, 'No such WHIP session (it may have ended already).');
    push.ingest.end();
    return reply.code(200).send();
  });

  fastify.patch<Params>('/whip/:id/:session', async (req, reply) => {
    pushTarget(o, req);
    return noTrickle(reply);
  });
}
