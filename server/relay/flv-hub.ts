/**
 * Fans one live FLV byte stream (ffmpeg's `-f flv pipe:1`) out to many consumers, each joining at a keyframe.
 *
 * The hub parses FLV tags (header, then `[11-byte tag header][data][4-byte previous tag size]`), keeps what a
 * late joiner needs to start decoding — the FLV header, the `onMetaData` script tag, the AVC and AAC sequence
 * headers and the tags since the last video keyframe (the current GOP) — and hands every consumer that prefix
 * followed by the live tags. Audio-only streams have no GOP: joiners start with the next audio tag.
 */

const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
const TAG_SCRIPT = 18;
const FLV_HEADER_BYTES = 13; // 9-byte header + PreviousTagSize0
const MAX_GOP_BYTES = 8 * 1024 * 1024;

export interface FlvConsumer {
  /** Receives whole FLV tags (and first the header). Return value is ignored; slow consumers drop themselves. */
  write(chunk: Buffer): void;
  /** Called once when the source ends (normally or not). */
  end(): void;
}

export class FlvHub {
  private pending: Buffer = Buffer.alloc(0);
  private header: Buffer | null = null;
  private metadata: Buffer | null = null;
  private avcHeader: Buffer | null = null;
  private aacHeader: Buffer | null = null;
  private gop: Buffer[] = [];
  private gopBytes = 0;
  private sawVideo = false;
  private readonly consumers = new Set<FlvConsumer>();
  private ended = false;
  private firstKeyframeWaiters: (() => void)[] = [];
  /** Number of tags seen, for diagnostics and tests. */
  tags = 0;

  get isEnded(): boolean {
    return this.ended;
  }

  /** True once a consumer joining now would get a decodable start (header plus a keyframe, or any audio). */
  get ready(): boolean {
    return this.header !== null && (this.gop.length > 0 || (!this.sawVideo && this.aacHeader !== null));
  }

  /** Resolves when the hub is `ready` (or ended). */
  whenReady(): Promise<void> {
    if (this.ready || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.firstKeyframeWaiters.push(resolve));
  }

  /** Feeds raw bytes from the source. */
  push(chunk: Buffer): void {
    if (this.ended) return;
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

  private onTag(tag: Buffer): void {
    this.tags += 1;
    const type = tag[0] & 0x1f;
    const body0 = tag[11];
    const body1 = tag[12];
    if (type === TAG_SCRIPT) {
      this.metadata = tag;
      return; // sent to joiners as part of the prefix; live consumers already have one
    }
    if (type === TAG_VIDEO) {
      this.sawVideo = true;
      const keyframe = body0 >> 4 === 1;
      const avc = (body0 & 0x0f) === 7;
      if (avc && body1 === 0) {
        this.avcHeader = tag;
        this.broadcast(tag);
        return;
      }
      if (keyframe) {
        this.gop = [];
        this.gopBytes = 0;
      }
      this.appendGop(tag);
    } else if (type === TAG_AUDIO) {
      const aac = body0 >> 4 === 10;
      if (aac && body1 === 0) {
        this.aacHeader = tag;
        this.broadcast(tag);
        return;
      }
      if (this.sawVideo) this.appendGop(tag);
    }
    this.broadcast(tag);
    if (this.ready && this.firstKeyframeWaiters.length) {
      const waiters = this.firstKeyframeWaiters;
      this.firstKeyframeWaiters = [];
      for (const w of waiters) w();
    }
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

  private broadcast(tag: Buffer): void {
    for (const c of this.consumers) c.write(tag);
  }

  /**
   * Adds a consumer. It immediately receives the header, metadata, sequence headers and current GOP, then live
   * tags. If the hub is not ready yet, the consumer is attached once it is (so it still starts at a keyframe).
   * Returns a function that detaches it.
   */
  subscribe(consumer: FlvConsumer): () => void {
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
      const prefix: Buffer[] = [this.header];
      if (this.metadata) prefix.push(this.metadata);
      if (this.avcHeader) prefix.push(this.avcHeader);
      if (this.aacHeader) prefix.push(this.aacHeader);
      prefix.push(...this.gop);
      consumer.write(Buffer.concat(prefix));
      this.consumers.add(consumer);
    };
    if (this.ready) attach();
    else void this.whenReady().then(attach);
    return () => {
      detached = true;
      this.consumers.delete(consumer);
    };
  }

  /** Ends the stream for every consumer. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const waiters = this.firstKeyframeWaiters;
    this.firstKeyframeWaiters = [];
    for (const w of waiters) w();
    for (const c of this.consumers) c.end();
    this.consumers.clear();
    this.gop = [];
  }

  get consumerCount(): number {
    return this.consumers.size;
  }
}
