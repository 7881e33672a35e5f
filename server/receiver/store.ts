import { ErrorCodes } from '../../src/contract/errors.ts';
import type { Recording, RecordingStatus, StoredNotification } from './notification.ts';

export type { Recording, RecordingStatus };

/** Which recordings a reader wants. */
export interface RecordingFilter {
  recordId?: string;
  streamId?: string;
}

/** A stored recording status with its event id (the `seq` of its notification). */
export interface StoredStatus {
  seq: number;
  status: RecordingStatus;
}

/** Newest-first position: recordings strictly older than this one. `next` in a page answer encodes it. */
export interface RecordingCursor {
  startTime: number;
  seq: number;
}

export interface RecordingPage {
  recordings: Recording[];
  /** Cursor for the next (older) page, `null` on the last page. */
  next: string | null;
  /** The newest event id stored when the page was read: subscribe to live updates after it to miss nothing. */
  lastEventId: string;
}

export interface PutResult {
  /** `false` when a notification with the same identity was already stored (a retry). */
  inserted: boolean;
  /** The recording this notification added, if it was a new recording with an http(s) URL. */
  recording: Recording | null;
  /** The recording status this notification added (event 332), with its event id. */
  status: StoredStatus | null;
}

/** What `/readyz` reports about the store. */
export interface StoreHealth {
  ok: boolean;
  backend: 'sqlite' | 'postgres';
  /** Why the store is not ready (`ok: false`), for operators. */
  message?: string;
}

/**
 * The store cannot be reached right now (PostgreSQL down, restarting, out of connections): nothing was stored or
 * it is unknown whether the transaction committed. The receiver answers `503` and the sender retries; the unique
 * identity makes the retry exactly-once either way.
 */
export class StoreUnavailableError extends Error {
  readonly code = ErrorCodes.STORE_UNAVAILABLE;
}

/**
 * Where notifications are stored, exactly once per identity: SQLite (one process) or PostgreSQL (any number of
 * receiver instances sharing one database). Event ids (`seq`) grow in commit order, so a reader that resumes after
 * the last id it saw misses nothing.
 */
export interface RecordingStore {
  /** Resolves only once the notification is durably committed (or known to be stored already). */
  put(notification: StoredNotification): Promise<PutResult>;
  /** Newest first (by start time, then arrival), only http(s) URLs. */
  list(filter: RecordingFilter, limit: number, before?: RecordingCursor): Promise<RecordingPage>;
  /** Recordings stored after event id `afterSeq`, oldest first (for resuming a live subscription). */
  since(afterSeq: number, filter: RecordingFilter, limit: number): Promise<Recording[]>;
  /** Recording statuses (event 332) stored after event id `afterSeq`, oldest first. */
  statusesSince(afterSeq: number, filter: RecordingFilter, limit: number): Promise<StoredStatus[]>;
  /**
   * The newest event id stored; with a filter, the newest recording or status event that matches it (what a
   * subscriber with that filter has seen once it is up to date).
   */
  latestSeq(filter?: RecordingFilter): Promise<number>;
  /** How many notifications are stored, by event type (for operators and tests). */
  counts(): Promise<Record<string, number>>;
  /**
   * Shared stores only: connects and brings the schema up to date. The receiver waits for it at start so that it
   * listens with its tables in place; when it fails (database down), the receiver starts anyway, answers 503 and
   * tries again on each request.
   */
  open?(): Promise<void>;
  /** Whether the store answers now (for `/readyz`). */
  health(): Promise<StoreHealth>;
  /**
   * Shared stores only: calls `onChange` whenever any instance may have stored new events (and after a reconnect
   * of the notification channel), so a live feed re-reads from its cursor. Returns the unsubscribe function.
   */
  watch?(onChange: () => void): () => void;
  /** Commits what is pending, then releases the database. */
  close(): Promise<void>;
}

export function encodeCursor(c: RecordingCursor): string {
  return `${c.startTime}_${c.seq}`;
}

export function decodeCursor(text: string): RecordingCursor | null {
  const m = /^(-?\d+(?:\.\d+)?)_(\d+)$/.exec(text);
  return m ? { startTime: Number(m[1]), seq: Number(m[2]) } : null;
}
