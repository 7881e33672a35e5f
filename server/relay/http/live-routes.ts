/**
 * The play outputs: HTTP-FLV (`/live/{id}.flv`, one write per tag per viewer, slow viewers dropped), live HLS
 * (`/live/{id}.m3u8` and its segments, the muxer running only while fetched) and finished recordings
 * (`/recordings/…`, served by @fastify/static from the recordings root). A fastify plugin that receives the
 * registry as an option; the play credential and the canonical path are checked by the guards before.
 */
import type { IncomingMessage } from 'node:http';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { ID_SOURCE } from '../../../src/contract/ids.ts';
import { relayError } from '../../shared/http-error.ts';
import { RelayAuth, signPlaylist } from './auth.ts';
import type { StreamRegistry } from '../streams/registry.ts';

export interface LiveRoutesOptions {
  registry: StreamRegistry;
  recordingsRoot: string;
  /** CORS headers of an answer (the FLV response is written raw). */
  corsFor(req: FastifyRequest): Record<string, string>;
  clientOf(req: IncomingMessage): string;
}

const FLV_VIEWER_MAX_BUFFER = 8 * 1024 * 1024;
const PLAYLIST_WAIT_MS = 10_000;
const LIVE_NAME = new RegExp(`^(${ID_SOURCE})\\.(flv|m3u8)$`);

export async function liveRoutes(fastify: FastifyInstance, o: LiveRoutesOptions): Promise<void> {
  const { registry } = o;

  fastify.get<{ Params: { name: string } }>('/live/:name', async (req, reply) => {
    const m = LIVE_NAME.exec(req.params.name);
    if (!m)
      throw relayError(
        404,
        ErrorCodes.NOT_FOUND,
        'Live URLs are /live/{streamId}.flv or /live/{streamId}.m3u8.',
      );
    const s = registry.get(m[1]);
    const relay = s.relay;
    if (!relay) throw relayError(404, ErrorCodes.NOT_FOUND, `Stream "${s.id}" is not being relayed.`);
    if (m[2] === 'flv') {
      const releaseViewer = registry.quota.viewers.acquire(o.clientOf(req.raw));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...o.corsFor(req),
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
        const text = await relay.readLivePlaylist();
        return reply
          .type('application/vnd.apple.mpegurl')
          .header('cache-control', 'no-cache')
          .send(signPlaylist(text, RelayAuth.playQuery(req.query as Record<string, unknown>)));
      } catch {
        if (Date.now() > deadline || s.relay !== relay) {
          throw relayError(
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
    const s = registry.get(req.params.id);
    const relay = s.relay;
    if (!relay || !/^seg\d+\.ts$/.test(req.params.seg))
      throw relayError(404, ErrorCodes.NOT_FOUND, 'No such segment.');
    relay.useLiveHls();
    const file = join(relay.liveDir, req.params.seg);
    try {
      await access(file);
    } catch {
      throw relayError(404, ErrorCodes.NOT_FOUND, 'Segment expired or not written yet.');
    }
    return reply
      .type('video/mp2t')
      .header('cache-control', 'max-age=60')
      .send(await readFile(file));
  });

  // Recordings: the canonical path (guards) refuses dot segments and encoded slashes; @fastify/static's send
  // refuses traversal again.
  await fastify.register(fastifyStatic, {
    root: o.recordingsRoot,
    prefix: '/recordings/',
    decorateReply: false,
    index: false,
    list: false,
    dotfiles: 'deny',
    setHeaders(res, path) {
      if (path.endsWith('.m3u8')) res.setHeader('content-type', 'application/vnd.apple.mpegurl');
    },
  });
}
