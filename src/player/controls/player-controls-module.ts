/**
 * The built-in controls as one lazily loaded module (`controls` attribute): not needed for the first frame, so
 * they stay out of the script every viewer's page loads. Fetched the first time a player shows controls.
 */
import type { CSSResult } from 'lit';
import { playerActions, type ControlContext } from './player-actions.js';
import { AutoHide } from './player-auto-hide.js';
import { syncTracks } from './player-captions-menu.js';
import { controlBar, controlBarStyles } from './player-control-bar.js';
import { handleShortcut } from './player-shortcuts.js';
import { readViewState } from '../view-state.js';

export interface PlayerControlsModule {
  controlBar(ctx: ControlContext, status: string, hidden: boolean): unknown;
  styles: CSSResult[];
  handleShortcut(e: KeyboardEvent, ctx: ControlContext): boolean;
  /** Mirrors the player's `<track>` children into its video (loaded for them even without `controls`). */
  syncTracks(host: HTMLElement, video: HTMLVideoElement): void;
  /** Fades the bar while playing and nobody moves (one per player, created when the controls arrive). */
  AutoHide: typeof AutoHide;
  /** What the controls show, read from the media and the session. */
  readViewState: typeof readViewState;
  /** What the controls' presses do (one set per player). */
  playerActions: typeof playerActions;
}

const playerControls: PlayerControlsModule = {
  controlBar,
  styles: controlBarStyles,
  handleShortcut,
  syncTracks,
  AutoHide,
  readViewState,
  playerActions,
};
export default playerControls;

// This file's entry in the lazy-module registry (src/lazy/manifest.json lists the modules).
declare module '../../lazy/registry.js' {
  interface LazyModules {
    /** <relay-player>'s built-in controls (`controls` attribute), fetched the first time they are shown. */
    'player-controls': typeof playerControls;
  }
}
