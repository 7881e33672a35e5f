import pg from 'pg';
import { ErrorCodes } from '../../src/contract/errors.ts';
import { isWebUrl, NotificationError, type StoredNotification } from './notification.ts';
import {
  insertRecordings,
  insertStatuses,
  isConnectionError,
  messageOf,
  nulField,
  unavailable,
  whereOf,
} from './postgres-rows.ts';
import { migratePostgres, WRITE_LOCK } from './postgres-schema.ts';
import { isFiltered, toPage, toRecording, toStoredStatus } from './store-rows.ts';
import type { RecordingRow, StatusRow } from './store-rows.ts';
import type { PutResult, Recording, RecordingCursor, RecordingFilter } from './store.ts';
import type { RecordingPage, RecordingStore, StoreHealth, StoredStatus } from './store.ts';

/** The channel of `NOTIFY`: its payload is only the newest event id of a commit; readers re-read by cursor. */
const CHANNEL = 'receiver_events';

export interface PostgresStoreOptions {
  /** Batch the writes of concurrent requests into one transaction, then answer them all. Default true. */
  groupCommit?: boolean;
  /** Most notifications per group-commit transaction. Default 256. */
  maxBatch?: number;
  /** Most pooled connections of this instance (plus one for `LISTEN`). Default 10. */
  poolSize?: number;
}

interface Pending {
  notification: StoredNotification;
  resolve: (r: PutResult) => void;
  reject: (e: unknown) => void;
}

/**
 * PostgreSQL store (`pg`, pooled), for several receiver instances sharing one database. Each write transaction
 * takes one advisory lock before it allocates event ids, so ids are committed in order across all instances (a
 * reader that resumes after id N never misses a smaller id committed later); exactly-once is the unique
 * `identity` with `INSERT … ON CONFLICT DO NOTHING`, decided in the transaction whose commit the answer waits for.
 * With group commit, the puts that arrive while a transaction commits share the next one.
 */
export class PostgresRecordingStore implements RecordingStore {
  private readonly pool: pg.Pool;
  private readonly groupCommit: boolean;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  /** The running batch loop, if any. */
  private writing: Promise<void> | null = null;
  /** Commits of `groupCommit: false`, each its own transaction. */
  private readonly single = new Set<Promise<void>>();
  private closed = false;
  private migrated: Promise<void> | null = null;
  private readonly watchers = new Set<() => void>();
  private listener: pg.Client | null = null;
  private listening = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = 250;

  constructor(
    private readonly url: string,
    options: PostgresStoreOptions = {},
  ) {
    this.groupCommit = options.groupCommit ?? true;
    this.maxBatch = options.maxBatch ?? 256;
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30_000,
      query_timeout: 15_000,
    });
    // A pooled idle connection that breaks (server restart) is discarded by the pool; the next query reconnects.
    this.pool.on('error', () => {});
  }

  open(): Promise<void> {
    return this.ready();
  }

  put(notification: StoredNotification): Promise<PutResult> {
    if (this.closed) return Promise.reject(new Error('The recording store is closed.'));
    const nul = nulField(notification);
    if (nul) {
      return Promise.reject(new NotificationError(ErrorCodes.BAD_BODY, `"${nul}" contains a NUL character.`));
    }
    return new Promise<PutResult>((resolve, reject) => {
      const p = { notification, resolve, reject };
      if (!this.groupCommit) {
        const done = this.commit([p]).finally(() => this.single.delete(done));
        this.single.add(done);
        return;
      }
      this.queue.push(p);
      this.writing ??= this.drain();
    });
  }

  async list(filter: RecordingFilter, limit: number, before?: RecordingCursor): Promise<RecordingPage> {
    const { where, params } = whereOf(filter);
    if (before) {
      params.push(before.startTime, before.seq);
      const s = `$${params.length - 1}`;
      where.push(`(start_time < ${s} OR (start_time = ${s} AND seq < $${params.length}))`);
    }
    params.push(limit + 1);
    const rows = await this.query<RecordingRow>(
      `SELECT * FROM recordings WHERE ${where.join(' AND ')}
       ORDER BY start_time DESC, seq DESC LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, limit, await this.latestSeq());
  }

  async since(afterSeq: number, filter: RecordingFilter, limit: number): Promise<Recording[]> {
    const { where, params } = whereOf(filter);
    return (await this.rowsSince<RecordingRow>('recordings', where, params, afterSeq, limit)).map(
      toRecording,
    );
  }

  async statusesSince(afterSeq: number, filter: RecordingFilter, limit: number): Promise<StoredStatus[]> {
    const { where, params } = whereOf(filter);
    where[0] = 'TRUE'; // statuses have no "web" flag
    return (await this.rowsSince<StatusRow>('statuses', where, params, afterSeq, limit)).map(toStoredStatus);
  }

  async latestSeq(filter?: RecordingFilter): Promise<number> {
    if (!isFiltered(filter)) {
      const rows = await this.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM notifications');
      return Number(rows[0]?.seq ?? 0);
    }
    const { where, params } = whereOf(filter);
    const rows = await this.query<{ seq: string }>(
      `SELECT greatest(coalesce((SELECT max(seq) FROM recordings WHERE ${where.join(' AND ')}), 0),
                       coalesce((SELECT max(seq) FROM statuses WHERE ${where.slice(1).join(' AND ')}), 0)) AS seq`,
      params,
    );
    return Number(rows[0].seq);
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.query<{ type: number; n: string }>(
      'SELECT event_type AS type, count(*) AS n FROM notifications GROUP BY event_type',
    );
    return Object.fromEntries(rows.map((r) => [String(r.type), Number(r.n)]));
  }

  async health(): Promise<StoreHealth> {
    try {
      await this.query('SELECT 1');
    } catch (err) {
      return { ok: false, backend: 'postgres', message: messageOf(err) };
    }
    if (this.watchers.size > 0 && !this.listening) {
      return {
        ok: false,
        backend: 'postgres',
        message: 'The LISTEN connection is down: live updates from other instances wait for it to reconnect.',
      };
    }
    return { ok: true, backend: 'postgres' };
  }

  watch(onChange: () => void): () => void {
    this.watchers.add(onChange);
    if (!this.listener && !this.reconnectTimer) void this.listen();
    return () => {
      this.watchers.delete(onChange);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writing;
    await Promise.all(this.single);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const listener = this.listener;
    this.listener = null;
    this.watchers.clear();
    await listener?.end().catch(() => {});
    await this.pool.end();
  }

  /** Applies the migrations once per process (retried on the next call after a failure). */
  private ready(): Promise<void> {
    this.migrated ??= migratePostgres(this.pool).catch((err: unknown) => {
      this.migrated = null;
      throw unavailable(err);
    });
    return this.migrated;
  }

  /** Rows of `table` that match `where` with event ids after `afterSeq`, oldest first. */
  private rowsSince<R extends pg.QueryResultRow>(
    table: 'recordings' | 'statuses',
    where: string[],
    params: unknown[],
    afterSeq: number,
    limit: number,
  ): Promise<R[]> {
    params.push(afterSeq, limit);
    return this.query<R>(
      `SELECT * FROM ${table} WHERE ${where.join(' AND ')} AND seq > $${params.length - 1}
       ORDER BY seq ASC LIMIT $${params.length}`,
      params,
    );
  }

  private async query<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
    await this.ready();
    try {
      return (await this.pool.query<R>(text, params)).rows;
    } catch (err) {
      throw unavailable(err);
    }
  }

  /** One batch at a time: while it commits, new puts queue up for the next. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.maxBatch));
    } finally {
      this.writing = null;
    }
  }

  /** Stores `batch` in one transaction and settles each put after the commit (or rejects them all). */
  private async commit(batch: Pending[]): Promise<void> {
    let results: PutResult[];
    try {
      await this.ready();
      results = await this.transaction(batch.map((p) => p.notification));
    } catch (err) {
      const e = unavailable(err);
      for (const p of batch) p.reject(e);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]));
    if (results.some((r) => r.inserted)) this.changed();
  }

  private async transaction(batch: StoredNotification[]): Promise<PutResult[]> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
      const inserted = await client.query<{ seq: string; identity: string }>(
        `INSERT INTO notifications (identity, event_type, stream_id, received_at, body)
         SELECT identity, event_type, stream_id, $5, body
           FROM unnest($1::text[], $2::int[], $3::text[], $4::text[]) WITH ORDINALITY
                AS input(identity, event_type, stream_id, body, ord)
          ORDER BY ord
         ON CONFLICT (identity) DO NOTHING
         RETURNING seq, identity`,
        [
          batch.map((n) => n.identity),
          batch.map((n) => n.eventType),
          batch.map((n) => n.streamId),
          batch.map((n) => n.body),
          Math.floor(Date.now() / 1000),
        ],
      );
      const seqOf = new Map(inserted.rows.map((r) => [r.identity, Number(r.seq)]));
      const results: PutResult[] = [];
      const recordings: { seq: number; n: StoredNotification }[] = [];
      const statuses: { seq: number; n: StoredNotification }[] = [];
      for (const n of batch) {
        const seq = seqOf.get(n.identity);
        // A second delivery inside the same batch finds its identity already claimed: a duplicate.
        if (seq === undefined) {
          results.push({ inserted: false, recording: null, status: null });
          continue;
        }
        seqOf.delete(n.identity);
        if (n.status) {
          statuses.push({ seq, n });
          results.push({ inserted: true, recording: null, status: { seq, status: n.status } });
        } else if (n.recording) {
          recordings.push({ seq, n });
          const web = isWebUrl(n.recording.url);
          results.push({
            inserted: true,
            recording: web ? { id: String(seq), ...n.recording } : null,
            status: null,
          });
        } else results.push({ inserted: true, recording: null, status: null });
      }
      if (recordings.length > 0) await insertRecordings(client, recordings);
      if (statuses.length > 0) await insertStatuses(client, statuses);
      const newest = Math.max(0, ...inserted.rows.map((r) => Number(r.seq)));
      // Delivered to every listener on commit, in commit order; the payload is an id, never data.
      await client.query(newest > 0 ? `SELECT pg_notify('${CHANNEL}', '${newest}'); COMMIT` : 'COMMIT');
      return results;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      broken ??= isConnectionError(err) ? (err as Error) : undefined;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private changed(): void {
    for (const w of this.watchers) w();
  }

  /** The `LISTEN` connection: reconnects with backoff; every (re)connect tells the watchers to catch up. */
  private async listen(): Promise<void> {
    this.reconnectTimer = null;
    if (this.closed || this.watchers.size === 0) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 3000 });
    this.listener = client;
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = null;
      this.listening = false;
      client.removeAllListeners('notification');
      void client.end().catch(() => {});
      if (this.closed) return;
      this.reconnectTimer = setTimeout(() => void this.listen(), this.reconnectDelay);
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, 2000);
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (msg) => {
      if (msg.channel === CHANNEL) this.changed();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      lost();
      return;
    }
    if (this.listener !== client) return;
    this.listening = true;
    this.reconnectDelay = 250;
    this.changed(); // anything committed while the channel was down is read by cursor now
  }
}
