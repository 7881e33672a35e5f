/**
 * WHEP egress: `POST /whep/{streamId}` with a viewer's SDP offer → `201`, the answer and a `Location` to `DELETE`.
 * Plays a stream whose ingest is an H.264 WHIP push (its RTP forwarded as received); a VP8 push or a stream ingested over the WebSocket
 * is refused with 409 NOT_INGESTING (its FLV/HLS URLs play it). Authorised by the play credential when the relay
 * has a play key (query `txSecret`/`txTime` as on `/live`, or the Bearer `{txTime}.{txSecret}`), under the viewer
 * caps the FLV viewers count against.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { relayError } from '../../shared/http-error.ts';
import { acceptSdpBodies, bearer, created, credentialOf, noTrickle, sdpBody } from './sdp-exchange.ts';
import { WhipIngest } from './whip-ingest.ts';
import { WhepViewer, whepSenders } from './whep-viewer.ts';
import type { WebRtcRoutesOptions } from './whip-routes.ts';

type Params = { Params: { id: string; session?: string }; Querystring: Record<string, unknown> };

export async function whepRoutes(fastify: FastifyInstance, o: WebRtcRoutesOptions): Promise<void> {
  const { registry, auth } = o;
  acceptSdpBodies(fastify);
  const viewers = new Map<string, { streamId: string; viewer: WhepViewer }>();

  const checkPlay = (id: string, query: Record<string, unknown>, token: string | null): void => {
    auth.checkPlay(id, query.txSecret !== undefined ? query : credentialOf(token));
  };

  fastify.post<Params>('/whep/:id', async (req, reply) => {
    const { id } = req.params;
    checkPlay(id, req.query, bearer(req));
    const s = registry.get(id);
    const ingest = s.transcoder;
    if (s.ingest !== 'ingesting' || !(ingest instanceof WhipIngest) || !ingest.playsOverWhep)
      throw relayError(
        409,
        ErrorCodes.NOT_INGESTING,
        `Stream "${id}" has no H.264 WHIP push right now; WHEP plays those (use its FLV or HLS URL otherwise).`,
      );
    const offer = sdpBody(req);
    const senders = whepSenders(offer, ingest);
    const release = registry.quota.viewers.acquire(o.clientOf(req.raw));
    let viewer: WhepViewer;
    try {
      viewer = await WhepViewer.open(offer, senders, ingest, o.network);
    } catch (err) {
      release();
      throw err;
    }
    viewers.set(viewer.sessionId, { streamId: id, viewer });
    void viewer.ended.then(() => {
      viewers.delete(viewer.sessionId);
      release();
    });
    return created(reply, `/whep/${id}/${viewer.sessionId}`, viewer.answer);
  });

  fastify.delete<Params>('/whep/:id/:session', async (req, reply) => {
    const { id } = req.params;
    checkPlay(id, req.query, bearer(req));
    const v = viewers.get(req.params.session ?? '');
    if (!v || v.streamId !== id)
      throw relayError(404, ErrorCodes.NOT_FOUND, 'No such WHEP session (it may have ended already).');
    v.viewer.close();
    return reply.code(200).send();
  });

  fastify.patch<Params>('/whep/:id/:session', async (req, reply) => {
    checkPlay(req.params.id, req.query, bearer(req));
    return noTrickle(reply);
  });

  fastify.addHook('onClose', async () => {
    for (const { viewer } of viewers.values()) viewer.close();
  });
}
