import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { BodyDeadlineHooks } from './body-deadline.ts';
import { HttpError } from './http-error.ts';
import { jsonObjectOf, type JsonLimits } from './json-limits.ts';
import { credentialedPreflight, type OriginPolicy } from './origin-policy.ts';
// Tencent's own implementation (tencentyun/tls-sig-api-v2-node, MIT, one file, no dependencies, runs on Node 20):
// HMAC-SHA256 over "TLS.identifier:…\nTLS.sdkappid:…\nTLS.time:…\nTLS.expire:…\n[TLS.userbuf:…\n]", the JSON
// document deflated with zlib, base64 with Tencent's url-safe replacements (+ → *, / → -, = → _). Used rather than
// re-implemented, for the UserSig and for the PrivateMapKey (the same document with a `TLS.userbuf`).
import { Api } from 'tls-sig-api-v2';
import { ErrorCodes } from '../../src/contract/errors.ts';

/** TRTC user ids: at most 32 letters, digits, `_` and `-` (Tencent's rule for UserSig identifiers). */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** Tencent's numeric room ids: integers 1 … 4294967294 (TRTC Web SDK v5 `enterRoom` `roomId`). */
export const MAX_ROOM_ID = 4294967294;
/**
 * Tencent's string room ids (`strRoomId`): at most 64 bytes of letters, digits, space and
 * `!#$%&()+-:;<=.>?@[]^_{}|~,` (TRTC Web SDK v5 `enterRoom` `strRoomId`).
 */
export const STR_ROOM_ID_PATTERN = /^[A-Za-z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/;

/**
 * PrivateMapKey privilege bits (tls-sig-api-v2 `genPrivateMapKey`, Tencent's "Enabling Advanced Permission Control",
 * https://www.tencentcloud.com/document/product/647/35157 (zh: https://cloud.tencent.com/document/product/647/32240)): 1 create room, 2 enter room, 4 send audio, 8 receive
 * audio, 16 send video, 32 receive video, 64 send substream (screen), 128 receive substream.
 */
export const PRIVILEGE = {
  createRoom: 1,
  enterRoom: 2,
  sendAudio: 4,
  receiveAudio: 8,
  sendVideo: 16,
  receiveVideo: 32,
  sendSubVideo: 64,
  receiveSubVideo: 128,
} as const;

/** The bits each role gets: an anchor creates, enters, publishes and hears the room; an audience enters and receives. */
export const ROLE_PRIVILEGES = {
  anchor:
    PRIVILEGE.createRoom |
    PRIVILEGE.enterRoom |
    PRIVILEGE.sendAudio |
    PRIVILEGE.sendVideo |
    PRIVILEGE.receiveAudio |
    PRIVILEGE.receiveVideo,
  audience: PRIVILEGE.enterRoom | PRIVILEGE.receiveAudio | PRIVILEGE.receiveVideo,
} as const;

export type TrtcRole = keyof typeof ROLE_PRIVILEGES;

/** What a UserSig request asks for, checked before the site's hook sees it. */
export interface UserSigRequest {
  userId: string;
  /** Exactly one of `roomId` (numeric room) and `strRoomId` (string room) is set. */
  roomId?: number;
  strRoomId?: string;
  role: TrtcRole;
}

/**
 * The site's own authorisation: `true` when the caller (e.g. by its session cookie) may enter this room as this user
 * in this role. Without one, every UserSig request is refused.
 */
export type AuthorizeUserSig = (
  request: FastifyRequest,
  asked: Readonly<UserSigRequest>,
) => boolean | Promise<boolean>;

export interface UserSigOptions {
  /** `TRTC_SDK_APP_ID`: the application's SDKAppID. */
  sdkAppId: number;
  /** `TRTC_SECRET_KEY`: the application's secret key (never sent to a browser). */
  secretKey: string;
  /** `TRTC_USERSIG_EXPIRE`: seconds a UserSig and its PrivateMapKey stay valid. Default 3600. */
  expireSeconds?: number;
  /** `TRTC_USERSIG_ALLOW_USERS`: when set, only these user ids, and only if the hook also says yes. */
  allowUsers?: readonly string[];
  /** `TRTC_USERSIG_PER_MINUTE`: UserSig requests one client (IP) may make a minute. Default 20. */
  perMinute?: number;
  /** The site's hook (`RECEIVER_USERSIG_AUTHORIZER` for the standalone receiver); without it every request gets 403. */
  authorize?: AuthorizeUserSig;
}

export const DEFAULT_USERSIG_EXPIRE = 3600;
export const DEFAULT_USERSIG_PER_MINUTE = 20;

/** Issues a UserSig for `userId`, valid for `expireSeconds` from now. */
export function genUserSig(
  sdkAppId: number,
  secretKey: string,
  userId: string,
  expireSeconds: number,
): string {
  return new Api(sdkAppId, secretKey).genUserSig(userId, expireSeconds);
}

/** Issues a PrivateMapKey for `userId`, bound to the requested room and to the privileges of its role. */
export function genPrivateMapKey(
  sdkAppId: number,
  secretKey: string,
  asked: UserSigRequest,
  expireSeconds: number,
): string {
  const api = new Api(sdkAppId, secretKey);
  const bits = ROLE_PRIVILEGES[asked.role];
  return asked.strRoomId !== undefined
    ? api.genPrivateMapKeyWithStringRoomID(asked.userId, expireSeconds, asked.strRoomId, bits)
    : api.genPrivateMapKey(asked.userId, expireSeconds, asked.roomId ?? 0, bits);
}

const bad = (message: string) => new HttpError(400, ErrorCodes.BAD_BODY, message);

/** The request body, strictly checked: a user id, exactly one room (numeric in Tencent's range, or a string), a role. */
export function parseUserSigRequest(body: Record<string, unknown>): UserSigRequest {
  const { userId, roomId, strRoomId, role = 'anchor' } = body;
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) {
    throw bad('A UserSig needs a "userId" of 1–32 letters, digits, "_" or "-".');
  }
  if (role !== 'anchor' && role !== 'audience') throw bad('"role" must be "anchor" or "audience".');
  if ((roomId === undefined) === (strRoomId === undefined)) {
    throw bad(
      'Name the room the UserSig is for: exactly one of "roomId" (a number) and "strRoomId" (a string).',
    );
  }
  if (strRoomId !== undefined) {
    if (typeof strRoomId !== 'string' || !STR_ROOM_ID_PATTERN.test(strRoomId)) {
      throw bad(
        '"strRoomId" must be 1–64 letters, digits, spaces or !#$%&()+-:;<=.>?@[]^_{}|~, (Tencent\'s string room ids).',
      );
    }
    return { userId, strRoomId, role };
  }
  if (typeof roomId !== 'number' || !Number.isInteger(roomId) || roomId < 1 || roomId > MAX_ROOM_ID) {
    throw bad(
      `"roomId" must be an integer from 1 to ${MAX_ROOM_ID} (Tencent's numeric room ids); use "strRoomId" for other ids.`,
    );
  }
  return { userId, roomId, role };
}

/** `null` when the site allows the request, else why not. */
export async function userSigRefusal(
  opts: UserSigOptions,
  request: FastifyRequest,
  asked: UserSigRequest,
): Promise<string | null> {
  if (!opts.authorize) {
    return 'This receiver issues no UserSig until the site authorises requests: set RECEIVER_USERSIG_AUTHORIZER to a module whose default export is authorizeUserSig(request, { userId, roomId | strRoomId, role }), or pass the authorizeUserSig option.';
  }
  if (opts.allowUsers?.length && !opts.allowUsers.includes(asked.userId)) {
    return `User id "${asked.userId}" is not in TRTC_USERSIG_ALLOW_USERS.`;
  }
  if ((await opts.authorize(request, Object.freeze({ ...asked }))) !== true) {
    return 'The site did not authorise a UserSig for this user, room and role.';
  }
  return null;
}

/**
 * `POST /api/trtc/usersig` `{ userId, roomId | strRoomId, role?, sdkAppId? }` →
 * `{ sdkAppId, userId, userSig, privateMapKey, roomId | strRoomId, role, expire }`; JSON bodies only.
 */
export async function userSigRoutes(
  fastify: FastifyInstance,
  trtc: UserSigOptions,
  http: { origins: OriginPolicy; jsonLimits: JsonLimits; deadline: BodyDeadlineHooks },
): Promise<void> {
  const checkOrigin = (req: FastifyRequest, reply: FastifyReply) => http.origins.check(req, reply, false);
  const expire = trtc.expireSeconds ?? DEFAULT_USERSIG_EXPIRE;
  const perMinute = trtc.perMinute ?? DEFAULT_USERSIG_PER_MINUTE;
  await fastify.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(
        429,
        ErrorCodes.RATE_LIMITED,
        `Too many UserSig requests from this client (${ctx.max} a minute, TRTC_USERSIG_PER_MINUTE); retry in ${ctx.after}.`,
      ),
  });
  credentialedPreflight(fastify, '/api/trtc/usersig', checkOrigin);
  fastify.post(
    '/api/trtc/usersig',
    {
      bodyLimit: 4096,
      ...http.deadline,
      // Counted per client address (behind a proxy: RECEIVER_TRUST_PROXY), before the body is read.
      config: { rateLimit: { max: perMinute, timeWindow: 60_000, keyGenerator: (req) => req.ip } },
    },
    async (req, reply) => {
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
      const appId = body.sdkAppId;
      if (
        appId !== undefined &&
        !((typeof appId === 'number' || typeof appId === 'string') && String(appId) === String(trtc.sdkAppId))
      ) {
        throw bad(`This server issues UserSigs for SDKAppID ${trtc.sdkAppId} only.`);
      }
      const asked = parseUserSigRequest(body);
      const refused = await userSigRefusal(trtc, req, asked);
      if (refused) throw new HttpError(403, ErrorCodes.USERSIG_NOT_ALLOWED, refused);
      return {
        sdkAppId: trtc.sdkAppId,
        userId: asked.userId,
        userSig: genUserSig(trtc.sdkAppId, trtc.secretKey, asked.userId, expire),
        privateMapKey: genPrivateMapKey(trtc.sdkAppId, trtc.secretKey, asked, expire),
        ...(asked.strRoomId !== undefined ? { strRoomId: asked.strRoomId } : { roomId: asked.roomId }),
        role: asked.role,
        expire,
      };
    },
  );
}
