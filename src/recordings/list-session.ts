/**
 * The recording list session: the first page, older pages, live updates over server-sent events, the filter checks
 * and every failure — everything `<recording-list>` does that is not rendering. Headless (`fetch` and `EventSource`
 * only), so it is tested without the element, as `src/push/push-session.ts` is for the push controls.
 *
 * It reports through a {@link ListSessionListener}; the element renders its {@link ListSession.snapshot} and turns
 * the other calls into DOM events and announcements. Constructing one touches nothing (safe in server-side
 * rendering); `release()` leaves no request or connection running.
 *
 * For `<script src>` pages it travels in the lazy module `recordings` (`dist/relay-widgets-recordings.js`, see
 * `recordings-module.ts`), fetched when a list connects, so the script every page loads does not carry it.
 */
import { ErrorCodes, isRelayError, toErrorInfo } from '../contract/errors.js';
import type { Recording } from '../contract/events.js';
import type { RelayErrorInfo } from '../contract/types.js';
import { DEFAULT_PAGE_SIZE, fetchRecordings, MODULE, type RecordingFilter } from './api.js';
import {
  RecordingLiveUpdates,
  type LiveRecordingStatus,
  type LiveUpdatesOptions,
  type LiveUpdatesState,
} from './live-updates.js';
import { RECORD_ID_PATTERN } from './recording.js';
import { EMPTY_LIST, type ListSnapshot } from './list-snapshot.js';
import { groupTakes, mergeRecordings } from './takes.js';

/** What to list: the element's attributes, as the page wrote them (checked by {@link listFilter}). */
export interface ListQuery {
  /** Base URL of the receiver; empty for the page's origin. */
  endpoint: string;
  recordId?: string | null;
  streamId?: string | null;
  readSecret?: string | null;
  readTime?: string | null;
  /** Files per page, clamped to 1–100 (default 20). */
  pageSize?: number;
}

export interface ListSessionListener {
  /** The snapshot changed (it is also {@link ListSession.snapshot}). */
  onChange(snapshot: ListSnapshot): void;
  /**
   * Every failure, as `{ module, code, message }`: `LIST_FAILED`, `READ_AUTH_FAILED`, or `LIVE_UPDATES_LOST` (once
   * per interruption; the session keeps reconnecting and the status stays `ready`).
   */
  onError(info: RelayErrorInfo): void;
  /** A recording arrived live that the list did not have. */
  onAdded?(recording: Recording): void;
  /** Live updates are back after an interruption that was reported as `LIVE_UPDATES_LOST`. */
  onReconnected?(): void;
}

export interface ListSessionOptions {
  /** Reconnect schedule of the live updates (default: 1 s doubling to 30 s). */
  backoff?: LiveUpdatesOptions['backoff'];
}

/** Status lines kept at most (the streams with the latest `event: status`). */
const MAX_STATUS_LINES = 3;

/** The filter the query asks for, or a message saying which attribute is wrong. */
export function listFilter(query: ListQuery): RecordingFilter | string {
  const filter: RecordingFilter = {};
  const rid = query.recordId?.trim();
  if (rid) {
    if (!RECORD_ID_PATTERN.test(rid))
      return `record-id must be 1–64 letters, digits, "_" or "-" (like meeting_42), not "${rid}".`;
    filter.recordId = rid;
  }
  if (query.streamId) filter.streamId = query.streamId;
  const secret = query.readSecret?.trim();
  const time = query.readTime?.trim();
  if (secret || time) {
    if (!secret || !time) return 'read-secret and read-time go together: set both, or neither.';
    if (!rid) return 'read-secret is signed for one record id: set record-id too.';
    filter.readSecret = secret;
    filter.readTime = time;
  }
  return filter;
}

/** Files per page: `pageSize` as a whole number from 1 to 100, else the default. */
export function pageLimit(pageSize: number | undefined): number {
  const n = Math.floor(Number(pageSize ?? DEFAULT_PAGE_SIZE));
  return Number.isFinite(n) ? Math.min(100, Math.max(1, n)) : DEFAULT_PAGE_SIZE;
}

/** One load of the list: what it asked for, and the signal that ends it. */
interface Run {
  endpoint: string;
  filter: RecordingFilter;
  limit: number;
  abort: AbortController;
}

export class ListSession {
  readonly #listener: ListSessionListener;
  readonly #options: ListSessionOptions;
  #snapshot: ListSnapshot = EMPTY_LIST;
  #run: Run | null = null;
  #liveUpdates: RecordingLiveUpdates | null = null;
  #liveLostReported = false;

  constructor(listener: ListSessionListener, options: ListSessionOptions = {}) {
    this.#listener = listener;
    this.#options = options;
  }

  /** What the list shows now. */
  get snapshot(): ListSnapshot {
    return this.#snapshot;
  }

  /**
   * Lists what `query` asks for from its first page, then follows live updates. Whatever the previous query still
   * had running is aborted first, so nothing it read reaches the list. A wrong attribute is an error (`LIST_FAILED`
   * with a message naming it), not an empty list.
   */
  reload(query: ListQuery): void {
    this.#stop();
    const filter = listFilter(query);
    this.#snapshot = EMPTY_LIST;
    if (typeof filter === 'string') {
      this.#fail({ module: MODULE, code: ErrorCodes.LIST_FAILED, message: filter });
      return;
    }
    const run: Run = {
      endpoint: query.endpoint,
      filter,
      limit: pageLimit(query.pageSize),
      abort: new AbortController(),
    };
    this.#run = run;
    this.#set({ status: 'loading' });
    void this.#loadFirstPage(run);
  }

  /** Reads the next (older) page, if there is one and none is being read. A failure keeps the list. */
  async loadMore(): Promise<void> {
    const run = this.#run;
    const { next, loadingMore } = this.#snapshot;
    if (!run || !next || loadingMore) return;
    const { signal } = run.abort;
    this.#set({ loadingMore: true });
    try {
      const page = await fetchRecordings(run.endpoint, run.filter, run.limit, next, signal);
      if (signal.aborted) return;
      this.#set({
        recordings: mergeRecordings(this.#snapshot.recordings, page.recordings),
        next: page.next,
        loadingMore: false,
      });
    } catch (err) {
      if (!signal.aborted) this.#fail(toErrorInfo(err, MODULE, ErrorCodes.LIST_FAILED), true);
    }
  }

  /** Ends everything at once: aborts the requests, closes live updates, empties the list. Usable again afterwards. */
  release(): void {
    this.#stop();
    this.#set(EMPTY_LIST);
  }

  async #loadFirstPage(run: Run): Promise<void> {
    const { signal } = run.abort;
    try {
      const page = await fetchRecordings(run.endpoint, run.filter, run.limit, null, signal);
      if (signal.aborted) return;
      this.#set({ status: 'ready', recordings: mergeRecordings([], page.recordings), next: page.next });
      this.#liveLostReported = false;
      this.#liveUpdates = new RecordingLiveUpdates({
        endpoint: run.endpoint,
        filter: run.filter,
        lastEventId: page.lastEventId,
        backoff: this.#options.backoff,
        onRecording: (r) => this.#onLiveRecording(r),
        onStatus: (st) => this.#onLiveStatus(st),
        onState: (st) => this.#onLiveState(st, run),
      });
    } catch (err) {
      if (!signal.aborted) this.#fail(toErrorInfo(err, MODULE, ErrorCodes.LIST_FAILED));
    }
  }

  #onLiveRecording(r: Recording): void {
    const before = this.#snapshot.recordings;
    const recordings = mergeRecordings(before, [r]);
    this.#set({ recordings });
    if (recordings.length > before.length) this.#listener.onAdded?.(r);
  }

  #onLiveStatus(st: LiveRecordingStatus): void {
    const others = this.#snapshot.statuses.filter((x) => x.streamId !== st.streamId);
    this.#set({ statuses: [st, ...others].slice(0, MAX_STATUS_LINES) });
  }

  #onLiveState(live: LiveUpdatesState, run: Run): void {
    // `closed` comes from our own close(), which is followed by a state of its own: nothing to show for it.
    if (live === 'closed') return;
    this.#set({ live });
    if (live === 'reconnecting') {
      if (!this.#liveLostReported) {
        this.#liveLostReported = true;
        this.#listener.onError({
          module: MODULE,
          code: ErrorCodes.LIVE_UPDATES_LOST,
          message: 'Live updates of new recordings were interrupted; reconnecting.',
        });
      }
      // An event stream cannot tell a refused read key from a dropped line: ask the list, which can.
      const { signal } = run.abort;
      if (run.filter.readSecret)
        fetchRecordings(run.endpoint, run.filter, 1, null, signal).catch((err: unknown) => {
          if (!signal.aborted && isRelayError(err) && err.code === ErrorCodes.READ_AUTH_FAILED)
            this.#fail(err.toJSON(), true);
        });
    } else if (live === 'live' && this.#liveLostReported) {
      this.#liveLostReported = false;
      this.#listener.onReconnected?.();
    }
  }

  /** Shows and reports `error`; the list is emptied unless `keepList`. Live updates end either way. */
  #fail(error: RelayErrorInfo, keepList = false): void {
    this.#closeLiveUpdates();
    this.#set({
      status: 'error',
      error,
      recordings: keepList ? this.#snapshot.recordings : [],
      loadingMore: false,
      live: 'closed',
    });
    this.#listener.onError(error);
  }

  #stop(): void {
    this.#run?.abort.abort();
    this.#run = null;
    this.#closeLiveUpdates();
  }

  #closeLiveUpdates(): void {
    this.#liveUpdates?.close();
    this.#liveUpdates = null;
  }

  #set(patch: Partial<ListSnapshot>): void {
    const prev = this.#snapshot;
    const next = { ...prev, ...patch };
    if (next.recordings !== prev.recordings)
      next.takes = next.recordings.length === 0 ? [] : groupTakes(next.recordings);
    this.#snapshot = Object.freeze(next);
    this.#listener.onChange(this.#snapshot);
  }
}
