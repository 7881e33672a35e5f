import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { toErrorInfo, ErrorCodes } from '../errors.js';
import { RecordingEvents, relayEvent, type Recording, type RecordingSelectDetail } from '../events.js';
import { format, messagesFor, resolveLang, type Lang, type Messages } from '../i18n/index.js';
import { fetchRecordings, mergeRecordings, MODULE, type RecordingFilter } from '../recordings/api.js';
import {
  encodeForRecording,
  formatDuration,
  formatLabel,
  formatSize,
  formatStartTime,
} from '../recordings/format.js';
import { RecordingLiveUpdates, type LiveUpdatesState } from '../recordings/live-updates.js';
import type { PlayUrl, RelayErrorInfo } from '../types.js';
import { themeStyles } from './theme.js';

type ListStatus = 'idle' | 'loading' | 'ready' | 'error';

const DEFAULT_PAGE_SIZE = 20;

/**
 * Lists the recordings a callback receiver has stored, newest first, and keeps the list current over server-sent
 * events. Selecting one plays it in the `<relay-player>` named by `player`.
 *
 * ```html
 * <recording-list endpoint="http://127.0.0.1:8081" record-id="123456" player="viewer"></recording-list>
 * <relay-player id="viewer"></relay-player>
 * ```
 *
 * @summary Recordings from the callback receiver, live-updated, pageable, each one playable.
 *
 * @fires recording-select - `{ recording }` when the user picks a recording. Cancelable: `preventDefault()` keeps
 *   the player untouched.
 * @fires recording-error - `{ module, code, message }`: `LIST_FAILED` (the list could not be read) or
 *   `LIVE_UPDATES_LOST` (the live connection dropped; the list keeps reconnecting).
 *
 * @attr endpoint - Base URL of the callback receiver. Default: the page's origin.
 * @attr record-id - Only recordings tagged with this integer record id.
 * @attr stream-id - Only recordings of this stream.
 * @attr player - Id of the `<relay-player>` (or `<video>`/`<audio>`) that plays the selected recording.
 * @attr page-size - Recordings per page, 1–100 (default 20).
 * @attr lang - `en` or `zh-CN` (else inherited from the page).
 *
 * @csspart base - The region around everything.
 * @csspart status - The live status line (loading, empty, error, live updates).
 * @csspart list - The `<ul>` of recordings.
 * @csspart item - One `<li>`.
 * @csspart select - The button that selects a recording.
 * @csspart selected - Added to the selected recording's button.
 * @csspart field - Each field inside a recording's button (stream, format, start, duration, size).
 * @csspart more - The "show older recordings" button.
 * @csspart retry - The "try again" button after an error.
 *
 * @cssprop --relay-accent - Accent colour (focus ring, selected recording). Default `#0a66c2`.
 * @cssprop --relay-danger - Colour of error messages. Default `#b3261e`.
 * @cssprop --relay-radius - Corner radius. Default `6px`.
 * @cssprop --relay-gap - Spacing. Default `0.5rem`.
 * @cssprop --relay-font - Font family. Default `inherit`.
 * @cssprop --relay-muted - Colour of secondary text. Default `#5f6368`.
 * @tag recording-list
 */
export class RecordingList extends LitElement {
  static override styles = [
    themeStyles,
    css`
      [part='base'] {
        display: flex;
        flex-direction: column;
        gap: var(--_gap);
      }
      [part='status'] {
        color: var(--_muted);
        min-height: 1.2em;
      }
      [part='status'].error {
        color: var(--_danger);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: calc(var(--_gap) / 2);
      }
      button {
        font: inherit;
        border-radius: var(--_radius);
        cursor: pointer;
      }
      button:focus-visible {
        outline: 2px solid var(--_accent);
        outline-offset: 2px;
      }
      [part~='select'] {
        width: 100%;
        display: grid;
        grid-template-columns: minmax(8em, 2fr) 4em minmax(9em, 2fr) 5em 6em;
        gap: var(--_gap);
        align-items: baseline;
        text-align: start;
        position: relative;
        padding: var(--_gap);
        border: 1px solid #d0d7de;
        background: transparent;
        color: inherit;
      }
      [part~='selected'] {
        border-color: var(--_accent);
        box-shadow: inset 3px 0 0 var(--_accent);
      }
      .sr-only {
        position: absolute;
        width: 1px;
        height: 1px;
        padding: 0;
        margin: -1px;
        overflow: hidden;
        clip: rect(0, 0, 0, 0);
        white-space: nowrap;
        border: 0;
      }
      .stream {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .meta {
        color: var(--_muted);
        font-variant-numeric: tabular-nums;
      }
      [part='more'],
      [part='retry'] {
        align-self: start;
        padding: calc(var(--_gap) / 2) var(--_gap);
        border: 1px solid var(--_accent);
        background: transparent;
        color: var(--_accent);
      }
    `,
  ];

  /** Base URL of the callback receiver (default: the page's origin). */
  @property() endpoint = '';
  /** Only recordings with this record id (an integer, as text). */
  @property({ attribute: 'record-id' }) recordId: string | null = null;
  /** Only recordings of this stream. */
  @property({ attribute: 'stream-id' }) streamId: string | null = null;
  /** Id of the player element that plays a selected recording. */
  @property() player: string | null = null;
  /** Recordings per page. */
  @property({ attribute: 'page-size', type: Number }) pageSize = DEFAULT_PAGE_SIZE;
  /** Language of the labels (`en`, `zh-CN`); inherited from the page when unset. */
  @property() override lang = '';

  /** The recordings shown, newest first (read-only). */
  @state() recordings: Recording[] = [];
  @state() private status: ListStatus = 'idle';
  @state() private error: RelayErrorInfo | null = null;
  @state() private next: string | null = null;
  @state() private loadingMore = false;
  @state() private live: LiveUpdatesState = 'closed';
  @state() private announcement = '';
  @state() private selectedId: string | null = null;

  private abort: AbortController | null = null;
  private liveUpdates: RecordingLiveUpdates | null = null;
  private liveLostReported = false;

  /** Reloads the list from the first page and restarts live updates. */
  reload(): void {
    this.stop();
    if (!this.isConnected) return;
    const abort = new AbortController();
    this.abort = abort;
    this.status = 'loading';
    this.error = null;
    this.recordings = [];
    this.next = null;
    this.announcement = '';
    const filter = this.filter();
    if (filter === null) {
      this.fail({
        module: MODULE,
        code: ErrorCodes.LIST_FAILED,
        message: `record-id must be a whole number, not "${this.recordId}".`,
      });
      return;
    }
    fetchRecordings(this.endpoint, filter, this.limit(), null, abort.signal).then(
      (page) => {
        if (abort.signal.aborted) return;
        this.recordings = mergeRecordings([], page.recordings);
        this.next = page.next;
        this.status = 'ready';
        this.liveLostReported = false;
        this.liveUpdates = new RecordingLiveUpdates({
          endpoint: this.endpoint,
          filter,
          lastEventId: page.lastEventId,
          onRecording: (r) => this.onLiveRecording(r),
          onState: (s) => this.onLiveState(s),
        });
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        this.fail(toErrorInfo(err, MODULE, ErrorCodes.LIST_FAILED));
      },
    );
  }

  /** Loads the next (older) page, if any. */
  async loadMore(): Promise<void> {
    const filter = this.filter();
    if (!this.next || this.loadingMore || filter === null || !this.abort) return;
    const signal = this.abort.signal;
    this.loadingMore = true;
    try {
      const page = await fetchRecordings(this.endpoint, filter, this.limit(), this.next, signal);
      if (signal.aborted) return;
      this.recordings = mergeRecordings(this.recordings, page.recordings);
      this.next = page.next;
    } catch (err) {
      if (!signal.aborted) this.fail(toErrorInfo(err, MODULE, ErrorCodes.LIST_FAILED), true);
    } finally {
      if (!signal.aborted) this.loadingMore = false;
    }
  }

  /** Selects a recording: dispatches `recording-select` and, unless prevented, plays it in the `player`. */
  select(recording: Recording): void {
    this.selectedId = recording.id;
    const m = this.messages();
    this.announcement = format(m.selected, {
      stream: recording.streamId,
      start: formatStartTime(recording.startTime, this.resolvedLang()),
    });
    const ok = this.dispatchEvent(
      relayEvent<RecordingSelectDetail>(RecordingEvents.SELECT, { recording }, { cancelable: true }),
    );
    if (ok) this.playInPlayer(recording);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.reload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (
      !this.hasUpdated ||
      changed.has('endpoint') ||
      changed.has('recordId') ||
      changed.has('streamId') ||
      changed.has('pageSize')
    ) {
      this.reload();
    }
  }

  protected override render() {
    const m = this.messages();
    const lang = this.resolvedLang();
    return html`
      <section
        part="base"
        role="region"
        aria-label=${m.region}
        aria-busy=${this.status === 'loading' ? 'true' : 'false'}
      >
        <div part="status" class=${this.status === 'error' ? 'error' : ''} role="status" aria-live="polite">
          ${this.statusText(m)}
        </div>
        ${
          this.status === 'error'
            ? html`<button part="retry" type="button" @click=${() => this.reload()}>${m.retry}</button>`
            : nothing
        }
        ${
          this.recordings.length > 0
            ? html`<ul part="list" aria-label=${m.region}>
                ${this.recordings.map((r) => this.renderItem(r, m, lang))}
              </ul>`
            : nothing
        }
        ${
          this.next && this.status === 'ready'
            ? html`<button
                part="more"
                type="button"
                ?disabled=${this.loadingMore}
                aria-disabled=${this.loadingMore ? 'true' : 'false'}
                @click=${() => void this.loadMore()}
              >
                ${this.loadingMore ? m.loadingMore : m.more}
              </button>`
            : nothing
        }
      </section>
    `;
  }

  private renderItem(r: Recording, m: Messages['recordings'], lang: Lang) {
    const start = formatStartTime(r.startTime, lang);
    const duration = formatDuration(r.duration);
    const size = formatSize(r.fileSize, lang);
    const fmt = formatLabel(r.fileFormat);
    const selected = r.id === this.selectedId;
    return html`<li part="item">
      <button
        part=${selected ? 'select selected' : 'select'}
        type="button"
        aria-current=${selected ? 'true' : 'false'}
        data-id=${r.id}
        @click=${() => this.select(r)}
      >
        <span class="sr-only">${m.play}</span>
        <span part="field" class="stream"
          ><span class="sr-only">${m.stream}</span> <span class="value">${r.streamId}</span></span
        >
        <span part="field" class="meta"
          ><span class="sr-only">${m.format}</span> <span class="value">${fmt}</span></span
        >
        <span part="field" class="meta"
          ><span class="sr-only">${m.start}</span>
          <time class="value" datetime=${new Date(r.startTime * 1000).toISOString()}>${start}</time></span
        >
        <span part="field" class="meta"
          ><span class="sr-only">${m.duration}</span> <span class="value">${duration}</span></span
        >
        <span part="field" class="meta"
          ><span class="sr-only">${m.size}</span> <span class="value">${size}</span></span
        >
      </button>
    </li>`;
  }

  private statusText(m: Messages['recordings']): string {
    if (this.status === 'loading') return m.loading;
    if (this.status === 'error') return `${m.error} ${this.error?.message ?? ''}`.trim();
    if (this.status !== 'ready') return '';
    if (this.announcement) return this.announcement;
    if (this.recordings.length === 0) return m.empty;
    if (this.live === 'reconnecting') return m.reconnecting;
    return this.live === 'live' ? m.live : format(m.count, { count: this.recordings.length });
  }

  private onLiveRecording(r: Recording): void {
    const before = this.recordings.length;
    this.recordings = mergeRecordings(this.recordings, [r]);
    if (this.recordings.length > before)
      this.announcement = format(this.messages().added, { stream: r.streamId });
  }

  private onLiveState(s: LiveUpdatesState): void {
    this.live = s;
    if (s === 'reconnecting' && !this.liveLostReported) {
      this.liveLostReported = true;
      this.dispatchEvent(
        relayEvent<RelayErrorInfo>(RecordingEvents.ERROR, {
          module: MODULE,
          code: ErrorCodes.LIVE_UPDATES_LOST,
          message: 'Live updates of new recordings were interrupted; reconnecting.',
        }),
      );
    }
    if (s === 'live') {
      if (this.liveLostReported) this.announcement = '';
      this.liveLostReported = false;
    }
  }

  private fail(error: RelayErrorInfo, keepList = false): void {
    this.error = error;
    if (!keepList) this.recordings = [];
    this.status = 'error';
    this.liveUpdates?.close();
    this.liveUpdates = null;
    this.dispatchEvent(relayEvent<RelayErrorInfo>(RecordingEvents.ERROR, error));
  }

  private playInPlayer(recording: Recording): void {
    if (!this.player) return;
    const root = this.getRootNode() as Document | ShadowRoot;
    const target =
      (typeof root.getElementById === 'function' ? root.getElementById(this.player) : null) ??
      document.getElementById(this.player);
    if (!target) return;
    if (target instanceof HTMLMediaElement) {
      target.src = recording.url;
      return;
    }
    const encode = encodeForRecording(recording.fileFormat, recording.url);
    const sources: PlayUrl[] = [encode ? { encode, url: recording.url } : { url: recording.url }];
    (target as HTMLElement & { sources?: PlayUrl[] }).sources = sources;
  }

  private stop(): void {
    this.abort?.abort();
    this.abort = null;
    this.liveUpdates?.close();
    this.liveUpdates = null;
    this.loadingMore = false;
  }

  private filter(): RecordingFilter | null {
    const filter: RecordingFilter = {};
    const rid = this.recordId?.trim();
    if (rid) {
      if (!/^-?\d+$/.test(rid)) return null;
      filter.recordId = Number(rid);
    }
    if (this.streamId) filter.streamId = this.streamId;
    return filter;
  }

  private limit(): number {
    const n = Math.floor(Number(this.pageSize));
    return Number.isFinite(n) ? Math.min(100, Math.max(1, n)) : DEFAULT_PAGE_SIZE;
  }

  private resolvedLang(): Lang {
    return resolveLang(this);
  }

  private messages(): Messages['recordings'] {
    return messagesFor(this.resolvedLang()).recordings;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'recording-list': RecordingList;
  }
}
