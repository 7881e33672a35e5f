import type { Messages } from '../../i18n/index.js';
import { behindLive } from '../session/live-edge.js';
import type { LiveSession } from '../session/live-session.js';
import type { ViewState } from '../view-state.js';
import type { PlayEncode, PlayUrl } from '../../contract/types.js';

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

/** The player as its controls drive it: the media API a page (or media-chrome) uses. */
export interface ActionTarget extends HTMLElement {
  readonly paused: boolean;
  play(): Promise<void>;
  pause(): void;
  currentTime: number;
  volume: number;
  muted: boolean;
  readonly media: HTMLVideoElement | null;
  requestPictureInPicture(): Promise<PictureInPictureWindow>;
  requestUpdate(): void;
}

/**
 * What the built-in controls ask for, done through the same API a page or media-chrome uses (`player`), and the
 * player's session for what only it offers (the live edge, renditions, another source).
 */
export function playerActions(player: ActionTarget, session: () => LiveSession | null): PlayerActions {
  return {
    togglePlay: () => (player.paused ? void player.play() : player.pause()),
    seek: (t) => (player.currentTime = t),
    goLive: () => {
      const s = session();
      const media = s && player.media;
      const behind = media ? behindLive(media, s.engine) : null;
      if (behind !== null) player.currentTime = media!.currentTime + behind - s!.targetLatency;
      void player.play();
    },
    setVolume: (v) => {
      player.volume = v;
      player.muted = v === 0;
    },
    toggleMute: () => (player.muted = !player.muted),
    toggleFullscreen: () => {
      if (document.fullscreenElement === player) void document.exitFullscreen();
      else void player.requestFullscreen?.().catch(() => undefined);
    },
    togglePip: () => {
      // the video is in the player's shadow root: the document sees the player
      if (document.pictureInPictureElement === player)
        void document.exitPictureInPicture().catch(() => undefined);
      else void player.requestPictureInPicture().catch(() => undefined);
    },
    setQuality: (i) => {
      session()?.engine?.setQuality?.(i);
      player.requestUpdate();
    },
    playSource: (url) => session()?.switchTo(url),
  };
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
