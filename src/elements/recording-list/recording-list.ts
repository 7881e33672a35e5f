import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { toErrorInfo, ErrorCodes } from '../../contract/errors.js';
import {
  RecordingEvents,
  relayEvent,
  type Recording,
  type RecordingSelectDetail,
} from '../../contract/events.js';
import { format, recordingLabels, type Lang, type Messages } from '../../i18n/index.js';
import { LangController } from '../../i18n/lang-controller.js';
import { LazyFeature } from '../../lazy/lazy-feature.js';
import { playIn } from '../../links/links.js';
import { MODULE } from '../../recordings/api.js';
import { encodeForRecording, formatLabel, formatStartTime } from '../../recordings/format.js';
import type { LiveRecordingStatus } from '../../recordings/live-updates.js';
import type { ListQuery, ListSession, ListSessionListener } from '../../recordings/list-session.js';
import { EMPTY_LIST, type ListSnapshot } from '../../recordings/list-snapshot.js';
import type { RecordingsModule } from '../../recordings/recordings-module.js';
import type { Take } from '../../recordings/takes.js';
import type { RelayErrorInfo } from '../../contract/types.js';
import { themeStyles } from '../theme.js';
import { recordingListStyles } from './recording-list.styles.js';

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
  static override styles = [themeStyles, recordingListStyles];

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
  @property({ attribute: 'page-size', type: Number }) pageSize = 20;
  /** Language of the labels (`en`, `zh-CN`); inherited from the page when unset. */
  @property() override lang = '';
  readonly #i18n = new LangController(this, recordingLabels);

  @state() private announcement = '';
  @state() private selectedId: string | null = null;

  /** The data layer with the list session (lazy module `recordings`), fetched by the first {@link reload}. */
  readonly #data = new LazyFeature(this, 'recordings');
  /** The headless list (reading, paging, live updates), created once the data layer is there. */
  #session: ListSession | null = null;
  /** Counts reloads and disconnections: a data layer arriving for an older one starts nothing. */
  #reloads = 0;
  readonly #listener: ListSessionListener = {
    onChange: () => this.requestUpdate(),
    onError: (info) => this.#fire(info),
    onAdded: (r) => this.#announce('added', r),
    onReconnected: () => (this.announcement = ''),
  };

  /** The recording files loaded, newest first, in a fixed order (read-only). */
  get recordings(): Recording[] {
    return this.#view.recordings;
  }

  /** The takes shown, newest first: each one push/record session of a stream with its files. */
  get takes(): Take[] {
    return this.#view.takes;
  }

  /** Reloads the list from the first page and restarts live updates. */
  reload(): void {
    const reload = ++this.#reloads;
    this.announcement = '';
    this.requestUpdate();
    if (!this.isConnected) return this.#session?.release();
    if (this.#session) return this.#session.reload(this.#query());
    this.#data.load().then(
      (data) => {
        if (reload !== this.#reloads) return;
        this.#session = new data.ListSession(this.#listener);
        this.#session.reload(this.#query());
      },
      // A data layer that could not be fetched is a LIST_FAILED too, its message naming the file's URL.
      (err: unknown) => {
        if (reload === this.#reloads) this.#fire(toErrorInfo(err, MODULE, ErrorCodes.LIST_FAILED));
      },
    );
  }

  /** Loads the next (older) page, if any. */
  async loadMore(): Promise<void> {
    await this.#session?.loadMore();
  }

  /** Selects a recording file: dispatches `recording-select` and, unless prevented, plays it in the `player`. */
  select(recording: Recording): void {
    this.selectedId = recording.id;
    this.#announce('selected', recording);
    const ok = this.dispatchEvent(
      relayEvent<RecordingSelectDetail>(RecordingEvents.SELECT, { recording }, { cancelable: true }),
    );
    if (ok && this.player) {
      const { fileFormat, url } = recording;
      const encode = encodeForRecording(fileFormat, url);
      playIn(this, this.player, encode ? { encode, url } : { url });
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.reload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#reloads += 1;
    this.#session?.release();
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

  /** What is shown: the session's snapshot, or until it is there, loading (or why the data layer is missing). */
  get #view(): ListSnapshot {
    if (this.#session) return this.#session.snapshot;
    const { error } = this.#data;
    if (error)
      return { ...EMPTY_LIST, status: 'error', error: toErrorInfo(error, MODULE, ErrorCodes.LIST_FAILED) };
    return this.isConnected ? { ...EMPTY_LIST, status: 'loading' } : EMPTY_LIST;
  }

  #query(): ListQuery {
    const { endpoint, recordId, streamId, readSecret, readTime, pageSize } = this;
    return { endpoint, recordId, streamId, readSecret, readTime, pageSize };
  }

  #fire(info: RelayErrorInfo): void {
    this.dispatchEvent(relayEvent<RelayErrorInfo>(RecordingEvents.ERROR, info));
  }

  /** Says `added` (a live recording arrived) or `selected` for one file, in the status line. */
  #announce(what: 'added' | 'selected', r: Recording): void {
    const m = this.messages();
    this.announcement = format(m[what], this.describe(r, m, this.resolvedLang()));
  }

  protected override render() {
    const m = this.messages();
    const lang = this.resolvedLang();
    const v = this.#view;
    const data = this.#data.value;
    return html`
      <section
        part="base"
        role="region"
        aria-label=${m.region}
        aria-busy=${v.status === 'loading' ? 'true' : 'false'}
      >
        <div part="status" class=${v.status === 'error' ? 'error' : ''} role="status" aria-live="polite">
          ${this.statusText(m, v)}
        </div>
        ${v.statuses.length > 0 ? this.renderStatuses(m, v.statuses) : nothing}
        ${
          v.status === 'error'
            ? html`<button part="retry" type="button" @click=${() => this.reload()}>${m.retry}</button>`
            : nothing
        }
        ${
          v.takes.length > 0 && data
            ? html`<ul part="list" aria-label=${m.region} @keydown=${this.onListKey}>
                ${repeat(
                  v.takes,
                  (t) => t.key,
                  (t) => this.renderTake(t, m, lang, data),
                )}
              </ul>`
            : nothing
        }
        ${
          v.next && v.status === 'ready'
            ? html`<button
                part="more"
                type="button"
                ?disabled=${v.loadingMore}
                aria-disabled=${v.loadingMore ? 'true' : 'false'}
                @click=${() => void this.loadMore()}
              >
                ${v.loadingMore ? m.loadingMore : m.more}
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

  private renderStatuses(m: Messages['recordings'], statuses: LiveRecordingStatus[]) {
    return html`<div role="group" aria-label=${m.statusRegion}>
      ${statuses.map(
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

  private statusText(m: Messages['recordings'], v: ListSnapshot): string {
    if (v.status === 'loading') return m.loading;
    if (v.status === 'error') {
      if (v.error?.code === ErrorCodes.READ_AUTH_FAILED) return `${m.readAuthFailed} ${v.error.message}`;
      return `${m.error} ${v.error?.message ?? ''}`.trim();
    }
    if (v.status !== 'ready') return '';
    if (this.announcement) return this.announcement;
    if (v.recordings.length === 0) return m.empty;
    if (v.live === 'reconnecting') return m.reconnecting;
    return v.live === 'live' ? m.live : format(m.count, { count: v.takes.length });
  }

  private resolvedLang(): Lang {
    return this.#i18n.lang;
  }

  private messages(): Messages['recordings'] {
    return this.#i18n.messages;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'recording-list': RecordingList;
  }
}
