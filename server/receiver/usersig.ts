import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BodyDeadlineHooks } from './body-deadline.ts';
import { HttpError } from './http-error.ts';
import { jsonObjectOf, type JsonLimits } from './json-limits.ts';
import type { OriginPolicy } from './origin-policy.ts';
// Tencent's own implementation (tencentyun/tls-sig-api-v2-node, MIT, one file, no dependencies, runs on Node 20):
// HMAC-SHA256 over "TLS.identifier:…\nTLS.sdkappid:…\nTLS.time:…\nTLS.expire:…\n", the JSON document deflated with
// zlib, base64 with Tencent's url-safe replacements (+ → *, / → -, = → _). Used rather than re-implemented.
import { Api } from 'tls-sig-api-v2';
import { ErrorCodes } from '../../src/errors.ts';

/** TRTC user ids: at most 32 letters, digits, `_` and `-` (Tencent's rule for UserSig identifiers). */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Decides who may get a UserSig: resolves to the user id the caller is (e.g. from the site's session cookie) or
 * `null` to refuse. `requestedUserId` is what the body asked for (`null` if it named none); a hook that returns a
 * different id than the one asked for refuses the request.
 */
export type AuthorizeUserSig = (
  request: FastifyRequest,
  requestedUserId: string | null,
) => string | null | Promise<string | null>;

export interface UserSigOptions {
  /** `TRTC_SDK_APP_ID`: the application's SDKAppID. */
  sdkAppId: number;
  /** `TRTC_SECRET_KEY`: the application's secret key (never sent to a browser). */
  secretKey: string;
  /** `TRTC_USERSIG_EXPIRE`: seconds a UserSig stays valid. Default 3600. */
  expireSeconds?: number;
  /** `TRTC_USERSIG_ALLOW_USERS`: user ids that may be issued a UserSig without a hook (kiosks, demos). */
  allowUsers?: readonly string[];
  /** The site's hook; with neither a hook nor `allowUsers` every request is refused. */
  authorize?: AuthorizeUserSig;
}

export const DEFAULT_USERSIG_EXPIRE = 3600;

/** Issues a UserSig for `userId`, valid for `expireSeconds` from now. */
export function genUserSig(
  sdkAppId: number,
  secretKey: string,
  userId: string,
  expireSeconds: number,
): string {
  return new Api(sdkAppId, secretKey).genUserSig(userId, expireSeconds);
}

/** Why a UserSig request was refused (code + message), or the user id to issue one for. */
export async function authorizeUserSig(
  opts: UserSigOptions,
  request: FastifyRequest,
  requestedUserId: string | null,
): Promise<{ userId: string } | { refused: string; status: 400 | 403 }> {
  let userId = requestedUserId;
  if (opts.authorize) {
    const who = await opts.authorize(request, requestedUserId);
    if (who === null)
      return { status: 403, refused: 'The site did not authorise a UserSig for this request.' };
    if (requestedUserId !== null && who !== requestedUserId) {
      return {
        status: 403,
        refused: `This session may only get a UserSig for its own user id, not "${requestedUserId}".`,
      };
    }
    userId = who;
  } else if (!opts.allowUsers?.length) {
    return {
      status: 403,
      refused:
        'No one is allowed a UserSig: set TRTC_USERSIG_ALLOW_USERS or give the receiver an authorizeUserSig hook.',
    };
  }
  if (userId === null || !USER_ID_PATTERN.test(userId)) {
    return { status: 400, refused: 'A UserSig needs a "userId" of 1–32 letters, digits, "_" or "-".' };
  }
  if (opts.allowUsers?.length && !opts.allowUsers.includes(userId)) {
    return { status: 403, refused: `User id "${userId}" is not in TRTC_USERSIG_ALLOW_USERS.` };
  }
  return { userId };
}

/** `POST /api/trtc/usersig` `{ userId, sdkAppId? }` → `{ sdkAppId, userId, userSig, expire }`; JSON bodies only. */
export function userSigRoutes(
  fastify: FastifyInstance,
  trtc: UserSigOptions,
  http: { origins: OriginPolicy; jsonLimits: JsonLimits; deadline: BodyDeadlineHooks },
): void {
  const checkOrigin = (req: FastifyRequest, reply: FastifyReply) => http.origins.check(req, reply, false);
  const expire = trtc.expireSeconds ?? DEFAULT_USERSIG_EXPIRE;
  fastify.options('/api/trtc/usersig', (req, reply) => {
    checkOrigin(req, reply);
    reply
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'Content-Type')
      .header('access-control-allow-credentials', 'true')
      .header('access-control-max-age', '600')
      .code(204)
      .send();
  });
  fastify.post('/api/trtc/usersig', { bodyLimit: 4096, ...http.deadline }, async (req, reply) => {
    checkOrigin(req, reply);
    reply.header('access-control-allow-credentials', 'true').header('cache-control', 'no-store');
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      throw new HttpError(
        415,
        ErrorCodes.UNSUPPORTED_CONTENT_TYPE,
        'Send the UserSig request as "Content-Type: application/json".',
      );
    }
    const body = jsonObjectOf(req.body, http.jsonLimits, 'UserSig request');
    if (body.sdkAppId !== undefined && String(body.sdkAppId) !== String(trtc.sdkAppId)) {
      throw new HttpError(
        400,
        ErrorCodes.BAD_BODY,
        `This server issues UserSigs for SDKAppID ${trtc.sdkAppId} only.`,
      );
    }
    if (body.userId !== undefined && typeof body.userId !== 'string') {
      throw new HttpError(400, ErrorCodes.BAD_BODY, '"userId" must be a string.');
    }
    const verdict = await authorizeUserSig(trtc, req, body.userId ?? null);
    if ('refused' in verdict) {
      throw new HttpError(
        verdict.status,
        verdict.status === 400 ? ErrorCodes.BAD_BODY : ErrorCodes.USERSIG_NOT_ALLOWED,
        verdict.refused,
      );
    }
    return {
      sdkAppId: trtc.sdkAppId,
      userId: verdict.userId,
      userSig: genUserSig(trtc.sdkAppId, trtc.secretKey, verdict.userId, expire),
      expire,
    };
  });
}
