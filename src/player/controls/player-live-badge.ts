import { css, html, nothing } from 'lit';
import type { ControlContext } from './player-actions.js';

/** LIVE badge for live streams; a "Go to live" button when the viewer is behind the live edge. */
export function liveBadge({ v, m, act }: ControlContext): unknown {
  if (!v.live) return nothing;
  return v.behindLive
    ? html`<button part="control-button live-badge go-live" type="button" @click=${act.goLive}>
        ${m.goLive}
      </button>`
    : html`<span part="live-badge">${m.live}</span>`;
}

export const liveBadgeStyles = css`
  [part~='live-badge'] {
    font-size: 0.75em;
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    white-space: nowrap;
    padding: 0.2em 0.5em;
    border-radius: var(--_radius);
    background: var(--relay-player-live-color, #c4181f);
  }
  [part~='go-live'] {
    background: rgb(255 255 255 / 0.2);
  }
`;
