/**
 * Persistent callback outbox: every notification is committed to SQLite before anything is sent, then POSTed to
 * the callback URL until the receiver answers 200 within the timeout. Delivery is at-least-once; `t` and `sign`
 * are recomputed on every attempt, so a notification retried an hour later is still valid. Items still pending
 * when the relay stops are sent after the next start.
 */
import Database from 'better-sqlite3';
import { sign } from '../shared/sign.ts';

export interface OutboxOptions {
  /** SQLite file (created if missing). */
  file: string;
  url: string | null;
  key: string;
  /** Per-attempt timeout. Default 5000 ms. */
  timeoutMs?: number;
  /** Backoff: first retry after about `retryBaseMs`, doubling up to `retryMaxMs`, with ±50% jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Validity of a signature: `t = now + signTtlS`. Default 600 s (Tencent's 10 minutes). */
  signTtlS?: number;
  log?: (msg: string) => void;
}

interface Row {
  id: number;
  body: string;
  attempts: number;
}

export type CallbackBody = Record<string, string | number | null>;

export function backoffDelay(attempts: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (0.5 + random()));
}

export class Outbox {
  private readonly db: Database.Database;
  private readonly opts: Required<Omit<OutboxOptions, 'log'>> & { log: (msg: string) => void };
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private closed = false;
  private readonly inflight = new Set<AbortController>();

  constructor(options: OutboxOptions) {
    this.opts = {
      file: options.file,
      url: options.url,
      key: options.key,
      timeoutMs: options.timeoutMs ?? 5000,
      retryBaseMs: options.retryBaseMs ?? 1000,
      retryMaxMs: options.retryMaxMs ?? 60_000,
      signTtlS: options.signTtlS ?? 600,
      log: options.log ?? (() => {}),
    };
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
  }

  /** Commits a notification (without `t`/`sign`, added per attempt) and wakes the sender. */
  enqueue(body: CallbackBody): number {
    if (this.closed) throw new Error('outbox is closed');
    const now = Date.now();
    const info = this.db
      .prepare('INSERT INTO outbox (body, created_at, next_at) VALUES (?, ?, ?)')
      .run(JSON.stringify(body), now, now);
    this.kick(0);
    return Number(info.lastInsertRowid);
  }

  /** Starts the delivery loop (sends anything pending from before a restart). */
  start(): void {
    this.kick(0);
  }

  pending(): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL').get() as { n: number }
    ).n;
  }

  private kick(delayMs: number): void {
    if (this.closed || !this.opts.url) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, delayMs);
  }

  private async drain(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    try {
      for (;;) {
        if (this.closed) return;
        const row = this.db
          .prepare(
            'SELECT id, body, attempts FROM outbox WHERE delivered_at IS NULL AND next_at <= ? ORDER BY next_at, id LIMIT 1',
          )
          .get(Date.now()) as Row | undefined;
        if (!row) break;
        await this.attempt(row);
      }
      if (this.closed) return;
      const next = this.db
        .prepare('SELECT MIN(next_at) AS at FROM outbox WHERE delivered_at IS NULL')
        .get() as {
        at: number | null;
      };
      if (next.at !== null) this.kick(Math.max(0, next.at - Date.now()));
    } finally {
      this.running = false;
    }
  }

  private async attempt(row: Row): Promise<void> {
    const t = Math.floor(Date.now() / 1000) + this.opts.signTtlS;
    const payload = { ...(JSON.parse(row.body) as CallbackBody), t, sign: sign(this.opts.key, t) };
    const ctrl = new AbortController();
    this.inflight.add(ctrl);
    const timer = setTimeout(
      () => ctrl.abort(new Error(`no answer within ${this.opts.timeoutMs} ms`)),
      this.opts.timeoutMs,
    );
    let error: string | null = null;
    try {
      const res = await fetch(this.opts.url as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: ctrl.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status !== 200) error = `HTTP ${res.status}`;
    } catch (err) {
      error =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    } finally {
      clearTimeout(timer);
      this.inflight.delete(ctrl);
    }
    if (this.closed) return; // attempt interrupted by shutdown: stays pending, resent after restart
    const attempts = row.attempts + 1;
    if (error === null) {
      this.db
        .prepare('UPDATE outbox SET delivered_at = ?, attempts = ?, last_error = NULL WHERE id = ?')
        .run(Date.now(), attempts, row.id);
    } else {
      const delay = backoffDelay(attempts, this.opts.retryBaseMs, this.opts.retryMaxMs);
      this.db
        .prepare('UPDATE outbox SET next_at = ?, attempts = ?, last_error = ? WHERE id = ?')
        .run(Date.now() + delay, attempts, error, row.id);
      this.opts.log(`callback ${row.id} attempt ${attempts} failed (${error}); retry in ${delay} ms`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const c of this.inflight) c.abort(new Error('relay shutting down'));
    this.db.close();
  }
}
