import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '../../src/contract/errors.ts';
import type { Recording, RecordingFilter, RecordingStatus, RecordingStore } from './store.ts';

/** Most events replayed to a client that resumes with `Last-Event-ID`. */
const MAX_REPLAY = 1000;

export interface LiveFeedLimits {
  /** Most simultaneous subscribers. Default 200. */
  maxClients: number;
  /** Most simultaneous subscribers from one IP address. Default 10. */
  maxClientsPerIp: number;
  /** Bytes a subscriber may leave unread in its socket buffer before it is dropped as stalled. Default 256 KiB. */
  maxBufferedBytes: number;
}

export const DEFAULT_FEED_LIMITS: LiveFeedLimits = {
  maxClients: 200,
  maxClientsPerIp: 10,
  maxBufferedBytes: 256 * 1024,
};

/** One event of the feed: a new recording (`event: recording`) or a recording status (`event: status`). */
export type FeedEvent =
  | { seq: number; kind: 'recording'; data: Recording }
  | { seq: number; kind: 'status'; data: RecordingStatus };

/** Why a subscriber was not admitted. */
export type AdmitFailure = typeof ErrorCodes.SSE_TOO_MANY_CLIENTS | typeof ErrorCodes.SSE_TOO_MANY_FROM_IP;

interface Client {
  res: ServerResponse;
  ip: string;
  filter: RecordingFilter;
  /** Live events that arrived while the replay was being read; `null` once live. */
  pending: FeedEvent[] | null;
  sentUpTo: number;
}

/**
 * Server-sent events of newly stored recordings and recording statuses. Each message is `id: {seq}`,
 * `event: recording` / `event: status`, `data: Recording` / `data: RecordingStatus`; on connect (after any replay)
 * an `event: ready` carries the newest event id matching the subscriber's filter (the newest of all without one),
 * so that a client reconnecting with `Last-Event-ID` resumes without gaps. Comment lines keep idle connections alive.
 *
 * Bounded: subscribers are capped in total and per IP (`admit`), every event is serialised once into one buffer
 * shared by all subscribers, and a subscriber whose unread backlog passes `maxBufferedBytes` is disconnected.
 *
 * With a shared store (one that can `watch`, PostgreSQL), other instances store events too: the feed then keeps a
 * cursor (the newest event id it delivered) and, whenever the store signals a change — a local commit, a `NOTIFY`
 * from any instance, a reconnect of the notification channel — re-reads everything after the cursor in id order.
 * `publish` only signals in that mode; the store is the one source of events.
 */
export class LiveFeed {
  private readonly clients = new Set<Client>();
  private readonly perIp = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly limits: LiveFeedLimits;
  /** Subscribers dropped for falling behind (for operators and tests). */
  dropped = 0;
  /** Shared-store mode: the newest event id read from the store (`null` until first read). */
  private cursor: number | null = null;
  private pumping = false;
  private pumpAgain = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly unwatch: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly store: RecordingStore,
    private readonly heartbeatMs: number,
    limits: Partial<LiveFeedLimits> = {},
  ) {
    this.limits = { ...DEFAULT_FEED_LIMITS, ...limits };
    if (store.watch) {
      this.unwatch = store.watch(() => void this.pump());
      void this.pump();
    }
  }

  get size(): number {
    return this.clients.size;
  }

  /** Whether one more subscriber from `ip` fits; `null` when it does. */
  admit(ip: string): AdmitFailure | null {
    if (this.clients.size >= this.limits.maxClients) return ErrorCodes.SSE_TOO_MANY_CLIENTS;
    if ((this.perIp.get(ip) ?? 0) >= this.limits.maxClientsPerIp) return ErrorCodes.SSE_TOO_MANY_FROM_IP;
    return null;
  }

  /** Takes over `res` (already hijacked from the framework) until the client goes away or `close()`. */
  async attach(
    res: ServerResponse,
    ip: string,
    filter: RecordingFilter,
    lastEventId: number | null,
    headers: Record<string, string>,
  ): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
    res.write('retry: 2000\n\n');
    const client: Client = { res, ip, filter, pending: [], sentUpTo: 0 };
    this.clients.add(client);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    res.on('close', () => this.remove(client));
    this.heartbeat ??= setInterval(() => this.beat(), this.heartbeatMs);

    try {
      let upTo = await this.store.latestSeq(filter);
      if (lastEventId !== null) {
        for (const e of await this.replay(lastEventId, filter)) {
          this.write(client, e, frameOf(e));
          upTo = Math.max(upTo, e.seq);
        }
      }
      if (!this.clients.has(client)) return;
      res.write(`id: ${upTo}\nevent: ready\ndata: {}\n\n`);
      client.sentUpTo = upTo;
      const pending = client.pending ?? [];
      client.pending = null;
      for (const e of pending) if (e.seq > client.sentUpTo) this.write(client, e, frameOf(e));
    } catch {
      res.end();
    }
  }

  /**
   * A new event was stored: sends it to every matching subscriber, serialised once. With a shared store, reads
   * the store from the cursor instead (the event arrives there, in id order with other instances' events).
   */
  publish(event: FeedEvent): void {
    if (this.unwatch) void this.pump();
    else this.deliver(event);
  }

  /** Ends every connection and the heartbeat. */
  close(): void {
    this.closed = true;
    this.unwatch?.();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const c of this.clients) c.res.end();
    this.clients.clear();
    this.perIp.clear();
  }

  private deliver(event: FeedEvent): void {
    let frame: Buffer | null = null;
    for (const c of this.clients) {
      if (!matches(c.filter, event.data)) continue;
      if (c.pending) c.pending.push(event);
      else if (event.seq > c.sentUpTo) this.write(c, event, (frame ??= frameOf(event)));
    }
  }

  /** Shared-store mode: delivers every event after the cursor, in id order; one read at a time, re-run on demand. */
  private async pump(): Promise<void> {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        if (this.clients.size === 0) {
          // Nobody to send to (and nobody attaching): just move the cursor to the newest id, one cheap read.
          this.cursor = await this.store.latestSeq();
          continue;
        }
        if (this.cursor === null) {
          // First read (or the store was down at start): no subscriber is behind the point it was told it is at.
          const latest = await this.store.latestSeq();
          const live = [...this.clients].filter((c) => !c.pending).map((c) => c.sentUpTo);
          this.cursor = Math.min(latest, ...live);
        }
        let events: FeedEvent[];
        do {
          events = await this.replay(this.cursor, {});
          for (const e of events) {
            this.deliver(e);
            this.cursor = e.seq;
          }
        } while (events.length === MAX_REPLAY);
      } while (this.pumpAgain);
    } catch {
      // The store is unreachable: try again shortly (the store also signals when its channel reconnects).
      if (!this.closed)
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = null;
          void this.pump();
        }, 1000);
    } finally {
      this.pumping = false;
    }
  }

  private async replay(afterSeq: number, filter: RecordingFilter): Promise<FeedEvent[]> {
    // The two reads below may run on two pooled connections, i.e. in two snapshots: a status committed between
    // them could be read while a smaller recording id committed just before it is not, and the cursor would pass
    // that recording. Ids commit in order (see the stores), so every id up to a newest id read first is visible
    // to both reads; anything newer is read on the next pump (its commit signals one).
    const upTo = await this.store.latestSeq();
    const [recordings, statuses] = await Promise.all([
      this.store.since(afterSeq, filter, MAX_REPLAY),
      this.store.statusesSince(afterSeq, filter, MAX_REPLAY),
    ]);
    const events: FeedEvent[] = [
      ...recordings.map((r) => ({ seq: Number(r.id), kind: 'recording' as const, data: r })),
      ...statuses.map((s) => ({ seq: s.seq, kind: 'status' as const, data: s.status })),
    ];
    return events
      .sort((a, b) => a.seq - b.seq)
      .slice(0, MAX_REPLAY)
      .filter((e) => e.seq <= upTo);
  }

  private write(c: Client, e: FeedEvent, frame: Buffer): void {
    c.res.write(frame);
    c.sentUpTo = Math.max(c.sentUpTo, e.seq);
    this.dropIfStalled(c);
  }

  private dropIfStalled(c: Client): void {
    if (c.res.writableLength <= this.limits.maxBufferedBytes) return;
    this.dropped++;
    this.remove(c);
    c.res.destroy();
  }

  private remove(c: Client): void {
    if (!this.clients.delete(c)) return;
    const n = (this.perIp.get(c.ip) ?? 1) - 1;
    if (n > 0) this.perIp.set(c.ip, n);
    else this.perIp.delete(c.ip);
  }

  private beat(): void {
    if (this.clients.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
      return;
    }
    for (const c of this.clients) {
      c.res.write(': heartbeat\n\n');
      this.dropIfStalled(c);
    }
  }
}

function frameOf(e: FeedEvent): Buffer {
  return Buffer.from(`id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify(e.data)}\n\n`, 'utf8');
}

function matches(f: RecordingFilter, x: { recordId: string | null; streamId: string }): boolean {
  return (
    (f.recordId === undefined || f.recordId === x.recordId) &&
    (f.streamId === undefined || f.streamId === x.streamId)
  );
}
