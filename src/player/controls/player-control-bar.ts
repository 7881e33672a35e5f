import { css, html } from 'lit';
import type { ControlContext } from './player-actions.js';
import { captionsMenu, captionsStyles } from './player-captions-menu.js';
import { liveBadge, liveBadgeStyles } from './player-live-badge.js';
import { menuStyles } from './player-menu.js';
import { playButton } from './player-play-button.js';
import { qualityMenu, qualityMenuStyles } from './player-quality-menu.js';
import { rateMenu } from './player-rate-menu.js';
import { screenButtons } from './player-screen-buttons.js';
import { seekBar, seekBarStyles } from './player-seek-bar.js';
import { seekThumbnailStyles } from './player-seek-thumbnails.js';
import { volumeControls, volumeStyles } from './player-volume.js';

/** The control bar (`controls` attribute): one group of small controls, each from its own module. */
export function controlBar(ctx: ControlContext, status: string, hidden: boolean): unknown {
  return html`<div part="controls" role="group" aria-label=${ctx.m.controls} class=${hidden ? 'hidden' : ''}>
    ${playButton(ctx)} ${seekBar(ctx)} ${liveBadge(ctx)} ${volumeControls(ctx)}
    <span part="status" role="status" aria-live="polite">${status}</span>
    ${captionsMenu(ctx)} ${rateMenu(ctx)} ${qualityMenu(ctx)} ${screenButtons(ctx)}
  </div>`;
}

export const controlBarStyles = [
  css`
    [part='controls'] {
      position: absolute;
      left: 0;
      right: 0;
      bottom: 0;
      display: flex;
      gap: 0.5em;
      align-items: center;
      padding: 0.5em;
      background: var(--relay-player-controls-background, linear-gradient(transparent, rgb(0 0 0 / 0.7)));
      transition: opacity 0.25s;
    }
    [part='controls'].hidden {
      opacity: 0;
    }
    [part~='control-button'] {
      flex: none;
      padding: 0.4em 0.5em;
      line-height: 1;
    }
    [part~='control-button']:disabled {
      opacity: 0.5;
      cursor: default;
    }
    [part='controls'] [part='status'] {
      margin-left: auto;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
      min-width: 0;
    }
    @container (max-width: 22em) {
      [part~='pip-toggle'] {
        display: none;
      }
      [part='seek-bar'] {
        min-width: 3em;
      }
    }
    @container (max-width: 30em) {
      [part='volume'],
      [part='controls'] [part='status'] {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
      }
    }
  `,
  seekBarStyles,
  liveBadgeStyles,
  volumeStyles,
  qualityMenuStyles,
  menuStyles,
  captionsStyles,
  seekThumbnailStyles,
];
