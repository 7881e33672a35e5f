/**
 * The REAL trtc-js-sdk 4.15 with only its network client replaced.
 *
 * Everything that works offline is the SDK's own code: `TRTC.checkSystemRequirements`, `TRTC.createStream` and its
 * parameter checks (0x1000 "can not be mixed with audio/video and audioSource/videoSource"), `LocalStream`
 * (`initialize`, `replaceTrack`, tracks), and `TRTC.createClient`'s parameter checks and the business info it
 * builds for Tencent (`Str_uc_params`: `pure_audio_push_mod`, `userdefine_streamid_main`, `userdefine_record_id`).
 *
 * The one seam: `createClient` returns a {@link ClientDouble} instead of the SDK's `Client`, whose
 * join/publish/unpublish/leave/startPublishCDNStream/stopPublishCDNStream would talk to Tencent's servers. The
 * double records each call, applies the preconditions the SDK's `Client` checks before it touches the network
 * (copied from trtc.js 4.15.22: its `WG.CLIENT` validation rules and the bodies of `startPublishCDNStream` /
 * `stopPublishCDNStream`), can fail any call with the SDK's own `RtcError` class and codes, and can emit the
 * client events (`error`, `client-banned`) a real client emits.
 *
 * What this cannot tell: whether Tencent accepts a UserSig, whether relayed push is enabled for the application
 * (Tencent answers -102083 → 0x4045), or what the CDN serves.
 */
import TRTC from 'trtc-js-sdk';
import type {
  Client,
  ClientConfig,
  ClientEventMap,
  ErrorCode,
  JoinOptions,
  LocalStream,
  PublishCDNStreamOptions,
  RtcError,
} from 'trtc-js-sdk';

type Code = ErrorCode[keyof ErrorCode];

/** Codes of the SDK's `ErrorCode` (index.d.ts) the tests use; {@link RealRtcError} names them as the SDK does. */
export const TRTC_CODES = {
  INVALID_PARAMETER: 0x1000,
  INVALID_OPERATION: 0x1001,
  SIGNAL_CHANNEL_SETUP_FAILED: 0x4001,
  JOIN_ROOM_FAILED: 0x4004,
  UPLINK_RECONNECTION_FAILED: 0x4007,
  CLIENT_BANNED: 0x4040,
  START_PUBLISH_CDN_FAILED: 0x4045,
  STOP_PUBLISH_CDN_FAILED: 0x4046,
} as const satisfies Partial<ErrorCode>;

type RtcErrorInit = { code: number; message: string };
type RtcErrorClass = new (init: RtcErrorInit) => RtcError;

/**
 * The SDK's own `RtcError` class (not exported by 4.15; taken from an error the SDK throws). Its message ends with
 * `<NAME 0xCODE>`, NAME looked up in the SDK's own code table, so a wrong code shows up as `<UNKNOWN …>`.
 */
export const RealRtcError: RtcErrorClass = (() => {
  try {
    TRTC.createClient({} as ClientConfig);
  } catch (err) {
    return (err as object).constructor as RtcErrorClass;
  }
  throw new Error('trtc-js-sdk accepted an empty client config');
})();

/** The SDK's `LocalStream` class, for the `publish(stream)` check the SDK makes (`instanceOf: LocalStream`). */
const RealLocalStream = Object.getPrototypeOf(TRTC.createStream({})).constructor as new () => LocalStream;

export type NetworkMethod =
  'join' | 'publish' | 'unpublish' | 'leave' | 'startPublishCDNStream' | 'stopPublishCDNStream';

/** One network call the code under test made, in order. */
export interface NetworkCall {
  method: NetworkMethod | 'createClient' | 'destroy';
  args: unknown[];
}

type Handler = (payload: never) => void;

export class TrtcNetworkDouble {
  readonly calls: NetworkCall[] = [];
  readonly clients: ClientDouble[] = [];
  readonly #failures = new Map<NetworkMethod, Code>();
  /** Milliseconds each network call takes (to test stop during start). */
  delayMs = 0;

  /** The SDK module handed to the provider: the real singleton, with `createClient` as the one replaced call. */
  readonly module: typeof TRTC = Object.create(TRTC, {
    createClient: {
      value: (config: ClientConfig): Client => {
        // The real createClient runs first: its parameter checks throw the SDK's own errors, and its Client
        // builds the business info sent to Tencent on join. That client is then dropped before any network use.
        const real = TRTC.createClient(config);
        const businessInfo = (real as unknown as { bussinessInfo_?: string }).bussinessInfo_;
        real.destroy();
        this.calls.push({ method: 'createClient', args: [config] });
        const client = new ClientDouble(this, config, businessInfo ? JSON.parse(businessInfo) : {});
        this.clients.push(client);
        return client as unknown as Client;
      },
    },
  }) as typeof TRTC;

  /** Makes the next call of `method` reject with the SDK's `RtcError` carrying `code`. */
  failNext(method: NetworkMethod, code: Code): void {
    this.#failures.set(method, code);
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  /** @internal Records a network call, waits `delayMs`, then fails it if asked to. */
  async network(method: NetworkMethod, args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const code = this.#failures.get(method);
    if (code !== undefined) {
      this.#failures.delete(method);
      throw new RealRtcError({ code, message: `${method} failed (Tencent's answer, simulated)` });
    }
  }
}

function rtcError(code: Code, message: string): RtcError {
  return new RealRtcError({ code, message });
}

/** Stands in for the SDK's `Client`; see the file comment for where each check comes from. */
export class ClientDouble {
  joined: JoinOptions | null = null;
  published: LocalStream | null = null;
  cdn: PublishCDNStreamOptions | null = null;
  destroyed = false;
  readonly #handlers = new Map<string, Set<Handler>>();

  constructor(
    private readonly double: TrtcNetworkDouble,
    readonly config: ClientConfig,
    /** What the real SDK would send to Tencent as `businessInfo` on join (parsed JSON). */
    readonly businessInfo: { Str_uc_params?: Record<string, unknown> },
  ) {}

  on<K extends keyof ClientEventMap>(event: K, handler: (e: ClientEventMap[K]) => void): void {
    if (!this.#handlers.has(event)) this.#handlers.set(event, new Set());
    this.#handlers.get(event)!.add(handler as Handler);
  }
  off<K extends keyof ClientEventMap>(event: K, handler: (e: ClientEventMap[K]) => void): void {
    this.#handlers.get(event)?.delete(handler as Handler);
  }
  /** What the real client does when something breaks after the start (Tencent drops the uplink, kicks…). */
  emit<K extends keyof ClientEventMap>(event: K, payload: ClientEventMap[K]): void {
    for (const h of [...(this.#handlers.get(event) ?? [])]) (h as (e: ClientEventMap[K]) => void)(payload);
  }
  listenerCount(event: string): number {
    return this.#handlers.get(event)?.size ?? 0;
  }

  async join(options: JoinOptions): Promise<void> {
    // WG.CLIENT.join: already joined → INVALID_OPERATION; roomId rule (UG); role in anchor/audience.
    if (this.destroyed || this.joined) throw rtcError(TRTC_CODES.INVALID_OPERATION, 'join: already joined');
    const { roomId } = options;
    const ok = this.config.useStringRoomId
      ? typeof roomId === 'string' && /^[A-Za-z\d\s!#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/.test(roomId)
      : typeof roomId === 'number' && /^[1-9]\d*$/.test(String(roomId)) && roomId < 4294967295;
    if (!ok) throw rtcError(TRTC_CODES.INVALID_PARAMETER, `join: roomId ${String(roomId)} is invalid`);
    if (options.role !== undefined && !['anchor', 'audience'].includes(options.role)) {
      throw rtcError(TRTC_CODES.INVALID_PARAMETER, 'join: role');
    }
    await this.double.network('join', [options]);
    this.joined = options;
  }

  async publish(stream: LocalStream): Promise<void> {
    // WG.CLIENT.publish: a LocalStream; joined; not an audience in live mode; initialized (ready to publish).
    if (!(stream instanceof RealLocalStream)) throw rtcError(TRTC_CODES.INVALID_PARAMETER, 'publish: stream');
    if (!this.joined) throw rtcError(TRTC_CODES.INVALID_OPERATION, 'publish: join first');
    if (this.config.mode === 'live' && this.joined.role === 'audience') {
      throw rtcError(TRTC_CODES.INVALID_OPERATION, 'publish: audience cannot publish');
    }
    if (!(stream as unknown as { getIsReadyToPublish(): boolean }).getIsReadyToPublish()) {
      throw rtcError(TRTC_CODES.INVALID_OPERATION, 'publish: initialize the stream first');
    }
    await this.double.network('publish', [stream]);
    this.published = stream;
  }

  async unpublish(stream: LocalStream): Promise<void> {
    // WG.CLIENT.unpublish: another stream than the published one → INVALID_PARAMETER.
    if (this.published && stream !== this.published) {
      throw rtcError(TRTC_CODES.INVALID_PARAMETER, 'unpublish: not the published stream');
    }
    await this.double.network('unpublish', [stream]);
    this.published = null;
  }

  async startPublishCDNStream(options: PublishCDNStreamOptions = {}): Promise<void> {
    // WG.CLIENT.startPublishCDNStream: streamId /^[A-Za-z\d_-]*$/; the body: joined without a published main
    // stream → INVALID_OPERATION (not 0x4045, which is Tencent refusing, e.g. relayed push off: -102083).
    if (options.streamId !== undefined && !/^[A-Za-z\d_-]*$/.test(options.streamId)) {
      throw rtcError(TRTC_CODES.INVALID_PARAMETER, 'startPublishCDNStream: streamId');
    }
    if (this.destroyed) throw rtcError(TRTC_CODES.INVALID_OPERATION, 'startPublishCDNStream: destroyed');
    if (this.joined && !this.published) {
      throw rtcError(TRTC_CODES.INVALID_OPERATION, 'startPublishCDNStream: publish the stream first');
    }
    await this.double.network('startPublishCDNStream', [options]);
    this.cdn = options;
  }

  async stopPublishCDNStream(): Promise<void> {
    // The body: nothing relayed → INVALID_OPERATION.
    if (!this.cdn) throw rtcError(TRTC_CODES.INVALID_OPERATION, 'stopPublishCDNStream: not publishing');
    await this.double.network('stopPublishCDNStream', []);
    this.cdn = null;
  }

  async leave(): Promise<void> {
    await this.double.network('leave', []);
    this.joined = null;
    this.published = null;
    this.cdn = null;
  }

  destroy(): void {
    this.double.calls.push({ method: 'destroy', args: [] });
    this.destroyed = true;
  }
}
