import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { join } from 'node:path';
import { DEFAULT_JSON_LIMITS, jsonObjectOf, type JsonLimits } from './json-limits.ts';
import { LiveFeed, type LiveFeedLimits } from './live-feed.ts';
import { asNotification, NotificationError, RECORD_ID_PATTERN, toStored } from './notification.ts';
import { verifyRelaySignature } from './relay-signature.ts';
import { verifySign, type SignFailure } from '../shared/sign.ts';
import { txVerify } from '../shared/tx-secret.ts';
import { PostgresRecordingStore } from './postgres-store.ts';
import { SqliteRecordingStore } from './sqlite-store.ts';
import { decodeCursor, StoreUnavailableError, type RecordingFilter, type RecordingStore } from './store.ts';
import { trtcRecordingRoutes } from './trtc-recording-routes.ts';
import { looksLikeTrtcCallback } from './trtc-recording.ts';
import {
  playUrlRoutes,
  type AuthorizePlayUrl,
  type PlayUrlOptions,
  type PlayUrlRequest,
} from './play-urls.ts';
import { userSigRoutes, type AuthorizeUserSig, type UserSigOptions, type UserSigRequest } from './usersig.ts';
import { bodyDeadline } from './body-deadline.ts';
import { errorBody, HttpError } from './http-error.ts';
import { OriginPolicy } from './origin-policy.ts';
import { HostPolicy } from './host-policy.ts';
import { SignReplayGuard } from './sign-replay.ts';
import { redactingLogSerializers } from '../shared/redact.ts';
import { ErrorCodes } from '../../src/contract/errors.ts';

export type { AuthorizePlayUrl, AuthorizeUserSig, PlayUrlRequest, UserSigRequest };

export interface ReceiverOptions {
  /** Directory of the SQLite database (`receiver.sqlite`). Ignored when `store` or `databaseUrl` is given. */
  dataDir: string;
  /**
   * `DATABASE_URL`: store in this PostgreSQL database (`postgres://user@host:port/db`) instead of SQLite, so that
   * several receiver instances share one truth. The schema is created on first start.
   */
  databaseUrl?: string;
  /** The callback key configured in the cloud console: `sign = md5(callbackKey + t)`. */
  callbackKey: string;
  /**
   * `TRTC_CALLBACK_KEY`: the key configured with the TRTC console's callback URL, for TRTC cloud-recording callbacks
   * at `POST /callbacks/trtc-recording` (`Sign = base64(HMAC-SHA256(key, body))`). Without it they are refused (401).
   */
  trtcCallbackKey?: string;
  /** `TRTC_RECORDING_FILE_BASE_URL`: public base URL of the COS bucket cloud recording writes MP4 files to (event 310). */
  trtcRecordingFileBaseUrl?: string;
  /**
   * Origins allowed to call the read API, the live feed and the UserSig endpoint from a browser. A request that
   * carries any other `Origin` is refused (`403 ORIGIN_NOT_ALLOWED`); requests without `Origin` (servers) pass.
   * `'*'` lets any origin read (local demo only; never for the UserSig endpoint). Default: none.
   */
  allowedOrigins?: readonly string[] | '*';
  /**
   * `Host` names the receiver answers, against DNS rebinding (`421 HOST_NOT_ALLOWED` otherwise). IP literals,
   * `localhost` and `*.localhost` are always served; `'*'` serves any name. Default: none beyond those.
   */
  allowedHosts?: readonly string[] | '*';
  /**
   * Refuse callbacks without `X-Relay-Signature` (`401 SIGN_MISSING`): set it when the receiver gets its callbacks
   * from the local relay, which always signs the body. Leave it off for Tencent's cloud (it sends no such header).
   */
  requireRelaySignature?: boolean;
  /** Seconds of clock difference tolerated on `t` (both ways). Default 30. */
  tExpirySkew?: number;
  /** Latest `t` accepted, in seconds after now (plus the skew). Tencent and the relay send now + 600. Default 600. */
  tMaxAheadSeconds?: number;
  /** Largest callback body accepted, in bytes. Default 64 KiB. */
  bodyLimit?: number;
  /** Milliseconds a client may take to send a request body before it is cut off (`408`). Default 10 s. */
  bodyTimeoutMs?: number;
  /** Nesting depth and string length allowed in JSON bodies, checked before any signature work. */
  jsonLimits?: Partial<JsonLimits>;
  /** Interval of SSE keep-alive comments. Default 15 s. */
  heartbeatMs?: number;
  /** Caps of the live feed (subscribers in total / per IP, unread bytes before a subscriber is dropped). */
  sse?: Partial<LiveFeedLimits>;
  /**
   * `RECEIVER_READ_KEY`: when set, reads need `recordId` plus `readSecret = md5(readKey + recordId + readTime)` and
   * `readTime` (hex unix expiry) — Tencent's txSecret scheme, minted by the site's backend.
   */
  readKey?: string;
  /** Issue TRTC UserSigs at `POST /api/trtc/usersig` (off unless given). */
  trtc?: Omit<UserSigOptions, 'authorize'>;
  /**
   * The site's authorisation of UserSig requests: `authorizeUserSig(request, { userId, roomId | strRoomId, role })`
   * resolves to `true` to issue one (see `AuthorizeUserSig`). Without it the endpoint refuses every request (403);
   * the standalone receiver loads it from the module named by `RECEIVER_USERSIG_AUTHORIZER`.
   */
  authorizeUserSig?: AuthorizeUserSig;
  /**
   * Sign play URLs at `POST /api/trtc/play-urls` with the play domain's anti-leech key (`TRTC_PLAY_KEY`,
   * `TRTC_PLAY_DOMAIN`; off unless given). Streams are signed only when listed (`allowStreams`) or authorised.
   */
  trtcPlay?: Omit<PlayUrlOptions, 'authorize'>;
  /**
   * The site's authorisation of play URLs: `authorizePlayUrl(request, { streamId, encode, template? })` resolves to
   * `true` to sign them (see `AuthorizePlayUrl`); the standalone receiver loads it from `RECEIVER_PLAY_AUTHORIZER`.
   * With neither it nor `trtcPlay.allowStreams`, every request is refused (403).
   */
  authorizePlayUrl?: AuthorizePlayUrl;
  /** Batch concurrent writes into one transaction. Default true. */
  groupCommit?: boolean;
  /** Another storage backend (e.g. PostgreSQL); the plugin does not close a store it did not create. */
  store?: RecordingStore;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

const SIGN_MESSAGES: Record<SignFailure, string> = {
  SIGN_MISSING: 'The callback has no valid "t" and "sign"; it was not stored.',
  SIGN_INVALID: 'The callback "sign" does not match md5(key + t); check CALLBACK_KEY. It was not stored.',
  SIGN_EXPIRED: 'The callback "t" has passed (the signature expired); it was not stored.',
};

/**
 * The recording callback receiver as a fastify plugin: `POST /callbacks/tencent`, `POST /callbacks/trtc-recording`,
 * `GET /api/recordings`,
 * `GET /api/recordings/events`, and (when `trtc` is given) `POST /api/trtc/usersig`, (when `trtcPlay` is given)
 * `POST /api/trtc/play-urls`. Register it without a prefix
 * and without fastify-plugin: it replaces the body parsers of its own scope (every body is read as text, checked,
 * then parsed as JSON whatever its content type, as Tencent sends some callbacks without one).
 */
export async function receiverPlugin(fastify: FastifyInstance, opts: ReceiverOptions): Promise<void> {
  if (!opts.callbackKey)
    throw new Error('receiver: a callbackKey (CALLBACK_KEY) is required to verify callbacks');
  const store: RecordingStore =
    opts.store ??
    (opts.databaseUrl
      ? new PostgresRecordingStore(opts.databaseUrl, opts)
      : new SqliteRecordingStore(join(opts.dataDir, 'receiver.sqlite'), opts));
  await store.open?.().catch((err: unknown) => {
    fastify.log.warn(`receiver: the store is not ready yet (${String(err)}); answering 503 until it is`);
  });
  const feed = new LiveFeed(store, opts.heartbeatMs ?? 15_000, opts.sse);
  const skew = opts.tExpirySkew ?? 30;
  const maxAhead = opts.tMaxAheadSeconds ?? 600;
  const jsonLimits = { ...DEFAULT_JSON_LIMITS, ...opts.jsonLimits };
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const origins = new OriginPolicy(opts.allowedOrigins ?? []);
  const checkOrigin = origins.check.bind(origins);
  const hosts = new HostPolicy(opts.allowedHosts);
  const replays = new SignReplayGuard(skew);

  // Every route of this scope: no credential in a log line; a name the receiver does not serve gets nothing.
  fastify.addHook('onRoute', (route) => {
    route.logSerializers = { ...route.logSerializers, ...redactingLogSerializers };
  });
  fastify.addHook('onRequest', async (req) => hosts.check(req));

  fastify.addHook('preClose', (done) => {
    feed.close();
    done();
  });
  fastify.addHook('onClose', async () => {
    if (!opts.store) await store.close();
  });

  // Every body is taken as text: JSON limits are checked on it, the relay signature covers it, then it is parsed.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  fastify.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).send(errorBody(err.code, err.message, err.module));
    }
    if (err instanceof StoreUnavailableError) {
      // Never a 200 without a commit: the sender retries, the unique identity keeps the retry exactly-once.
      fastify.log.warn(err.message);
      return reply
        .code(503)
        .header('retry-after', '1')
        .send(
          errorBody(err.code, 'The recording store is unavailable; nothing was acknowledged, send it again.'),
        );
    }
    if (err instanceof NotificationError) {
      return reply.code(400).send(errorBody(err.code, `${err.message} It was not stored.`));
    }
    const status = err.statusCode ?? 500;
    if (status === 413) {
      return reply
        .code(413)
        .send(errorBody(ErrorCodes.BODY_TOO_LARGE, 'The request body is too large; nothing was stored.'));
    }
    if (status >= 400 && status < 500) {
      return reply
        .code(400)
        .send(errorBody(ErrorCodes.BAD_BODY, `The request was refused (${err.message}).`));
    }
    req.log.error({ err }, 'receiver: unexpected error');
    return reply
      .code(500)
      .send(errorBody(ErrorCodes.STORE_FAILED, 'The notification could not be stored; send it again.'));
  });

  const deadline = bodyDeadline(opts.bodyTimeoutMs ?? 10_000);
  fastify.addHook('preClose', (done) => {
    deadline.cutAll();
    done();
  });

  fastify.post(
    '/callbacks/tencent',
    {
      bodyLimit: opts.bodyLimit ?? 64 * 1024,
      ...deadline.hooks,
      // Before the body is read: a browser page may not post callbacks (no-cors text/plain, forms, foreign origins).
      onRequest: [async (req: FastifyRequest) => origins.checkServerPost(req), deadline.hooks.onRequest],
    },
    async (req) => {
      const body = jsonObjectOf(req.body, jsonLimits, 'callback');
      const now = nowSeconds();
      const failure = verifySign(opts.callbackKey, body.t, body.sign, now, skew);
      if (failure && looksLikeTrtcCallback(body)) {
        throw new HttpError(
          401,
          failure,
          'This is a TRTC callback (EventGroupId/EventType, signed in a "Sign" header): point the TRTC console at /callbacks/trtc-recording and set TRTC_CALLBACK_KEY. It was not stored.',
        );
      }
      if (failure) throw new HttpError(401, failure, SIGN_MESSAGES[failure]);
      if (Number(body.t) > now + maxAhead + skew) {
        throw new HttpError(
          401,
          ErrorCodes.SIGN_TIME_INVALID,
          `The callback "t" is more than ${maxAhead} s in the future; a genuine callback expires sooner. It was not stored.`,
        );
      }
      const relaySig = req.headers['x-relay-signature'];
      if (relaySig === undefined && opts.requireRelaySignature) {
        throw new HttpError(
          401,
          ErrorCodes.SIGN_MISSING,
          'This receiver takes callbacks from the local relay only, which signs each body: "X-Relay-Signature" is missing. It was not stored.',
        );
      }
      if (relaySig !== undefined) {
        const text = req.body as string;
        if (
          typeof relaySig !== 'string' ||
          !verifyRelaySignature(opts.callbackKey, String(body.t), text, relaySig)
        ) {
          throw new HttpError(
            401,
            ErrorCodes.SIGN_INVALID,
            'The "X-Relay-Signature" does not match HMAC-SHA256(key, t + "." + body); the body was altered. It was not stored.',
          );
        }
      }
      let stored;
      try {
        stored = toStored(asNotification(body));
      } catch (err) {
        if (err instanceof NotificationError)
          throw new HttpError(400, err.code, `${err.message} It was not stored.`);
        throw err;
      }
      // Tencent's sign covers neither body nor sender: a pair another address used takes no new body. A relay-signed
      // body is bound by its HMAC, but its pair is recorded too, so that dropping the header gains nothing.
      const fresh = replays.admit(Number(body.t), String(body.sign), body, req.ip, now);
      if (!fresh && relaySig === undefined) {
        throw new HttpError(
          409,
          ErrorCodes.SIGN_REUSED,
          'This "t" and "sign" were already used by another sender with another body (a replayed signature). It was not stored; a genuine callback sent again with a new "t" will be.',
        );
      }
      const result = await store.put(stored);
      if (result.recording) {
        feed.publish({ seq: Number(result.recording.id), kind: 'recording', data: result.recording });
      }
      if (result.status) feed.publish({ seq: result.status.seq, kind: 'status', data: result.status.status });
      return { code: 0 };
    },
  );

  trtcRecordingRoutes(fastify, {
    key: opts.trtcCallbackKey,
    fileBaseUrl: opts.trtcRecordingFileBaseUrl,
    store,
    feed,
    origins,
    jsonLimits,
    deadline: deadline.hooks,
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
  });

  // Liveness (the process answers) and readiness (the store answers: a load balancer sends callbacks elsewhere).
  fastify.get('/healthz', async () => ({ ok: true }));
  fastify.get('/readyz', async (_req, reply) => {
    const health = await store.health();
    if (health.ok) return { ready: true, store: health.backend };
    return reply
      .code(503)
      .send(
        errorBody(
          ErrorCodes.STORE_UNAVAILABLE,
          `The ${health.backend} store is not ready: ${health.message}`,
        ),
      );
  });

  const preflight = (methods: string, headers: string, anyOk: boolean) => {
    return (req: FastifyRequest, reply: FastifyReply) => {
      checkOrigin(req, reply, anyOk);
      reply
        .header('access-control-allow-methods', methods)
        .header('access-control-allow-headers', headers)
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    };
  };
  const readPreflight = preflight('GET, OPTIONS', 'Last-Event-ID, Content-Type', true);
  fastify.options('/api/recordings', readPreflight);
  fastify.options('/api/recordings/events', readPreflight);

  /** The filter of a read, strictly parsed, after the origin and (with a read key) the credential are checked. */
  const authorizedRead = (req: FastifyRequest, reply: FastifyReply): RecordingFilter => {
    checkOrigin(req, reply);
    const q = req.query as Record<string, unknown>;
    const filter = filterOf(q);
    if (opts.readKey) {
      if (filter.recordId === undefined) {
        throw new HttpError(
          403,
          ErrorCodes.READ_AUTH_FAILED,
          'Reading recordings needs a "recordId" and its read credential.',
          'recordings',
        );
      }
      const failure = txVerify(opts.readKey, filter.recordId, q.readSecret, q.readTime, nowSeconds(), skew);
      if (failure) {
        throw new HttpError(
          403,
          ErrorCodes.READ_AUTH_FAILED,
          `The read credential for record id "${filter.recordId}" is ${failure.toLowerCase()}: pass "readSecret" and "readTime" minted by the site (record-id, read-secret, read-time).`,
          'recordings',
        );
      }
    }
    return filter;
  };

  fastify.get('/api/recordings', async (req, reply) => {
    const filter = authorizedRead(req, reply);
    const q = req.query as Record<string, unknown>;
    const limitText = queryString(q, 'limit');
    const limit =
      limitText === undefined ? DEFAULT_LIMIT : /^\d{1,3}$/.test(limitText) ? Number(limitText) : NaN;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new HttpError(400, ErrorCodes.BAD_QUERY, `"limit" must be an integer from 1 to ${MAX_LIMIT}.`);
    }
    let before;
    const beforeText = queryString(q, 'before');
    if (beforeText !== undefined) {
      before = decodeCursor(beforeText) ?? undefined;
      if (!before)
        throw new HttpError(
          400,
          ErrorCodes.BAD_QUERY,
          '"before" must be the "next" value of a previous page.',
        );
    }
    return store.list(filter, limit, before);
  });

  fastify.get('/api/recordings/events', async (req, reply) => {
    const filter = authorizedRead(req, reply);
    const q = req.query as Record<string, unknown>;
    const header = req.headers['last-event-id'];
    const lastRaw = typeof header === 'string' ? header : queryString(q, 'lastEventId');
    let lastEventId: number | null = null;
    if (lastRaw !== undefined && lastRaw !== '') {
      if (!/^\d{1,15}$/.test(lastRaw))
        throw new HttpError(400, ErrorCodes.BAD_QUERY, '"Last-Event-ID" must be an event id.');
      lastEventId = Number(lastRaw);
    }
    const full = feed.admit(req.ip);
    if (full === ErrorCodes.SSE_TOO_MANY_FROM_IP) {
      reply.header('retry-after', '30');
      throw new HttpError(429, full, 'Too many live subscriptions from this address; close one and retry.');
    }
    if (full) {
      reply.header('retry-after', '30');
      throw new HttpError(503, full, 'The live feed has no room for another subscriber; retry later.');
    }
    reply.hijack();
    await feed.attach(reply.raw, req.ip, filter, lastEventId, origins.headers(req.headers.origin));
  });

  if (opts.trtc) {
    const trtc = { ...opts.trtc, authorize: opts.authorizeUserSig };
    await userSigRoutes(fastify, trtc, { origins, jsonLimits, deadline: deadline.hooks });
  }
  if (opts.trtcPlay) {
    const play = { ...opts.trtcPlay, authorize: opts.authorizePlayUrl };
    await playUrlRoutes(fastify, play, { origins, jsonLimits, deadline: deadline.hooks });
  }
}

/** A single query value; repeated parameters are refused rather than guessed. */
function queryString(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new HttpError(400, ErrorCodes.BAD_QUERY, `"${name}" must be given once.`);
  return v;
}

function filterOf(q: Record<string, unknown>): RecordingFilter {
  const filter: RecordingFilter = {};
  const recordId = queryString(q, 'recordId');
  if (recordId !== undefined) {
    if (!RECORD_ID_PATTERN.test(recordId)) {
      throw new HttpError(400, ErrorCodes.BAD_QUERY, '"recordId" must be 1–64 letters, digits, "_" or "-".');
    }
    filter.recordId = recordId;
  }
  const streamId = queryString(q, 'streamId');
  if (streamId !== undefined) {
    if (streamId.length > 256) throw new HttpError(400, ErrorCodes.BAD_QUERY, '"streamId" is too long.');
    filter.streamId = streamId;
  }
  return filter;
}
