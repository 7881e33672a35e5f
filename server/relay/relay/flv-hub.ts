/**
 * Fans one live FLV stream out to many consumers, each joining at a keyframe.
 *
 * Sources are FLV byte streams (ffmpeg's `-f flv pipe:N`): one, or — as the transcoder runs them — one for video and
 * one for audio, merged here so video never waits for audio inside ffmpeg's muxer. The hub parses FLV tags
 * (header, then `[11-byte tag header][data][4-byte previous tag size]`), keeps what a late joiner needs to start
 * decoding — the FLV header, the `onMetaData` script tag, the AVC and AAC sequence headers and the tags since the
 * last video keyframe (the current GOP) — and hands every consumer that prefix followed by the live tags. Audio-only
 * streams have no GOP: joiners start with the next audio tag.
 *
 * Fan-out is batched: tags are collected and written to every consumer as one buffer per video frame (audio waits
 * for the next video frame, at most {@link AUDIO_HOLD_MS}), so a viewer costs one write per frame, not one per tag.
 *
 * When a keyframe carries SPS/PPS that differ from the current AVC sequence header (a browser's encoder changed
 * resolution mid-stream: it repeats its parameter sets in-band), the hub emits a new sequence header first, so
 * players and muxers reconfigure instead of decoding garbage.
 */

const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
const TAG_SCRIPT = 18;
const FLV_HEADER_BYTES = 13; // 9-byte header + PreviousTagSize0
const MAX_GOP_BYTES = 8 * 1024 * 1024;
/** Longest an audio tag waits for the next video frame before it is sent on its own (audio-only, stalled video). */
export const AUDIO_HOLD_MS = 40;

/** The timestamp (ms) of an FLV tag (11-byte header first): 24 bits, then 8 more high bits. */
export function flvTimestamp(tag: Buffer): number {
  return (tag.readUIntBE(4, 3) | (tag[7]! << 24)) >>> 0;
}
/** Longest joiners wait after the first keyframe for the AAC sequence header of a stream that declared audio. */
const AUDIO_WAIT_MS = 1000;

export interface FlvConsumer {
  /** Receives FLV bytes: first the header and joining prefix, then whole tags. Slow consumers drop themselves. */
  write(chunk: Buffer): void;
  /** Called once when the source ends (normally or not). */
  end(): void;
}

/** The tracks a stream carries. */
export interface FlvTracks {
  audio: boolean;
  video: boolean;
}

/** Splits one FLV byte stream into its header and whole tags. */
class FlvTagReader {
  private pending: Buffer = Buffer.alloc(0);
  header: Buffer | null = null;

  constructor(private readonly onTag: (tag: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    if (!this.header) {
      if (this.pending.length < FLV_HEADER_BYTES) return;
      if (this.pending.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream');
      this.header = Buffer.from(this.pending.subarray(0, FLV_HEADER_BYTES));
      offset = FLV_HEADER_BYTES;
    }
    while (this.pending.length - offset >= 11) {
      const dataSize = this.pending.readUIntBE(offset + 1, 3);
      const total = 11 + dataSize + 4;
      if (this.pending.length - offset < total) break;
      this.onTag(Buffer.from(this.pending.subarray(offset, offset + total)));
      offset += total;
    }
    this.pending = this.pending.subarray(offset);
  }
}

/** SPS and PPS of an AVC sequence header tag (`AVCDecoderConfigurationRecord`), with the NAL length size. */
function parameterSetsOf(seqHeader: Buffer): { sps: Buffer; pps: Buffer; lengthSize: number } | null {
  const rec = 11 + 5;
  if (seqHeader.length < rec + 8 + 4) return null;
  const lengthSize = (seqHeader[rec + 4] & 3) + 1;
  const spsLen = seqHeader.readUInt16BE(rec + 6);
  const sps = seqHeader.subarray(rec + 8, rec + 8 + spsLen);
  const ppsAt = rec + 8 + spsLen + 1;
  if (ppsAt + 2 > seqHeader.length - 4) return null;
  const ppsLen = seqHeader.readUInt16BE(ppsAt);
  return { sps, pps: seqHeader.subarray(ppsAt + 2, ppsAt + 2 + ppsLen), lengthSize };
}

/** The SPS and PPS a keyframe tag carries in-band, if it carries both. */
function inBandParameterSets(tag: Buffer, lengthSize: number): { sps: Buffer; pps: Buffer } | null {
  let sps: Buffer | null = null;
  let pps: Buffer | null = null;
  const end = tag.length - 4;
  for (let p = 11 + 5; p + lengthSize <= end;) {
    const len = tag.readUIntBE(p, lengthSize);
    p += lengthSize;
    if (len === 0 || p + len > end) break;
    const type = tag[p] & 0x1f;
    if (type === 7) sps ??= tag.subarray(p, p + len);
    else if (type === 8) pps ??= tag.subarray(p, p + len);
    else if (type === 1 || type === 5) break; // slices come after the parameter sets
    p += len;
  }
  return sps && pps ? { sps, pps } : null;
}

/** Sets the timestamp (ms) of an FLV tag (11-byte header first): 24 bits, then 8 more high bits. */
export function setFlvTimestamp(tag: Buffer, ms: number): void {
  tag.writeUIntBE(ms & 0xffffff, 4, 3);
  tag[7] = (ms >>> 24) & 0xff;
}

/** An FLV tag of `type` at `ms` (stream id 0) with `body`, followed by its previous-tag size. */
export function flvTag(type: number, ms: number, body: Buffer): Buffer {
  const tag = Buffer.alloc(11 + body.length + 4);
  tag[0] = type;
  tag.writeUIntBE(body.length, 1, 3);
  setFlvTimestamp(tag, ms);
  body.copy(tag, 11);
  tag.writeUInt32BE(11 + body.length, 11 + body.length);
  return tag;
}

/** An AVC sequence header tag (`AVCDecoderConfigurationRecord`) for `sps`/`pps` at `ms`. */
export function avcSequenceHeader(sps: Buffer, pps: Buffer, lengthSize: number, ms: number): Buffer {
  // prettier-ignore
  return flvTag(TAG_VIDEO, ms, Buffer.concat([
    Buffer.from([0x17, 0, 0, 0, 0, 1, sps[1]!, sps[2]!, sps[3]!, 0xfc | (lengthSize - 1), 0xe1]),
    u16(sps.length), sps, Buffer.from([1]), u16(pps.length), pps,
  ]));
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** How often a clocked consumer (an HTTP-FLV viewer) is told when the stream's media entered the relay. */
export const CLOCK_EVERY_MS = 1000;

/** An AMF0 string value. */
function amfString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([2]), u16(b.length), b]);
}

/** An AMF0 number value. */
function amfNumber(v: number): Buffer {
  const b = Buffer.alloc(9);
  b.writeDoubleBE(v, 1); // b[0] = 0: number
  return b;
}

/** An AMF0 anonymous object of the given properties (values already encoded). */
function amfObject(props: [string, Buffer][]): Buffer {
  const parts: Buffer[] = [Buffer.from([3])];
  for (const [k, v] of props) {
    const kb = Buffer.from(k, 'latin1');
    parts.push(u16(kb.length), kb, v);
  }
  parts.push(Buffer.from([0, 0, 9])); // object end
  return Buffer.concat(parts);
}

/**
 * The relay clock as an FLV script tag: an event cue point
 * `onCuePoint { name: "relayClock", time, type: "event", parameters: { ts, wall } }` saying that the media with FLV
 * timestamp `ts` (ms) was captured at `wall` (ms since the epoch: the pusher's clock when it said, else when the
 * ingest received it, else when it entered the hub; {@link FlvHub.setOrigin}). A player that knows which timestamp it
 * shows can tell how long ago that media was captured (`src/player/engines/flv-engine.ts`, through mpegts.js's
 * script-data event). Why a cue point at tag timestamp 0 and not a script tag of our own name at `ts`: FFmpeg's FLV
 * demuxer (ffplay, VLC, OBS, `ffmpeg -c copy`) turns any unknown script tag, and a cue point at a non-zero timestamp,
 * into an extra data or subtitle stream, which third-party players and tools then show; a cue point at 0 it reads
 * as metadata and skips, so the stream stays exactly one video and one audio track for them (measured with Debian's
 * ffprobe). The timestamp the clock is about travels in `parameters.ts` and `time`.
 */
export function relayClockTag(ts: number, wall: number): Buffer {
  const body = Buffer.concat([
    amfString('onCuePoint'),
    amfObject([
      ['name', amfString('relayClock')],
      ['time', amfNumber(ts / 1000)],
      ['type', amfString('event')],
      [
        'parameters',
        amfObject([
          ['ts', amfNumber(ts)],
          ['wall', amfNumber(wall)],
        ]),
      ],
    ]),
  ]);
  return flvTag(TAG_SCRIPT, 0, body);
}

export class FlvHub {
  private readonly reader: FlvTagReader;
  private declaredVideo = false;
  private declaredAudio = false;
  /** When the first keyframe arrived (ms), to stop waiting for a declared audio track that does not come. */
  private firstKeyframeAt = 0;
  private header: Buffer | null = null;
  private metadata: Buffer | null = null;
  private avcHeader: Buffer | null = null;
  private aacHeader: Buffer | null = null;
  private gop: Buffer[] = [];
  private gopBytes = 0;
  private sawVideo = false;
  /** Timestamp (ms) of the last video frame sent, to keep them strictly increasing. */
  private lastVideoMs = -1;
  private readonly consumers = new Set<FlvConsumer>();
  /** Consumers that also get {@link relayClockTag}s (HTTP-FLV viewers), and when the last ones went out. */
  private readonly clocked = new Set<FlvConsumer>();
  private clockAt = 0;
  /** When the current GOP's keyframe entered the hub (ms since the epoch). */
  private gopAt = 0;
  /** The wall time (ms since the epoch) of media timestamp 0, when the ingest knows it ({@link setOrigin}). */
  private origin: number | null = null;
  private ended = false;
  private firstKeyframeWaiters: (() => void)[] = [];
  private batch: Buffer[] = [];
  private batchTimer: NodeJS.Timeout | null = null;
  /** Number of tags seen, for diagnostics and tests. */
  tags = 0;
  /** Number of AVC sequence headers seen or made (more than one: the picture's parameters changed mid-stream). */
  videoConfigs = 0;

  constructor() {
    this.reader = this.addReader(true);
  }

  /**
   * Declares the tracks before the first byte: the hub then writes its own FLV header with these flags (each source
   * may carry only one of them) and, with video, attaches nobody before a keyframe.
   */
  declareTracks(tracks: FlvTracks): void {
    this.declaredVideo = tracks.video;
    this.declaredAudio = tracks.audio;
    // prettier-ignore
    this.header = Buffer.from([0x46, 0x4c, 0x56, 1, (tracks.audio ? 4 : 0) | (tracks.video ? 1 : 0), 0, 0, 0, 9, 0, 0, 0, 0]);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** The tracks the stream carries, from its FLV header's flags (both while no header has arrived). */
  get tracks(): FlvTracks {
    const flags = this.header?.[4];
    return flags === undefined
      ? { audio: true, video: true }
      : { audio: (flags & 4) !== 0, video: (flags & 1) !== 0 };
  }

  /** The current H.264 `AVCDecoderConfigurationRecord` (from the AVC sequence header), or null before one. */
  get avcConfig(): Buffer | null {
    return this.avcHeader ? this.avcHeader.subarray(11 + 5, this.avcHeader.length - 4) : null;
  }

  /**
   * True once a consumer joining now would get a decodable start: header plus a keyframe (and, for a stream that
   * declared both tracks, the AAC sequence header — muxers joining now decide their streams from the prefix — unless
   * it is AUDIO_WAIT_MS late), or any audio for an audio-only stream.
   */
  get ready(): boolean {
    if (!this.header) return false;
    if (this.gop.length > 0) {
      const audioDue = this.declaredAudio && this.declaredVideo && this.aacHeader === null;
      return !audioDue || Date.now() - this.firstKeyframeAt > AUDIO_WAIT_MS;
    }
    return !this.sawVideo && !this.declaredVideo && this.aacHeader !== null;
  }

  /** Resolves when the hub is `ready` (or ended). */
  whenReady(): Promise<void> {
    if (this.ready || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.firstKeyframeWaiters.push(resolve));
  }

  /** Feeds raw bytes from the (first) source. */
  push(chunk: Buffer): void {
    if (!this.ended) this.reader.push(chunk);
  }

  /**
   * Another FLV source merged into this stream (e.g. the audio path); returns its feed function. `shiftMs`, when
   * given, is added to the timestamp of each of its tags (read as each tag arrives): for a source whose timestamp 0
   * came later than the stream's (script tags excepted).
   */
  input(shiftMs?: () => number): (chunk: Buffer) => void {
    const reader = this.addReader(false, shiftMs);
    return (chunk) => {
      if (!this.ended) reader.push(chunk);
    };
  }

  private addReader(primary: boolean, shiftMs?: () => number): FlvTagReader {
    const reader = new FlvTagReader((tag) => {
      this.header ??= reader.header;
      // (script tags stay at 0: FFmpeg takes one at another timestamp for a subtitle stream)
      if (shiftMs && (tag[0]! & 0x1f) !== TAG_SCRIPT) {
        setFlvTimestamp(tag, Math.max(0, flvTimestamp(tag) + Math.round(shiftMs())));
      }
      this.onTag(tag, primary);
    });
    return reader;
  }

  private onTag(tag: Buffer, primary: boolean): void {
    this.tags += 1;
    const type = tag[0] & 0x1f;
    const body0 = tag[11];
    const body1 = tag[12];
    if (type === TAG_SCRIPT) {
      // sent to joiners as part of the prefix; live consumers already have one. The first source's (video) wins.
      if (primary || !this.metadata) this.metadata = tag;
      return;
    }
    if (type === TAG_VIDEO) {
      this.sawVideo = true;
      // (an AVC end-of-sequence packet is flagged as a keyframe but starts nothing)
      const keyframe = body0 >> 4 === 1 && !((body0 & 0x0f) === 7 && body1 === 2);
      const avc = (body0 & 0x0f) === 7;
      if (avc && body1 === 0) {
        this.setAvcHeader(tag);
        return;
      }
      this.keepIncreasing(tag);
      if (keyframe) {
        this.firstKeyframeAt ||= Date.now();
        this.gopAt = Date.now();
        if (avc && body1 === 1) this.checkParameterSets(tag);
        this.gop = [];
        this.gopBytes = 0;
      }
      this.appendGop(tag);
      this.broadcast(tag, true);
      this.sendClock(tag);
    } else if (type === TAG_AUDIO) {
      const aac = body0 >> 4 === 10;
      if (aac && body1 === 0) {
        this.aacHeader = tag;
        this.broadcast(tag, false);
        this.wakeWaiters();
        return;
      }
      if (this.sawVideo) this.appendGop(tag);
      this.broadcast(tag, false);
    } else {
      return;
    }
    this.wakeWaiters();
  }

  /**
   * FLV timestamps are whole milliseconds: two frames a browser's MediaRecorder stamped within one millisecond
   * (it happens at the start of a push) would reach viewers with equal timestamps, which decoders and muxers
   * refuse ("non monotonically increasing dts"). Such a frame goes out 1 ms after the previous one. A jump back
   * of more than a second is a new timeline (a restarted source), taken as it is.
   */
  private keepIncreasing(tag: Buffer): void {
    const ms = flvTimestamp(tag);
    if (ms <= this.lastVideoMs && this.lastVideoMs - ms < 1000) {
      const fixed = this.lastVideoMs + 1;
      setFlvTimestamp(tag, fixed);
      this.lastVideoMs = fixed;
    } else {
      this.lastVideoMs = ms;
    }
  }

  private wakeWaiters(): void {
    if (this.ready && this.firstKeyframeWaiters.length) {
      const waiters = this.firstKeyframeWaiters;
      this.firstKeyframeWaiters = [];
      for (const w of waiters) w();
    }
  }

  private setAvcHeader(tag: Buffer): void {
    this.avcHeader = tag;
    this.videoConfigs += 1;
    this.broadcast(tag, false);
  }

  /** A keyframe whose in-band SPS/PPS differ from the current sequence header gets a new one sent before it. */
  private checkParameterSets(keyframe: Buffer): void {
    const current = this.avcHeader && parameterSetsOf(this.avcHeader);
    if (!current) return;
    const inBand = inBandParameterSets(keyframe, current.lengthSize);
    if (!inBand || (inBand.sps.equals(current.sps) && inBand.pps.equals(current.pps))) return;
    this.setAvcHeader(avcSequenceHeader(inBand.sps, inBand.pps, current.lengthSize, flvTimestamp(keyframe)));
  }

  private appendGop(tag: Buffer): void {
    if (this.gop.length === 0 && (tag[0] & 0x1f) !== TAG_VIDEO) return; // a GOP starts with its keyframe
    this.gop.push(tag);
    this.gopBytes += tag.length;
    if (this.gopBytes > MAX_GOP_BYTES) {
      this.gop = [];
      this.gopBytes = 0;
    }
  }

  /**
   * Tells the hub the wall time at which the stream's media timestamp 0 was captured (the pusher's clock, sent
   * with a WebSocket push) or first received (a WHIP push's first packet); `weak` sets it only if still unknown.
   * The relay clock then counts from there: what came before the hub (encoder, ingest, transcode) is included.
   */
  setOrigin(wallMs: number, weak = false): void {
    if (weak && this.origin !== null) return;
    this.origin = wallMs;
  }

  /** When the media with timestamp `ts` (ms) was captured, ms since the epoch, if the origin is known. */
  captureWall(ts: number): number | null {
    return this.origin !== null ? this.origin + ts : null;
  }

  /** The timestamp (ms) of the last video frame sent, -1 before the first. */
  get latestVideoTimestamp(): number {
    return this.lastVideoMs;
  }

  /** When the media with timestamp `ts` was captured (from the origin), else when it entered the hub. */
  private wallOf(ts: number, arrivedAt: number): number {
    return this.origin !== null ? this.origin + ts : arrivedAt;
  }

  /** After a video frame went out (flushed): at most once a second, its relay clock to clocked consumers. */
  private sendClock(video: Buffer): void {
    const now = Date.now();
    if (this.clocked.size === 0 || now - this.clockAt < CLOCK_EVERY_MS) return;
    this.clockAt = now;
    const ts = flvTimestamp(video);
    const clock = relayClockTag(ts, this.wallOf(ts, now));
    for (const c of this.clocked) c.write(clock);
  }

  /** Queues a tag for every consumer; a video frame sends the queue now, anything else within AUDIO_HOLD_MS. */
  private broadcast(tag: Buffer, now: boolean): void {
    if (this.consumers.size === 0) return;
    this.batch.push(tag);
    if (now) this.flush();
    else this.batchTimer ??= setTimeout(() => this.flush(), AUDIO_HOLD_MS);
  }

  private flush(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    if (this.batch.length === 0) return;
    const bytes = this.batch.length === 1 ? this.batch[0] : Buffer.concat(this.batch);
    this.batch = [];
    for (const c of this.consumers) c.write(bytes);
  }

  /**
   * Adds a consumer. It immediately receives the header, metadata, sequence headers and current GOP, then live
   * tags. If the hub is not ready yet, the consumer is attached once it is (so it still starts at a keyframe).
   * Returns a function that detaches it. With `clock`, it also gets {@link relayClockTag}s: one before its GOP (for
   * the GOP's keyframe) and then about once a second.
   */
  subscribe(consumer: FlvConsumer, opts: { clock?: boolean } = {}): () => void {
    let detached = false;
    if (this.ended) {
      consumer.end();
      return () => {};
    }
    const attach = (): void => {
      if (detached) return;
      if (this.ended || !this.header) {
        consumer.end();
        return;
      }
      this.flush(); // what is queued belongs to the current consumers; the newcomer gets it in its prefix
      const prefix: Buffer[] = [this.header];
      if (this.metadata) prefix.push(this.metadata);
      if (this.avcHeader) prefix.push(this.avcHeader);
      if (this.aacHeader) prefix.push(this.aacHeader);
      if (opts.clock && this.gop[0]) {
        const ts = flvTimestamp(this.gop[0]);
        prefix.push(relayClockTag(ts, this.wallOf(ts, this.gopAt)));
      }
      prefix.push(...this.gop);
      consumer.write(Buffer.concat(prefix));
      this.consumers.add(consumer);
      if (opts.clock) this.clocked.add(consumer);
    };
    if (this.ready) attach();
    else void this.whenReady().then(attach);
    return () => {
      detached = true;
      this.consumers.delete(consumer);
      this.clocked.delete(consumer);
    };
  }

  /** Ends the stream for every consumer (after sending what is queued). */
  end(): void {
    if (this.ended) return;
    this.flush();
    this.ended = true;
    const waiters = this.firstKeyframeWaiters;
    this.firstKeyframeWaiters = [];
    for (const w of waiters) w();
    for (const c of this.consumers) c.end();
    this.consumers.clear();
    this.clocked.clear();
    this.gop = [];
  }

  get consumerCount(): number {
    return this.consumers.size;
  }
}
