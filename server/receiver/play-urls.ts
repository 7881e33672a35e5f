import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { BodyDeadlineHooks } from './body-deadline.ts';
import { HttpError } from './http-error.ts';
import { jsonObjectOf, type JsonLimits } from './json-limits.ts';
import { credentialedPreflight, type OriginPolicy } from './origin-policy.ts';
import { signUrl, txSign } from '../shared/tx-secret.ts';
import { ErrorCodes } from '../../src/contract/errors.ts';
import { buildPlayUrls, type PlayScheme } from '../../src/push/play-url-build.ts';
import { RELAY_ENCODES, type PlayUrl, type RelayEncode } from '../../src/contract/types.ts';

/**
 * Signed play URLs for a Tencent CSS play domain with Key anti-leech (防盗链 "Key 鉴权"): every URL carries
 * `txSecret = md5(key + StreamName + txTime)` and `txTime` (upper-case hex unix expiry), Tencent's documented
 * algorithm (`server/shared/tx-secret.ts`, `docs/push-model.md`). `StreamName` is the name in the URL's path, so a
 * transcoded stream (`StreamName_templateId`) is signed over that full name.
 */

/** Stream names this endpoint signs: letters, digits, `_` and `-`, at most 64 (the push side's stream id rule). */
export const PLAY_STREAM_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Transcode template ids (Tencent's template names): letters, digits, `_` and `-`, at most 32. */
export const TEMPLATE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const DEFAULT_PLAY_URL_TTL = 3600;
/** Bounds of `TRTC_PLAY_URL_TTL`: long enough to start playing, short enough that a leaked URL dies within a week. */
export const MIN_PLAY_URL_TTL = 5;
export const MAX_PLAY_URL_TTL = 7 * 86400;
export const DEFAULT_PLAY_PER_MINUTE = 60;

/** What a play-URL request asks for, checked before the site's hook sees it. */
export interface PlayUrlRequest {
  streamId: string;
  /** The protocol listed first (default `flv`). */
  encode: RelayEncode;
  /** A transcode template id: the URLs name `streamId_template` (only templates the site lists). */
  template?: string;
}

/**
 * The site's own decision: `true` when the caller (e.g. by its session cookie, a ticket, a paid plan) may watch this
 * stream. Viewers are often anonymous, so the hook may say yes to anyone — for the streams it chooses.
 */
export type AuthorizePlayUrl = (
  request: FastifyRequest,
  asked: Readonly<PlayUrlRequest>,
) => boolean | Promise<boolean>;

export interface PlayUrlOptions {
  /** `TRTC_PLAY_KEY`: the play domain's anti-leech key (never sent to a browser). */
  key: string;
  /** `TRTC_PLAY_DOMAIN`: the play domain (a host, or an origin with scheme, optionally an app path). */
  domain: string;
  /** `TRTC_PLAY_SCHEME`: `https` (default) or `http` for a bare host. */
  scheme?: PlayScheme;
  /** `TRTC_PLAY_URL_TTL`: seconds a signed URL stays valid. Default 3600, 5 … 604800. */
  ttlSeconds?: number;
  /**
   * `TRTC_PLAY_STREAMS`: the stream names signed without asking the hook: exact names, or prefixes ending in `*`
   * (`1400000000_*`). With neither this nor a hook, every request is refused.
   */
  allowStreams?: readonly string[];
  /** `TRTC_PLAY_TEMPLATES`: transcode template ids a viewer may ask for (none by default). */
  templates?: readonly string[];
  /** `TRTC_PLAY_PER_MINUTE`: requests one client (IP) may make a minute. Default 60. */
  perMinute?: number;
  /** The site's hook (`RECEIVER_PLAY_AUTHORIZER` for the standalone receiver). */
  authorize?: AuthorizePlayUrl;
}

const bad = (message: string) => new HttpError(400, ErrorCodes.BAD_BODY, message);

/** The request body, strictly checked: a stream name, an optional encode and transcode template. */
export function parsePlayUrlRequest(body: Record<string, unknown>): PlayUrlRequest {
  const { streamId, encode = 'flv', template } = body;
  if (typeof streamId !== 'string' || !PLAY_STREAM_PATTERN.test(streamId)) {
    throw bad('Play URLs need a "streamId" of 1–64 letters, digits, "_" or "-".');
  }
  if (typeof encode !== 'string' || !(RELAY_ENCODES as readonly string[]).includes(encode)) {
    throw bad(`"encode" must be one of ${RELAY_ENCODES.join(', ')}.`);
  }
  if (template !== undefined && (typeof template !== 'string' || !TEMPLATE_PATTERN.test(template))) {
    throw bad('"template" must be a transcode template id: 1–32 letters, digits, "_" or "-".');
  }
  return { streamId, encode: encode as RelayEncode, ...(template ? { template } : {}) };
}

/** Whether `streamId` is one of `patterns` (exact, or a prefix ending in `*`). */
export function streamListed(patterns: readonly string[], streamId: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? streamId.startsWith(p.slice(0, -1)) : p === streamId));
}

/** `null` when the site allows the request, else why not. */
export async function playUrlRefusal(
  opts: PlayUrlOptions,
  request: FastifyRequest,
  asked: PlayUrlRequest,
): Promise<string | null> {
  const listed = opts.allowStreams?.length ? streamListed(opts.allowStreams, asked.streamId) : null;
  if (!opts.authorize && listed === null) {
    return 'This receiver signs no play URLs until the site says for which streams: set TRTC_PLAY_STREAMS (names or prefixes ending in *) or RECEIVER_PLAY_AUTHORIZER (a module whose default export is authorizePlayUrl(request, { streamId, encode, template })).';
  }
  if (listed === false) return `Stream "${asked.streamId}" is not in TRTC_PLAY_STREAMS.`;
  if (asked.template !== undefined && !(opts.templates ?? []).includes(asked.template)) {
    return `Transcode template "${asked.template}" is not in TRTC_PLAY_TEMPLATES.`;
  }
  if (opts.authorize && (await opts.authorize(request, Object.freeze({ ...asked }))) !== true) {
    return 'The site did not authorise play URLs for this stream.';
  }
  return null;
}

/** The signed URLs of `asked` on the play domain, valid until `expiresAt` (unix seconds). */
export function signedPlayUrls(opts: PlayUrlOptions, asked: PlayUrlRequest, expiresAt: number): PlayUrl[] {
  const name = asked.template ? `${asked.streamId}_${asked.template}` : asked.streamId;
  return buildPlayUrls(opts.domain, name, asked.encode, { scheme: opts.scheme }).map((u) => ({
    ...u,
    // WHATWG URL treats rtmp: as opaque (no searchParams to set): its query is written by hand, the same pair
    url:
      u.encode === 'rtmp'
        ? signRtmp(u.url, opts.key, name, expiresAt)
        : signUrl(u.url, opts.key, name, expiresAt),
  }));
}

function signRtmp(url: string, key: string, name: string, expiresAt: number): string {
  const { txSecret, txTime } = txSign(key, name, expiresAt);
  return `${url}?txSecret=${txSecret}&txTime=${txTime}`;
}

/**
 * `POST /api/trtc/play-urls` `{ streamId, encode?, template? }` → `{ urls: PlayUrl[], expiresAt }` (`expiresAt` in
 * unix seconds, the `txTime` of every URL); JSON bodies only, cookies allowed from listed origins.
 */
export async function playUrlRoutes(
  fastify: FastifyInstance,
  opts: PlayUrlOptions,
  http: { origins: OriginPolicy; jsonLimits: JsonLimits; deadline: BodyDeadlineHooks },
): Promise<void> {
  const ttl = opts.ttlSeconds ?? DEFAULT_PLAY_URL_TTL;
  if (!Number.isInteger(ttl) || ttl < MIN_PLAY_URL_TTL || ttl > MAX_PLAY_URL_TTL) {
    throw new Error(
      `receiver: the play URL lifetime must be ${MIN_PLAY_URL_TTL}–${MAX_PLAY_URL_TTL} s (got ${ttl}).`,
    );
  }
  // Fails at startup on a malformed domain rather than on the first viewer.
  buildPlayUrls(opts.domain, 'check', 'flv', { scheme: opts.scheme });
  const perMinute = opts.perMinute ?? DEFAULT_PLAY_PER_MINUTE;
  const checkOrigin = (req: FastifyRequest, reply: FastifyReply) => http.origins.check(req, reply, false);
  // The UserSig routes may have registered the limiter in this scope already (it decorates the instance once).
  if (!fastify.hasDecorator('rateLimit')) await fastify.register(rateLimit, { global: false });
  credentialedPreflight(fastify, '/api/trtc/play-urls', checkOrigin);
  fastify.post(
    '/api/trtc/play-urls',
    {
      bodyLimit: 4096,
      ...http.deadline,
      config: {
        rateLimit: {
          max: perMinute,
          timeWindow: 60_000,
          keyGenerator: (req: FastifyRequest) => req.ip,
          errorResponseBuilder: (_req: FastifyRequest, ctx: { max: number; after: string }) =>
            new HttpError(
              429,
              ErrorCodes.RATE_LIMITED,
              `Too many play URL requests from this client (${ctx.max} a minute, TRTC_PLAY_PER_MINUTE); retry in ${ctx.after}.`,
            ),
        },
      },
    },
    async (req, reply) => {
      checkOrigin(req, reply);
      reply.header('access-control-allow-credentials', 'true').header('cache-control', 'no-store');
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
        throw new HttpError(
          415,
          ErrorCodes.UNSUPPORTED_CONTENT_TYPE,
          'Send the play URL request as "Content-Type: application/json".',
        );
      }
      const asked = parsePlayUrlRequest(jsonObjectOf(req.body, http.jsonLimits, 'play URL request'));
      const refused = await playUrlRefusal(opts, req, asked);
      if (refused) throw new HttpError(403, ErrorCodes.PLAY_URL_NOT_ALLOWED, refused);
      const expiresAt = Math.floor(Date.now() / 1000) + ttl;
      return { urls: signedPlayUrls(opts, asked, expiresAt), expiresAt };
    },
  );
}
