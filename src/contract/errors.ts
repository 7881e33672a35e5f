import type { RelayErrorInfo } from './types.js';

/**
 * Every stable error code the widgets report, in one place. Codes are strings and never change meaning;
 * messages may be reworded. Server-side codes the browser may receive in a JSON error body are listed too.
 */
export const ErrorCodes = {
  // player
  NO_SOURCE: 'NO_SOURCE',
  BAD_SOURCES: 'BAD_SOURCES',
  UNSUPPORTED_PROTOCOL: 'UNSUPPORTED_PROTOCOL',
  NETWORK_ERROR: 'NETWORK_ERROR',
  NOT_FOUND: 'NOT_FOUND',
  MEDIA_ERROR: 'MEDIA_ERROR',
  ENGINE_LOAD_FAILED: 'ENGINE_LOAD_FAILED',
  ALL_SOURCES_FAILED: 'ALL_SOURCES_FAILED',
  AUTOPLAY_BLOCKED: 'AUTOPLAY_BLOCKED',
  STREAM_ENDED: 'STREAM_ENDED',
  // push
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  RECORD_WITHOUT_RELAY: 'RECORD_WITHOUT_RELAY',
  MP3_REQUIRES_AUDIO_ONLY: 'MP3_REQUIRES_AUDIO_ONLY',
  INVALID_RECORD_ID: 'INVALID_RECORD_ID',
  CAMERA_DENIED: 'CAMERA_DENIED',
  DEVICE_NOT_FOUND: 'DEVICE_NOT_FOUND',
  DEVICE_LOST: 'DEVICE_LOST',
  ALREADY_STARTED: 'ALREADY_STARTED',
  NOT_STARTED: 'NOT_STARTED',
  BACKEND_UNREACHABLE: 'BACKEND_UNREACHABLE',
  BACKEND_REJECTED: 'BACKEND_REJECTED',
  INGEST_FAILED: 'INGEST_FAILED',
  START_PUBLISH_CDN_FAILED: 'START_PUBLISH_CDN_FAILED',
  STOP_PUBLISH_CDN_FAILED: 'STOP_PUBLISH_CDN_FAILED',
  SIG_UNAVAILABLE: 'SIG_UNAVAILABLE',
  /** `play-url-endpoint` gave no signed play URLs (unreachable, refused, or a malformed answer). */
  PLAY_URLS_UNAVAILABLE: 'PLAY_URLS_UNAVAILABLE',
  PROVIDER_UNKNOWN: 'PROVIDER_UNKNOWN',
  START_CANCELLED: 'START_CANCELLED',
  UNSUPPORTED_BROWSER: 'UNSUPPORTED_BROWSER',
  TRTC_ERROR: 'TRTC_ERROR',
  // WHIP / WHEP (src/webrtc/sdp-resource.ts)
  /** A WHIP/WHEP endpoint (or another backend) did not answer within the bound. */
  BACKEND_TIMEOUT: 'BACKEND_TIMEOUT',
  /** A WHIP/WHEP endpoint answered outside the RFC: a 201 without `Location`, or a body that is not SDP. */
  BAD_ANSWER: 'BAD_ANSWER',
  /** The WebRTC connection could not be made or was lost (ICE failed: UDP blocked, no route to the server). */
  WEBRTC_FAILED: 'WEBRTC_FAILED',
  // push: Tencent path and push credentials (tencent-push)
  /** A stream id (given, or `${sdkAppId}_${roomId}_${userId}_main`) the CDN would not accept. */
  INVALID_STREAM_ID: 'INVALID_STREAM_ID',
  /** provider="trtc": file types are set by the application's recording template in Tencent's console. */
  RECORD_TYPES_BY_TEMPLATE: 'RECORD_TYPES_BY_TEMPLATE',
  /** provider="trtc": Tencent removed the anchor because another page entered the room with the same user id. */
  TRTC_KICKED_SAME_USER: 'TRTC_KICKED_SAME_USER',
  /** The `credential-endpoint` did not answer 2xx with `{ streamId, txSecret, txTime }`. */
  CREDENTIALS_FAILED: 'CREDENTIALS_FAILED',
  /** The backend cannot switch a device while live (the push keeps its devices). */
  SWITCH_UNSUPPORTED: 'SWITCH_UNSUPPORTED',
  // callback receiver (JSON error bodies, module "receiver"; server/receiver/README.md says when each is sent)
  /** 401: no valid `t`/`sign`, or no `X-Relay-Signature` where the receiver requires it. */
  SIGN_MISSING: 'SIGN_MISSING',
  /** 401: `sign` or `X-Relay-Signature` does not match the callback key. */
  SIGN_INVALID: 'SIGN_INVALID',
  /** 401: `t` has passed (beyond the tolerated clock skew). */
  SIGN_EXPIRED: 'SIGN_EXPIRED',
  /** 401: `t` lies further ahead than a genuine callback's (now + 600 s). */
  SIGN_TIME_INVALID: 'SIGN_TIME_INVALID',
  /** 409: this `(t, sign)` pair was already used by another sender with another body (a replayed signature). */
  SIGN_REUSED: 'SIGN_REUSED',
  /** 400: not a JSON object, no integer `event_type`, a field out of range, or a malformed UserSig request. */
  BAD_BODY: 'BAD_BODY',
  /** 400: a body nested too deeply or with too long a string. */
  BODY_TOO_COMPLEX: 'BODY_TOO_COMPLEX',
  /** 408: the body did not arrive in time. */
  BODY_TIMEOUT: 'BODY_TIMEOUT',
  /** 503: the receiver is shutting down; send again. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** 400: a malformed or repeated query parameter. */
  BAD_QUERY: 'BAD_QUERY',
  /** 500: the notification could not be stored; send it again. */
  STORE_FAILED: 'STORE_FAILED',
  /** 503 with `Retry-After`: the recording store (PostgreSQL) cannot be reached; nothing was acknowledged, retry. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** 421: a `Host` this receiver does not serve (DNS rebinding); see `RECEIVER_HOSTS`. */
  HOST_NOT_ALLOWED: 'HOST_NOT_ALLOWED',
  /** 415: a browser's CORS-simple body (text/plain, form) on a callback, or a non-JSON UserSig request. */
  UNSUPPORTED_CONTENT_TYPE: 'UNSUPPORTED_CONTENT_TYPE',
  /** 503 / 429: the live feed is full, in total / for this address. */
  SSE_TOO_MANY_CLIENTS: 'SSE_TOO_MANY_CLIENTS',
  SSE_TOO_MANY_FROM_IP: 'SSE_TOO_MANY_FROM_IP',
  /** 403: the site does not allow this caller a UserSig. */
  USERSIG_NOT_ALLOWED: 'USERSIG_NOT_ALLOWED',
  /** 403: the site does not allow this caller signed play URLs for this stream (or restricts none: see README). */
  PLAY_URL_NOT_ALLOWED: 'PLAY_URL_NOT_ALLOWED',
  // local relay server (JSON error bodies, module "relay")
  NOT_INGESTING: 'NOT_INGESTING',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  // local relay security (server/relay/http/auth.ts, streams/limits.ts)
  /** 403: missing, wrong or expired txSecret/txTime for a control call or ingest, or not the stream's owner. */
  PUSH_AUTH_FAILED: 'PUSH_AUTH_FAILED',
  /** 403: missing, wrong or expired play credential on /live or /recordings. */
  PLAY_AUTH_FAILED: 'PLAY_AUTH_FAILED',
  /** 403: a write from a page whose Origin is not in ALLOWED_ORIGINS. */
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  /** 415: a request body that is not application/json. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** 400: a request path that is not canonical (`%2e`, `//`, encoded slashes, dot segments, bad encoding). */
  BAD_PATH: 'BAD_PATH',
  /** 429: too many stream creations from one client in a minute. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** 429 (this client) / 503 (whole relay): a stream, ingest, relay or viewer cap is reached. */
  STREAM_LIMIT: 'STREAM_LIMIT',
  INGEST_LIMIT: 'INGEST_LIMIT',
  RELAY_LIMIT: 'RELAY_LIMIT',
  VIEWER_LIMIT: 'VIEWER_LIMIT',
  // recordings
  LIST_FAILED: 'LIST_FAILED',
  LIVE_UPDATES_LOST: 'LIVE_UPDATES_LOST',
  /** The receiver refused the list's read key (`read-secret`/`read-time`): missing, wrong or expired (403). */
  READ_AUTH_FAILED: 'READ_AUTH_FAILED',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An Error that carries `{ module, code, message }`. */
export class RelayError extends Error implements RelayErrorInfo {
  readonly module: string;
  readonly code: string;
  constructor(module: string, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RelayError';
    this.module = module;
    this.code = code;
  }

  toJSON(): RelayErrorInfo {
    return { module: this.module, code: this.code, message: this.message };
  }
}

/**
 * True for a {@link RelayError}, also one made by another copy of this module (a lazily loaded provider file
 * bundles its own), so it is recognised by name rather than by class identity.
 */
export function isRelayError(err: unknown): err is RelayError {
  return (
    err instanceof Error && err.name === 'RelayError' && typeof (err as RelayError).toJSON === 'function'
  );
}

/** Normalises anything thrown into `{ module, code, message }`. */
export function toErrorInfo(err: unknown, module: string, code: string): RelayErrorInfo {
  if (isRelayError(err)) return err.toJSON();
  // an error already in the contract's shape (e.g. a provider's event detail) keeps its own module and code
  if (typeof err === 'object' && err !== null && 'code' in err && 'module' in err && 'message' in err) {
    const { module: m, code: c, message } = err as RelayErrorInfo;
    return { module: m, code: c, message };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { module, code, message };
}
