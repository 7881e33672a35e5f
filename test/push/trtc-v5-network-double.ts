/**
 * The REAL trtc-sdk-v5 (5.17) with only its network clients replaced.
 *
 * A v5 `TRTC` object is built around a room (`TRTC._create(RoomClass, options)`; `TRTC.create` is
 * `_create` bound to the SDK's own room class). The room reaches Tencent through two clients: `schedule()` (an
 * HTTPS request to Tencent's scheduler, which answers with the signalling domains) and the signal channel (a
 * WebSocket carrying JSON commands — `join`, `publish` with the SDP offer, `start_publishing`, `leave` — and
 * Tencent's answers and pushes: `join-room-result`, `publish-result`, `start-publish-tencent-cdn-res`,
 * `client-banned`, …). This file subclasses the SDK's own room class and replaces exactly those two:
 * - `schedule()` answers as Tencent's scheduler would (no HTTP);
 * - the signal channel is {@link TencentSignalDouble}, handed to the room before its own `initialize()` runs, so
 *   the room adopts it (the SDK's keep-alive reuse path) and installs its REAL message handlers on it.
 * Everything else is the SDK's code: `TRTC.create` and its plugin manager, `enterRoom`'s checks and the join
 * request it builds (`buildJoinData`: userSig, privateMapKey, role, room, `bussinessInfo`), the local tracks'
 * capture and state machines, the uplink peer connection (its SDP offer is answered by a real
 * `RTCPeerConnection` in the page, so media really leaves the SDK's encoder), the CDNStreaming plugin (its checks,
 * its stream id and session id, its -10006 retries and the -102083 message), kick handling, `exitRoom`.
 *
 * What this cannot tell: whether Tencent accepts the UserSig or the room permission ticket, whether relayed push
 * is enabled for the application (Tencent answers -102083), what the CDN serves.
 */
import TRTC from 'trtc-sdk-v5';

// Errors only in the test log, and no log upload to Tencent (the one other request the SDK would make).
TRTC.setLogLevel(4, false);

/** One command the SDK sent to Tencent, in order. */
export interface SignalCommand {
  cmd: string;
  data: Record<string, unknown>;
}

/** Tencent's answer to one command: a code (0 = success) and a message, as its signalling server sends them. */
export interface TencentAnswer {
  code: number;
  message?: string;
}

type Emitter = {
  on(event: string, fn: (...args: never[]) => void, ctx?: unknown): Emitter;
  once(event: string, fn: (...args: never[]) => void, ctx?: unknown): Emitter;
  off(event: string, fn?: (...args: never[]) => void, ctx?: unknown): Emitter;
  emit(event: string, ...args: unknown[]): boolean;
  removeAllListeners(event?: string): Emitter;
};
type EmitterClass = new () => Emitter;

/** The SDK's own event emitter class (eventemitter3, the base of `TRTC`): the room listens with its API. */
const SdkEmitter: EmitterClass = (() => {
  let c: unknown = TRTC;
  while (Object.getPrototypeOf(c) !== Function.prototype) c = Object.getPrototypeOf(c);
  return c as EmitterClass;
})();

/** Numeric command ids of Tencent's answers (the SDK's table, `zt`), keyed by the event names its channel emits. */
const ANSWER = {
  'join-room-result': 20,
  'publish-result': 4098,
  'unpublish-result': 4100,
  'publish-state-change-result': 4112,
  'start-publish-tencent-cdn-res': 1286,
  'stop-publish-tencent-cdn-res': 1288,
  'update-remote-mute-stat': 23,
  'client-banned': 9,
} as const;
type AnswerEvent = keyof typeof ANSWER;

/** What each command is answered with (`undefined`: no answer, as for `leave` and quality reports). */
const ANSWERS: Readonly<Record<string, AnswerEvent>> = {
  join: 'join-room-result',
  publish: 'publish-result',
  unpublish: 'unpublish-result',
  publish_state_change: 'publish-state-change-result',
  start_publishing: 'start-publish-tencent-cdn-res',
  stop_publishing: 'stop-publish-tencent-cdn-res',
};

/** Publish flag bits of Tencent's user list (`UPDATE_REMOTE_MUTE_STAT`): audio, main video. */
const FLAG_AUDIO = 1 << 3;
const FLAG_VIDEO = 1 << 0;

/**
 * Stands in for the SDK's WebSocket signal channel AND the Tencent server at its other end. Commands are recorded
 * ({@link commands}); each is answered as Tencent answers it, or with a failure set by {@link failNext}.
 */
export class TencentSignalDouble extends SdkEmitter {
  readonly commands: SignalCommand[] = [];
  /** Commands Tencent has answered so far, in order. */
  readonly answered: string[] = [];
  /** The peer that answered the SDK's publish offer: media the SDK sends arrives here. */
  edge: RTCPeerConnection | null = null;
  readonly #failures = new Map<string, TencentAnswer>();
  /** Answers Tencent gives every time (e.g. an expired UserSig: the SDK's own join retry is refused too). */
  readonly refusals = new Map<string, TencentAnswer>();
  #seq = 0;
  #tinyId = 144115188075855872 + Math.floor(Math.random() * 1e6);
  #publishFlag = 0;
  delayMs = 0;
  /** Milliseconds Tencent takes to answer these commands (over {@link delayMs}). */
  readonly slow = new Map<string, number>();
  isConnected = true;
  isOnline = true;
  keepAlive = true;
  url = '';
  backupUrl = '';
  /** The room that adopted this channel (the SDK sets it). */
  room: { setSignalChannel(c: unknown): void; isLeft?: boolean } = { setSignalChannel: () => undefined };

  constructor(readonly userId: string) {
    super();
  }

  /** Makes Tencent answer the next `cmd` (e.g. `start_publishing`) with `answer`. */
  failNext(cmd: string, answer: TencentAnswer): void {
    this.#failures.set(cmd, answer);
  }

  command(cmd: string): SignalCommand | undefined {
    return this.commands.find((c) => c.cmd === cmd);
  }

  names(): string[] {
    return this.commands.map((c) => c.cmd).filter((c) => c !== 'quality_report');
  }

  // --- the SDK's signal channel API (what its room and connections call) ---
  connect(): Promise<void> {
    return Promise.resolve();
  }
  getSignalInfo(): Record<string, unknown> {
    return { clientIp: '127.0.0.1', signalIp: '127.0.0.1', relayIp: '127.0.0.1', tinyId: this.#tinyId };
  }
  getCurrentState(): string {
    return this.isConnected ? 'CONNECTED' : 'DISCONNECTED';
  }
  stopKeepAliveIn(): void {}
  close(): void {
    this.isConnected = false;
    this.emit('7'); // ye.CLOSE: pending requests end with API_CALL_ABORTED, as on the real channel
  }
  destroy(): void {
    this.close();
  }

  send(cmd: string, data: Record<string, unknown> = {}): number | undefined {
    if (!this.isConnected || this.room.isLeft) return undefined;
    const seq = ++this.#seq;
    this.commands.push({ cmd, data });
    void this.#serve(cmd, data, seq);
    return seq;
  }

  sendWaitForResponse(o: {
    command: string;
    data?: Record<string, unknown>;
    timeout?: number;
    responseCommand: string;
  }): Promise<{ data: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const onClose = (): void => {
        this.off(o.responseCommand, onAnswer);
        reject(Object.assign(new Error(`${o.command} aborted due to connection closed`), { code: 5998 }));
      };
      const onAnswer = (msg: { data: { seq: number } }): void => {
        if (msg.data.seq !== seq) return;
        this.off(o.responseCommand, onAnswer);
        this.off('7', onClose);
        resolve(msg);
      };
      this.once('7', onClose);
      this.on(o.responseCommand, onAnswer);
      const seq = this.send(o.command, o.data);
    });
  }

  sendWaitForResponseWithRetry(o: {
    command: string;
    data?: Record<string, unknown>;
    responseCommand: string;
  }): Promise<{ data: Record<string, unknown> }> {
    return this.sendWaitForResponse(o);
  }

  // --- Tencent's side ---
  /** Tencent removes this user: `reason` as Tencent sends it (`kick`: the same user id entered elsewhere). */
  ban(reason: 'kick' | 'banned' | 'room_disband'): void {
    this.#push('client-banned', 0, '', { reason });
  }

  /** The signalling connection is lost for good (the SDK's channel gave up reconnecting). */
  lose(): void {
    this.emit('4', Object.assign(new Error('signal channel reconnection failed'), { code: 5501 }));
  }

  #push(event: AnswerEvent, code: number, message: string, data: unknown, seq = 0): void {
    // As the SDK's channel emits a parsed message: { data: { cmd, code, message, data, seq, tinyId } }.
    this.emit(event, { data: { cmd: ANSWER[event], code, message, data, seq, tinyId: this.#tinyId } });
  }

  async #serve(cmd: string, data: Record<string, unknown>, seq: number): Promise<void> {
    const event = ANSWERS[cmd];
    if (!event) return;
    const delay = this.slow.get(cmd) ?? this.delayMs;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (!this.isConnected) return; // the channel closed meanwhile: no answer reaches the SDK
    this.answered.push(cmd);
    await Promise.resolve();
    const failure = this.#failures.get(cmd) ?? this.refusals.get(cmd);
    if (failure) {
      this.#failures.delete(cmd);
      this.#push(event, failure.code, failure.message ?? `${cmd} refused`, {}, seq);
      return;
    }
    switch (cmd) {
      case 'join':
        this.#push(event, 0, '', { publishers: [], iceServer: null, ability: {} }, seq);
        return;
      case 'publish': {
        const answer = await this.#answer(data);
        this.#push(event, 0, '', answer, seq);
        this.#listPublisher(data.state);
        return;
      }
      case 'publish_state_change':
        this.#push(event, 0, '', {}, seq);
        this.#listPublisher(data.state);
        return;
      default:
        this.#push(event, 0, '', {}, seq);
    }
  }

  /**
   * Tencent lists this user as publishing what its last publish state declared: the flag the SDK's tracks wait
   * for before they report "started".
   */
  #listPublisher(state: unknown): void {
    const st = (state ?? {}) as { audio?: boolean; bigVideo?: boolean };
    const flag = (st.audio ? FLAG_AUDIO : 0) | (st.bigVideo ? FLAG_VIDEO : 0);
    if (flag === this.#publishFlag) return;
    this.#publishFlag = flag;
    this.#push('update-remote-mute-stat', 0, '', {
      userList: [{ userId: this.userId, srcTinyId: this.#tinyId, flag }],
    });
  }

  /** Answers the SDK's publish offer with a real peer in the page (Tencent's media edge, here). */
  async #answer(data: Record<string, unknown>): Promise<{ type: 'answer'; sdp: string }> {
    this.edge?.close();
    const pc = new RTCPeerConnection();
    this.edge = pc;
    // The SDK munges its offer for Tencent's edge (one header extension id reused across the bundled m-lines),
    // which Chromium refuses as an answerer; the edge negotiates no header extensions instead.
    const offer = String(data.sdp).replace(/^a=extmap:.*\r\n/gm, '');
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((r) => {
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r());
        setTimeout(r, 2000);
      });
    }
    return { type: 'answer', sdp: pc.localDescription?.sdp ?? '' };
  }
}

type TrtcStatic = typeof TRTC;
type RoomClass = new (options: Record<string, unknown>) => object;
type TrtcWithRoom = TrtcStatic & {
  _create(room: RoomClass, options: Record<string, unknown>): ReturnType<TrtcStatic['create']>;
};

/** The SDK's own room class, taken from a TRTC object it builds (destroyed at once; nothing reaches the network). */
const RealRoom: RoomClass = (() => {
  const probe = TRTC.create() as unknown as { room: object; destroy(): void };
  const room = probe.room.constructor as RoomClass;
  probe.destroy();
  return room;
})();

export class TrtcV5NetworkDouble {
  /** The signal channel of each TRTC object the code under test created, in order. */
  readonly channels: TencentSignalDouble[] = [];
  /** The options each `TRTC.create` was called with. */
  readonly created: Record<string, unknown>[] = [];
  /** Tracks the SDK swapped into its uplink (a device switch), in order: recorded on the way through. */
  readonly replacedTracks: MediaStreamTrack[] = [];
  /** Scheduler requests (one per join). */
  schedules = 0;

  get channel(): TencentSignalDouble {
    const c = this.channels.at(-1);
    if (!c) throw new Error('no TRTC object has joined a room yet');
    return c;
  }

  /** The SDK module handed to the provider: the real one, with `create` building rooms of {@link room}. */
  readonly module: TrtcStatic;

  readonly #pending: ((c: TencentSignalDouble) => void)[] = [];

  /** Tencent refuses every `cmd` with `answer`, on every channel (a retry gets the same answer). */
  refuse(cmd: string, answer: TencentAnswer): void {
    this.#refusals.set(cmd, answer);
  }
  readonly #refusals = new Map<string, TencentAnswer>();

  /** Runs `fn` on the next channel created (to fail its first command). */
  onNextChannel(fn: (c: TencentSignalDouble) => void): void {
    this.#pending.push(fn);
  }

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const double = this;
    class RoomOverNetworkDouble extends (RealRoom as new (o: Record<string, unknown>) => {
      userId: string;
      signalChannel: unknown;
      scheduleResult: Record<string, unknown>;
      enableSPC: boolean;
      initialize(e?: unknown): Promise<unknown>;
      replaceTrack(track: { mediaTrack?: MediaStreamTrack }): Promise<unknown>;
    }) {
      constructor(options: Record<string, unknown>) {
        super(options);
        // One peer connection per direction (the SDK's fallback when single-PC is unavailable): the uplink's
        // offer then comes as the `publish` command, answered by the double's edge peer.
        this.enableSPC = false;
      }
      /** Tencent's scheduler (HTTPS): answers with a config and no signalling domain. */
      schedule(): Promise<void> {
        double.schedules += 1;
        this.scheduleResult = { ...this.scheduleResult, config: {}, domains: [] };
        return Promise.resolve();
      }
      override replaceTrack(track: { mediaTrack?: MediaStreamTrack }): Promise<unknown> {
        if (track.mediaTrack) double.replacedTracks.push(track.mediaTrack);
        return super.replaceTrack(track);
      }
      override initialize(e?: unknown): Promise<unknown> {
        if (!this.signalChannel) {
          const channel = new TencentSignalDouble(this.userId);
          for (const [cmd, answer] of double.#refusals) channel.refusals.set(cmd, answer);
          double.channels.push(channel);
          double.#pending.splice(0).forEach((fn) => fn(channel));
          this.signalChannel = channel;
        }
        return super.initialize(e);
      }
    }
    const Room = RoomOverNetworkDouble as unknown as RoomClass;
    this.module = Object.create(TRTC, {
      create: {
        value: (options: Record<string, unknown> = {}) => {
          this.created.push(options);
          return (TRTC as TrtcWithRoom)._create(Room, options);
        },
      },
    }) as TrtcStatic;
  }
}
