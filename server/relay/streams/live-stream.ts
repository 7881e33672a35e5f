/**
 * One stream known to the relay: its ingest (WebSocket → transcoder) and its relay session when one runs. The
 * registry and the routes change it only through these methods.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { Transcoder } from '../ingest/transcoder.ts';
import type { FfmpegExit } from '../relay/ffmpeg.ts';
import type { FlvHub } from '../relay/flv-hub.ts';
import type { RelaySession } from '../relay/relay-session.ts';

/** What an ingest feeds the relay through: the WebSocket ingest's transcoder, or a WHIP push (`webrtc/`). */
export interface IngestPipeline {
  readonly hub: FlvHub;
  readonly exited: Promise<FfmpegExit>;
  readonly pid: number | undefined;
  /** `POST /whep/{id}` forwards this ingest's RTP as received (an H.264 WHIP push); others are packetised from the hub. */
  readonly playsOverWhep?: boolean;
  /** No more input: flush what was received and exit. */
  end(): void;
  kill(): void;
}

export type IngestState = 'waiting' | 'ingesting' | 'ended';

export class LiveStream {
  readonly token = randomBytes(16).toString('hex');
  readonly createdAt = Date.now();
  #ingest: IngestState = 'waiting';
  #socket: WebSocket | null = null;
  #transcoder: IngestPipeline | null = null;
  #relay: RelaySession | null = null;
  #baseUrl = '';
  #endedAt: number | null = null;
  #lastError: string | null = null;

  constructor(
    readonly id: string,
    readonly audioOnly: boolean,
  ) {}

  get ingest(): IngestState {
    return this.#ingest;
  }

  get transcoder(): IngestPipeline | null {
    return this.#transcoder;
  }

  get relay(): RelaySession | null {
    return this.#relay;
  }

  /** Public base URL (scheme://host) seen when the relay started; used for URLs in callbacks. */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** Why ingest or relay ended abnormally, if it did. */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** Starts the transcoder for a freshly connected ingest socket. */
  startIngest(socket: WebSocket): Transcoder {
    this.#ingest = 'ingesting';
    this.#socket = socket;
    const tc = new Transcoder(this.audioOnly);
    this.#transcoder = tc;
    return tc;
  }

  /** An ingest that arrived another way (a WHIP push) starts with its own pipeline. */
  attachIngest(pipeline: IngestPipeline): void {
    this.#ingest = 'ingesting';
    this.#transcoder = pipeline;
  }

  /** The transcoder exited: the ingest is over (`error` says why, when it failed). */
  ingestEnded(error: string | null): void {
    this.#ingest = 'ended';
    this.#endedAt = Date.now();
    if (error !== null && this.#lastError === null) this.#lastError = error;
  }

  /** Records why the ingest or the relay failed (the first reason is kept). */
  fail(why: string): void {
    this.#lastError = why;
  }

  /** Closes the ingest socket (if open) with `code` and lets the transcoder flush what it got. */
  endIngest(code: number, reason: string): void {
    if (this.#socket && this.#socket.readyState <= 1) this.#socket.close(code, reason.slice(0, 120));
    this.#transcoder?.end();
  }

  /** Waits for the transcoder to exit, killing it if it has not after `graceMs`. */
  async transcoderExited(graceMs: number): Promise<void> {
    const t = this.#transcoder;
    if (!t) return;
    const timer = setTimeout(() => t.kill(), graceMs);
    await t.exited;
    clearTimeout(timer);
  }

  /** The relay of this stream starts, reached at `baseUrl`. */
  attachRelay(relay: RelaySession, baseUrl: string): void {
    this.#relay = relay;
    this.#baseUrl = baseUrl;
  }

  /** Takes the running relay off this stream (null when none runs). */
  detachRelay(): RelaySession | null {
    const relay = this.#relay;
    this.#relay = null;
    return relay;
  }

  /** True when the stream ended (or never got an ingest) more than `ttlMs` ago and may be forgotten. */
  expired(ttlMs: number, now = Date.now()): boolean {
    if (this.#ingest === 'ended') return !this.#relay && now - (this.#endedAt ?? now) > ttlMs;
    return this.#ingest === 'waiting' && now - this.createdAt > ttlMs;
  }
}

export function newStreamId(): string {
  return `s_${randomBytes(6).toString('hex')}`;
}
