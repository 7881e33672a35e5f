/**
 * The `trtc` provider: Tencent TRTC through trtc-sdk-v5 (Tencent's current Web SDK) and its CDNStreaming plugin,
 * relayed to Tencent's CDN (旁路直播). `trtc-v4` (trtc-v4-provider-impl.ts) is the same push on trtc-js-sdk 4.x.
 *
 * Sequence (Tencent's v5 CDN relay tutorial, "tutorial-26-advanced-publish-cdn-stream", and the SDK's own code,
 * see `test/push/trtc-v5-network-double.ts`): `TRTC.isSupported()` → `TRTC.create({ plugins: [CDNStreaming],
 * pureAudioPushMode?, userDefineRecordId? })` → `enterRoom({ sdkAppId, userId, userSig, roomId | strRoomId,
 * scene: 'live', role: 'anchor', privateMapKey?, userDefineRecordId? })` → `startLocalAudio({ option:
 * { audioTrack } })` / `startLocalVideo({ view: null, option: { videoTrack } })` (copies of the element's tracks:
 * the SDK stops what it is given when it is done) → wait until `PUBLISH_STATE_CHANGED` says each track is
 * `started` (the plugin relays only a published stream, and would otherwise start later with nobody to hear its
 * failure) → `startPlugin('CDNStreaming', { target: { publishMode: PublishMainStreamToCDN, streamId } })`.
 * Stop: `stopPlugin('CDNStreaming')` → `exitRoom()` → `destroy()`. A device switch while live is
 * `updateLocalVideo/updateLocalAudio({ option: { videoTrack | audioTrack } })`.
 *
 * Options as Tencent means them:
 * - audio-only → `pureAudioPushMode: 1` (relay a stream without video); with MP3 recording asked for → `2`
 *   (relay and record). trtc-sdk-v5 5.17 reads `pureAudioPushMode` and `userDefineRecordId` from `TRTC.create`'s
 *   options into the join request's business info (`Str_uc_params.pure_audio_push_mod`,
 *   `userdefine_record_id`); `enterRoom`'s documented `userDefineRecordId` is checked but does not reach the join
 *   request in that version, so the record id is given to both. Which files are recorded is the application's
 *   recording template (console): HLS/FLV/MP4 cannot be chosen from the browser and are refused
 *   (`RECORD_TYPES_BY_TEMPLATE`) rather than ignored.
 * - room: `room-id` (numeric, 1–4294967294) or `str-room-id` (a string room); numeric and string rooms never meet.
 * - stream id: `stream-id`, or `${sdkAppId}_${room}_${userId}_main` (the plugin's own default), checked against
 *   what the CDN accepts before anything is created.
 *
 * Failures: the SDK's `RtcError` codes (5000 INVALID_PARAMETER … 5999) become our codes with the SDK's code and
 * extra code in the message; the plugin's "relayed push not enabled" (server code -102083, only in its message)
 * becomes `START_PUBLISH_CDN_FAILED` saying so. While live: `KICKED_OUT` (`kick` = the same user id entered
 * elsewhere → `TRTC_KICKED_SAME_USER`; `banned`, `room_disband`), `ERROR` and a lost connection end the push.
 *
 * This module is itself fetched on the first TRTC start (lazy module `trtc-provider`); `trtc-provider.ts` registers
 * the small shell that loads it. The SDK and the plugin are the lazy modules `trtc-sdk-v5` and `trtc-cdn-streaming`.
 */
import type TRTCNamespace from 'trtc-sdk-v5';
import type { RtcError } from 'trtc-sdk-v5';
import type CDNStreamingClass from 'trtc-sdk-v5/plugins/cdn-streaming/cdn-streaming.esm.js';
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

type TRTCStatic = typeof TRTCNamespace;
type TRTC = ReturnType<TRTCStatic['create']>;
type CDNStreaming = typeof CDNStreamingClass;

/** How long the SDK may take to say a track is published (Tencent's edge answers in well under a second). */
const PUBLISH_TIMEOUT_MS = 15_000;

/** trtc-sdk-v5's `ERROR_CODE` values mapped to ours. */
export const TRTC_V5_ERROR_MAP: Readonly<Record<number, string>> = {
  5000: ErrorCodes.INVALID_OPTIONS, // INVALID_PARAMETER
  5100: ErrorCodes.TRTC_ERROR, // INVALID_OPERATION
  5200: ErrorCodes.UNSUPPORTED_BROWSER, // ENV_NOT_SUPPORTED
  5300: ErrorCodes.DEVICE_NOT_FOUND, // DEVICE_ERROR
  5400: ErrorCodes.BACKEND_REJECTED, // SERVER_ERROR (extraCode: Tencent's server code)
  5500: ErrorCodes.BACKEND_UNREACHABLE, // OPERATION_FAILED (5501 firewall, 5502 reconnection failed, …)
  5998: ErrorCodes.START_CANCELLED, // OPERATION_ABORT
};

const ADVICE: Readonly<Record<string, string>> = {
  [ErrorCodes.BACKEND_UNREACHABLE]:
    'Tencent Cloud could not be reached (or the connection was lost). Check the network, then press Start again.',
  [ErrorCodes.BACKEND_REJECTED]:
    'TRTC refused the anchor. Check sdk-app-id, user-id and that the UserSig (and room permission ticket) is valid and not expired.',
  [ErrorCodes.INVALID_OPTIONS]: 'TRTC rejected a parameter. Check sdk-app-id, user-id and the room id.',
  [ErrorCodes.UNSUPPORTED_BROWSER]:
    'This browser cannot push to TRTC. Use a current Chrome, Edge, Firefox or Safari.',
  [ErrorCodes.DEVICE_NOT_FOUND]: 'TRTC could not use the camera or microphone.',
};

function isRtcError(err: unknown): err is RtcError {
  return err instanceof Error && typeof (err as Partial<RtcError>).code === 'number';
}

/** The CDNStreaming plugin's server failure, which carries Tencent's code only in its message. */
const CDN_SERVER_CODE = /errCode: (-?\d+)/;

/** Maps anything trtc-sdk-v5 or its CDNStreaming plugin throws to a {@link RelayError} (module `trtc`). */
export function mapTrtcV5Error(err: unknown, during?: 'relay'): RelayError {
  if (isRelayError(err)) return err;
  // the SDK appends a documentation link on its own line: the element shows one line
  const message = (err instanceof Error ? err.message : String(err))
    .replace(/\s*Refer to: \S+\s*$/, '')
    .trim();
  const cdn = CDN_SERVER_CODE.exec(message);
  if (during === 'relay' || cdn) {
    const code = cdn ? Number(cdn[1]) : undefined;
    const advice =
      code === -102083
        ? 'Relayed push (旁路推流) is not enabled for this TRTC application: turn it on in the TRTC console (Application → Advanced features), then try again.'
        : 'The CDN relay did not start. Check that relayed push (旁路推流) is enabled for the application, then try again.';
    return new RelayError('trtc', ErrorCodes.START_PUBLISH_CDN_FAILED, `${advice} (${message})`, {
      cause: err,
    });
  }
  if (isRtcError(err)) {
    const code = TRTC_V5_ERROR_MAP[err.code] ?? ErrorCodes.TRTC_ERROR;
    const advice = ADVICE[code] ?? 'Check the TRTC configuration, then press Start again.';
    const extra = err.extraCode !== undefined ? `/${err.extraCode}` : '';
    return new RelayError('trtc', code, `${advice} (TRTC ${err.code}${extra}: ${message})`, { cause: err });
  }
  return new RelayError('trtc', ErrorCodes.TRTC_ERROR, `TRTC failed: ${message}`, { cause: err });
}

type PublishEvent = {
  mediaType: 'audio' | 'video' | 'screen';
  state: 'started' | 'stopped' | 'starting';
  error?: RtcError;
};

export class TrtcV5PushProvider extends TrtcSdkProvider {
  readonly name = 'trtc';
  #trtc: TRTC | null = null;
  #TRTC: TRTCStatic | null = null;
  #publishMode = '';
  #entered = false;
  #relaying = false;
  /** The copies of the element's tracks the SDK holds (it stops them when done). */
  #given: MediaStreamTrack[] = [];

  protected mapError(err: unknown): RelayError {
    return mapTrtcV5Error(err);
  }

  /** Swaps the published camera or microphone through `updateLocalVideo` / `updateLocalAudio`. */
  protected async switchTrack(track: MediaStreamTrack): Promise<boolean> {
    const trtc = this.#trtc;
    if (!trtc) return false;
    const copy = this.#give(track);
    if (track.kind === 'video') await trtc.updateLocalVideo({ option: { videoTrack: copy } });
    else await trtc.updateLocalAudio({ option: { audioTrack: copy } });
    return true;
  }

  #give(track: MediaStreamTrack): MediaStreamTrack {
    const copy = track.clone();
    this.#given.push(copy);
    return copy;
  }

  protected async begin(options: PushOptions, media: MediaStream, signal: AbortSignal): Promise<PushResult> {
    const { c, streamId, urls, audio, video } = await planTrtcPush(
      this.config,
      'trtc',
      options,
      media,
      signal,
    );
    const check = (): void => {
      if (signal.aborted) throw cancelledError();
    };

    const [TRTC, CDN, sig] = await Promise.all([
      this.load('trtc-sdk-v5').then((m) => m as TRTCStatic),
      this.load('trtc-cdn-streaming').then((m) => m as CDNStreaming),
      fetchUserSig(this.config, c, signal),
    ]).catch((err: unknown) => {
      throw sdkLoadFailure(
        err,
        "npm install trtc-sdk-v5, then setLazyModuleLoader('trtc-sdk-v5', () => import('trtc-sdk-v5')) and " +
          "setLazyModuleLoader('trtc-cdn-streaming', () => import('trtc-sdk-v5/plugins/cdn-streaming')).",
      );
    });
    check();
    const support = await TRTC.isSupported();
    if (!support.result) throw unsupportedBrowser(support.detail);
    check();

    const mode = pureAudioPushMode(options);
    const recordId = options.recordId ?? undefined;
    // pureAudioPushMode and userDefineRecordId: where trtc-sdk-v5 reads them (see the header); not in its typings.
    const createOptions = {
      plugins: [CDN],
      ...(mode !== undefined ? { pureAudioPushMode: mode } : {}),
      ...(recordId !== undefined ? { userDefineRecordId: recordId } : {}),
    } as Parameters<TRTCStatic['create']>[0];
    const trtc = TRTC.create(createOptions);
    this.#trtc = trtc;
    this.#TRTC = TRTC;
    this.#publishMode = CDN.TYPE.PublishMode.PublishMainStreamToCDN;
    trtc.on(TRTC.EVENT.KICKED_OUT, this.#onKicked);
    trtc.on(TRTC.EVENT.ERROR, this.#onError);
    trtc.on(TRTC.EVENT.CONNECTION_STATE_CHANGED, this.#onConnection);

    await trtc.enterRoom({
      sdkAppId: c.sdkAppId,
      userId: c.userId,
      userSig: sig.userSig,
      ...c.room,
      scene: TRTC.TYPE.SCENE_LIVE,
      role: TRTC.TYPE.ROLE_ANCHOR,
      ...(sig.privateMapKey ? { privateMapKey: sig.privateMapKey } : {}),
      ...(recordId !== undefined ? { userDefineRecordId: recordId } : {}),
    });
    this.#entered = true;
    check();
    const published = this.#published(
      trtc,
      TRTC,
      [...(audio ? (['audio'] as const) : []), ...(video ? (['video'] as const) : [])],
      signal,
    );
    try {
      if (audio) await trtc.startLocalAudio({ option: { audioTrack: this.#give(audio) } });
      if (video) await trtc.startLocalVideo({ view: null, option: { videoTrack: this.#give(video) } });
      await published.done;
    } finally {
      published.cancel();
    }
    check();
    try {
      await trtc.startPlugin('CDNStreaming', {
        target: { publishMode: this.#publishMode as never, streamId },
      });
    } catch (err) {
      throw mapTrtcV5Error(err, 'relay');
    }
    this.#relaying = true;
    check();
    return { streamId, urls };
  }

  /**
   * Resolves when the SDK says every one of `kinds` is published; rejects when one stops with an error, after
   * {@link PUBLISH_TIMEOUT_MS}, or when the start is cancelled.
   */
  #published(
    trtc: TRTC,
    TRTC: TRTCStatic,
    kinds: readonly ('audio' | 'video')[],
    signal: AbortSignal,
  ): { done: Promise<void>; cancel: () => void } {
    const waiting = new Set<string>(kinds);
    let cancel = (): void => undefined;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cancel();
        reject(
          new RelayError(
            'trtc',
            ErrorCodes.INGEST_FAILED,
            `TRTC did not confirm the ${[...waiting].join(' and ')} within ${PUBLISH_TIMEOUT_MS / 1000} s: the media could not reach Tencent (UDP blocked?).`,
          ),
        );
      }, PUBLISH_TIMEOUT_MS);
      const onState = (e: PublishEvent): void => {
        if (!waiting.has(e.mediaType)) return;
        if (e.state === 'started') waiting.delete(e.mediaType);
        else if (e.state === 'stopped') {
          cancel();
          reject(
            e.error
              ? mapTrtcV5Error(e.error)
              : new RelayError(
                  'trtc',
                  ErrorCodes.INGEST_FAILED,
                  `TRTC stopped publishing the ${e.mediaType}.`,
                ),
          );
          return;
        }
        if (waiting.size === 0) {
          cancel();
          resolve();
        }
      };
      const onAbort = (): void => {
        cancel();
        reject(cancelledError());
      };
      cancel = () => {
        clearTimeout(timer);
        trtc.off(TRTC.EVENT.PUBLISH_STATE_CHANGED, onState);
        signal.removeEventListener('abort', onAbort);
      };
      trtc.on(TRTC.EVENT.PUBLISH_STATE_CHANGED, onState);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    done.catch(() => undefined);
    return { done, cancel: () => cancel() };
  }

  readonly #onKicked = (ev: { reason: string }): void => {
    if (!this.live) return;
    // v5 KICKED_OUT reasons (module-EVENT.html#.KICKED_OUT): 'kick' = the same user id entered the room
    // elsewhere, 'banned' = removed by the application's server (RemoveUser), 'room_disband' = room dismissed.
    this.endLive(
      ev.reason === 'kick'
        ? { module: 'trtc', code: ErrorCodes.TRTC_KICKED_SAME_USER, message: kickedSameUserMessage('kick') }
        : {
            module: 'trtc',
            code: ErrorCodes.BACKEND_REJECTED,
            message:
              ev.reason === 'room_disband'
                ? 'Tencent dismissed the TRTC room, so the push ended.'
                : `TRTC removed this anchor from the room (${ev.reason}): your application's server removed it.`,
          },
    );
  };

  readonly #onError = (err: RtcError): void => {
    if (!this.live) return;
    this.endLive(mapTrtcV5Error(err).toJSON());
  };

  readonly #onConnection = (ev: { state: string; prevState: string }): void => {
    if (!this.live || ev.state !== 'DISCONNECTED') return;
    // The SDK reports a final failure as ERROR (or a kick as KICKED_OUT) right after; give those a moment to name
    // the cause before reporting the bare disconnection.
    setTimeout(() => {
      if (!this.live) return;
      this.endLive({
        module: 'trtc',
        code: ErrorCodes.BACKEND_UNREACHABLE,
        message: 'The connection to Tencent Cloud was lost and could not be restored. Press Start again.',
      });
    }, 500);
  };

  protected async release(reportStopFailure = false): Promise<void> {
    const trtc = this.#trtc;
    const TRTC = this.#TRTC;
    const entered = this.#entered;
    this.#trtc = null;
    this.#entered = false;
    if (!trtc || !TRTC) return;
    trtc.off(TRTC.EVENT.KICKED_OUT, this.#onKicked);
    trtc.off(TRTC.EVENT.ERROR, this.#onError);
    trtc.off(TRTC.EVENT.CONNECTION_STATE_CHANGED, this.#onConnection);
    if (this.#relaying) {
      this.#relaying = false;
      await trtc
        .stopPlugin('CDNStreaming', { target: { publishMode: this.#publishMode as never } })
        .catch((err: unknown) => {
          if (reportStopFailure)
            this.fail(
              new RelayError(
                'trtc',
                ErrorCodes.STOP_PUBLISH_CDN_FAILED,
                `The CDN relay did not stop cleanly; it ends by itself when the room is left. (${err instanceof Error ? err.message : String(err)})`,
              ).toJSON(),
            );
        });
    }
    if (entered) await trtc.exitRoom().catch(() => undefined);
    await trtc.stopLocalVideo().catch(() => undefined);
    await trtc.stopLocalAudio().catch(() => undefined);
    trtc.destroy();
    // The copies given to the SDK: stopped here too, in case the SDK kept any (the element's own tracks live on).
    for (const t of this.#given.splice(0)) t.stop();
  }
}

const trtcProvider: LazyProviderModule = (kit) => (config) =>
  new TrtcV5PushProvider(config, kit.loadLazyModule);
export default trtcProvider;
