import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isWebUrl, type StoredNotification } from './notification.ts';
import {
  type PutResult,
  type Recording,
  type RecordingCursor,
  type RecordingFilter,
  type RecordingPage,
  type RecordingStore,
  type StoreHealth,
  type StoredStatus,
} from './store.ts';
import { filterConditions, isFiltered, toPage, toRecording, toStoredStatus } from './store-rows.ts';
import type { RecordingRow, StatusRow } from './store-rows.ts';

/** Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Append only. */
const MIGRATIONS: string[] = [
  `CREATE TABLE notifications (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     identity TEXT NOT NULL UNIQUE,
     event_type INTEGER NOT NULL,
     stream_id TEXT,
     received_at INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE TABLE recordings (
     seq INTEGER PRIMARY KEY REFERENCES notifications(seq),
     stream_id TEXT NOT NULL,
     record_id INTEGER,
     file_format TEXT NOT NULL,
     start_time NUMERIC NOT NULL,
     end_time NUMERIC NOT NULL,
     duration NUMERIC NOT NULL,
     file_size INTEGER NOT NULL,
     url TEXT NOT NULL,
     web INTEGER NOT NULL
   );
   CREATE INDEX recordings_newest ON recordings(web, start_time DESC, seq DESC);
   CREATE INDEX recordings_by_record ON recordings(record_id, start_time DESC, seq DESC);
   CREATE INDEX recordings_by_stream ON recordings(stream_id, start_time DESC, seq DESC);`,
  // 2: record ids are strings (TRTC's userdefinerecordid, e.g. "meeting_42"); an INTEGER column would turn "42"
  // into 42. Existing integer ids become their decimal text. Recording statuses (event 332) get their own table.
  `CREATE TABLE recordings_v2 (
     seq INTEGER PRIMARY KEY REFERENCES notifications(seq),
     stream_id TEXT NOT NULL,
     record_id TEXT,
     file_format TEXT NOT NULL,
     start_time NUMERIC NOT NULL,
     end_time NUMERIC NOT NULL,
     duration NUMERIC NOT NULL,
     file_size INTEGER NOT NULL,
     url TEXT NOT NULL,
     web INTEGER NOT NULL
   );
   INSERT INTO recordings_v2
     SELECT seq, stream_id, CAST(record_id AS TEXT), file_format, start_time, end_time, duration, file_size, url, web
     FROM recordings;
   DROP TABLE recordings;
   ALTER TABLE recordings_v2 RENAME TO recordings;
   CREATE INDEX recordings_newest ON recordings(web, start_time DESC, seq DESC);
   CREATE INDEX recordings_by_record ON recordings(record_id, start_time DESC, seq DESC);
   CREATE INDEX recordings_by_stream ON recordings(stream_id, start_time DESC, seq DESC);
   CREATE TABLE statuses (
     seq INTEGER PRIMARY KEY REFERENCES notifications(seq),
     stream_id TEXT NOT NULL,
     record_id TEXT,
     status TEXT NOT NULL,
     message TEXT NOT NULL,
     time NUMERIC NOT NULL
   );
   CREATE INDEX statuses_by_record ON statuses(record_id, seq);
   CREATE INDEX statuses_by_stream ON statuses(stream_id, seq);`,
];

interface Pending {
  notification: StoredNotification;
  resolve: (r: PutResult) => void;
  reject: (e: unknown) => void;
}

export interface SqliteStoreOptions {
  /** Batch the writes of concurrent requests into one transaction (one fsync), then answer them all. */
  groupCommit?: boolean;
  /** Most notifications per group-commit transaction. */
  maxBatch?: number;
}

/**
 * SQLite (better-sqlite3) store: WAL journal with `synchronous=FULL`, so a commit is on disk when it returns.
 * With group commit, the puts that arrive during one event-loop turn share a transaction.
 */
export class SqliteRecordingStore implements RecordingStore {
  private readonly db: Database.Database;
  private readonly groupCommit: boolean;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  private flushScheduled: NodeJS.Immediate | null = null;
  private closed = false;
  private readonly insertNotification: Database.Statement;
  private readonly insertRecording: Database.Statement;
  private readonly insertStatus: Database.Statement;
  private readonly commitBatch: (batch: Pending[]) => PutResult[];

  constructor(file: string, options: SqliteStoreOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.groupCommit = options.groupCommit ?? true;
    this.maxBatch = options.maxBatch ?? 256;
    this.insertNotification = this.db.prepare(
      `INSERT INTO notifications (identity, event_type, stream_id, received_at, body)
       VALUES (@identity, @eventType, @streamId, @receivedAt, @body)
       ON CONFLICT(identity) DO NOTHING`,
    );
    this.insertRecording = this.db.prepare(
      `INSERT INTO recordings (seq, stream_id, record_id, file_format, start_time, end_time, duration, file_size, url, web)
       VALUES (@seq, @streamId, @recordId, @fileFormat, @startTime, @endTime, @duration, @fileSize, @url, @web)`,
    );
    this.insertStatus = this.db.prepare(
      `INSERT INTO statuses (seq, stream_id, record_id, status, message, time)
       VALUES (@seq, @streamId, @recordId, @status, @message, @time)`,
    );
    this.commitBatch = this.db.transaction((batch: Pending[]) =>
      batch.map((p) => this.insertOne(p.notification)),
    );
  }

  put(notification: StoredNotification): Promise<PutResult> {
    if (this.closed) return Promise.reject(new Error('The recording store is closed.'));
    return new Promise<PutResult>((resolve, reject) => {
      this.queue.push({ notification, resolve, reject });
      if (!this.groupCommit) this.flush();
      else if (this.queue.length >= this.maxBatch) this.flush();
      else this.flushScheduled ??= setImmediate(() => this.flush());
    });
  }

  async list(filter: RecordingFilter, limit: number, before?: RecordingCursor): Promise<RecordingPage> {
    const { where, params } = whereOf(filter);
    if (before) {
      where.push('(start_time < @bStart OR (start_time = @bStart AND seq < @bSeq))');
      params.bStart = before.startTime;
      params.bSeq = before.seq;
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM recordings WHERE ${where.join(' AND ')} ORDER BY start_time DESC, seq DESC LIMIT @limit`,
      )
      .all({ ...params, limit: limit + 1 }) as RecordingRow[];
    return toPage(rows, limit, await this.latestSeq());
  }

  async since(afterSeq: number, filter: RecordingFilter, limit: number): Promise<Recording[]> {
    const { where, params } = whereOf(filter);
    where.push('seq > @after');
    const rows = this.db
      .prepare(`SELECT * FROM recordings WHERE ${where.join(' AND ')} ORDER BY seq ASC LIMIT @limit`)
      .all({ ...params, after: afterSeq, limit }) as RecordingRow[];
    return rows.map(toRecording);
  }

  async statusesSince(afterSeq: number, filter: RecordingFilter, limit: number): Promise<StoredStatus[]> {
    const { where, params } = whereOf(filter);
    where[0] = 'seq > @after'; // statuses have no "web" flag
    const rows = this.db
      .prepare(`SELECT * FROM statuses WHERE ${where.join(' AND ')} ORDER BY seq ASC LIMIT @limit`)
      .all({ ...params, after: afterSeq, limit }) as StatusRow[];
    return rows.map(toStoredStatus);
  }

  async latestSeq(filter?: RecordingFilter): Promise<number> {
    if (!isFiltered(filter)) {
      const row = this.db.prepare('SELECT max(seq) AS seq FROM notifications').get() as {
        seq: number | null;
      };
      return row.seq ?? 0;
    }
    const { where, params } = whereOf(filter);
    const statusWhere = where.slice(1);
    const row = this.db
      .prepare(
        `SELECT max(coalesce((SELECT max(seq) FROM recordings WHERE ${where.join(' AND ')}), 0),
                    coalesce((SELECT max(seq) FROM statuses WHERE ${statusWhere.join(' AND ')}), 0)) AS seq`,
      )
      .get(params) as { seq: number };
    return row.seq;
  }

  async health(): Promise<StoreHealth> {
    try {
      this.db.prepare('SELECT 1').get();
      return { ok: true, backend: 'sqlite' };
    } catch (err) {
      return { ok: false, backend: 'sqlite', message: err instanceof Error ? err.message : String(err) };
    }
  }

  async counts(): Promise<Record<string, number>> {
    const rows = this.db
      .prepare('SELECT event_type AS type, count(*) AS n FROM notifications GROUP BY event_type')
      .all() as { type: number; n: number }[];
    return Object.fromEntries(rows.map((r) => [String(r.type), r.n]));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private flush(): void {
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = null;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let results: PutResult[];
      try {
        results = this.commitBatch(batch);
      } catch (err) {
        for (const p of batch) p.reject(err);
        continue;
      }
      batch.forEach((p, i) => p.resolve(results[i]));
    }
  }

  private insertOne(n: StoredNotification): PutResult {
    const info = this.insertNotification.run({
      identity: n.identity,
      eventType: n.eventType,
      streamId: n.streamId,
      receivedAt: Math.floor(Date.now() / 1000),
      body: n.body,
    });
    if (info.changes === 0) return { inserted: false, recording: null, status: null };
    const seq = Number(info.lastInsertRowid);
    if (n.status) {
      this.insertStatus.run({ ...n.status, seq });
      return { inserted: true, recording: null, status: { seq, status: n.status } };
    }
    if (!n.recording) return { inserted: true, recording: null, status: null };
    const web = isWebUrl(n.recording.url);
    this.insertRecording.run({ ...n.recording, seq, web: web ? 1 : 0 });
    return { inserted: true, recording: web ? { id: String(seq), ...n.recording } : null, status: null };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < MIGRATIONS.length; i++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[i]);
        this.db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }
}

function whereOf(filter: RecordingFilter): { where: string[]; params: Record<string, string | number> } {
  const params: Record<string, string | number> = {};
  const where = filterConditions(filter, (name, value) => {
    params[name] = value;
    return `@${name}`;
  });
  return { where: ['web = 1', ...where], params };
}
