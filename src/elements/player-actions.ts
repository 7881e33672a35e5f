import type { Messages } from '../i18n/index.js';
import type { ViewState } from '../player/view-state.js';
import type { PlayEncode, PlayUrl } from '../types.js';

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
  /** Plays `url`, another of the player's sources (the same stream in another quality), from where it is. */
  playSource(url: string): void;
}

/** Full screen and picture-in-picture: what this browser offers, and what is on now. */
export interface ScreenState {
  canFullscreen: boolean;
  fullscreen: boolean;
  canPip: boolean;
  pip: boolean;
}

/**
 * The player itself, through the public API a page (or media-chrome) uses: what controls set directly (speed, the
 * text track shown) and the events that tell them to render again.
 */
export interface PlayerMedia extends HTMLElement {
  playbackRate: number;
  readonly textTracks: TextTrackList;
  readonly sources: PlayUrl[] | null;
  readonly protocol: PlayEncode | null;
  readonly currentUrl: string | null;
  readonly seekable: TimeRanges;
  requestUpdate(): void;
}

/** Everything a control template gets. */
export interface ControlContext {
  v: ViewState;
  screen: ScreenState;
  m: Messages['player'];
  act: PlayerActions;
  media: PlayerMedia;
}

const watched = new WeakMap<EventTarget, Set<string>>();

/**
 * Renders the player again on `types` from `target` (an object the player owns, such as its text track list), for
 * state the view state does not carry. Listens once per target and type; the listeners go with the player.
 */
export function rerenderOn(media: PlayerMedia, target: EventTarget, types: readonly string[]): void {
  const seen = watched.get(target) ?? new Set<string>();
  watched.set(target, seen);
  for (const type of types) {
    if (seen.has(type)) continue;
    seen.add(type);
    target.addEventListener(type, () => media.requestUpdate());
  }
}
