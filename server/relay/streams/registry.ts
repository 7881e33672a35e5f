/**
 * The streams the relay knows, and everything held against the caps for them: creating and forgetting streams,
 * starting and stopping their relays (journalling each push's callbacks in the outbox), the sweep that forgets
 * streams ended long ago, and the shutdown that ends them all. The one owner of the relay's mutable state; the
 * routes and the ingest receive it as an option.
 */
import { ErrorCodes } from '../../../src/contract/errors.ts';
import type { Recording } from '../../../src/contract/events.ts';
import type { TxCredential } from '../../shared/tx-secret.ts';
import { relayError } from '../../shared/http-error.ts';
import type { RelayAuth } from '../http/auth.ts';
import { DEFAULT_LIMITS, LIMIT_ENV, Quota, type RelayLimits } from './limits.ts';
import { LiveStream } from './live-stream.ts';
import { isValidStreamId, type RelayOptions } from './relay-options.ts';
import { RelaySession } from '../relay/relay-session.ts';
import type { FlvHub } from '../relay/flv-hub.ts';
import type { FinishedFile } from '../recordings/finished-files.ts';
import { beginPush, endPush, type RecordingUrl } from '../recordings/recovery.ts';
import type { Outbox } from '../callbacks/outbox.ts';
import { numericId } from '../callbacks/numeric-id.ts';
import { StreamEnd, streamParam, type PushContext, type StreamEndReason } from '../callbacks/callbacks.ts';

/** A recording in the relay's answers: record ids are strings (`docs/contracts.md`), as TRTC's `userdefinerecordid`. */
export type RelayRecording = Omit<Recording, 'recordId'> & { recordId: string | null };

/** WebSocket close codes the ingest uses (the browser cannot see an HTTP status on a failed upgrade). */
export const IngestClose = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  TRANSCODER_FAILED: 1011,
  NOT_FOUND: 4404,
  BAD_TOKEN: 4403,
  ALREADY_INGESTING: 4409,
  IDLE: 4408,
  /** An ingest cap is reached (the reason names it). */
  LIMIT: 4429,
} as const;

const STREAM_TTL_MS = 10 * 60_000;
/** How long a transcoder may take to flush after its input ended: on delete, and on shutdown. */
const TRANSCODER_GRACE_MS = { delete: 5000, shutdown: 3000 } as const;

export interface RegistryOptions {
  auth: RelayAuth;
  limits: RelayLimits;
  outbox: Outbox;
  liveRoot: string;
  recordingsRoot: string;
  recordingUrl: RecordingUrl;
  appid: number;
  log(message: string): void;
}

function quota(limits: RelayLimits, what: 'streams' | 'ingests' | 'relays' | 'viewers', code: string): Quota {
  const cap = what.charAt(0).toUpperCase() + what.slice(1);
  const total = `max${cap}` as keyof RelayLimits;
  const perIp = `max${cap}PerIp` as keyof RelayLimits;
  return new Quota(what, code, limits[total], limits[perIp], LIMIT_ENV[total], LIMIT_ENV[perIp]);
}

export class StreamRegistry {
  readonly quota: Record<'streams' | 'ingests' | 'relays' | 'viewers', Quota>;
  readonly #o: RegistryOptions;
  readonly #streams = new Map<string, LiveStream>();
  /** What each stream holds against the caps, given back when it goes. */
  readonly #held = new WeakMap<LiveStream, { stream: () => void; relay: () => void }>();
  /** The callbacks' view of one relay run (Tencent's push), journalled until it ends. */
  readonly #pushes = new WeakMap<RelaySession, PushContext>();
  /** Relays being stopped right now: shutdown waits for them before the outbox closes. */
  readonly #stopping = new Set<Promise<unknown>>();
  /** Streams whose relay is starting. */
  readonly #starting = new Set<string>();
  #sweep: NodeJS.Timeout | null = null;

  constructor(o: RegistryOptions) {
    this.#o = o;
    const limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.quota = {
      streams: quota(limits, 'streams', ErrorCodes.STREAM_LIMIT),
      ingests: quota(limits, 'ingests', ErrorCodes.INGEST_LIMIT),
      relays: quota(limits, 'relays', ErrorCodes.RELAY_LIMIT),
      viewers: quota(limits, 'viewers', ErrorCodes.VIEWER_LIMIT),
    };
  }

  /** The stream `id`, if it exists (any string is accepted; invalid ids exist nowhere). */
  find(id: string): LiveStream | undefined {
    return isValidStreamId(id) ? this.#streams.get(id) : undefined;
  }

  /** The stream `id`, or `404 NOT_FOUND`. */
  get(id: string): LiveStream {
    const s = this.find(id);
    if (!s)
      throw relayError(
        404,
        ErrorCodes.NOT_FOUND,
        `Unknown stream "${id}"; create it with POST /api/streams.`,
      );
    return s;
  }

  /** A control call on stream `id`: with a push key, only the credential the stream was created with. */
  controlled(id: string, query: Record<string, unknown>): LiveStream {
    if (!this.find(id)) this.#o.auth.checkPush(id, query); // 403 before 404: no probing which streams exist
    const found = this.get(id);
    this.#o.auth.checkOwner(found, id, query);
    return found;
  }

  /** Creates stream `id` for `client` (409 if it exists; 429/503 at the caps). */
  create(id: string, audioOnly: boolean, credential: TxCredential | null, client: string): LiveStream {
    if (this.#streams.has(id))
      throw relayError(
        409,
        ErrorCodes.ALREADY_STARTED,
        `Stream "${id}" already exists; delete it first or pick another id.`,
      );
    const release = this.quota.streams.acquire(client);
    const s = new LiveStream(id, audioOnly);
    this.#streams.set(id, s);
    this.#o.auth.bindOwner(s, credential);
    this.#held.set(s, { stream: release, relay: () => {} });
    return s;
  }

  /** True while `s` is still the stream under its id. */
  isCurrent(s: LiveStream): boolean {
    return this.#streams.get(s.id) === s;
  }

  /** Removes `s` from the table (if it is still the one under its id) and gives back what it held. */
  forget(s: LiveStream): void {
    if (this.isCurrent(s)) this.#streams.delete(s.id);
    this.#held.get(s)?.stream();
  }

  /** Deletes `s`: its relay stopped (recordings finalised), its ingest closed, its transcoder gone. */
  async delete(s: LiveStream): Promise<RelayRecording[]> {
    this.forget(s);
    const recordings = await this.stopRelay(s);
    s.endIngest(IngestClose.NORMAL, 'stream deleted');
    await s.transcoderExited(TRANSCODER_GRACE_MS.delete);
    return recordings;
  }

  /**
   * Starts the relay of `s` with `options` from its transcoder's `hub`; `release` gives back what the caller took
   * for it (the relay cap, an expected RTMP publish) when the relay ends or fails to start.
   */
  async startRelay(
    s: LiveStream,
    o: {
      options: RelayOptions;
      hub: FlvHub;
      baseUrl: string;
      client: string;
      rtmpUrl: string | null;
      release: () => void;
    },
  ): Promise<RelaySession> {
    this.#starting.add(s.id);
    let relay: RelaySession;
    try {
      relay = await RelaySession.start({
        streamId: s.id,
        options: o.options,
        hub: o.hub,
        liveRoot: this.#o.liveRoot,
        recordingsRoot: this.#o.recordingsRoot,
        rtmpUrl: o.rtmpUrl,
      });
    } catch (err) {
      o.release();
      throw err;
    } finally {
      this.#starting.delete(s.id);
    }
    s.attachRelay(relay, o.baseUrl);
    const h = this.#held.get(s);
    if (h) h.relay = o.release;
    // A muxer or RTMP push that dies ends the relay with an error the widget sees (GET error, 0's errcode).
    void relay.failed.then((why) => {
      if (s.relay !== relay) return;
      s.fail(why);
      void this.stopRelay(s, StreamEnd.internal(why));
    });
    const push = this.#pushContext(s, relay, o.client);
    this.#pushes.set(relay, push);
    beginPush(this.#o.outbox, { ctx: push, sessionId: relay.sessionId });
    return relay;
  }

  /** True while the relay of `s` runs or is starting. */
  relaying(s: LiveStream): boolean {
    return s.relay !== null || this.#starting.has(s.id);
  }

  /** Stops the running relay of `s` (if any), finalising files and queueing its 100s then its 0. */
  async stopRelay(s: LiveStream, reason: StreamEndReason | null = null): Promise<RelayRecording[]> {
    const relay = s.detachRelay();
    if (!relay) return [];
    this.#held.get(s)?.relay();
    const finished = relay.stop();
    this.#stopping.add(finished);
    const files = await finished.finally(() => this.#stopping.delete(finished));
    const started = this.#pushes.get(relay) as PushContext;
    const ctx = { ...started, width: relay.videoSize.width, height: relay.videoSize.height };
    const { outbox, recordingUrl } = this.#o;
    endPush(outbox, ctx, files, recordingUrl, Date.now(), reason ?? StreamEnd.clientStopped());
    this.#o.log(
      `relay of ${s.id} stopped; ${files.length} recording(s)${reason ? `; ${reason.errmsg}` : ''}`,
    );
    return files.map((f) => this.#toRecording(ctx, f));
  }

  /** Forgets streams that ended (or never got an ingest) long ago, so a long-running server does not grow. */
  startSweep(): void {
    this.#sweep = setInterval(() => {
      for (const s of this.#streams.values()) if (s.expired(STREAM_TTL_MS)) this.forget(s);
    }, 60_000);
    this.#sweep.unref();
  }

  /** Ends every stream (relays stopped with the shutdown reason, ingests closed, transcoders gone). */
  async close(): Promise<void> {
    if (this.#sweep) clearInterval(this.#sweep);
    const all = [...this.#streams.values()];
    this.#streams.clear();
    await Promise.all(
      all.map(async (s) => {
        await this.stopRelay(s, StreamEnd.shutdown()).catch(() => []);
        s.endIngest(IngestClose.GOING_AWAY, 'relay shutting down');
        await s.transcoderExited(TRANSCODER_GRACE_MS.shutdown);
      }),
    );
  }

  /** Resolves once every relay being stopped has queued its callbacks. */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.#stopping]);
    await new Promise((r) => setImmediate(r)); // let their callbacks be queued
  }

  #pushContext(s: LiveStream, relay: RelaySession, userIp: string): PushContext {
    return {
      sequence: numericId(relay.startedAt),
      appid: this.#o.appid,
      app: s.baseUrl.replace(/^https?:\/\//, ''),
      streamId: s.id,
      recordId: relay.options.recordId,
      recordFileTypes: relay.options.recordFileTypes,
      streamParam: streamParam(
        relay.options.recordId,
        relay.options.recordFileTypes,
        this.#o.auth.pushCredentialOf(s),
      ),
      mediaStartTime: relay.startedAt - s.createdAt,
      baseUrl: s.baseUrl,
      userIp,
      startedAt: relay.startedAt,
      width: relay.videoSize.width,
      height: relay.videoSize.height,
    };
  }

  #toRecording(ctx: PushContext, f: FinishedFile): RelayRecording {
    return {
      id: f.fileId,
      streamId: ctx.streamId,
      recordId: ctx.recordId,
      fileFormat: f.format,
      startTime: f.startTime,
      endTime: f.endTime,
      duration: f.duration,
      fileSize: f.fileSize,
      url: this.#o.recordingUrl(ctx, f),
    };
  }
}
