/**
 * What both Tencent providers (`trtc` on trtc-sdk-v5, `trtc-v4` on trtc-js-sdk 4.x) read and check the same way
 * before any SDK is loaded: the configuration (SDKAppID, user id, room), the CDN stream id, the recording choices
 * the browser can make, `pureAudioPushMode`, and the UserSig (plus room permission ticket) from the site's server.
 * Bundled into each provider's lazy file; the script every page loads does not carry it.
 */
import { ErrorCodes, RelayError, isRelayError } from '../../contract/errors.js';
import type { RelayErrorInfo } from '../../contract/types.js';
import { requestJson } from '../http.js';
import type { ProviderKit } from '../lazy-provider.js';
import { STREAM_ID, type PushOptions } from '../options.js';
import { resolvePlayUrls } from '../play-urls.js';
import {
  BasePushProvider,
  cancelledError,
  configString,
  type PushProviderConfig,
  type PushResult,
} from '../provider.js';

/** The room as Tencent's SDKs take it: a numeric room (`roomId`) or a string room (`strRoomId`). */
export type TrtcRoom = { roomId: number } | { strRoomId: string };

/** What a UserSig service answers: the UserSig, and a room permission ticket when the site issues one. */
export interface SigAnswer {
  userSig: string;
  privateMapKey?: string;
}

/** The configuration both providers need, checked. */
export interface TrtcConfig {
  sdkAppId: number;
  userId: string;
  room: TrtcRoom;
  /** The room as it appears in the default CDN stream id (`${sdkAppId}_${room}_${userId}_main`). */
  roomKey: string;
}

function required(config: PushProviderConfig, provider: string, key: string, attr: string): string {
  const v = configString(config, key);
  if (!v) throw invalid(`The ${provider} provider needs the ${attr} attribute.`);
  return v;
}

function invalid(message: string): RelayError {
  return new RelayError('push', ErrorCodes.INVALID_OPTIONS, message);
}

/** Tencent's numeric room range (TRTC `roomId`: an integer in [1, 4294967294]). */
const MAX_ROOM_ID = 4294967294;
/**
 * Tencent's rule for a string room id (`strRoomId`): at most 64 bytes of letters, digits, space and
 * `!#$%&()+-:;<=.>?@[]^_{}|~,` (TRTC "Room ID" definition, doc 647/37714).
 */
const STR_ROOM_ID = /^[A-Za-z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/;

/**
 * Reads `sdk-app-id`, `user-id` and the room: `room-id` (numeric, Tencent's range) or `str-room-id` (a string
 * room; numeric and string rooms do not meet each other, so a numeric-looking string is never turned into one).
 */
export function readTrtcConfig(config: PushProviderConfig, provider: string): TrtcConfig {
  const sdkAppId = Number(required(config, provider, 'sdkAppId', 'sdk-app-id'));
  if (!Number.isInteger(sdkAppId) || sdkAppId <= 0)
    throw invalid('sdk-app-id must be the numeric SDKAppID of the application.');
  const userId = required(config, provider, 'userId', 'user-id');
  const roomId = configString(config, 'roomId');
  const strRoomId = configString(config, 'strRoomId');
  if (roomId && strRoomId)
    throw invalid(
      'Set room-id (a numeric room) or str-room-id (a string room), not both: they name different rooms.',
    );
  if (strRoomId) {
    if (!STR_ROOM_ID.test(strRoomId))
      throw invalid(
        `str-room-id "${strRoomId}" is not a TRTC string room id: at most 64 letters, digits, spaces or ` +
          '!#$%&()+-:;<=.>?@[]^_{}|~, characters.',
      );
    return { sdkAppId, userId, room: { strRoomId }, roomKey: strRoomId };
  }
  if (!roomId) throw invalid(`The ${provider} provider needs room-id (a numeric room) or str-room-id.`);
  const n = Number(roomId);
  if (!/^\d+$/.test(roomId) || !Number.isSafeInteger(n) || n < 1 || n > MAX_ROOM_ID)
    throw invalid(
      `room-id "${roomId}" is not a TRTC numeric room id (an integer from 1 to ${MAX_ROOM_ID}); for a string ` +
        'room set str-room-id instead.',
    );
  return { sdkAppId, userId, room: { roomId: n }, roomKey: String(n) };
}

/** The `pureAudioPushMode` Tencent documents: 1 = relay an audio-only stream, 2 = relay and record it. */
export function pureAudioPushMode(options: PushOptions): 1 | 2 | undefined {
  if (!options.audioOnly) return undefined;
  return options.recordFileTypes.includes('mp3') ? 2 : 1;
}

/**
 * The CDN stream id of a push: `options.streamId`, or the SDKs' default `${sdkAppId}_${room}_${userId}_main`.
 * Throws `INVALID_STREAM_ID` naming the part (user id, room id) the CDN would not accept: the SDK would otherwise
 * relay under a hashed name that the play URLs do not know.
 */
export function cdnStreamId(options: PushOptions, c: TrtcConfig): string {
  if (options.streamId) return options.streamId;
  const streamId = `${c.sdkAppId}_${c.roomKey}_${c.userId}_main`;
  if (STREAM_ID.test(streamId)) return streamId;
  const bad = !/^[A-Za-z0-9_-]+$/.test(c.userId)
    ? `the user id "${c.userId}"`
    : !/^[A-Za-z0-9_-]+$/.test(c.roomKey)
      ? `the room id "${c.roomKey}"`
      : `"${streamId}" (${streamId.length} characters)`;
  throw new RelayError(
    'push',
    ErrorCodes.INVALID_STREAM_ID,
    `The CDN stream id is made of the SDKAppID, room id and user id, and ${bad} cannot be part of it: ` +
      'use letters, digits, "_" or "-" (64 characters in all), or set stream-id.',
  );
}

/** Recorded file types are the application's recording template's choice (console), not the browser's. */
export function checkRecordTypes(options: PushOptions): void {
  const chosen = options.recordFileTypes.filter((t) => t !== 'mp3');
  if (chosen.length === 0) return;
  throw new RelayError(
    'push',
    ErrorCodes.RECORD_TYPES_BY_TEMPLATE,
    `With Tencent Cloud, the recording template of your TRTC application (console) decides which files are ` +
      `recorded, not the browser: remove ${chosen.map((t) => t.toUpperCase()).join(', ')} from ` +
      'record-file-types. For an audio-only push, MP3 asks Tencent to record the audio.',
  );
}

/**
 * The anchor's UserSig: `user-sig` as given, or fetched from `sig-endpoint` (a URL on the site's own server, e.g.
 * the receiver's `POST /api/trtc/usersig`). A UserSig is never computed here: that needs the application's secret
 * key, which must never reach a browser. POST with the same values in the query and the body, and the site's
 * cookies: the site's server decides whom it issues a UserSig for, and binds the room permission ticket
 * (privateMapKey) it may return to this room and the anchor role.
 */
export async function fetchUserSig(
  config: PushProviderConfig,
  c: TrtcConfig,
  signal: AbortSignal,
): Promise<SigAnswer> {
  const given = configString(config, 'userSig');
  if (given) return { userSig: given };
  const endpoint = configString(config, 'sigEndpoint');
  if (!endpoint) {
    throw new RelayError(
      'push',
      ErrorCodes.SIG_UNAVAILABLE,
      'A TRTC push needs a UserSig: set user-sig, or sig-endpoint to a URL on your server that issues one.',
    );
  }
  const url = new URL(endpoint, globalThis.location?.href);
  url.searchParams.set('sdkAppId', String(c.sdkAppId));
  url.searchParams.set('userId', c.userId);
  let answer: { userSig?: unknown; privateMapKey?: unknown };
  try {
    answer = await requestJson<{ userSig?: unknown; privateMapKey?: unknown }>(url.href, {
      method: 'POST',
      body: { sdkAppId: c.sdkAppId, userId: c.userId, ...c.room, role: 'anchor' },
      credentials: 'include',
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
  const key = answer.privateMapKey;
  return { userSig: answer.userSig, ...(typeof key === 'string' && key ? { privateMapKey: key } : {}) };
}

/** What both providers check and gather before any SDK is loaded or a room entered. */
export interface TrtcPushPlan {
  c: TrtcConfig;
  streamId: string;
  urls: PushResult['urls'];
  audio: MediaStreamTrack | undefined;
  video: MediaStreamTrack | undefined;
}

/**
 * Everything the CDN and the play URLs depend on, checked before the SDK is loaded or a room entered; the play
 * URLs signed by the site's server when `play-url-endpoint` is set (a refusal then costs no join).
 */
export async function planTrtcPush(
  config: PushProviderConfig,
  provider: string,
  options: PushOptions,
  media: MediaStream,
  signal: AbortSignal,
): Promise<TrtcPushPlan> {
  const c = readTrtcConfig(config, provider);
  if (!configString(config, 'playDomain'))
    throw invalid(`The ${provider} provider needs the play-domain attribute.`);
  checkRecordTypes(options);
  const streamId = cdnStreamId(options, c);
  const urls = await resolvePlayUrls(config, streamId, options.encode, signal);
  const audio = media.getAudioTracks()[0];
  const video = options.audioOnly ? undefined : media.getVideoTracks()[0];
  if (!audio && !video)
    throw new RelayError('camera', ErrorCodes.DEVICE_NOT_FOUND, 'There is no camera or microphone to push.');
  return { c, streamId, urls, audio, video };
}

/** A failure to load the SDK (or the UserSig, passed through), saying how a bundler app hands the SDK over. */
export function sdkLoadFailure(err: unknown, howTo: string): RelayError {
  if (isRelayError(err)) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new RelayError(
    'trtc',
    ErrorCodes.ENGINE_LOAD_FAILED,
    `The TRTC SDK could not be loaded (${msg}). With a bundler: ${howTo}`,
    { cause: err },
  );
}

/** The SDK's own browser check said no. */
export function unsupportedBrowser(detail: unknown): RelayError {
  return new RelayError(
    'trtc',
    ErrorCodes.UNSUPPORTED_BROWSER,
    `This browser cannot push to TRTC (${JSON.stringify(detail)}). Use a current Chrome, Edge, Firefox or Safari.`,
  );
}

/** The message of the same-user-id kick, shared by both SDKs' mappings. */
export function kickedSameUserMessage(detail: string): string {
  return `Another page joined the TRTC room as the same user id, so Tencent removed this one. Use a different user-id per page. (${detail})`;
}

/**
 * The life of a push through a Tencent SDK, the same for both SDKs: a start that releases whatever it created when
 * it fails or is cancelled, a device switch only while live, a stop that waits for a start to unwind, and an end
 * the SDK decides (kick, unrecoverable error) that releases first and then reports. Each SDK's provider says how
 * to begin, switch, release and name its errors.
 */
export abstract class TrtcSdkProvider extends BasePushProvider {
  protected readonly config: PushProviderConfig;
  protected readonly load: ProviderKit['loadLazyModule'];
  #live = false;

  constructor(config: PushProviderConfig, load: ProviderKit['loadLazyModule']) {
    super();
    this.config = config;
    this.load = load;
  }

  /** Whether a push is live (started and not ended). */
  protected get live(): boolean {
    return this.#live;
  }

  /** Enters the room, publishes and starts the relay; rejects (and is unwound) on any failure. */
  protected abstract begin(
    options: PushOptions,
    media: MediaStream,
    signal: AbortSignal,
  ): Promise<PushResult>;
  /** Swaps the published camera or microphone; `false` when there is no SDK session to switch on. */
  protected abstract switchTrack(track: MediaStreamTrack): Promise<boolean>;
  /** Stops the relay and leaves the room, whatever of it exists; reports a relay that did not stop when asked. */
  protected abstract release(reportStopFailure?: boolean): Promise<void>;
  /** The SDK's failure as a {@link RelayError}. */
  protected abstract mapError(err: unknown): RelayError;

  start(options: PushOptions, media: MediaStream, signal?: AbortSignal): Promise<PushResult> {
    return this.runStart(
      signal,
      async (aborted) => {
        const result = await this.begin(options, media, aborted);
        this.#live = true;
        return result;
      },
      async (err, aborted) => {
        await this.release();
        return aborted ? cancelledError() : this.mapError(err);
      },
    );
  }

  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    let switched: boolean;
    try {
      switched = this.#live && (await this.switchTrack(track));
    } catch (err) {
      throw this.mapError(err);
    }
    if (!switched)
      throw new RelayError(
        'push',
        ErrorCodes.NOT_STARTED,
        'There is no live TRTC push to switch devices on.',
      );
  }

  /** The SDK ended a live push by itself: release what is left, then report it. */
  protected endLive(info: RelayErrorInfo): void {
    this.#live = false;
    void this.release().then(() => {
      this.setState('idle');
      this.fail(info);
    });
  }

  async stop(): Promise<void> {
    await this.cancelStart();
    if (!this.#live) return;
    this.setState('stopping');
    this.#live = false;
    await this.release(true);
    this.setState('idle');
  }
}
