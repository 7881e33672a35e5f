import type { Messages } from '../i18n/index.js';
import type { ViewState } from '../player/view-state.js';

/**
 * What the built-in controls may ask of the player (media-chrome's request events, as plain calls: the controls
 * live in the player's own shadow root). Controls never touch the media element themselves.
 */
export interface PlayerActions {
  togglePlay(): void;
  seek(seconds: number): void;
  goLive(): void;
  setVolume(volume: number): void;
  toggleMute(): void;
  toggleFullscreen(): void;
  togglePip(): void;
  setQuality(index: number): void;
}

/** Full screen and picture-in-picture: what this browser offers, and what is on now. */
export interface ScreenState {
  canFullscreen: boolean;
  fullscreen: boolean;
  canPip: boolean;
  pip: boolean;
}

/** Everything a control template gets. */
export interface ControlContext {
  v: ViewState;
  screen: ScreenState;
  m: Messages['player'];
  act: PlayerActions;
}
