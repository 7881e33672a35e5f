import type { ServerResponse } from 'node:http';
import type { Recording, RecordingFilter, RecordingStore } from './store.ts';

/** Most recordings replayed to a client that resumes with `Last-Event-ID`. */
const MAX_REPLAY = 1000;
/** A client whose socket buffer grows past this is too slow to follow and gets disconnected. */
const MAX_BUFFERED_BYTES = 1 << 20;

interface Client {
  res: ServerResponse;
  filter: RecordingFilter;
  /** Live recordings that arrived while the replay was being read; `null` once live. */
  pending: Recording[] | null;
  sentUpTo: number;
}

/**
 * Server-sent events of newly stored recordings. Each message is `id: {seq}`, `event: recording`,
 * `data: Recording`; on connect (after any replay) an `event: ready` carries the newest event id so that a client
 * reconnecting with `Last-Event-ID` resumes without gaps. Comment lines keep idle connections alive.
 */
export class LiveFeed {
  private readonly clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: RecordingStore,
    private readonly heartbeatMs: number,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Takes over `res` (already hijacked from the framework) until the client goes away or `close()`. */
  async attach(
    res: ServerResponse,
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
    const client: Client = { res, filter, pending: [], sentUpTo: 0 };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    this.heartbeat ??= setInterval(() => this.beat(), this.heartbeatMs);

    try {
      const latest = await this.store.latestSeq();
      let upTo = latest;
      if (lastEventId !== null) {
        for (const r of await this.store.since(lastEventId, filter, MAX_REPLAY)) {
          this.write(client, r);
          upTo = Math.max(upTo, Number(r.id));
        }
      }
      if (res.writableEnded) return;
      res.write(`id: ${upTo}\nevent: ready\ndata: {}\n\n`);
      client.sentUpTo = upTo;
      const pending = client.pending ?? [];
      client.pending = null;
      for (const r of pending) if (Number(r.id) > client.sentUpTo) this.write(client, r);
    } catch {
      res.end();
    }
  }

  publish(recording: Recording): void {
    for (const c of this.clients) {
      if (!matches(c.filter, recording)) continue;
      if (c.pending) c.pending.push(recording);
      else this.write(c, recording);
    }
  }

  /** Ends every connection and the heartbeat. */
  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private write(c: Client, r: Recording): void {
    c.res.write(`id: ${r.id}\nevent: recording\ndata: ${JSON.stringify(r)}\n\n`);
    c.sentUpTo = Math.max(c.sentUpTo, Number(r.id));
    if (c.res.writableLength > MAX_BUFFERED_BYTES) {
      c.res.destroy();
      this.clients.delete(c);
    }
  }

  private beat(): void {
    if (this.clients.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
      return;
    }
    for (const c of this.clients) c.res.write(': heartbeat\n\n');
  }
}

function matches(f: RecordingFilter, r: Recording): boolean {
  return (
    (f.recordId === undefined || f.recordId === r.recordId) &&
    (f.streamId === undefined || f.streamId === r.streamId)
  );
}
