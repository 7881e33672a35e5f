import { html, nothing } from 'lit';
import type { ControlContext } from './player-actions.js';
import { exitFullscreenIcon, fullscreenIcon, pipIcon } from '../../elements/icons.js';

/** Picture-in-picture and full-screen toggles, each left out where this browser (or the media) cannot do it. */
export function screenButtons({ v, screen, m, act }: ControlContext): unknown {
  return html`${
    screen.canPip && !v.audioOnly
      ? html`<button
          part="control-button pip-toggle"
          type="button"
          aria-label=${screen.pip ? m.exitPip : m.pip}
          aria-pressed=${screen.pip ? 'true' : 'false'}
          @click=${act.togglePip}
        >
          ${pipIcon()}
        </button>`
      : nothing
  }${
    screen.canFullscreen && !v.audioOnly
      ? html`<button
          part="control-button fullscreen-toggle"
          type="button"
          aria-label=${screen.fullscreen ? m.exitFullscreen : m.fullscreen}
          @click=${act.toggleFullscreen}
        >
          ${screen.fullscreen ? exitFullscreenIcon() : fullscreenIcon()}
        </button>`
      : nothing
  }`;
}
