import { css, html, nothing } from 'lit';
import { format } from '../../i18n/index.js';
import type { QualityLevel } from '../engine.js';
import { encodeOf } from '../protocol.js';
import type { ControlContext } from './player-actions.js';

const label = (l: QualityLevel | undefined): string =>
  !l ? '' : l.height ? `${l.height}p` : l.bitrate ? `${Math.round(l.bitrate / 1000)} kbps` : '?';

/** A `<select>` of `options` (value, label, selected), calling `pick` with the value chosen. */
function select(
  aria: string,
  options: { value: string; label: string; selected: boolean }[],
  pick: (value: string) => void,
): unknown {
  return html`<select
    part="quality-menu"
    aria-label=${aria}
    @change=${(e: Event) => pick((e.target as HTMLSelectElement).value)}
  >
    ${options.map((o) => html`<option value=${o.value} .selected=${o.selected}>${o.label}</option>`)}
  </select>`;
}

/**
 * Quality menu. For adaptive (HLS) streams: Auto (showing the level playing) and each level, highest first. Else,
 * for `sources` entries with a `quality` label (the same stream in several bitrates, FLV or HLS: Tencent's 清晰度):
 * those of the protocol playing, in the page's order; choosing one loads it from where the viewer is.
 */
export function qualityMenu({ v, m, act, media }: ControlContext): unknown {
  const q = v.quality;
  if (!q) {
    const named = (media.sources ?? []).filter((s) => s.quality && encodeOf(s) === media.protocol);
    if (named.length < 2) return nothing;
    const options = named.map((s) => ({
      value: s.url,
      label: s.quality!,
      selected: s.url === media.currentUrl,
    }));
    return select(m.quality, options, act.playSource);
  }
  const playing = label(q.levels[q.current]);
  const order = q.levels
    .map((l, i) => ({ l, i }))
    .sort((a, b) => b.l.height - a.l.height || b.l.bitrate - a.l.bitrate);
  return select(
    m.quality,
    [
      {
        value: '-1',
        label: playing ? format(m.autoWith, { level: playing }) : m.auto,
        selected: q.selected < 0,
      },
      ...order.map(({ l, i }) => ({ value: String(i), label: label(l), selected: q.selected === i })),
    ],
    (value) => act.setQuality(Number(value)),
  );
}
export const qualityMenuStyles = css`
  [part='quality-menu'] {
    font: inherit;
    font-size: 0.8125em;
    color: inherit;
    background: rgb(0 0 0 / 0.5);
    border: 1px solid rgb(255 255 255 / 0.4);
    border-radius: var(--_radius);
    padding: 0.2em 0.3em;
    max-width: 8em;
  }
  [part='quality-menu'] option {
    color: #000;
    background: #fff;
  }
`;
