import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from '../player/backoff.js';
import type { Recording } from '../events.js';
import { isRecording, recordingsUrl, type RecordingFilter } from './api.js';

export type LiveUpdatesState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface LiveUpdatesOptions {
  endpoint: string;
  filter: RecordingFilter;
  /** Resume after this event id (the `lastEventId` of the page just read), so nothing falls in between. */
  lastEventId: string | null;
  onRecording: (recording: Recording) => void;
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
      const msg = e as MessageEvent<string>;
      this.remember(msg);
      let data: unknown;
      try {
        data = JSON.parse(msg.data);
      } catch {
        return;
      }
      if (isRecording(data)) this.options.onRecording(data);
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
}
