/**
 * A fake of trtc-js-sdk v4 for tests: Tencent's cloud cannot be reached from here, so this implements the
 * documented surface of the SDK's shipped `index.d.ts` — same method names, argument shapes and numeric error
 * codes (`RtcError.getCode()`) — and the ordering rules the SDK documents (join before publish, initialize before
 * publish, publish before startPublishCDNStream, `role: 'anchor'` to publish in live mode). Everything the
 * provider calls is type-checked against the real declarations via `Pick<Client, …>` / `Pick<LocalStream, …>`.
 *
 * What it cannot tell us: whether Tencent accepts a given UserSig, or what the CDN actually serves.
 */
import type TRTCNamespace from 'trtc-js-sdk';
import type {
  Client,
  ClientConfig,
  ClientEventMap,
  ErrorCode,
  JoinOptions,
  LocalStream,
  PublishCDNStreamOptions,
  RtcError,
  StreamConfig,
} from 'trtc-js-sdk';

/** The codes of `ErrorCode` in `index.d.ts` that the fake raises. */
export const TRTC_CODES = {
  INVALID_PARAMETER: 0x1000,
  INVALID_OPERATION: 0x1001,
  DEVICE_NOT_FOUND: 0x1003,
  INITIALIZE_FAILED: 0x1004,
  SIGNAL_CHANNEL_SETUP_FAILED: 0x4001,
  JOIN_ROOM_FAILED: 0x4004,
  UPLINK_RECONNECTION_FAILED: 0x4007,
  CLIENT_BANNED: 0x4040,
  START_PUBLISH_CDN_FAILED: 0x4045,
  STOP_PUBLISH_CDN_FAILED: 0x4046,
} as const satisfies Partial<ErrorCode>;

type Code = ErrorCode[keyof ErrorCode];

export class FakeRtcError extends Error implements RtcError {
  readonly #code: Code;
  constructor(code: Code, message: string) {
    super(message);
    this.name = 'RtcError';
    this.#code = code;
  }
  getCode<K extends keyof ErrorCode>(): ErrorCode[K] {
    return this.#code as ErrorCode[K];
  }
}

export type FakeMethod =
  | 'join'
  | 'leave'
  | 'publish'
  | 'unpublish'
  | 'startPublishCDNStream'
  | 'stopPublishCDNStream'
  | 'initialize';

/** One call the code under test made, in order. */
export interface FakeCall {
  method: FakeMethod | 'createClient' | 'createStream' | 'destroy';
  args: unknown[];
}

type ClientSurface = Pick<
  Client,
  'join' | 'leave' | 'publish' | 'unpublish' | 'startPublishCDNStream' | 'stopPublishCDNStream' | 'destroy'
> & {
  on<K extends keyof ClientEventMap>(event: K, handler: (e: ClientEventMap[K]) => void): void;
  off<K extends keyof ClientEventMap>(event: K, handler: (e: ClientEventMap[K]) => void): void;
};
type StreamSurface = Pick<
  LocalStream,
  'initialize' | 'close' | 'getAudioTrack' | 'getVideoTrack' | 'hasAudio' | 'hasVideo'
>;

export class FakeTrtc {
  readonly calls: FakeCall[] = [];
  /** Clients created, newest last. */
  readonly clients: FakeClient[] = [];
  /** Makes the next call of `method` reject with `code`. */
  readonly failures = new Map<FakeMethod, Code>();
  /** Milliseconds each async call takes (to test stop during start). */
  delayMs = 0;

  failNext(method: FakeMethod, code: Code): void {
    this.failures.set(method, code);
  }

  async step(method: FakeMethod, args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const code = this.failures.get(method);
    if (code !== undefined) {
      this.failures.delete(method);
      throw new FakeRtcError(code, `${method} failed (fake)`);
    }
  }

  /** The module object, shaped like trtc-js-sdk's default export. */
  readonly module: Pick<typeof TRTCNamespace, 'createClient' | 'createStream' | 'VERSION'> = {
    VERSION: '4.15.22-fake',
    createClient: (config: ClientConfig): Client => {
      this.calls.push({ method: 'createClient', args: [config] });
      if (!config.sdkAppId || !config.userId || !config.userSig || !['rtc', 'live'].includes(config.mode)) {
        throw new FakeRtcError(
          TRTC_CODES.INVALID_PARAMETER,
          'createClient: sdkAppId, userId, userSig, mode required',
        );
      }
      const client = new FakeClient(this, config);
      this.clients.push(client);
      return client as unknown as Client;
    },
    createStream: (config: StreamConfig): LocalStream => {
      this.calls.push({ method: 'createStream', args: [config] });
      return new FakeLocalStream(this, config) as unknown as LocalStream;
    },
  };

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
}

export class FakeLocalStream implements StreamSurface {
  initialized = false;
  closed = false;
  constructor(
    private readonly fake: FakeTrtc,
    readonly config: StreamConfig,
  ) {}
  async initialize(): Promise<void> {
    await this.fake.step('initialize', []);
    if (this.config.video && !this.config.videoSource && !this.config.cameraId) {
      // The fake captures nothing itself: the provider must hand in its tracks.
      throw new FakeRtcError(TRTC_CODES.DEVICE_NOT_FOUND, 'initialize: no video source');
    }
    this.initialized = true;
  }
  close(): void {
    this.closed = true;
  }
  getAudioTrack(): MediaStreamTrack | null {
    return this.config.audioSource ?? null;
  }
  getVideoTrack(): MediaStreamTrack | null {
    return this.config.videoSource ?? null;
  }
  hasAudio(): boolean {
    return !!this.config.audioSource;
  }
  hasVideo(): boolean {
    return !!this.config.videoSource;
  }
}

export class FakeClient implements ClientSurface {
  joined: JoinOptions | null = null;
  published: FakeLocalStream | null = null;
  cdn: PublishCDNStreamOptions | null = null;
  destroyed = false;
  readonly handlers = new Map<string, Set<(e: never) => void>>();

  constructor(
    private readonly fake: FakeTrtc,
    readonly config: ClientConfig,
  ) {}

  on<K extends keyof ClientEventMap>(event: K, handler: (e: ClientEventMap[K]) => void): void {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(handler as (e: never) => void);
  }
  off<K extends keyof ClientEventMap>(event: K, handler: (e: ClientEventMap[K]) => void): void {
    this.handlers.get(event)?.delete(handler as (e: never) => void);
  }
  /** Test hook: what the SDK does when something breaks after the start. */
  emit<K extends keyof ClientEventMap>(event: K, payload: ClientEventMap[K]): void {
    for (const h of [...(this.handlers.get(event) ?? [])]) (h as (e: ClientEventMap[K]) => void)(payload);
  }
  listenerCount(event: string): number {
    return this.handlers.get(event)?.size ?? 0;
  }

  async join(options: JoinOptions): Promise<void> {
    await this.fake.step('join', [options]);
    if (this.joined) throw new FakeRtcError(TRTC_CODES.INVALID_OPERATION, 'join: already joined');
    if (options.roomId === undefined || options.roomId === '') {
      throw new FakeRtcError(TRTC_CODES.INVALID_PARAMETER, 'join: roomId required');
    }
    if (typeof options.roomId === 'string' && !this.config.useStringRoomId) {
      throw new FakeRtcError(TRTC_CODES.INVALID_PARAMETER, 'join: string roomId needs useStringRoomId');
    }
    this.joined = options;
  }
  async publish(stream: LocalStream): Promise<void> {
    await this.fake.step('publish', [stream]);
    const s = stream as unknown as FakeLocalStream;
    if (!this.joined) throw new FakeRtcError(TRTC_CODES.INVALID_OPERATION, 'publish: join first');
    if (this.config.mode === 'live' && this.joined.role !== 'anchor') {
      throw new FakeRtcError(TRTC_CODES.INVALID_OPERATION, 'publish: audience cannot publish');
    }
    if (!s.initialized) throw new FakeRtcError(TRTC_CODES.INVALID_OPERATION, 'publish: initialize first');
    this.published = s;
  }
  async unpublish(stream: LocalStream): Promise<void> {
    await this.fake.step('unpublish', [stream]);
    if (this.published !== (stream as unknown as FakeLocalStream)) {
      throw new FakeRtcError(TRTC_CODES.INVALID_OPERATION, 'unpublish: not published');
    }
    this.published = null;
  }
  async startPublishCDNStream(options: PublishCDNStreamOptions): Promise<void> {
    await this.fake.step('startPublishCDNStream', [options]);
    if (!this.published) throw new FakeRtcError(TRTC_CODES.START_PUBLISH_CDN_FAILED, 'publish first');
    this.cdn = options;
  }
  async stopPublishCDNStream(): Promise<void> {
    await this.fake.step('stopPublishCDNStream', []);
    this.cdn = null;
  }
  async leave(): Promise<void> {
    await this.fake.step('leave', []);
    this.joined = null;
  }
  destroy(): void {
    this.fake.calls.push({ method: 'destroy', args: [] });
    this.destroyed = true;
  }
}
