/**
 * The `local` provider: the project's local relay server (`server/relay/`, contract in `server/API.md`).
 *
 * start: `POST /api/streams` → WHIP to `/whip/{id}` (real time; H.264 passed through) or, where WebRTC cannot
 * connect (or `transport="websocket"`), the ingest WebSocket fed `MediaRecorder` WebM chunks (250 ms) →
 * `POST /api/streams/{id}/relay` → play URLs (with the relay's WHEP URL first for a WHIP push). stop: stop the recorder → `DELETE …/relay` (recordings are
 * finalised) → `DELETE /api/streams/{id}` → close the socket. A socket closed by anyone but us while live is a
 * lost ingest: the provider releases the backend and fires {@link PushProviderEvents.ERROR}.
 *
 * Config: `endpoint` — the relay's base URL (default: the page's origin); for a relay with `RELAY_PUSH_KEY`,
 * `credentialEndpoint` or `txSecret` + `txTime` (see `credentials.ts`): `txSecret`/`txTime` then go on every
 * request URL for the stream, the ingest socket's included.
 *
 * This module is fetched on the first local start (lazy module `local-provider`, see `lazy-provider.ts`);
 * `local-provider.ts` registers the small shell that loads it.
 */
import { ErrorCodes, RelayError, toErrorInfo } from '../../contract/errors.js';
import type { PlayUrl } from '../../contract/types.js';
import { WhipPublisher } from '../../webrtc/whip-publisher.js';
import { resolvePushCredentials, withCredentials, type PushCredentials } from '../credentials.js';
import { requestJson } from '../http.js';
import type { LazyProviderModule } from '../lazy-provider.js';
import type { PushOptions } from '../options.js';
import {
  BasePushProvider,
  cancelledError,
  configString,
  type PushProviderConfig,
  type PushResult,
  type PushTransport,
} from '../provider.js';

/** MediaRecorder timeslice: small, so the relay sees data (and a keyframe) quickly. */
const TIMESLICE_MS = 250;
/** How long the ingest socket may take to open. */
const OPEN_TIMEOUT_MS = 10000;

interface CreateStreamAnswer {
  streamId: string;
  /** `whip`: the stream's WHIP URL, where the relay takes WebRTC ingest. */
  ingest: { kind: 'websocket' | 'whip'; url: string; mimeType?: string; whip?: string };
}

/**
 * The first WebM type this browser can record, preferring the relay's wish, then H.264: the relay copies H.264
 * as it comes (no re-encode), while VP8/VP9 cost it a transcode.
 */
export function pickMimeType(audioOnly: boolean, preferred?: string): string | undefined {
  const candidates = audioOnly
    ? ['audio/webm;codecs=opus', 'audio/webm']
    : [
        'video/webm;codecs=h264,opus',
        'video/webm;codecs=vp8,opus',
        'video/webm;codecs=vp9,opus',
        'video/webm',
      ];
  const list = preferred ? [preferred, ...candidates] : candidates;
  return list.find((t) => typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(t));
}

/**
 * Record ids are strings; a digits-only one without leading zeros goes as a JSON integer, which every relay
 * version accepts (newer ones stringify it back), so nothing is lost either way.
 */
function relayRecordId(recordId: string): string | number {
  return /^(0|[1-9]\d{0,14})$/.test(recordId) ? Number(recordId) : recordId;
}

/** Keyframe interval asked of the recorder: a viewer joining the relay starts on a GOP at most this old. */
export const KEYFRAME_INTERVAL_MS = 1000;

/**
 * MediaRecorder options for `mimeType`: a keyframe every second (`videoKeyFrameIntervalDuration`, Chromium 127+;
 * other browsers ignore it), since a copied H.264 stream keeps the browser's GOP.
 */
export function recorderOptions(mimeType: string): MediaRecorderOptions {
  return { mimeType, videoKeyFrameIntervalDuration: KEYFRAME_INTERVAL_MS } as MediaRecorderOptions;
}

/** Resolves a possibly relative URL against the endpoint; `http(s)` becomes `ws(s)` when `ws` is set. */
function resolveAgainst(url: string, base: string, ws = false): string {
  const u = new URL(url, base);
  if (ws && (u.protocol === 'http:' || u.protocol === 'https:'))
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
}

export class LocalPushProvider extends BasePushProvider {
  readonly name = 'local';
  readonly endpoint: string;
  readonly #config: PushProviderConfig;
  #credentials: PushCredentials | null = null;
  #streamId: string | null = null;
  #ws: WebSocket | null = null;
  #recorder: MediaRecorder | null = null;
  #publisher: WhipPublisher | null = null;
  #stopping = false;
  /** Why the start in progress must fail, when something other than the caller ended it. */
  #startFailure: RelayError | null = null;

  constructor(config: PushProviderConfig) {
    super();
    this.#config = config;
    this.endpoint =
      configString(config, 'endpoint') ?? globalThis.location?.origin ?? 'http://127.0.0.1:8080';
  }

  /** A relay API URL, carrying the push credentials when there are any. */
  #api(path: string): string {
    const url = new URL(path, this.endpoint.endsWith('/') ? this.endpoint : `${this.endpoint}/`).href;
    return withCredentials(url, this.#credentials);
  }

  start(options: PushOptions, media: MediaStream, signal?: AbortSignal): Promise<PushResult> {
    this.#stopping = false;
    this.#startFailure = null;
    return this.runStart(
      signal,
      (aborted) => this.#start(options, media, aborted),
      async (err, aborted) => {
        await this.#release();
        return this.#startFailure ?? (aborted ? cancelledError() : err);
      },
    );
  }

  async #start(options: PushOptions, media: MediaStream, signal: AbortSignal): Promise<PushResult> {
    this.#credentials = await resolvePushCredentials(this.#config, options.streamId, signal);
    if (signal.aborted) throw cancelledError();
    const streamId = this.#credentials?.streamId ?? options.streamId;
    const transport = this.#transport();
    let created = await this.#create(streamId, options.audioOnly);
    if (signal.aborted) throw cancelledError();
    let used: PushTransport = 'websocket';
    if (transport === 'webrtc' && !created.ingest?.whip)
      throw new RelayError(
        'push',
        ErrorCodes.INGEST_FAILED,
        `The relay at ${this.endpoint} offers no WHIP ingest; use transport="auto" or "websocket".`,
      );
    if (transport !== 'websocket' && created.ingest?.whip) {
      try {
        await this.#publish(created.ingest.whip, created, media, signal);
        used = 'webrtc';
      } catch (err) {
        if (transport === 'webrtc' || signal.aborted) throw err;
        this.#publisher = null;
        // WHIP could not be used (no WebRTC here, a relay without WHIP): the WebSocket ingest on the same stream.
        // A WHIP session the relay took that then could not connect (UDP blocked) leaves a stream that had an
        // ingest, which takes no second one: a fresh stream then.
        const code = (err as Partial<RelayError>).code;
        if (code === ErrorCodes.WEBRTC_FAILED || code === ErrorCodes.BAD_ANSWER) {
          await requestJson(this.#api(`api/streams/${encodeURIComponent(created.streamId)}`), {
            method: 'DELETE',
          }).catch(() => undefined);
          this.#streamId = null;
          created = await this.#create(streamId, options.audioOnly);
          if (signal.aborted) throw cancelledError();
        }
      }
    }
    if (used === 'websocket') await this.#ingestOverSocket(created, options, media, signal);

    const relay = await requestJson<PushResult>(
      this.#api(`api/streams/${encodeURIComponent(created.streamId)}/relay`),
      {
        method: 'POST',
        body: {
          encode: options.encode,
          recordFileTypes: options.recordFileTypes,
          ...(options.recordId !== null ? { recordId: relayRecordId(options.recordId) } : {}),
          audioOnly: options.audioOnly,
        },
        signal,
      },
    );
    if (signal.aborted) throw cancelledError();
    const urls: PlayUrl[] = (relay.urls ?? [])
      // Over the WebSocket ingest, this page could not (or chose not to) use WebRTC: its followers would try the
      // relay's WHEP URL first and wait for it to fail. The relay still serves WHEP for the stream to others.
      .filter((u) => used !== 'websocket' || u.encode !== 'webrtc')
      .map((u) => ({
        ...u,
        url: /^[a-z][a-z0-9+.-]*:/i.test(u.url) ? u.url : resolveAgainst(u.url, this.endpoint),
      }));
    const id = relay.streamId ?? created.streamId;
    if (used === 'webrtc' && !urls.some((u) => u.encode === 'webrtc')) {
      // the relay's WHEP output of this WHIP push, with the play credential the FLV URL carries (if any)
      const flv = urls.find((u) => u.encode === 'flv');
      const whep = new URL(`whep/${encodeURIComponent(id)}`, this.#base());
      if (flv) whep.search = new URL(flv.url).search;
      urls.push({ encode: 'webrtc', url: whep.href }); // the requested protocol stays first
    }
    return { streamId: id, urls, transport: used };
  }

  #base(): string {
    return this.endpoint.endsWith('/') ? this.endpoint : `${this.endpoint}/`;
  }

  /** `transport`: `auto` (WHIP where it connects, else the WebSocket ingest), `webrtc` or `websocket`. */
  #transport(): 'auto' | PushTransport {
    const t = (configString(this.#config, 'transport') ?? 'auto').toLowerCase();
    if (t === 'auto' || t === 'webrtc' || t === 'websocket') return t;
    throw new RelayError(
      'push',
      ErrorCodes.INVALID_OPTIONS,
      `transport="${t}" is not one of auto, webrtc, websocket.`,
    );
  }

  async #create(streamId: string | null | undefined, audioOnly: boolean): Promise<CreateStreamAnswer> {
    // Not abortable: a stream the relay creates must become known here so that it can be deleted; a Stop
    // during this request takes effect as soon as it answers.
    const created = await requestJson<CreateStreamAnswer>(this.#api('api/streams'), {
      method: 'POST',
      body: { ...(streamId ? { streamId } : {}), audioOnly },
    });
    this.#streamId = created.streamId;
    return created;
  }

  /** WHIP to the relay's `/whip/{id}`, authorised by the push credential (or the stream's ingest token). */
  async #publish(
    whip: string,
    created: CreateStreamAnswer,
    media: MediaStream,
    signal: AbortSignal,
  ): Promise<void> {
    const c = this.#credentials;
    const token = c
      ? `${c.txTime}.${c.txSecret}`
      : (new URL(created.ingest.url, this.#base()).searchParams.get('token') ?? undefined);
    const publisher = await WhipPublisher.publish(media, {
      endpoint: new URL(whip, this.#base()).href,
      token,
      signal,
      onLost: (err) => this.#lost(publisher, err),
    });
    this.#publisher = publisher;
  }

  #lost(publisher: WhipPublisher, lost: RelayError): void {
    if (publisher !== this.#publisher || this.#stopping) return;
    // the same failure as a lost ingest socket: the connection that carries the camera to the relay is gone
    this.#ingestLost(this.#ingestError(`(WebRTC) was lost: ${lost.message}`));
  }

  /** The ingest is gone (socket closed, WebRTC lost): fails the start in progress, or ends the live push. */
  #ingestLost(err: RelayError): void {
    if (this.starting) {
      // Fails the start in progress: its rejection path releases everything.
      this.#startFailure = err;
      this.abortStart();
      return;
    }
    void this.#release().then(() => {
      this.setState('idle');
      this.fail(toErrorInfo(err, 'relay', ErrorCodes.INGEST_FAILED));
    });
  }

  /** The WebSocket ingest: the socket, then `MediaRecorder` WebM chunks; resolves once the first went out. */
  async #ingestOverSocket(
    created: CreateStreamAnswer,
    options: PushOptions,
    media: MediaStream,
    signal: AbortSignal,
  ): Promise<void> {
    if (created.ingest?.kind !== 'websocket') {
      throw new RelayError(
        'push',
        ErrorCodes.INGEST_FAILED,
        `The relay offers "${String(created.ingest?.kind)}" ingest, which this provider does not speak (it needs "websocket").`,
      );
    }
    const mimeType = pickMimeType(options.audioOnly, created.ingest.mimeType);
    if (!mimeType) {
      throw new RelayError(
        'push',
        ErrorCodes.UNSUPPORTED_BROWSER,
        'This browser cannot record WebM, which the relay needs. Use a current Chromium, Chrome, Edge or Firefox.',
      );
    }
    const ingestUrl = withCredentials(
      resolveAgainst(created.ingest.url, this.endpoint, true),
      this.#credentials,
    );
    const ws = await this.#openSocket(ingestUrl, signal);
    const firstChunk = this.#record(media, mimeType, ws);
    await Promise.race([firstChunk, this.#abortPromise(signal)]);
  }

  #abortPromise(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => {
      if (signal.aborted) reject(cancelledError());
      signal.addEventListener('abort', () => reject(cancelledError()), { once: true });
    });
  }

  #openSocket(url: string, signal: AbortSignal): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      this.#ws = ws;
      const timer = setTimeout(() => done(this.#ingestError('did not open in time')), OPEN_TIMEOUT_MS);
      const onAbort = (): void => done(cancelledError());
      const done = (err?: RelayError): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        ws.removeEventListener('open', onOpen);
        ws.removeEventListener('close', onClose);
        if (err) reject(err);
        else resolve(ws);
      };
      const onOpen = (): void => {
        ws.addEventListener('close', (ev) => this.#onSocketClosed(ws, ev));
        done();
      };
      const onClose = (ev: CloseEvent): void =>
        done(this.#ingestError(ev.reason ? `closed: ${ev.reason} (${ev.code})` : `closed (${ev.code})`));
      ws.addEventListener('open', onOpen);
      ws.addEventListener('close', onClose);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #ingestError(detail: string): RelayError {
    return new RelayError(
      'relay',
      ErrorCodes.INGEST_FAILED,
      `The connection that carries the camera to the relay ${detail}. Check the network and the relay, then press Start again.`,
    );
  }

  /** Starts the recorder; resolves once the first chunk went out. */
  #record(media: MediaStream, mimeType: string, ws: WebSocket): Promise<void> {
    const recorder = new MediaRecorder(media, recorderOptions(mimeType));
    this.#recorder = recorder;
    return new Promise((resolve, reject) => {
      recorder.addEventListener('dataavailable', (ev: BlobEvent) => {
        if (ev.data.size === 0 || ws.readyState !== WebSocket.OPEN) return;
        ws.send(ev.data);
        resolve();
      });
      recorder.addEventListener('error', () => reject(this.#ingestError('lost its recorder')));
      // when the recording's timestamp 0 was captured (this page's clock): viewers' latency counts from it
      recorder.addEventListener('start', () => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ clock: Date.now() }));
      });
      recorder.start(TIMESLICE_MS);
    });
  }

  #onSocketClosed(ws: WebSocket, ev: CloseEvent): void {
    if (ws !== this.#ws || this.#stopping) return;
    this.#ingestLost(
      this.#ingestError(ev.reason ? `was closed: ${ev.reason} (${ev.code})` : `was closed (${ev.code})`),
    );
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.cancelStart();
    if (!this.#streamId) return;
    this.setState('stopping');
    await this.#release(true);
    this.setState('idle');
  }

  /** Releases everything; with `graceful`, ends the relay first so recordings are finalised. */
  async #release(graceful = false): Promise<void> {
    this.#stopping = true;
    const recorder = this.#recorder;
    const ws = this.#ws;
    const publisher = this.#publisher;
    const streamId = this.#streamId;
    this.#publisher = null;
    this.#recorder = null;
    this.#streamId = null;
    if (recorder && recorder.state !== 'inactive') {
      const last = new Promise<void>((r) => recorder.addEventListener('stop', () => r(), { once: true }));
      recorder.stop();
      await Promise.race([last, new Promise((r) => setTimeout(r, 1000))]);
    }
    if (streamId) {
      const id = encodeURIComponent(streamId);
      if (graceful) {
        await requestJson(this.#api(`api/streams/${id}/relay`), { method: 'DELETE' }).catch(
          (err: unknown) => {
            this.fail(toErrorInfo(err, 'relay', ErrorCodes.BACKEND_REJECTED));
          },
        );
      }
      // the WHIP session ends after the relay (its recordings are finalised by then), before the stream
      await publisher?.close();
      await requestJson(this.#api(`api/streams/${id}`), { method: 'DELETE' }).catch(() => undefined);
    }
    await publisher?.close();
    if (ws && ws.readyState !== WebSocket.CLOSED) ws.close(1000, 'push stopped');
    if (this.#ws === ws) this.#ws = null;
    this.#credentials = null;
  }
}

const localProvider: LazyProviderModule = () => (config) => new LocalPushProvider(config);
export default localProvider;
