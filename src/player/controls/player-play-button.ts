import { html } from 'lit';
import type { ControlContext } from './player-actions.js';
import { pauseIcon, playIcon } from '../../elements/icons.js';

/** Play/pause: Play whenever the viewer is not watching (idle, paused, error, ended), Pause otherwise. */
export function playButton({ v, m, act }: ControlContext): unknown {
  return html`<button
    part="control-button play-toggle"
    type="button"
    aria-label=${v.paused ? m.play : m.pause}
    ?disabled=${!v.hasInput}
    @click=${act.togglePlay}
  >
    ${v.paused ? playIcon() : pauseIcon()}
  </button>`;
}
