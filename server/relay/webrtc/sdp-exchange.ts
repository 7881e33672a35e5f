/**
 * What WHIP and WHEP requests share (RFC 9725 and the WHEP draft): the `application/sdp` body (415 otherwise), the
 * `Authorization: Bearer` token, the resource URL in `Location`, and the 201 answer. The token is the relay's
 * existing credential written as one Bearer token: `{txTime}.{txSecret}` (the pair every control call carries as
 * query parameters), or, on a relay without a push key, the stream's ingest `token` from `POST /api/streams`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { relayError } from '../../shared/http-error.ts';
import { MAX_SDP_BYTES } from './sdp.ts';

/** Lets the routes of this (encapsulated) context read `application/sdp` bodies and see any other as unparsed. */
export function acceptSdpBodies(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers(); // JSON too: a JSON body here is a 415, not a parse error
  fastify.addContentTypeParser(
    'application/sdp',
    { parseAs: 'string', bodyLimit: MAX_SDP_BYTES },
    (_req, body, done) => done(null, body),
  );
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_SDP_BYTES }, (_req, _body, done) =>
    done(null, null),
  );
}

/** The SDP offer of a POST; 415 UNSUPPORTED_MEDIA_TYPE for any other body. */
export function sdpBody(req: FastifyRequest): string {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/sdp\s*(;|$)/i.test(type) || typeof req.body !== 'string')
    throw relayError(
      415,
      ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
      'Send the SDP offer as the body with Content-Type: application/sdp (RFC 9725).',
    );
  return req.body;
}

/** The Bearer token of a request, or null. */
export function bearer(req: FastifyRequest): string | null {
  const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(req.headers.authorization ?? '');
  return m ? m[1] : null;
}

/** A Bearer token read as the relay's credential pair, `{txTime}.{txSecret}` (empty when it is not one). */
export function credentialOf(token: string | null): Record<string, string> {
  const m = token ? /^([0-9A-Fa-f]{1,16})\.([0-9A-Fa-f]{32})$/.exec(token) : null;
  return m ? { txTime: m[1], txSecret: m[2] } : {};
}

/** Sends the 201 answer of a WHIP/WHEP POST with the resource URL to DELETE. */
export function created(reply: FastifyReply, location: string, answer: string): FastifyReply {
  return reply
    .code(201)
    .header('location', location)
    .header('content-type', 'application/sdp')
    .header('access-control-expose-headers', 'Location')
    .send(answer);
}

/** PATCH on a resource: the relay gathers every candidate before answering, so trickle ICE is not supported. */
export function noTrickle(reply: FastifyReply): FastifyReply {
  return reply
    .code(405)
    .header('allow', 'DELETE')
    .send({
      error: {
        module: 'relay',
        code: ErrorCodes.INVALID_OPTIONS,
        message: 'Trickle ICE and ICE restarts are not supported: the answer carries every candidate.',
      },
    });
}
