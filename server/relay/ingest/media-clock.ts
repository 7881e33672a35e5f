/**
 * How an ingest proves it is alive: in decoded media, not bytes (`RELAY_INGEST_IDLE_MS`, `streams/limits.ts`).
 */
import { flvTimestamp } from '../relay/flv-hub.ts';

/** A pusher sending less than this (1 KiB/s: an Opus-only push sends ~6) while its media lags is not pushing. */
export const INGEST_MIN_BYTES_PER_SECOND = 1024;

/**
 * How far an ingest's decoded media lags the wall clock. Until the transcoder's first output tag, that is the
 * time since the ingest connected. From then on, each FLV tag credits the advance of the highest timestamp seen,
 * at most 1 s per tag (no real stream has a longer gap between packets) and never more than the wall time since
 * the first tag (no banking credit with future timestamps). Bytes that decode to nothing earn nothing, so 1 byte
 * every 10 s does not keep an ingest alive, and neither does one frame every 10 s.
 *
 * A lag is only the pusher's fault if it also stopped sending: while it keeps delivering at least
 * {@link INGEST_MIN_BYTES_PER_SECOND} the lag is the relay's (its transcoder starved of CPU) and the push stays.
 */
export class MediaClock {
  private readonly connectedAt: number;
  /** Bytes received per whole second (unix second → bytes), pruned to the idle window. */
  private readonly received = new Map<number, number>();
  private firstTagAt: number | null = null;
  private credit = 0;
  private maxTs = 0;

  constructor(now = Date.now()) {
    this.connectedAt = now;
  }

  /** One FLV tag (11-byte header first) came out of the transcoder. */
  onTag(tag: Buffer, now = Date.now()): void {
    if (tag.length < 11) return;
    const ts = flvTimestamp(tag);
    if (this.firstTagAt === null) {
      this.firstTagAt = now;
      this.maxTs = ts;
      this.credit = 0;
      return;
    }
    if (ts <= this.maxTs) return;
    const advance = Math.min(ts - this.maxTs, 1000);
    this.maxTs = ts;
    this.credit = Math.min(this.credit + advance, now - this.firstTagAt);
  }

  /** Excuses `ms` of lag that was the relay's own fault (its event loop stalled, so it read nothing). */
  forgive(ms: number): void {
    this.credit += ms;
  }

  /** The pusher sent `n` bytes. */
  onBytes(n: number, now = Date.now()): void {
    const sec = Math.floor(now / 1000);
    this.received.set(sec, (this.received.get(sec) ?? 0) + n);
  }

  /** True when the media lags by more than `idleMs` and the pusher sent too little in that time to excuse it. */
  starved(idleMs: number, now = Date.now()): boolean {
    if (this.lag(now) <= idleMs) return false;
    const from = Math.floor((now - idleMs) / 1000);
    let bytes = 0;
    for (const [sec, n] of this.received) {
      if (sec < from) this.received.delete(sec);
      else bytes += n;
    }
    return bytes < (INGEST_MIN_BYTES_PER_SECOND * idleMs) / 1000;
  }

  /** Milliseconds the media is behind real time. */
  lag(now = Date.now()): number {
    if (this.firstTagAt === null) return now - this.connectedAt - this.credit;
    return now - this.firstTagAt - this.credit;
  }
}
