/**
 * What `npm start` (server/dev.ts) uses to run the relay with push auth and play anti-leech on, like a site would:
 * keys generated at start, and `POST /api/credentials` — the `credential-endpoint` every demo page and README
 * snippet names — standing in for a site backend that mints `{ streamId, txSecret, txTime }` for the visitor.
 *
 * Development only, and loopback only: credentials go to pages on a loopback origin (`http://127.0.0.1:*`,
 * `http://localhost:*`, `http://[::1]:*`, any port — the demo itself, or a page a developer serves from another
 * local port) and to the server's own origin; any other page, or a script without an Origin header, gets 403.
 * A deployment has no such endpoint: its own backend mints credentials for the users it has signed in.
 * Each browser gets a session cookie, and a stream id minted for one session is never minted for another, so a
 * visitor cannot obtain a credential for someone else's stream (the relay binds each stream to the credential it
 * was created with).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ErrorCodes } from '../src/contract/errors.ts';
import { txSign, type TxCredential } from './shared/tx-secret.ts';
import { isValidStreamId } from './relay/streams/relay-options.ts';

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
  /** Registers `POST /api/credentials` (and its CORS preflight). */
  plugin(fastify: FastifyInstance): Promise<void>;
}

export const CREDENTIALS_PATH = '/api/credentials';
const COOKIE = 'relay_demo_session';
const SERVER_SESSION = 'server';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `http(s)://` on 127.0.0.1, localhost or [::1], any port. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const u = new URL(origin);
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      u.origin === origin &&
      LOOPBACK_HOSTS.has(u.hostname)
    );
  } catch {
    return false;
  }
}

/**
 * The development server's `authorizeUserSig` hook (only when TRTC_SDK_APP_ID and TRTC_SECRET_KEY are set): a UserSig
 * for a page on a loopback origin, as with push credentials; a script without an Origin, or any other page, gets 403.
 * A deployment passes its own hook, deciding from its own session who may enter which room.
 */
export function devAuthorizeUserSig(req: { headers: { origin?: string } }): boolean {
  return req.headers.origin !== undefined && isLoopbackOrigin(req.headers.origin);
}

function error(code: string, message: string): { error: { module: string; code: string; message: string } } {
  return { error: { module: 'relay', code, message } };
}

function sessionOf(cookieHeader: string | undefined): string | null {
  const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([0-9a-f]{32})(?:;|$)`).exec(cookieHeader ?? '');
  return m ? m[1] : null;
}

/** CORS for a credentialed request from `origin` (cookies included, so the origin itself, never `*`). */
function allowOrigin(reply: FastifyReply, origin: string): void {
  void reply.headers({
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    vary: 'Origin',
  });
}

/** `ownOrigin`: the server's own origin when it is bound to a non-loopback address (HOST=…). */
export function devSecurity(ownOrigin: string | null = null, ttlSeconds = 15 * 60): DevSecurity {
  const pushKey = randomBytes(24).toString('hex');
  const playKey = process.env.RELAY_PLAY_KEY || null;
  /** Which session each minted stream id belongs to. */
  const owners = new Map<string, string>();
  const mint = (streamId: string): TxCredential =>
    txSign(pushKey, streamId, Math.floor(Date.now() / 1000) + ttlSeconds);
  const mayAsk = (origin: string | undefined): origin is string =>
    origin !== undefined && (isLoopbackOrigin(origin) || origin === ownOrigin);

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
      fastify.options(CREDENTIALS_PATH, async (req, reply) => {
        const origin = req.headers.origin;
        if (mayAsk(origin)) {
          allowOrigin(reply, origin);
          void reply.headers({
            'access-control-allow-methods': 'POST, OPTIONS',
            'access-control-allow-headers': 'content-type',
            'access-control-max-age': '600',
          });
        }
        return reply.code(204).send();
      });
      fastify.post(CREDENTIALS_PATH, { bodyLimit: 1024 }, async (req, reply) => {
        const origin = req.headers.origin;
        if (!mayAsk(origin))
          return reply
            .code(403)
            .send(
              error(
                ErrorCodes.ORIGIN_NOT_ALLOWED,
                'The development server gives push credentials only to pages on a loopback origin ' +
                  '(http://127.0.0.1:…, http://localhost:…); a deployment mints them in its own backend.',
              ),
            );
        allowOrigin(reply, origin);
        if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
          return reply
            .code(415)
            .send(error(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, 'Send Content-Type: application/json.'));
        let session = sessionOf(req.headers.cookie);
        if (!session) {
          session = randomBytes(16).toString('hex');
          void reply.header(
            'set-cookie',
            `${COOKIE}=${session}; Path=${CREDENTIALS_PATH}; HttpOnly; SameSite=Strict`,
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
