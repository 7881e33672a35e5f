import { css, html } from 'lit';
import type { ControlContext } from './player-actions.js';
import { mutedIcon, volumeIcon } from '../../elements/icons.js';

/** Mute toggle and volume slider (the slider hides on narrow players; the button stays). */
export function volumeControls({ v, m, act }: ControlContext): unknown {
  const silent = v.muted || v.volume === 0;
  return html`<button
      part="control-button mute-toggle"
      type="button"
      aria-label=${silent ? m.unmute : m.mute}
      aria-pressed=${silent ? 'true' : 'false'}
      @click=${act.toggleMute}
    >
      ${silent ? mutedIcon() : volumeIcon()}</button
    ><input
      part="volume"
      type="range"
      min="0"
      max="1"
      step="0.05"
      .value=${String(v.muted ? 0 : v.volume)}
      aria-label=${m.volume}
      aria-valuetext=${`${Math.round((v.muted ? 0 : v.volume) * 100)}%`}
      @input=${(e: Event) => act.setVolume(Number((e.target as HTMLInputElement).value))}
    />`;
}

export const volumeStyles = css`
  [part='volume'] {
    width: var(--relay-player-volume-width, 4.5em);
    margin: 0;
    accent-color: var(--_accent);
    cursor: pointer;
  }
`;
