/**
 * The `trtc-v4` provider: Tencent TRTC through trtc-js-sdk v4 (in maintenance at Tencent; `trtc` is the current
 * v5 SDK, see `trtc-provider-impl.ts`), relayed to Tencent's CDN (旁路直播). For sites pinned to trtc-js-sdk.
 *
 * Sequence (each step as trtc-js-sdk 4.15's own code requires it, see `test/push/trtc-v4-network-double.ts`):
 * `TRTC.checkSystemRequirements()` → `TRTC.createClient({ mode: 'live', sdkAppId, userId, userSig, streamId,
 * userDefineRecordId?, pureAudioPushMode? })` → `TRTC.createStream({ userId, audioSource, videoSource? })` (the
 * element's own tracks: the SDK refuses `audio`/`video` mixed with `audioSource`/`videoSource`, 0x1000) →
 * `stream.initialize()` → `client.join({ roomId, role: 'anchor' })` → `client.publish(stream)` →
 * `client.startPublishCDNStream({ streamId })`. Stop: `stopPublishCDNStream()` → `unpublish(stream)` → `leave()`
 * → `destroy()`. A device switch while live is `stream.replaceTrack(track)`.
 *
 * Options as Tencent means them:
 * - audio-only → `pureAudioPushMode: 1` (relay a stream without video); audio-only with MP3 recording asked for →
 *   `pureAudioPushMode: 2` (relay and record). Which files are recorded is the application's recording
 *   template in the console: HLS/FLV/MP4 cannot be chosen from the browser and are refused
 *   (`RECORD_TYPES_BY_TEMPLATE`) rather than ignored.
 * - `record-id` → `userDefineRecordId` (`userdefinerecordid` in the recording callbacks).
 * - stream id: `stream-id`, or `${sdkAppId}_${roomId}_${userId}_main` (the SDK's default), checked against what
 *   the CDN accepts (letters, digits, `_`, `-`, ≤ 64) before anything is created: the SDK would otherwise relay
 *   under a hashed name that the play URLs do not know.
 *
 * Config (element attributes): `sdk-app-id`, `user-id`, `room-id`, `play-domain` (the CSS play domain bound to
 * the application), and either `user-sig` or `sig-endpoint` (a URL on the site's own server, e.g. the receiver's
 * `POST /api/trtc/usersig`, answering `{ "userSig": "…" }`). A UserSig is never computed here: that needs the
 * application's secret key, which must never reach a browser. The play URLs: `play-url-endpoint` (signed by the
 * site's server, e.g. the receiver's `POST /api/trtc/play-urls`), else unsigned from `play-domain`, `play-scheme`
 * and `transcode-template` (`resolvePlayUrls` in `../play-urls.ts`).
 *
 * This module is itself fetched on the first TRTC start (lazy module `trtc-v4-provider`, see `lazy-provider.ts`);
 * `trtc-v4-provider.ts` registers the small shell that loads it. The SDK is fetched through
 * `loadLazyModule('trtc-js-sdk')`.
 */
import type TRTCNamespace from 'trtc-js-sdk';
import type { Client, ClientConfig, LocalStream, RtcError } from 'trtc-js-sdk';
import { ErrorCodes, RelayError, isRelayError } from '../../contract/errors.js';
import type { LazyProviderModule } from '../lazy-provider.js';
import type { PushOptions } from '../options.js';
import { cancelledError, type PushResult } from '../provider.js';
import {
  TrtcSdkProvider,
  sdkLoadFailure,
  unsupportedBrowser,
  fetchUserSig,
  kickedSameUserMessage,
  planTrtcPush,
  pureAudioPushMode,
} from './trtc-common.js';

type TRTC = typeof TRTCNamespace;
/** trtc-js-sdk's numeric error codes (its `index.d.ts` `ErrorCode`) mapped to ours. */
export const TRTC_ERROR_MAP: Readonly<Record<number, string>> = {
  0x1000: ErrorCodes.INVALID_OPTIONS, // INVALID_PARAMETER
  0x1001: ErrorCodes.TRTC_ERROR, // INVALID_OPERATION
  0x1002: ErrorCodes.UNSUPPORTED_BROWSER, // NOT_SUPPORTED
  0x1003: ErrorCodes.DEVICE_NOT_FOUND, // DEVICE_NOT_FOUND
  0x1004: ErrorCodes.DEVICE_NOT_FOUND, // INITIALIZE_FAILED
  0x4001: ErrorCodes.BACKEND_UNREACHABLE, // SIGNAL_CHANNEL_SETUP_FAILED
  0x4004: ErrorCodes.BACKEND_REJECTED, // JOIN_ROOM_FAILED
  0x4005: ErrorCodes.INGEST_FAILED, // CREATE_OFFER_FAILED
  0x4006: ErrorCodes.BACKEND_UNREACHABLE, // SIGNAL_CHANNEL_RECONNECTION_FAILED
  0x4007: ErrorCodes.INGEST_FAILED, // UPLINK_RECONNECTION_FAILED
  0x4040: ErrorCodes.BACKEND_REJECTED, // CLIENT_BANNED
  0x4041: ErrorCodes.BACKEND_UNREACHABLE, // SERVER_TIMEOUT
  0x4044: ErrorCodes.DEVICE_LOST, // DEVICE_AUTO_RECOVER_FAILED
  0x4045: ErrorCodes.START_PUBLISH_CDN_FAILED,
  0x4046: ErrorCodes.STOP_PUBLISH_CDN_FAILED,
  0x4049: ErrorCodes.UNSUPPORTED_BROWSER, // NOT_SUPPORTED_H264
  0x404b: ErrorCodes.BACKEND_UNREACHABLE, // API_CALL_TIMEOUT
};

const ADVICE: Readonly<Record<string, string>> = {
  [ErrorCodes.START_PUBLISH_CDN_FAILED]:
    'The CDN relay did not start. Check that relayed push (旁路推流) is enabled for the application, then try again.',
  [ErrorCodes.STOP_PUBLISH_CDN_FAILED]:
    'The CDN relay did not stop cleanly; it ends by itself when the room is left.',
  [ErrorCodes.BACKEND_UNREACHABLE]:
    'Tencent Cloud could not be reached. Check the network, then press Start again.',
  [ErrorCodes.BACKEND_REJECTED]:
    'TRTC refused the anchor. Check sdk-app-id, user-id and that the UserSig is valid and not expired.',
  [ErrorCodes.INVALID_OPTIONS]: 'TRTC rejected a parameter. Check sdk-app-id, user-id and room-id.',
};

function isRtcError(err: unknown): err is RtcError {
  return err instanceof Error && typeof (err as Partial<RtcError>).getCode === 'function';
}

/** Maps anything trtc-js-sdk throws to a {@link RelayError} (module `trtc`), keeping its hex code in the message. */
export function mapTrtcError(err: unknown): RelayError {
  if (isRelayError(err)) return err;
  if (isRtcError(err)) {
    const n = Number(err.getCode());
    const code = TRTC_ERROR_MAP[n] ?? ErrorCodes.TRTC_ERROR;
    const advice = ADVICE[code] ?? 'Check the TRTC configuration, then press Start again.';
    return new RelayError('trtc', code, `${advice} (TRTC 0x${n.toString(16)}: ${err.message})`, {
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new RelayError('trtc', ErrorCodes.TRTC_ERROR, `TRTC failed: ${message}`, { cause: err });
}

export class TrtcPushProvider extends TrtcSdkProvider {
  readonly name = 'trtc-v4';
  #client: Client | null = null;
  #stream: LocalStream | null = null;
  #joined = false;
  #publishingCdn = false;

  protected mapError(err: unknown): RelayError {
    return mapTrtcError(err);
  }

  /** Swaps the published audio or video track (a device switch) through the SDK's `LocalStream.replaceTrack`. */
  protected async switchTrack(track: MediaStreamTrack): Promise<boolean> {
    if (!this.#stream) return false;
    await this.#stream.replaceTrack(track);
    return true;
  }

  protected async begin(options: PushOptions, media: MediaStream, signal: AbortSignal): Promise<PushResult> {
    const { c, streamId, urls, audio, video } = await planTrtcPush(
      this.config,
      'trtc-v4',
      options,
      media,
      signal,
    );
    const { sdkAppId, userId } = c;
    // The SDK's rule: an integer in [1, 4294967294], or a string room with useStringRoomId.
    const numericRoom = 'roomId' in c.room;
    const roomId = 'roomId' in c.room ? c.room.roomId : c.room.strRoomId;
    const check = (): void => {
      if (signal.aborted) throw cancelledError();
    };

    const [TRTC, { userSig, privateMapKey }] = await Promise.all([
      this.load('trtc-js-sdk').then((m) => m as TRTC),
      fetchUserSig(this.config, c, signal),
    ]).catch((err: unknown) => {
      throw sdkLoadFailure(
        err,
        "npm install trtc-js-sdk, then setLazyModuleLoader('trtc-js-sdk', () => import('trtc-js-sdk')).",
      );
    });
    check();
    const system = await TRTC.checkSystemRequirements();
    if (!system.result) throw unsupportedBrowser(system.detail);
    check();

    const mode = pureAudioPushMode(options);
    const clientConfig: ClientConfig = {
      mode: 'live',
      sdkAppId,
      userId,
      userSig,
      streamId,
      ...(options.recordId !== null ? { userDefineRecordId: options.recordId } : {}),
      ...(mode !== undefined ? { pureAudioPushMode: mode } : {}),
      ...(numericRoom ? {} : { useStringRoomId: true }),
    };
    const client = TRTC.createClient(clientConfig);
    this.#client = client;
    client.on('error', this.#onClientError);
    client.on('client-banned', this.#onBanned);

    // One form only, as the SDK demands: the element's own tracks as sources (no audio/video flags).
    const stream = TRTC.createStream({
      userId,
      ...(audio ? { audioSource: audio } : {}),
      ...(video ? { videoSource: video } : {}),
    });
    this.#stream = stream;
    await stream.initialize();
    check();
    await client.join({ roomId, role: 'anchor', ...(privateMapKey ? { privateMapKey } : {}) });
    this.#joined = true;
    check();
    await client.publish(stream);
    check();
    await client.startPublishCDNStream({ streamId });
    this.#publishingCdn = true;
    check();
    return { streamId, urls };
  }

  readonly #onClientError = (err: RtcError): void => {
    if (!this.live) return;
    this.endLive(mapTrtcError(err).toJSON());
  };

  readonly #onBanned = (ev: { reason: string; message: string }): void => {
    if (!this.live) return;
    // trtc-js-sdk 4.x CLIENT_BANNED, reason 'kick': a user with the same user id entered the room
    // (https://web.sdk.qcloud.com/trtc/webrtc/doc/en/module-ClientEvent.html#.CLIENT_BANNED).
    this.endLive(
      ev.reason === 'kick'
        ? {
            module: 'trtc',
            code: ErrorCodes.TRTC_KICKED_SAME_USER,
            message: kickedSameUserMessage(ev.message),
          }
        : {
            module: 'trtc',
            code: ErrorCodes.BACKEND_REJECTED,
            message: `TRTC removed this anchor from the room (${ev.reason}): ${ev.message}`,
          },
    );
  };

  protected async release(reportStopFailure = false): Promise<void> {
    const client = this.#client;
    const stream = this.#stream;
    const joined = this.#joined;
    this.#client = null;
    this.#stream = null;
    this.#joined = false;
    if (!client) return;
    client.off('error', this.#onClientError);
    client.off('client-banned', this.#onBanned);
    if (this.#publishingCdn) {
      this.#publishingCdn = false;
      await client.stopPublishCDNStream().catch((err: unknown) => {
        if (reportStopFailure) this.fail(mapTrtcError(err).toJSON());
      });
    }
    // The tracks belong to the element (its preview keeps running), so the stream is unpublished, not closed.
    if (stream && joined) await client.unpublish(stream).catch(() => undefined);
    if (joined) await client.leave().catch(() => undefined);
    client.destroy();
  }
}

const trtcProvider: LazyProviderModule = (kit) => (config) =>
  new TrtcPushProvider(config, kit.loadLazyModule);
export default trtcProvider;
