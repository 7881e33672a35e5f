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

/**
 * Where notifications are stored, exactly once per identity. SQLite now; a PostgreSQL implementation for a
 * multi-instance deployment only needs the same UNIQUE(identity) insert-or-ignore and the same ordering.
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
  /** The newest event id stored. */
  latestSeq(): Promise<number>;
  /** How many notifications are stored, by event type (for operators and tests). */
  counts(): Promise<Record<string, number>>;
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
