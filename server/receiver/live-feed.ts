import type { ServerResponse } from 'node:http';
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
export type AdmitFailure = 'SSE_TOO_MANY_CLIENTS' | 'SSE_TOO_MANY_FROM_IP';

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
 * an `event: ready` carries the newest event id so that a client reconnecting with `Last-Event-ID` resumes without
 * gaps. Comment lines keep idle connections alive.
 *
 * Bounded: subscribers are capped in total and per IP (`admit`), every event is serialised once into one buffer
 * shared by all subscribers, and a subscriber whose unread backlog passes `maxBufferedBytes` is disconnected.
 */
export class LiveFeed {
  private readonly clients = new Set<Client>();
  private readonly perIp = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly limits: LiveFeedLimits;
  /** Subscribers dropped for falling behind (for operators and tests). */
  dropped = 0;

  constructor(
    private readonly store: RecordingStore,
    private readonly heartbeatMs: number,
    limits: Partial<LiveFeedLimits> = {},
  ) {
    this.limits = { ...DEFAULT_FEED_LIMITS, ...limits };
  }

  get size(): number {
    return this.clients.size;
  }

  /** Whether one more subscriber from `ip` fits; `null` when it does. */
  admit(ip: string): AdmitFailure | null {
    if (this.clients.size >= this.limits.maxClients) return 'SSE_TOO_MANY_CLIENTS';
    if ((this.perIp.get(ip) ?? 0) >= this.limits.maxClientsPerIp) return 'SSE_TOO_MANY_FROM_IP';
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
      let upTo = await this.store.latestSeq();
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

  /** Sends `event` to every matching subscriber, serialised once. */
  publish(event: FeedEvent): void {
    let frame: Buffer | null = null;
    for (const c of this.clients) {
      if (!matches(c.filter, event.data)) continue;
      if (c.pending) c.pending.push(event);
      else this.write(c, event, (frame ??= frameOf(event)));
    }
  }

  /** Ends every connection and the heartbeat. */
  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const c of this.clients) c.res.end();
    this.clients.clear();
    this.perIp.clear();
  }

  private async replay(afterSeq: number, filter: RecordingFilter): Promise<FeedEvent[]> {
    const [recordings, statuses] = await Promise.all([
      this.store.since(afterSeq, filter, MAX_REPLAY),
      this.store.statusesSince(afterSeq, filter, MAX_REPLAY),
    ]);
    const events: FeedEvent[] = [
      ...recordings.map((r) => ({ seq: Number(r.id), kind: 'recording' as const, data: r })),
      ...statuses.map((s) => ({ seq: s.seq, kind: 'status' as const, data: s.status })),
    ];
    return events.sort((a, b) => a.seq - b.seq).slice(0, MAX_REPLAY);
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
