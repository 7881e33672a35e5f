/**
 * WHEP egress: `POST /whep/{streamId}` with a viewer's SDP offer → `201`, the answer and a `Location` to `DELETE`.
 * Plays any stream that is ingesting: an H.264 WHIP push has its RTP forwarded as received; any other stream (the
 * WebSocket ingest, a VP8 WHIP push re-encoded to H.264) is packetised from its hub by one ffmpeg shared by all its
 * WHEP viewers, started by the first and stopped after the last (`hub-rtp-source.ts`). A stream with no ingest is
 * 409 NOT_INGESTING. Authorised by the play credential when the relay has a play key (query `txSecret`/`txTime` as
 * on `/live`, or the Bearer `{txTime}.{txSecret}`), under the viewer caps the FLV viewers count against.
 */
import type { FastifyInstance } from 'fastify';
import type { FlvHub } from '../relay/flv-hub.ts';
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { relayError } from '../../shared/http-error.ts';
import { acceptSdpBodies, bearer, created, credentialOf, noTrickle, sdpBody } from './sdp-exchange.ts';
import { HubRtpSource } from './hub-rtp-source.ts';
import { WhipIngest } from './whip-ingest.ts';
import { WhepViewer, whepSenders, type WhepSource } from './whep-viewer.ts';
import type { WebRtcRoutesOptions } from './whip-routes.ts';

type Params = { Params: { id: string; session?: string }; Querystring: Record<string, unknown> };

export async function whepRoutes(fastify: FastifyInstance, o: WebRtcRoutesOptions): Promise<void> {
  const { registry, auth } = o;
  acceptSdpBodies(fastify);
  const viewers = new Map<string, { streamId: string; viewer: WhepViewer }>();
  /** Hub sources by stream, with how many viewers use each (the last one out stops it). */
  const hubSources = new Map<string, { source: Promise<HubRtpSource>; users: number }>();

  /** The stream's shared hub source (started on first use); its release function stops it after the last user. */
  const useHubSource = async (
    id: string,
    hub: FlvHub,
  ): Promise<{ source: WhepSource; release: () => void }> => {
    let entry = hubSources.get(id);
    if (!entry) {
      const started = HubRtpSource.start(hub);
      entry = { source: started, users: 0 };
      hubSources.set(id, entry);
      const mine = entry;
      void started.then(
        (src) =>
          src.exited.then(() => {
            if (hubSources.get(id) === mine) hubSources.delete(id);
          }),
        () => {
          if (hubSources.get(id) === mine) hubSources.delete(id);
        },
      );
    }
    entry.users += 1;
    const e = entry;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      e.users -= 1;
      if (e.users === 0) {
        if (hubSources.get(id) === e) hubSources.delete(id);
        void e.source.then(
          (src) => src.close(),
          () => undefined,
        );
      }
    };
    try {
      return { source: await e.source, release };
    } catch (err) {
      release();
      throw err;
    }
  };

  const checkPlay = (id: string, query: Record<string, unknown>, token: string | null): void => {
    auth.checkPlay(id, query.txSecret !== undefined ? query : credentialOf(token));
  };

  fastify.post<Params>('/whep/:id', async (req, reply) => {
    const { id } = req.params;
    checkPlay(id, req.query, bearer(req));
    const s = registry.get(id);
    const pipeline = s.transcoder;
    if (s.ingest !== 'ingesting' || !pipeline)
      throw relayError(
        409,
        ErrorCodes.NOT_INGESTING,
        `Stream "${id}" is not ingesting right now: WHEP plays it once its push has started.`,
      );
    const offer = sdpBody(req);
    // an H.264 WHIP push: its packets as received; anything else: its hub, packetised once for all its viewers
    const direct = pipeline instanceof WhipIngest && pipeline.playsOverWhep ? pipeline : null;
    // a bad offer is refused before anything is allocated
    const senders = whepSenders(offer, direct ?? { codecs: HubRtpSource.codecsOf(pipeline.hub) });
    const release = registry.quota.viewers.acquire(o.clientOf(req.raw));
    let viewer: WhepViewer;
    let hub: { source: WhepSource; release: () => void } | null = null;
    try {
      let source: WhepSource;
      if (direct) source = direct;
      else {
        hub = await useHubSource(id, pipeline.hub);
        source = hub.source;
      }
      viewer = await WhepViewer.open(offer, senders, source, o.network);
    } catch (err) {
      hub?.release();
      release();
      throw err;
    }
    viewers.set(viewer.sessionId, { streamId: id, viewer });
    void viewer.ended.then(() => {
      viewers.delete(viewer.sessionId);
      hub?.release();
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
    for (const { source } of hubSources.values())
      void source.then(
        (src) => src.close(),
        () => undefined,
      );
  });
}
