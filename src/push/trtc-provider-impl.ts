/**
 * The `trtc` provider: Tencent TRTC through trtc-js-sdk v4, relayed to Tencent's CDN (旁路直播).
 *
 * Sequence: `TRTC.createClient({ mode: 'live', sdkAppId, userId, userSig, streamId, userDefineRecordId })` →
 * `client.join({ roomId, role: 'anchor' })` → `TRTC.createStream({ userId, audio, video, audioSource,
 * videoSource })` → `stream.initialize()` → `client.publish(stream)` → `client.startPublishCDNStream({ streamId })`.
 * Stop: `stopPublishCDNStream()` → `unpublish(stream)` → `leave()` → `destroy()`.
 *
 * Config (element attributes): `sdk-app-id` (the TRTC application's SDKAppID), `user-id`, `room-id`, `play-domain`
 * (the CSS play domain bound to the application), and either `user-sig` or `sig-endpoint` (a URL on the site's
 * own server answering `GET ?sdkAppId=&userId=` with `{ "userSig": "…" }`). A UserSig is never computed here:
 * computing it needs the application's secret key, which must never reach a browser.
 *
 * Recording formats are chosen in the TRTC/CSS console's recording template; this provider passes the record id
 * as `userDefineRecordId` so the recording callbacks carry it. The SDK is fetched only when this provider starts
 * (`loadLazyModule('trtc')`).
 *
 * This module is itself fetched on the first TRTC start (lazy module `trtc-provider`, see `lazy-provider.ts`);
 * `trtc-provider.ts` registers the small shell that loads it.
 */
import type TRTCNamespace from 'trtc-js-sdk';
import type { Client, ClientConfig, LocalStream, RtcError } from 'trtc-js-sdk';
import { ErrorCodes, RelayError, isRelayError } from '../errors.js';
import type { LazyProviderModule, ProviderKit } from './lazy-provider.js';
import { requestJson } from './http.js';
import type { PushOptions } from './options.js';
import { buildPlayUrls } from './play-urls.js';
import {
  BasePushProvider,
  cancelledError,
  configString,
  type PushProviderConfig,
  type PushResult,
} from './provider.js';

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

export class TrtcPushProvider extends BasePushProvider {
  readonly name = 'trtc';
  readonly #config: PushProviderConfig;
  readonly #load: ProviderKit['loadLazyModule'];
  #client: Client | null = null;
  #stream: LocalStream | null = null;
  #publishingCdn = false;
  #live = false;

  constructor(config: PushProviderConfig, load: ProviderKit['loadLazyModule']) {
    super();
    this.#config = config;
    this.#load = load;
  }

  #required(key: string, attr: string): string {
    const v = configString(this.#config, key);
    if (!v)
      throw new RelayError(
        'push',
        ErrorCodes.INVALID_OPTIONS,
        `The trtc provider needs the ${attr} attribute.`,
      );
    return v;
  }

  start(options: PushOptions, media: MediaStream, signal?: AbortSignal): Promise<PushResult> {
    return this.runStart(
      signal,
      async (aborted) => {
        const result = await this.#start(options, media, aborted);
        this.#live = true;
        return result;
      },
      async (err, aborted) => {
        await this.#release();
        return aborted ? cancelledError() : mapTrtcError(err);
      },
    );
  }

  async #userSig(sdkAppId: number, userId: string, signal: AbortSignal): Promise<string> {
    const given = configString(this.#config, 'userSig');
    if (given) return given;
    const endpoint = configString(this.#config, 'sigEndpoint');
    if (!endpoint) {
      throw new RelayError(
        'push',
        ErrorCodes.SIG_UNAVAILABLE,
        'The trtc provider needs a UserSig: set user-sig, or sig-endpoint to a URL on your server that issues one.',
      );
    }
    const url = new URL(endpoint, globalThis.location?.href);
    url.searchParams.set('sdkAppId', String(sdkAppId));
    url.searchParams.set('userId', userId);
    let answer: { userSig?: unknown };
    try {
      answer = await requestJson<{ userSig?: unknown }>(url.href, {
        signal,
        module: 'push',
        what: `the UserSig service at ${url.origin}`,
      });
    } catch (err) {
      if (signal.aborted) throw cancelledError();
      const msg = err instanceof Error ? err.message : String(err);
      throw new RelayError('push', ErrorCodes.SIG_UNAVAILABLE, `No UserSig could be fetched: ${msg}`, {
        cause: err,
      });
    }
    if (typeof answer?.userSig !== 'string' || answer.userSig === '') {
      throw new RelayError(
        'push',
        ErrorCodes.SIG_UNAVAILABLE,
        `The UserSig service at ${url.origin} answered without a "userSig" string.`,
      );
    }
    return answer.userSig;
  }

  async #start(options: PushOptions, media: MediaStream, signal: AbortSignal): Promise<PushResult> {
    const sdkAppId = Number(this.#required('sdkAppId', 'sdk-app-id'));
    if (!Number.isInteger(sdkAppId) || sdkAppId <= 0) {
      throw new RelayError(
        'push',
        ErrorCodes.INVALID_OPTIONS,
        'sdk-app-id must be the numeric SDKAppID of the application.',
      );
    }
    const userId = this.#required('userId', 'user-id');
    const roomIdRaw = this.#required('roomId', 'room-id');
    const playDomain = this.#required('playDomain', 'play-domain');
    const roomId = /^\d+$/.test(roomIdRaw) ? Number(roomIdRaw) : roomIdRaw;
    const streamId = options.streamId ?? `${sdkAppId}_${roomIdRaw}_${userId}_main`;
    const urls = buildPlayUrls(playDomain, streamId, options.encode);
    const check = (): void => {
      if (signal.aborted) throw cancelledError();
    };

    const [TRTC, userSig] = await Promise.all([
      this.#load('trtc').then((m) => m as TRTC),
      this.#userSig(sdkAppId, userId, signal),
    ]).catch((err: unknown) => {
      if (isRelayError(err)) throw err;
      throw new RelayError('trtc', ErrorCodes.ENGINE_LOAD_FAILED, 'The TRTC SDK could not be loaded.', {
        cause: err,
      });
    });
    check();

    const clientConfig: ClientConfig = {
      mode: 'live',
      sdkAppId,
      userId,
      userSig,
      streamId,
      ...(options.recordId !== null ? { userDefineRecordId: String(options.recordId) } : {}),
      ...(options.audioOnly ? { pureAudioPushMode: 1 as const } : {}),
      ...(typeof roomId === 'string' ? { useStringRoomId: true } : {}),
    };
    const client = TRTC.createClient(clientConfig);
    this.#client = client;
    client.on('error', this.#onClientError);
    client.on('client-banned', this.#onBanned);
    await client.join({ roomId, role: 'anchor' });
    check();

    const audio = media.getAudioTracks()[0];
    const video = options.audioOnly ? undefined : media.getVideoTracks()[0];
    const stream = TRTC.createStream({
      userId,
      audio: !!audio,
      video: !!video,
      ...(audio ? { audioSource: audio } : {}),
      ...(video ? { videoSource: video } : {}),
    });
    this.#stream = stream;
    await stream.initialize();
    check();
    await client.publish(stream);
    check();
    await client.startPublishCDNStream({ streamId });
    this.#publishingCdn = true;
    check();
    return { streamId, urls };
  }

  readonly #onClientError = (err: RtcError): void => {
    if (!this.#live) return;
    const info = mapTrtcError(err).toJSON();
    void this.#release().then(() => {
      this.#live = false;
      this.setState('idle');
      this.fail(info);
    });
  };

  readonly #onBanned = (ev: { reason: string; message: string }): void => {
    if (!this.#live) return;
    void this.#release().then(() => {
      this.#live = false;
      this.setState('idle');
      this.fail({
        module: 'trtc',
        code: ErrorCodes.BACKEND_REJECTED,
        message: `TRTC removed this anchor from the room (${ev.reason}): ${ev.message}`,
      });
    });
  };

  async stop(): Promise<void> {
    await this.cancelStart();
    if (!this.#live) return;
    this.setState('stopping');
    await this.#release(true);
    this.#live = false;
    this.setState('idle');
  }

  async #release(reportStopFailure = false): Promise<void> {
    const client = this.#client;
    const stream = this.#stream;
    this.#client = null;
    this.#stream = null;
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
    if (stream) await client.unpublish(stream).catch(() => undefined);
    await client.leave().catch(() => undefined);
    client.destroy();
  }
}

const trtcProvider: LazyProviderModule = (kit) => (config) =>
  new TrtcPushProvider(config, kit.loadLazyModule);
export default trtcProvider;
