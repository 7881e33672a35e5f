import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { toErrorInfo, ErrorCodes, isRelayError } from '../errors.js';
import { RecordingEvents, relayEvent, type Recording, type RecordingSelectDetail } from '../events.js';
import { format, recordingLabels, type Lang, type Messages } from '../i18n/index.js';
import { LangController } from '../i18n/lang-controller.js';
import { playIn } from '../links/links.js';
import { loadLazyModule } from '../lazy/registry.js';
import { MODULE, type RecordingFilter, type RecordingPage } from '../recordings/api.js';
import { encodeForRecording, formatLabel, formatStartTime } from '../recordings/format.js';
import type {
  LiveRecordingStatus,
  LiveUpdatesState,
  RecordingLiveUpdates,
} from '../recordings/live-updates.js';
import { RECORD_ID_PATTERN } from '../recordings/recording.js';
import type { RecordingsModule } from '../recordings/recordings-module.js';
import type { Take } from '../recordings/takes.js';
import type { RelayErrorInfo } from '../types.js';
import { themeStyles } from './theme.js';

type ListStatus = 'idle' | 'loading' | 'ready' | 'error';

const DEFAULT_PAGE_SIZE = 20;
/** Status lines shown at most (the streams with the latest `event: status`). */
const MAX_STATUS_LINES = 3;

/**
 * Lists the recordings a callback receiver has stored, one entry per take (one push/record session of a stream)
 * with its file formats as chips, newest first, and keeps the list current over server-sent events. Choosing a
 * chip plays that file in the `<relay-player>` named by `player`.
 *
 * ```html
 * <recording-list endpoint="http://127.0.0.1:8081" record-id="meeting_42" player="viewer"></recording-list>
 * <relay-player id="viewer"></relay-player>
 * ```
 *
 * Keyboard: every chip is a button (Tab); ↑/↓ move between takes, ←/→ between a take's formats, Home/End to the
 * first/last take. New recordings are announced politely.
 *
 * @summary Recordings from the callback receiver, grouped by take, live-updated, pageable, each format playable.
 *
 * @fires recording-select - `{ recording }` (the chosen file) when the user picks a format chip. Cancelable:
 *   `preventDefault()` keeps the player untouched.
 * @fires recording-error - `{ module, code, message }`: `LIST_FAILED` (the list could not be read),
 *   `READ_AUTH_FAILED` (the receiver refused `read-secret`/`read-time`: 403) or `LIVE_UPDATES_LOST` (the live
 *   connection dropped; the list keeps reconnecting).
 *
 * @attr endpoint - Base URL of the callback receiver. Default: the page's origin.
 * @attr record-id - Only recordings tagged with this record id (`^[A-Za-z0-9_-]{1,64}$`, e.g. `meeting_42`).
 * @attr stream-id - Only recordings of this stream.
 * @attr read-secret - Read key for `record-id` when the receiver has `RECEIVER_READ_KEY`:
 *   `md5(key + recordId + readTime)`, minted by the site's backend. Sent on the list and live-update requests.
 * @attr read-time - Expiry of `read-secret` (upper-case hex unix seconds).
 * @attr player - Id of the `<relay-player>` (or `<video>`/`<audio>`) that plays the selected recording.
 * @attr page-size - Files fetched per page, 1–100 (default 20); a take's formats may arrive on different pages.
 * @attr lang - `en` or `zh-CN` (else inherited from the page).
 *
 * @csspart base - The region around everything.
 * @csspart status - The live status line (loading, empty, error, announcements).
 * @csspart recording-status - A stream's latest recording status from the receiver (`event: status`).
 * @csspart list - The `<ul>` of takes.
 * @csspart take - One take (`<li>` card).
 * @csspart thumbnail - The take's poster image, when the backend has one.
 * @csspart title - The take's start date and time.
 * @csspart details - The labelled duration, stream and record id of a take.
 * @csspart formats - The group of format chips of a take.
 * @csspart chip - A format button that plays that file.
 * @csspart select - Same element as `chip` (the name of the select button before takes; kept for pages using it).
 * @csspart selected - Added to the chip of the selected file.
 * @csspart more - The "show older recordings" button.
 * @csspart retry - The "try again" button after an error.
 *
 * @cssprop --relay-accent - Accent colour (focus ring, selected chip). Default `#0a66c2`.
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
        container-type: inline-size;
        min-width: 0;
      }
      [part='status'] {
        color: var(--_muted);
        min-height: 1.2em;
        overflow-wrap: anywhere;
      }
      [part='status'].error {
        color: var(--_danger);
      }
      [part='recording-status'] {
        margin: 0;
        font-size: 0.875em;
        color: var(--_muted);
        overflow-wrap: anywhere;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--_gap);
      }
      [part='take'] {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: calc(var(--_gap) / 2) var(--_gap);
        padding: var(--_gap);
        border: 1px solid #d0d7de;
        border-radius: var(--_radius);
        min-width: 0;
      }
      [part='take'].has-thumb {
        grid-template-columns: clamp(4.5rem, 26%, 8rem) minmax(0, 1fr);
        align-items: start;
      }
      /* Chips under the thumbnail on phones (room for several per line), beside it when there is room. */
      @container (min-width: 36rem) {
        [part='take'].has-thumb {
          grid-template-rows: auto 1fr;
        }
        [part='take'].has-thumb [part='thumbnail'] {
          grid-row: 1 / span 2;
        }
        [part='take'].has-thumb [part='formats'] {
          grid-column: 2;
          align-self: start;
        }
      }
      [part='thumbnail'] {
        width: 100%;
        aspect-ratio: 16 / 9;
        object-fit: cover;
        border-radius: calc(var(--_radius) / 2);
        background: #eef1f4;
      }
      .body {
        display: flex;
        flex-direction: column;
        gap: calc(var(--_gap) / 2);
        min-width: 0;
      }
      [part='title'] {
        margin: 0;
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      [part='details'] {
        display: flex;
        flex-wrap: wrap;
        gap: 0 calc(var(--_gap) * 2);
        margin: 0;
        font-size: 0.875em;
      }
      [part='details'] > div {
        display: flex;
        gap: 0.35em;
        min-width: 0;
      }
      dt {
        color: var(--_muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
        min-width: 0;
        font-variant-numeric: tabular-nums;
      }
      [part='formats'] {
        grid-column: 1 / -1;
        display: flex;
        flex-wrap: wrap;
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
      [part~='chip'] {
        display: inline-flex;
        align-items: center;
        gap: 0.4em;
        min-height: 2.25rem;
        padding: 0.3em 0.75em;
        border: 1px solid var(--_accent);
        border-radius: 999px;
        background: transparent;
        color: var(--_accent);
        font-weight: 600;
        max-width: 100%;
        position: relative;
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
      [part~='chip'] .size {
        font-weight: 400;
        font-size: 0.85em;
        font-variant-numeric: tabular-nums;
      }
      [part~='selected'] {
        background: var(--_accent);
        color: #fff;
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
  /** Only recordings with this record id (`meeting_42`). */
  @property({ attribute: 'record-id' }) recordId: string | null = null;
  /** Only recordings of this stream. */
  @property({ attribute: 'stream-id' }) streamId: string | null = null;
  /** Read key for `recordId` (`md5(key + recordId + readTime)`), sent on the list and live-update requests. */
  @property({ attribute: 'read-secret' }) readSecret: string | null = null;
  /** Expiry of `readSecret` (upper-case hex unix seconds). */
  @property({ attribute: 'read-time' }) readTime: string | null = null;
  /** Id of the player element that plays a selected recording. */
  @property() player: string | null = null;
  /** Files fetched per page. */
  @property({ attribute: 'page-size', type: Number }) pageSize = DEFAULT_PAGE_SIZE;
  /** Language of the labels (`en`, `zh-CN`); inherited from the page when unset. */
  @property() override lang = '';
  private readonly i18n = new LangController(this, recordingLabels);

  /** The recording files loaded, newest first, in a fixed order (read-only). */
  @state() recordings: Recording[] = [];
  @state() private status: ListStatus = 'idle';
  @state() private error: RelayErrorInfo | null = null;
  @state() private next: string | null = null;
  @state() private loadingMore = false;
  @state() private live: LiveUpdatesState = 'closed';
  @state() private announcement = '';
  @state() private selectedId: string | null = null;
  @state() private statuses: LiveRecordingStatus[] = [];

  private abort: AbortController | null = null;
  /** The data layer (lazy module `recordings`): loaded by the first {@link reload}, `null` until then. */
  private data: RecordingsModule | null = null;
  private liveUpdates: RecordingLiveUpdates | null = null;
  private liveLostReported = false;
  private grouped: { from: Recording[]; takes: Take[] } = { from: [], takes: [] };

  /** The takes shown, newest first: each one push/record session of a stream with its files. */
  get takes(): Take[] {
    // Recordings only arrive through the data layer, so it is loaded whenever there is something to group.
    if (this.grouped.from !== this.recordings && this.data)
      this.grouped = { from: this.recordings, takes: this.data.groupTakes(this.recordings) };
    return this.grouped.takes;
  }

  /** Reloads the list from the first page and restarts live updates. */
  reload(): void {
    this.stop();
    if (!this.isConnected) return;
    const abort = new AbortController();
    this.abort = abort;
    this.status = 'loading';
    this.error = null;
    this.recordings = [];
    this.statuses = [];
    this.next = null;
    this.announcement = '';
    const filter = this.filter();
    if (typeof filter === 'string') {
      this.fail({ module: MODULE, code: ErrorCodes.LIST_FAILED, message: filter });
      return;
    }
    void this.loadFirstPage(filter, abort.signal);
  }

  /** Loads the data layer (once per page: lazy module `recordings`), then the first page, then goes live. */
  private async loadFirstPage(filter: RecordingFilter, signal: AbortSignal): Promise<void> {
    const { endpoint } = this;
    const limit = this.limit();
    let data: RecordingsModule;
    let page: RecordingPage;
    try {
      data = this.data ?? (this.data = await loadLazyModule('recordings'));
      page = await data.fetchRecordings(endpoint, filter, limit, null, signal);
    } catch (err) {
      // A data layer that could not be fetched is a LIST_FAILED too, its message naming the file's URL.
      if (!signal.aborted) this.fail(toErrorInfo(err, MODULE, ErrorCodes.LIST_FAILED));
      return;
    }
    if (signal.aborted) return;
    this.recordings = data.mergeRecordings([], page.recordings);
    this.next = page.next;
    this.status = 'ready';
    this.liveLostReported = false;
    this.liveUpdates = new data.RecordingLiveUpdates({
      endpoint,
      filter,
      lastEventId: page.lastEventId,
      onRecording: (r) => this.onLiveRecording(r, data),
      onStatus: (st) => this.onLiveStatus(st),
      onState: (st) => this.onLiveState(st, filter, signal, data),
    });
  }

  /** Loads the next (older) page, if any. */
  async loadMore(): Promise<void> {
    const filter = this.filter();
    const data = this.data;
    if (!this.next || this.loadingMore || typeof filter === 'string' || !this.abort || !data) return;
    const signal = this.abort.signal;
    this.loadingMore = true;
    try {
      const page = await data.fetchRecordings(this.endpoint, filter, this.limit(), this.next, signal);
      if (signal.aborted) return;
      this.recordings = data.mergeRecordings(this.recordings, page.recordings);
      this.next = page.next;
    } catch (err) {
      if (!signal.aborted) this.fail(toErrorInfo(err, MODULE, ErrorCodes.LIST_FAILED), true);
    } finally {
      if (!signal.aborted) this.loadingMore = false;
    }
  }

  /** Selects a recording file: dispatches `recording-select` and, unless prevented, plays it in the `player`. */
  select(recording: Recording): void {
    this.selectedId = recording.id;
    const m = this.messages();
    this.announcement = format(m.selected, this.describe(recording, m, this.resolvedLang()));
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
      changed.has('readSecret') ||
      changed.has('readTime') ||
      changed.has('pageSize')
    ) {
      this.reload();
    }
  }

  protected override render() {
    const m = this.messages();
    const lang = this.resolvedLang();
    const takes = this.takes;
    const data = this.data;
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
        ${this.statuses.length > 0 ? this.renderStatuses(m) : nothing}
        ${
          this.status === 'error'
            ? html`<button part="retry" type="button" @click=${() => this.reload()}>${m.retry}</button>`
            : nothing
        }
        ${
          takes.length > 0 && data
            ? html`<ul part="list" aria-label=${m.region} @keydown=${this.onListKey}>
                ${repeat(
                  takes,
                  (t) => t.key,
                  (t) => this.renderTake(t, m, lang, data),
                )}
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

  private renderTake(t: Take, m: Messages['recordings'], lang: Lang, data: RecordingsModule) {
    const start = t.startTime === null ? null : formatStartTime(t.startTime, lang);
    const iso = t.startTime === null ? null : data.isoTime(t.startTime);
    const title = start ?? m.unknownStart;
    return html`<li
      part="take"
      class=${t.thumbnailUrl ? 'has-thumb' : ''}
      data-take=${t.key}
      data-stream=${t.streamId}
    >
      ${
        t.thumbnailUrl
          ? html`<img part="thumbnail" src=${t.thumbnailUrl} alt="" loading="lazy" decoding="async" />`
          : nothing
      }
      <div class="body">
        <p part="title">${iso ? html`<time datetime=${iso}>${title}</time>` : title}</p>
        <dl part="details">
          <div>
            <dt>${m.duration}</dt>
            <dd>${t.duration === null ? m.unknown : data.formatDurationWords(t.duration, lang)}</dd>
          </div>
          <div>
            <dt>${m.stream}</dt>
            <dd>${t.streamId}</dd>
          </div>
          ${
            t.recordId
              ? html`<div>
                  <dt>${m.recordId}</dt>
                  <dd>${t.recordId}</dd>
                </div>`
              : nothing
          }
        </dl>
      </div>
      <div part="formats" role="group" aria-label=${`${m.formats}: ${title}`}>
        ${repeat(
          t.files,
          (f) => f.id,
          (f) => this.renderChip(f, m, lang, data),
        )}
      </div>
    </li>`;
  }

  /**
   * A chip shows the format and size; its accessible name is the whole `playFile` sentence ("Play MP4, 12 sec,
   * 3.1 MB"), the words not shown kept for screen readers, so the visible text stays part of the name.
   */
  private renderChip(f: Recording, m: Messages['recordings'], lang: Lang, data: RecordingsModule) {
    const selected = f.id === this.selectedId;
    const duration = data.durationOf(f);
    const size = data.plausibleSize(f.fileSize);
    const values: Record<string, string> = {
      format: formatLabel(f.fileFormat) ?? m.unknown,
      duration: duration === null ? m.unknown : data.formatDurationWords(duration, lang),
      size: size === null ? m.unknown : data.formatSize(size, lang),
    };
    const pieces = m.playFile.split(/(\{\w+\})/).filter((p) => p !== '');
    return html`<button
      part=${selected ? 'chip select selected' : 'chip select'}
      type="button"
      aria-current=${selected ? 'true' : 'false'}
      data-id=${f.id}
      data-format=${f.fileFormat.toLowerCase()}
      @click=${() => this.select(f)}
    >
      ${pieces.map((p) => {
        const name = /^\{(\w+)\}$/.exec(p)?.[1];
        if (name === 'format' || name === 'size') return html`<span class=${name}>${values[name]}</span>`;
        return html`<span class="sr-only">${name ? values[name] : p}</span>`;
      })}
    </button>`;
  }

  private renderStatuses(m: Messages['recordings']) {
    return html`<div role="group" aria-label=${m.statusRegion}>
      ${this.statuses.map(
        (st) =>
          html`<p part="recording-status">
            ${format(m.statusLine, { stream: st.streamId, status: this.statusWords(st, m) })}
          </p>`,
      )}
    </div>`;
  }

  /** Tencent's `record_event` in the reader's language; other statuses as the receiver words them. */
  private statusWords(st: LiveRecordingStatus, m: Messages['recordings']): string {
    const known = (m.recordEvents as Record<string, string | undefined>)[st.status];
    return known ?? (st.message || st.status);
  }

  /** ↑/↓ between takes (same chip position), ←/→ between a take's chips, Home/End to the first/last take. */
  private onListKey = (e: KeyboardEvent): void => {
    const chip = (e.composedPath()[0] as HTMLElement | undefined)?.closest?.('[part~="chip"]');
    if (!chip) return;
    const rows = [...this.renderRoot.querySelectorAll('[part="take"]')].map((li) => [
      ...li.querySelectorAll<HTMLButtonElement>('[part~="chip"]'),
    ]);
    const row = rows.findIndex((r) => r.includes(chip as HTMLButtonElement));
    if (row === -1) return;
    const col = rows[row]!.indexOf(chip as HTMLButtonElement);
    const at = (r: number, c: number) => rows[r]?.[Math.min(c, rows[r]!.length - 1)];
    const target = {
      ArrowDown: at(row + 1, col),
      ArrowUp: at(row - 1, col),
      ArrowRight: at(row, col + 1),
      ArrowLeft: at(row, col - 1),
      Home: at(0, 0),
      End: at(rows.length - 1, 0),
    }[e.key];
    if (e.key in { ArrowDown: 1, ArrowUp: 1, ArrowRight: 1, ArrowLeft: 1, Home: 1, End: 1 })
      e.preventDefault();
    target?.focus();
  };

  /** The values the announcements and labels speak for one file. */
  private describe(r: Recording, m: Messages['recordings'], lang: Lang) {
    return {
      stream: r.streamId,
      start: formatStartTime(r.startTime, lang) ?? m.unknownStart,
      format: formatLabel(r.fileFormat) ?? m.unknown,
    };
  }

  private statusText(m: Messages['recordings']): string {
    if (this.status === 'loading') return m.loading;
    if (this.status === 'error') {
      if (this.error?.code === ErrorCodes.READ_AUTH_FAILED)
        return `${m.readAuthFailed} ${this.error.message}`;
      return `${m.error} ${this.error?.message ?? ''}`.trim();
    }
    if (this.status !== 'ready') return '';
    if (this.announcement) return this.announcement;
    if (this.recordings.length === 0) return m.empty;
    if (this.live === 'reconnecting') return m.reconnecting;
    return this.live === 'live' ? m.live : format(m.count, { count: this.takes.length });
  }

  private onLiveRecording(r: Recording, data: RecordingsModule): void {
    const before = this.recordings.length;
    this.recordings = data.mergeRecordings(this.recordings, [r]);
    if (this.recordings.length > before) {
      const m = this.messages();
      this.announcement = format(m.added, this.describe(r, m, this.resolvedLang()));
    }
  }

  private onLiveStatus(st: LiveRecordingStatus): void {
    this.statuses = [st, ...this.statuses.filter((x) => x.streamId !== st.streamId)].slice(
      0,
      MAX_STATUS_LINES,
    );
  }

  private onLiveState(
    s: LiveUpdatesState,
    filter: RecordingFilter,
    signal: AbortSignal,
    data: RecordingsModule,
  ): void {
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
    // An event stream cannot tell a refused read key from a dropped line: ask the list, which can.
    if (s === 'reconnecting' && filter.readSecret) {
      data.fetchRecordings(this.endpoint, filter, 1, null, signal).catch((err: unknown) => {
        if (!signal.aborted && isRelayError(err) && err.code === ErrorCodes.READ_AUTH_FAILED)
          this.fail(err.toJSON(), true);
      });
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
    const encode = encodeForRecording(recording.fileFormat, recording.url);
    playIn(this, this.player, encode ? { encode, url: recording.url } : { url: recording.url });
  }

  private stop(): void {
    this.abort?.abort();
    this.abort = null;
    this.liveUpdates?.close();
    this.liveUpdates = null;
    this.loadingMore = false;
  }

  /** The filter for the attributes, or a message saying which attribute is wrong. */
  private filter(): RecordingFilter | string {
    const filter: RecordingFilter = {};
    const rid = this.recordId?.trim();
    if (rid) {
      if (!RECORD_ID_PATTERN.test(rid))
        return `record-id must be 1–64 letters, digits, "_" or "-" (like meeting_42), not "${rid}".`;
      filter.recordId = rid;
    }
    if (this.streamId) filter.streamId = this.streamId;
    const secret = this.readSecret?.trim();
    const time = this.readTime?.trim();
    if (secret || time) {
      if (!secret || !time) return 'read-secret and read-time go together: set both, or neither.';
      if (!rid) return 'read-secret is signed for one record id: set record-id too.';
      filter.readSecret = secret;
      filter.readTime = time;
    }
    return filter;
  }

  private limit(): number {
    const n = Math.floor(Number(this.pageSize));
    return Number.isFinite(n) ? Math.min(100, Math.max(1, n)) : DEFAULT_PAGE_SIZE;
  }

  private resolvedLang(): Lang {
    return this.i18n.lang;
  }

  private messages(): Messages['recordings'] {
    return this.i18n.messages;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'recording-list': RecordingList;
  }
}
