import type { Recording } from '../contract/events.js';
import type { RelayErrorInfo } from '../contract/types.js';
import type { LiveRecordingStatus, LiveUpdatesState } from './live-updates.js';
import type { Take } from './takes.js';

/** What a recording list shows: `ListSession`'s state, also what `<recording-list>` renders before it has one. */
export type ListStatus = 'idle' | 'loading' | 'ready' | 'error';

/** Everything a view shows, replaced (never changed in place) at every change. */
export interface ListSnapshot {
  readonly status: ListStatus;
  /** The files loaded, newest first, in a fixed order. */
  readonly recordings: Recording[];
  /** The same files grouped into takes (one push/record session of a stream each), newest first. */
  readonly takes: Take[];
  /** Cursor of the next (older) page, `null` when there is none. */
  readonly next: string | null;
  /** True while an older page is being read. */
  readonly loadingMore: boolean;
  /** The live-updates connection. */
  readonly live: LiveUpdatesState;
  /** Why the status is `error` (also kept when a failure kept the list: `READ_AUTH_FAILED` while listening). */
  readonly error: RelayErrorInfo | null;
  /** The latest recording status of the streams that sent one (`event: status`), newest first, at most three. */
  readonly statuses: LiveRecordingStatus[];
}

/** A list that shows nothing and is not loading (`idle`). */
export const EMPTY_LIST: ListSnapshot = Object.freeze({
  status: 'idle',
  recordings: [],
  takes: [],
  next: null,
  loadingMore: false,
  live: 'closed',
  error: null,
  statuses: [],
});
