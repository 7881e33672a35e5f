import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { join } from 'node:path';
import { LiveFeed } from './live-feed.ts';
import { asNotification, NotificationError, toStored } from './notification.ts';
import { verifySign, type SignFailure } from '../shared/sign.ts';
import { SqliteRecordingStore } from './sqlite-store.ts';
import { decodeCursor, type RecordingFilter, type RecordingStore } from './store.ts';

export interface ReceiverOptions {
  /** Directory of the SQLite database (`receiver.sqlite`). Ignored when `store` is given. */
  dataDir: string;
  /** The callback key configured in the cloud console: `sign = md5(callbackKey + t)`. */
  callbackKey: string;
  /** Origins allowed to read the recordings API from a browser; `'*'` allows any (local demo only). */
  allowedOrigins?: readonly string[] | '*';
  /** Seconds of clock difference tolerated when checking that `t` has not passed. Default 0. */
  tExpirySkew?: number;
  /** Largest callback body accepted, in bytes. Default 64 KiB. */
  bodyLimit?: number;
  /** Interval of SSE keep-alive comments. Default 15 s. */
  heartbeatMs?: number;
  /** Batch concurrent writes into one transaction. Default true. */
  groupCommit?: boolean;
  /** Another storage backend (e.g. PostgreSQL); the plugin does not close a store it did not create. */
  store?: RecordingStore;
}

const MODULE = 'receiver';
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

const SIGN_MESSAGES: Record<SignFailure, string> = {
  SIGN_MISSING: 'The callback has no valid "t" and "sign"; it was not stored.',
  SIGN_INVALID: 'The callback "sign" does not match md5(key + t); check CALLBACK_KEY. It was not stored.',
  SIGN_EXPIRED: 'The callback "t" has passed (the signature expired); it was not stored.',
};

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The recording callback receiver as a fastify plugin: `POST /callbacks/tencent`, `GET /api/recordings`,
 * `GET /api/recordings/events`. Register it without a prefix; it owns only those routes.
 */
export async function receiverPlugin(fastify: FastifyInstance, opts: ReceiverOptions): Promise<void> {
  if (!opts.callbackKey)
    throw new Error('receiver: a callbackKey (CALLBACK_KEY) is required to verify callbacks');
  const store = opts.store ?? new SqliteRecordingStore(join(opts.dataDir, 'receiver.sqlite'), opts);
  const feed = new LiveFeed(store, opts.heartbeatMs ?? 15_000);
  const allowed = opts.allowedOrigins ?? [];
  const skew = opts.tExpirySkew ?? 0;

  const corsHeaders = (origin: string | undefined): Record<string, string> => {
    if (allowed === '*') return { 'access-control-allow-origin': '*' };
    if (origin && allowed.includes(origin)) return { 'access-control-allow-origin': origin, vary: 'Origin' };
    return { vary: 'Origin' };
  };
  const cors = (req: FastifyRequest, reply: FastifyReply) => {
    reply.headers(corsHeaders(req.headers.origin));
  };

  fastify.addHook('preClose', (done) => {
    feed.close();
    done();
  });
  fastify.addHook('onClose', async () => {
    if (!opts.store) await store.close();
  });

  fastify.setErrorHandler((err: FastifyError | HttpError, _req, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send(errorBody(err.code, err.message));
    const status = err.statusCode ?? 500;
    if (status === 413) {
      return reply
        .code(413)
        .send(errorBody('BODY_TOO_LARGE', 'The callback body is too large; it was not stored.'));
    }
    if (status === 415)
      return reply.code(415).send(errorBody('UNSUPPORTED_CONTENT_TYPE', contentTypeMessage));
    if (status >= 400 && status < 500) {
      return reply
        .code(400)
        .send(errorBody('BAD_BODY', `The callback body is not valid JSON (${err.message}).`));
    }
    fastify.log.error(err);
    return reply
      .code(500)
      .send(errorBody('STORE_FAILED', 'The notification could not be stored; send it again.'));
  });

  fastify.post(
    '/callbacks/tencent',
    {
      bodyLimit: opts.bodyLimit ?? 64 * 1024,
      onRequest: async (req) => {
        if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
          throw new HttpError(415, 'UNSUPPORTED_CONTENT_TYPE', contentTypeMessage);
        }
      },
    },
    async (req) => {
      const body = req.body as Record<string, unknown> | null | undefined;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new HttpError(400, 'BAD_BODY', 'The callback body must be a JSON object; it was not stored.');
      }
      const failure = verifySign(opts.callbackKey, body.t, body.sign, Math.floor(Date.now() / 1000), skew);
      if (failure) throw new HttpError(401, failure, SIGN_MESSAGES[failure]);
      let stored;
      try {
        stored = toStored(asNotification(body));
      } catch (err) {
        if (err instanceof NotificationError)
          throw new HttpError(400, err.code, `${err.message} It was not stored.`);
        throw err;
      }
      const result = await store.put(stored);
      if (result.recording) feed.publish(result.recording);
      return { code: 0 };
    },
  );

  const preflight = (req: FastifyRequest, reply: FastifyReply) => {
    cors(req, reply);
    reply
      .header('access-control-allow-methods', 'GET, OPTIONS')
      .header('access-control-allow-headers', 'Last-Event-ID, Content-Type')
      .header('access-control-max-age', '600')
      .code(204)
      .send();
  };
  fastify.options('/api/recordings', preflight);
  fastify.options('/api/recordings/events', preflight);

  fastify.get('/api/recordings', { onRequest: async (req, reply) => cors(req, reply) }, async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const filter = filterOf(q);
    const limit = q.limit === undefined || q.limit === '' ? DEFAULT_LIMIT : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new HttpError(400, 'BAD_QUERY', `"limit" must be an integer from 1 to ${MAX_LIMIT}.`);
    }
    let before;
    if (q.before) {
      before = decodeCursor(q.before) ?? undefined;
      if (!before)
        throw new HttpError(400, 'BAD_QUERY', '"before" must be the "next" value of a previous page.');
    }
    return store.list(filter, limit, before);
  });

  fastify.get('/api/recordings/events', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const filter = filterOf(q);
    const lastRaw = (req.headers['last-event-id'] as string | undefined) ?? q.lastEventId;
    let lastEventId: number | null = null;
    if (lastRaw !== undefined && lastRaw !== '') {
      if (!/^\d{1,15}$/.test(lastRaw))
        throw new HttpError(400, 'BAD_QUERY', '"Last-Event-ID" must be an event id.');
      lastEventId = Number(lastRaw);
    }
    reply.hijack();
    await feed.attach(reply.raw, filter, lastEventId, corsHeaders(req.headers.origin));
  });
}

const contentTypeMessage = 'Callbacks must be sent as "Content-Type: application/json"; it was not stored.';

function errorBody(code: string, message: string) {
  return { error: { module: MODULE, code, message } };
}

function filterOf(q: Record<string, string | undefined>): RecordingFilter {
  const filter: RecordingFilter = {};
  if (q.recordId !== undefined && q.recordId !== '') {
    const n = Number(q.recordId);
    if (!Number.isSafeInteger(n)) throw new HttpError(400, 'BAD_QUERY', '"recordId" must be an integer.');
    filter.recordId = n;
  }
  if (q.streamId !== undefined && q.streamId !== '') filter.streamId = q.streamId;
  return filter;
}
