/**
 * What `npm start` (server/dev.ts) uses to run the relay with push auth and play anti-leech on, like a site would:
 * keys generated at start, and `POST /api/credentials` — the demo page's `credential-endpoint` — standing in for
 * a site backend that mints `{ streamId, txSecret, txTime }` for the visitor.
 *
 * Only pages of the server's own origin get credentials (the Origin header must be present and be its own;
 * another site's page, or a script without one, gets 403). Each browser gets a session cookie, and a stream id
 * minted for one session is never minted for another, so a visitor cannot obtain a credential for someone
 * else's stream (the relay binds each stream to the credential it was created with).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ErrorCodes } from '../../src/errors.ts';
import { txSign, type TxCredential } from '../shared/tx-secret.ts';
import { selfOrigins } from './http/cors.ts';
import { isValidStreamId } from './streams/relay-options.ts';

export interface DevSecurity {
  pushKey: string;
  /**
   * Play anti-leech key: `RELAY_PLAY_KEY` when set, else none. The demo's pages (Viewer paste box, CMS and
   * player-only pages) play plain `/live/demo.flv` URLs, as a visitor would paste them.
   */
  playKey: string | null;
  /** A push credential for `streamId`, reserved for the server itself (e.g. the demo's test stream). */
  serverCredential(streamId: string): TxCredential;
  /** `?txSecret=…&txTime=…` of {@link serverCredential}. */
  serverQuery(streamId: string): string;
  /** Registers `POST /api/credentials`. */
  plugin(fastify: FastifyInstance): Promise<void>;
}

const COOKIE = 'relay_demo_session';
const SERVER_SESSION = 'server';

function error(code: string, message: string): { error: { module: string; code: string; message: string } } {
  return { error: { module: 'relay', code, message } };
}

function sessionOf(cookieHeader: string | undefined): string | null {
  const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([0-9a-f]{32})(?:;|$)`).exec(cookieHeader ?? '');
  return m ? m[1] : null;
}

export function devSecurity(ttlSeconds = 15 * 60): DevSecurity {
  const pushKey = randomBytes(24).toString('hex');
  const playKey = process.env.RELAY_PLAY_KEY || null;
  /** Which session each minted stream id belongs to. */
  const owners = new Map<string, string>();
  const mint = (streamId: string): TxCredential =>
    txSign(pushKey, streamId, Math.floor(Date.now() / 1000) + ttlSeconds);

  const serverCredential = (streamId: string): TxCredential => {
    owners.set(streamId, SERVER_SESSION);
    return mint(streamId);
  };

  return {
    pushKey,
    playKey,
    serverCredential,
    serverQuery(streamId) {
      return `?${new URLSearchParams({ ...serverCredential(streamId) }).toString()}`;
    },
    async plugin(fastify) {
      fastify.post('/api/credentials', { bodyLimit: 1024 }, async (req, reply) => {
        const a = fastify.server.address();
        const own = a && typeof a === 'object' ? selfOrigins(undefined, a.address, a.port) : [];
        const origin = req.headers.origin;
        if (!origin || !own.includes(origin))
          return reply
            .code(403)
            .send(
              error(ErrorCodes.ORIGIN_NOT_ALLOWED, 'Credentials are only given to pages of this server.'),
            );
        if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
          return reply
            .code(415)
            .send(error(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, 'Send Content-Type: application/json.'));
        let session = sessionOf(req.headers.cookie);
        if (!session) {
          session = randomBytes(16).toString('hex');
          void reply.header(
            'set-cookie',
            `${COOKIE}=${session}; Path=/api/credentials; HttpOnly; SameSite=Strict`,
          );
        }
        const body = (req.body ?? {}) as { streamId?: unknown };
        let streamId: string;
        if (body.streamId === undefined || body.streamId === null || body.streamId === '') {
          streamId = `s_${randomBytes(6).toString('hex')}`;
        } else if (typeof body.streamId === 'string' && isValidStreamId(body.streamId)) {
          streamId = body.streamId;
        } else {
          return reply
            .code(400)
            .send(
              error(
                ErrorCodes.INVALID_OPTIONS,
                '"streamId" must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-".',
              ),
            );
        }
        const owner = owners.get(streamId);
        if (owner !== undefined && owner !== session)
          return reply
            .code(409)
            .send(
              error(
                ErrorCodes.ALREADY_STARTED,
                `Stream "${streamId}" belongs to someone else; pick another id.`,
              ),
            );
        owners.set(streamId, session);
        return { streamId, ...mint(streamId) };
      });
    },
  };
}
