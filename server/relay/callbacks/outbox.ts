/**
 * Persistent callback outbox and push journal, in one SQLite file.
 *
 * Every notification is committed before anything is sent, then POSTed to the URL configured for its event type
 * on Tencent's cadence ("如何接收事件通知", https://www.tencentcloud.com/zh/document/product/267/38080: no answer within
 * 20 s or a status other than 200 is a failure; retried every 60 s, 12 retries) — each setting configurable.
 * Notifications of one stream are delivered in the order they were committed (1, then the 100s, then 0): a later
 * one waits while an earlier one is being retried; different streams do not wait for each other. `t` and `sign`
 * (and the body-bound `X-Relay-Signature`) are computed on every attempt, so a notification retried later is still
 * valid. Items pending when the relay stops are sent after the next start.
 *
 * The journal records each open push (relay run) with the state needed to finish it, in the same transaction as
 * its start event, and closes it in the same transaction as its end events: after a crash, the pushes still open
 * are exactly the ones whose 100s and 0 were never queued (see `recovery.ts`).
 */
import { createHmac } from 'node:crypto';
import Database from 'better-sqlite3';
import { sign } from '../../shared/sign.ts';
import { eventKind, type CallbackBody } from './callbacks.ts';

/** One URL per event kind, as Tencent's console has; a kind without a URL sends nothing. */
export interface CallbackUrls {
  /** Event 1. */
  push?: string | null;
  /** Event 0. */
  streamEnd?: string | null;
  /** Event 100. */
  record?: string | null;
}

export interface OutboxOptions {
  /** SQLite file (created if missing). */
  file: string;
  urls: CallbackUrls;
  key: string;
  /** Per-attempt answer timeout. Default 20 000 ms (Tencent). */
  timeoutMs?: number;
  /** Delay before each retry. Default 60 000 ms (Tencent). */
  retryIntervalMs?: number;
  /** Retries after the first attempt before giving up (the row stays, marked failed). Default 12 (Tencent). */
  retries?: number;
  /** Validity of a signature: `t = now + signTtlS`. Default 600 s (Tencent's 10 minutes). */
  signTtlS?: number;
  /** Streams delivered to at the same time. Default 8. */
  concurrency?: number;
  log?: (msg: string) => void;
}

interface Head {
  id: number;
  stream_key: string;
  event_type: number;
  body: string;
  attempts: number;
  next_at: number;
}

/** `X-Relay-Signature` value: `sha256=` + hex HMAC-SHA256(key, t + "." + rawBody) (`docs/contracts.md`, Standard Webhooks). */
export function relaySignature(key: string, t: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', key).update(`${t}.${rawBody}`).digest('hex')}`;
}

export class Outbox {
  private readonly db: Database.Database;
  private readonly urls: CallbackUrls;
  private readonly key: string;
  private readonly timeoutMs: number;
  private readonly retryIntervalMs: number;
  private readonly retries: number;
  private readonly signTtlS: number;
  private readonly concurrency: number;
  private readonly log: (msg: string) => void;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private started = false;
  /** Stream keys with an attempt in flight, and the controllers to abort them on close. */
  private readonly inflight = new Map<string, AbortController>();

  constructor(options: OutboxOptions) {
    this.urls = options.urls;
    this.key = options.key;
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.retryIntervalMs = options.retryIntervalMs ?? 60_000;
    this.retries = options.retries ?? 12;
    this.signTtlS = options.signTtlS ?? 600;
    this.concurrency = options.concurrency ?? 8;
    this.log = options.log ?? (() => {});
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      next_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      delivered_at INTEGER
    )`);
    const cols = new Set(
      (this.db.prepare('PRAGMA table_info(outbox)').all() as { name: string }[]).map((c) => c.name),
    );
    // Files written before per-stream ordering: their rows get the stream and event type from the body.
    if (!cols.has('stream_key')) {
      this.db.exec(`ALTER TABLE outbox ADD COLUMN stream_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE outbox ADD COLUMN event_type INTEGER NOT NULL DEFAULT -1;
        ALTER TABLE outbox ADD COLUMN failed_at INTEGER;
        UPDATE outbox SET stream_key = COALESCE(json_extract(body, '$.stream_id'), ''),
                          event_type = COALESCE(json_extract(body, '$.event_type'), -1);`);
    }
    this.db.exec(`CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (stream_key, id)
        WHERE delivered_at IS NULL AND failed_at IS NULL;
      CREATE TABLE IF NOT EXISTS pushes (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        closed_at INTEGER
      );`);
  }

  /** The URL the event type is sent to, or null when none is configured (then nothing is queued). */
  urlFor(eventType: number): string | null {
    const kind = eventKind(eventType);
    return (kind && this.urls[kind]) || null;
  }

  /** Commits a notification (without `t`/`sign`, added per attempt) and wakes the sender. Null if not queued. */
  enqueue(body: CallbackBody): number | null {
    const id = this.insert(body);
    this.kick(0);
    return id;
  }

  private insert(body: CallbackBody): number | null {
    if (this.closed) throw new Error('outbox is closed');
    const eventType = Number(body.event_type);
    if (!this.urlFor(eventType)) return null;
    const now = Date.now();
    const info = this.db
      .prepare(
        'INSERT INTO outbox (stream_key, event_type, body, created_at, next_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(String(body.stream_id ?? ''), eventType, JSON.stringify(body), now, now);
    return Number(info.lastInsertRowid);
  }

  /** Journals an open push under `key` with `state`, and queues `events` (its start), in one transaction. */
  openPush(key: string, state: unknown, events: CallbackBody[]): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO pushes (key, state, opened_at) VALUES (?, ?, ?)')
        .run(key, JSON.stringify(state), Date.now());
      for (const e of events) this.insert(e);
    })();
    this.kick(0);
  }

  /** Closes the push `key` and queues `events` (its 100s, then its 0), in one transaction. */
  closePush(key: string, events: CallbackBody[]): void {
    this.db.transaction(() => {
      for (const e of events) this.insert(e);
      this.db.prepare('UPDATE pushes SET closed_at = ? WHERE key = ?').run(Date.now(), key);
    })();
    this.kick(0);
  }

  /** Pushes journalled as open and never closed (the relay stopped without finishing them). */
  openPushes<T>(): { key: string; state: T }[] {
    const rows = this.db
      .prepare('SELECT key, state FROM pushes WHERE closed_at IS NULL ORDER BY opened_at')
      .all() as { key: string; state: string }[];
    return rows.map((r) => ({ key: r.key, state: JSON.parse(r.state) as T }));
  }

  /** Starts the delivery loop (sends anything pending from before a restart). */
  start(): void {
    this.started = true;
    this.kick(0);
  }

  /** Notifications not yet acknowledged and not given up. */
  pending(): number {
    return (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL')
        .get() as { n: number }
    ).n;
  }

  private kick(delayMs: number): void {
    if (this.closed || !this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, delayMs);
  }

  /** Starts an attempt for the oldest pending notification of every stream that is due and not in flight. */
  private pump(): void {
    if (this.closed) return;
    const heads = this.db
      .prepare(
        `SELECT o.id, o.stream_key, o.event_type, o.body, o.attempts, o.next_at FROM outbox o
         JOIN (SELECT MIN(id) AS id FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL
               GROUP BY stream_key) h ON h.id = o.id
         ORDER BY o.next_at, o.id`,
      )
      .all() as Head[];
    const now = Date.now();
    let wake: number | null = null;
    for (const head of heads) {
      if (this.inflight.has(head.stream_key)) continue;
      if (head.next_at > now) {
        wake = Math.min(wake ?? head.next_at, head.next_at);
        continue;
      }
      if (this.inflight.size >= this.concurrency) {
        wake = now;
        break;
      }
      void this.attempt(head);
    }
    if (wake !== null && this.inflight.size < this.concurrency) this.kick(Math.max(0, wake - now));
  }

  private async attempt(row: Head): Promise<void> {
    const ctrl = new AbortController();
    this.inflight.set(row.stream_key, ctrl);
    const url = this.urlFor(row.event_type);
    let error: string | null = null;
    if (!url) {
      error = 'no callback URL configured for this event type';
    } else {
      const t = Math.floor(Date.now() / 1000) + this.signTtlS;
      const raw = JSON.stringify({ ...(JSON.parse(row.body) as CallbackBody), t, sign: sign(this.key, t) });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.key) headers['x-relay-signature'] = relaySignature(this.key, t, raw);
      const timer = setTimeout(
        () => ctrl.abort(new Error(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      try {
        const res = await fetch(url, { method: 'POST', headers, body: raw, signal: ctrl.signal });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status !== 200) error = `HTTP ${res.status}`;
      } catch (err) {
        error =
          err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      } finally {
        clearTimeout(timer);
      }
    }
    this.inflight.delete(row.stream_key);
    if (this.closed) return; // interrupted by shutdown: stays pending, resent after restart
    const attempts = row.attempts + 1;
    const now = Date.now();
    if (error === null) {
      this.db
        .prepare('UPDATE outbox SET delivered_at = ?, attempts = ?, last_error = NULL WHERE id = ?')
        .run(now, attempts, row.id);
    } else if (attempts > this.retries || !url) {
      this.db
        .prepare('UPDATE outbox SET failed_at = ?, attempts = ?, last_error = ? WHERE id = ?')
        .run(now, attempts, error, row.id);
      this.log(
        `callback ${row.id} (event ${row.event_type} of ${row.stream_key}) given up after ${attempts} attempt(s): ${error}`,
      );
    } else {
      this.db
        .prepare('UPDATE outbox SET next_at = ?, attempts = ?, last_error = ? WHERE id = ?')
        .run(now + this.retryIntervalMs, attempts, error, row.id);
      this.log(
        `callback ${row.id} (event ${row.event_type} of ${row.stream_key}) attempt ${attempts} failed (${error}); retry in ${this.retryIntervalMs} ms`,
      );
    }
    this.kick(0);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const c of this.inflight.values()) c.abort(new Error('relay shutting down'));
    this.db.close();
  }
}
