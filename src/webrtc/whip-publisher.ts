/**
 * Publishing a `MediaStream` over WHIP (RFC 9725): the peer half, shared by the `whip` provider (any WHIP server)
 * and the `local` provider (the local relay's `/whip/{id}`). The HTTP half is `sdp-resource.ts`.
 *
 * - H.264 first (constrained baseline 42e01f / baseline 42001f, then the rest; Opus for audio): servers and the
 *   local relay pass H.264 through into FLV, HLS and recordings without re-encoding.
 * - `degradationPreference: 'maintain-resolution'`: under CPU pressure Chromium otherwise drops the resolution
 *   mid-stream, which broke a recorder in the field notes; frames are dropped instead.
 * - The offer carries every candidate (gathering awaited, bounded): works with servers without trickle `PATCH`.
 * - A dropped connection is restarted by an ICE restart `PATCH` where the server supports it; otherwise, or when
 *   that fails, `onLost` is called once and the caller ends the push.
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';
import { exchangeSdp, gatheredOffer, restartSessionIce, type SdpResource } from './sdp-resource.js';

/** How long the peer may take to connect once the server answered (UDP blocked: fail, so a fallback can run). */
const CONNECT_TIMEOUT_MS = 6000;
/** How long `disconnected` may last before an ICE restart is tried. */
const DISCONNECTED_GRACE_MS = 2000;

export interface WhipPublishOptions {
  readonly endpoint: string;
  readonly token?: string;
  readonly signal?: AbortSignal;
  /** Bound of the offer `POST` (default 10 s). */
  readonly timeoutMs?: number;
  /** ICE servers the page gave (else the server's `Link` headers, for restarts). */
  readonly iceServers?: RTCIceServer[];
  /** Called once when the connection is lost for good (the push is over). */
  readonly onLost?: (err: RelayError) => void;
}

/** Puts H.264 (baseline profiles first) ahead of the other video codecs; Opus ahead for audio. */
function preferCodecs(t: RTCRtpTransceiver, kind: string): void {
  const caps = typeof RTCRtpSender.getCapabilities === 'function' ? RTCRtpSender.getCapabilities(kind) : null;
  if (!caps || typeof t.setCodecPreferences !== 'function') return;
  const rank = (c: RTCRtpCodec): number => {
    const mime = c.mimeType.toLowerCase();
    if (kind === 'audio') return mime === 'audio/opus' ? 0 : 1;
    if (mime !== 'video/h264') return /rtx|red|ulpfec/.test(mime) ? 3 : 2;
    return /profile-level-id=42e01f/i.test(c.sdpFmtpLine ?? '')
      ? 0
      : /profile-level-id=4200/i.test(c.sdpFmtpLine ?? '')
        ? 0.5
        : 1;
  };
  const codecs = [...caps.codecs].sort((a, b) => rank(a) - rank(b));
  try {
    t.setCodecPreferences(codecs);
  } catch {
    // a browser that refuses the list keeps its own order: the server still picks from the offer
  }
}

export class WhipPublisher {
  #pc: RTCPeerConnection;
  #resource: SdpResource | null = null;
  #closed = false;
  #restarting = false;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #senders = new Map<string, RTCRtpSender>();

  private constructor(
    private readonly media: MediaStream,
    private readonly o: WhipPublishOptions,
  ) {
    this.#pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceServers: o.iceServers ?? [] });
  }

  /** The session's resource URL on the server. */
  get resourceUrl(): string | null {
    return this.#resource?.url ?? null;
  }

  /**
   * Publishes `media` to `o.endpoint`; resolves once the peer is connected. Rejects with a `RelayError` (see
   * `exchangeSdp` for the HTTP failures; `WEBRTC_FAILED` when the connection could not be made), having released
   * everything (the server's session included).
   */
  static async publish(media: MediaStream, o: WhipPublishOptions): Promise<WhipPublisher> {
    if (typeof RTCPeerConnection === 'undefined')
      throw new RelayError(
        'push',
        ErrorCodes.UNSUPPORTED_BROWSER,
        'This browser has no WebRTC (RTCPeerConnection).',
      );
    const p = new WhipPublisher(media, o);
    try {
      await p.#open();
      return p;
    } catch (err) {
      await p.close();
      throw err;
    }
  }

  async #open(): Promise<void> {
    const pc = this.#pc;
    for (const track of this.media.getTracks()) {
      const t = pc.addTransceiver(track, { direction: 'sendonly', streams: [this.media] });
      preferCodecs(t, track.kind);
      this.#senders.set(track.kind, t.sender);
      if (track.kind === 'video') {
        const params = t.sender.getParameters();
        params.degradationPreference = 'maintain-resolution';
        await t.sender.setParameters(params).catch(() => undefined);
      }
    }
    const resource = await exchangeSdp(await gatheredOffer(pc), {
      protocol: 'WHIP',
      module: 'push',
      endpoint: this.o.endpoint,
      token: this.o.token,
      timeoutMs: this.o.timeoutMs,
      signal: this.o.signal,
    });
    this.#resource = resource;
    if (!this.o.iceServers?.length && resource.iceServers.length)
      pc.setConfiguration({ ...pc.getConfiguration(), iceServers: resource.iceServers });
    await pc.setRemoteDescription({ type: 'answer', sdp: resource.answer });
    await this.#connected();
    pc.addEventListener('connectionstatechange', this.#watch);
  }

  #connected(): Promise<void> {
    const pc = this.#pc;
    const host = new URL(this.o.endpoint, globalThis.location?.href).host;
    return new Promise((resolve, reject) => {
      const done = (err?: RelayError): void => {
        clearTimeout(timer);
        pc.removeEventListener('connectionstatechange', check);
        this.o.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const failed = (why: string): RelayError =>
        new RelayError(
          'push',
          ErrorCodes.WEBRTC_FAILED,
          `The WebRTC connection to ${host} ${why} (UDP may be blocked).`,
        );
      const check = (): void => {
        if (pc.connectionState === 'connected') done();
        else if (pc.connectionState === 'failed') done(failed('could not be made: ICE failed'));
      };
      const onAbort = (): void =>
        done(new RelayError('push', ErrorCodes.START_CANCELLED, 'The WHIP push was cancelled.'));
      const timer = setTimeout(
        () => done(failed(`was not made within ${CONNECT_TIMEOUT_MS / 1000} s`)),
        CONNECT_TIMEOUT_MS,
      );
      pc.addEventListener('connectionstatechange', check);
      this.o.signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  readonly #watch = (): void => {
    const state = this.#pc.connectionState;
    clearTimeout(this.#graceTimer);
    if (this.#closed) return;
    if (state === 'failed') void this.#recover();
    else if (state === 'disconnected')
      this.#graceTimer = setTimeout(() => void this.#recover(), DISCONNECTED_GRACE_MS);
  };

  async #recover(): Promise<void> {
    if (this.#closed || this.#restarting) return;
    this.#restarting = true;
    const pc = this.#pc;
    const res = this.#resource;
    let ok = false;
    try {
      if (res && (await restartSessionIce(pc, res))) {
        await this.#connected();
        ok = true;
      }
    } catch {
      ok = false;
    } finally {
      this.#restarting = false;
    }
    if (ok || this.#closed) return;
    const host = new URL(this.o.endpoint, globalThis.location?.href).host;
    this.o.onLost?.(
      new RelayError(
        'push',
        ErrorCodes.WEBRTC_FAILED,
        `The WebRTC connection to ${host} was lost${res?.patchable === false ? ' (the server does not support ICE restarts)' : ''}. Press Start to push again.`,
      ),
    );
  }

  /** Swaps the published audio or video track for `track` (a device switch); the session goes on. */
  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    const sender = this.#senders.get(track.kind);
    if (!sender)
      throw new RelayError(
        'push',
        ErrorCodes.SWITCH_UNSUPPORTED,
        `This push has no ${track.kind} to switch.`,
      );
    await sender.replaceTrack(track);
  }

  /** Ends the session on the server (`DELETE`) and closes the peer. Safe twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#graceTimer);
    this.#pc.removeEventListener('connectionstatechange', this.#watch);
    const res = this.#resource;
    this.#resource = null;
    this.#pc.close();
    if (res) await res.delete();
  }
}
