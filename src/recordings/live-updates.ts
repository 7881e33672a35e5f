import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from '../player/backoff.js';
import type { Recording } from '../contract/events.js';
import { recordingsUrl, type RecordingFilter } from './api.js';
import { readRecording } from './recording.js';

export type LiveUpdatesState = 'connecting' | 'live' | 'reconnecting' | 'closed';

/**
 * The receiver's `event: status` (TRTC event 332, `docs/contracts.md` "Events"): the latest recording state of a
 * stream. Same shape as `RecordingStatus` in src/contract/events.ts.
 */
export interface LiveRecordingStatus {
  streamId: string;
  recordId: string | null;
  status: string;
  message: string;
  time: number;
}

export interface LiveUpdatesOptions {
  endpoint: string;
  filter: RecordingFilter;
  /** Resume after this event id (the `lastEventId` of the page just read), so nothing falls in between. */
  lastEventId: string | null;
  onRecording: (recording: Recording) => void;
  /** The latest recording status of a stream (`event: status`), when the receiver sends one. */
  onStatus?: (status: LiveRecordingStatus) => void;
  onState: (state: LiveUpdatesState) => void;
  backoff?: BackoffOptions;
}

/**
 * Follows `GET /api/recordings/events`. On any error the connection is closed and reopened on our own backoff
 * schedule, resuming after the last event id seen, so recordings stored while disconnected still arrive.
 */
export class RecordingLiveUpdates {
  private source: EventSource | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastEventId: string | null;
  private readonly backoff: Backoff;
  private closed = false;

  constructor(private readonly options: LiveUpdatesOptions) {
    this.lastEventId = options.lastEventId;
    this.backoff = new Backoff(options.backoff ?? { ...DEFAULT_BACKOFF, initialMs: 1000, maxMs: 30_000 });
    this.connect('connecting');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
    this.options.onState('closed');
  }

  private connect(state: LiveUpdatesState): void {
    if (this.closed) return;
    this.options.onState(state);
    const url = recordingsUrl(
      this.options.endpoint,
      this.options.filter,
      { lastEventId: this.lastEventId },
      '/api/recordings/events',
    );
    const source = new EventSource(url);
    this.source = source;
    source.addEventListener('ready', (e) => {
      this.remember(e as MessageEvent);
      this.backoff.reset();
      this.options.onState('live');
    });
    source.addEventListener('recording', (e) => {
      const recording = readRecording(this.read(e as MessageEvent<string>));
      if (recording) this.options.onRecording(recording);
    });
    source.addEventListener('status', (e) => {
      const status = readStatus(this.read(e as MessageEvent<string>));
      if (status) this.options.onStatus?.(status);
    });
    source.onerror = () => {
      if (this.closed || this.source !== source) return;
      source.close();
      this.source = null;
      this.options.onState('reconnecting');
      this.timer = setTimeout(() => {
        this.timer = null;
        this.connect('reconnecting');
      }, this.backoff.next());
    };
  }

  private remember(e: MessageEvent): void {
    if (e.lastEventId) this.lastEventId = e.lastEventId;
  }

  /** Remembers the event's id and parses its JSON data (`undefined` if it is not JSON). */
  private read(e: MessageEvent<string>): unknown {
    this.remember(e);
    try {
      return JSON.parse(e.data) as unknown;
    } catch {
      return undefined;
    }
  }
}

function readStatus(value: unknown): LiveRecordingStatus | null {
  if (!value || typeof value !== 'object') return null;
  const s = value as Record<string, unknown>;
  if (typeof s.streamId !== 'string' || s.streamId === '' || typeof s.status !== 'string') return null;
  return {
    streamId: s.streamId,
    recordId: typeof s.recordId === 'string' ? s.recordId : null,
    status: s.status,
    message: typeof s.message === 'string' ? s.message : '',
    time: typeof s.time === 'number' && Number.isFinite(s.time) ? s.time : NaN,
  };
}
