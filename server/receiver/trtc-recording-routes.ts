/**
 * `POST /callbacks/trtc-recording`: TRTC cloud-recording callbacks (`Sign` header, see `trtc-recording.ts` for the
 * documents followed). A route of its own rather than a shape sniffed on `/callbacks/tencent`: the two come from
 * different consoles with different keys (TRTC's callback key signs the raw body in a header; CSS's key signs `t` in
 * the body), so each route checks exactly one scheme and a body of one kind can never pass the other's check.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCodes } from '../../src/contract/errors.ts';
import type { BodyDeadlineHooks } from './body-deadline.ts';
import { HttpError } from './http-error.ts';
import { jsonObjectOf, type JsonLimits } from './json-limits.ts';
import type { LiveFeed } from './live-feed.ts';
import type { OriginPolicy } from './origin-policy.ts';
import type { RecordingStore } from './store.ts';
import { NotificationError } from './notification.ts';
import { asTrtcCallback, trtcToStored, verifyTrtcSign } from './trtc-recording.ts';

export const TRTC_RECORDING_PATH = '/callbacks/trtc-recording';

export interface TrtcRecordingRouteOptions {
  /** `TRTC_CALLBACK_KEY`: the callback key set in the TRTC console; without it every callback is refused. */
  key: string | undefined;
  /** `TRTC_RECORDING_FILE_BASE_URL`: public base URL of the COS bucket (files of event 310). */
  fileBaseUrl?: string;
  store: RecordingStore;
  feed: LiveFeed;
  origins: OriginPolicy;
  jsonLimits: JsonLimits;
  deadline: BodyDeadlineHooks;
  bodyLimit: number;
}

export function trtcRecordingRoutes(fastify: FastifyInstance, o: TrtcRecordingRouteOptions): void {
  fastify.post(
    TRTC_RECORDING_PATH,
    {
      bodyLimit: o.bodyLimit,
      ...o.deadline,
      onRequest: [async (req: FastifyRequest) => o.origins.checkServerPost(req), o.deadline.onRequest],
    },
    async (req) => {
      if (!o.key) {
        throw new HttpError(
          401,
          ErrorCodes.SIGN_MISSING,
          'This receiver has no TRTC callback key: set TRTC_CALLBACK_KEY (the key configured with the TRTC callback URL). Nothing was stored.',
        );
      }
      const text = typeof req.body === 'string' ? req.body : '';
      const sign = req.headers.sign;
      if (sign === undefined) {
        throw new HttpError(
          401,
          ErrorCodes.SIGN_MISSING,
          'A TRTC callback carries its signature in the "Sign" header; it has none. Nothing was stored.',
        );
      }
      // The signature first, over the raw bytes as received: nothing unsigned is parsed further.
      if (!verifyTrtcSign(o.key, text, sign)) {
        throw new HttpError(
          401,
          ErrorCodes.SIGN_INVALID,
          'The "Sign" header does not match base64(HMAC-SHA256(TRTC_CALLBACK_KEY, body)); check TRTC_CALLBACK_KEY. Nothing was stored.',
        );
      }
      const body = jsonObjectOf(text, o.jsonLimits, 'callback');
      let stored;
      try {
        const sdkAppId = req.headers.sdkappid;
        stored = trtcToStored(asTrtcCallback(body), body, {
          sdkAppId: typeof sdkAppId === 'string' && /^\d{1,12}$/.test(sdkAppId) ? sdkAppId : null,
          fileBaseUrl: o.fileBaseUrl,
        });
      } catch (err) {
        if (err instanceof NotificationError)
          throw new HttpError(400, err.code, `${err.message} It was not stored.`);
        throw err;
      }
      // Every file committed before the 200; a retry after a partial failure stores only what is missing.
      for (const n of stored) {
        const result = await o.store.put(n);
        if (result.recording) {
          o.feed.publish({ seq: Number(result.recording.id), kind: 'recording', data: result.recording });
        }
      }
      return { code: 0 };
    },
  );
}
