/**
 * Two parts of `<live-push-controls>`' view, drawn from what they are given: the recording choices and the list
 * of play URLs. The element owns the state and passes the callbacks.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { format, type Messages } from '../../i18n/index.js';
import { recordBox, toggleRecordFileType } from '../../push/controls-state.js';
import type { PushProviderCapabilities } from '../../push/provider.js';
import { RECORD_FILE_TYPES, type PlayUrl, type RecordFileType } from '../../contract/types.js';

type Labels = Messages['push'];

/**
 * "Copy" as an SVG (a glyph such as ⧉ is in few fonts and shows as an empty box). Drawn here rather than taken
 * from icons.ts, which would bring the player's icons into every page's script with it. (The button's
 * aria-label names it.)
 */
const copyIcon = html`<svg viewBox="0 0 24 24" width="1.2em" height="1.2em" fill="currentColor">
  <path d="M8 8h13v13H8zm2 2v9h9v-9zM3 3h13v3h-2V5H5v9h1v2H3z" />
</svg>`;

/** The recording boxes and their hints; `onChange` gets the types after a box was ticked or cleared. */
export function recordChoices(
  t: Labels,
  types: readonly string[],
  audioOnly: boolean,
  locked: boolean,
  caps: PushProviderCapabilities,
  onChange: (types: RecordFileType[]) => void,
): TemplateResult {
  return html`<fieldset>
    <legend>${t.record}</legend>
    ${RECORD_FILE_TYPES.map((type) => {
      const box = recordBox(type, locked, audioOnly, caps);
      return html`<label
        ><input
          type="checkbox"
          name="record"
          value=${type}
          .checked=${types.includes(type)}
          ?disabled=${box.disabled}
          aria-describedby=${box.hint}
          @change=${(e: Event) =>
            onChange(toggleRecordFileType(types, type, (e.target as HTMLInputElement).checked))}
        />
        ${type.toUpperCase()}</label
      >`;
    })}
    <span class="hint" id="record-hint"
      >${
        types.length
          ? format(t.recordSelected, { types: types.map((r) => r.toUpperCase()).join(', ') })
          : t.recordNone
      }</span
    >
    <span class="hint" id="mp3-hint">${caps.chooseRecordFormats ? t.mp3Hint : t.trtcMp3Hint}</span>
    ${caps.chooseRecordFormats ? nothing : html`<span class="hint" id="template-hint">${t.trtcRecordHint}</span>`}
  </fieldset>`;
}

/** The play URLs of a live push, each with a copy button (`onCopy`); nothing when there are none. */
export function playUrlList(t: Labels, urls: readonly PlayUrl[], onCopy: (url: PlayUrl) => void): unknown {
  if (urls.length === 0) return nothing;
  return html`<div>
    <h3 class="hint" id="urls-title">${t.urls}</h3>
    <ul part="urls" aria-labelledby="urls-title">
      ${urls.map(
        (u) =>
          html`<li part="url" data-encode=${u.encode ?? ''}>
            <code>${u.url}</code>
            <button
              part="copy-button"
              type="button"
              aria-label=${format(t.copy, { encode: (u.encode ?? '').toUpperCase() })}
              @click=${() => onCopy(u)}
            >
              ${copyIcon}
            </button>
          </li>`,
      )}
    </ul>
  </div>`;
}
