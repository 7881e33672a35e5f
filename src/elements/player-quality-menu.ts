import { css, html, nothing } from 'lit';
import { format } from '../i18n/index.js';
import type { QualityLevel } from '../player/engine.js';
import type { ControlContext } from './player-actions.js';

const label = (l: QualityLevel | undefined): string =>
  !l ? '' : l.height ? `${l.height}p` : l.bitrate ? `${Math.round(l.bitrate / 1000)} kbps` : '?';

/** Quality menu for adaptive (HLS) streams: Auto (showing the level playing) and each level, highest first. */
export function qualityMenu({ v, m, act }: ControlContext): unknown {
  const q = v.quality;
  if (!q) return nothing;
  const playing = label(q.levels[q.current]);
  const order = q.levels
    .map((l, i) => ({ l, i }))
    .sort((a, b) => b.l.height - a.l.height || b.l.bitrate - a.l.bitrate);
  return html`<select
    part="quality-menu"
    aria-label=${m.quality}
    @change=${(e: Event) => act.setQuality(Number((e.target as HTMLSelectElement).value))}
  >
    <option value="-1" .selected=${q.selected < 0}>
      ${playing ? format(m.autoWith, { level: playing }) : m.auto}
    </option>
    ${order.map(({ l, i }) => html`<option value=${i} .selected=${q.selected === i}>${label(l)}</option>`)}
  </select>`;
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
