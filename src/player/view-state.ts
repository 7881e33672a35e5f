import type { PlayerState } from '../contract/events.js';
import type { PlayEncode } from '../contract/types.js';
import type { EngineQuality, PlaybackEngine } from './engine.js';
import { behindLive } from './session/live-edge.js';
import type { LiveSession } from './session/live-session.js';

/** Further behind the live edge than this (seconds), the LIVE badge offers "go to live". */
export const BEHIND_LIVE_S = 8;

/**
 * Everything the built-in controls show, read in one go from the media element and the session (no DOM of its
 * own, so the controls stay plain templates over it).
 */
export interface ViewState {
  state: PlayerState;
  /** Something can be played (a source, or a followed push that is live). */
  hasInput: boolean;
  /** The session's one definition (`LiveSession.paused`): the play button's icon and its press both read it. */
  paused: boolean;
  time: number;
  /** Seconds; `Infinity` for live, `NaN` while unknown. */
  duration: number;
  /** End of the buffered range around the playhead (seconds). */
  bufferedEnd: number;
  live: boolean;
  /** Live and far enough behind the edge (or paused) that "go to live" makes sense. */
  behindLive: boolean;
  muted: boolean;
  volume: number;
  /** Nothing to show but sound: an MP3, or a stream without a picture. */
  audioOnly: boolean;
  quality: EngineQuality | null;
}

export function readViewState(
  media: HTMLMediaElement & { videoWidth?: number },
  session: LiveSession | null,
  hasInput: boolean,
): ViewState {
  const { state, protocol, paused } = session?.snapshot ?? { state: 'idle', protocol: null, paused: true };
  const t = media.currentTime;
  const b = media.buffered;
  let bufferedEnd = 0;
  for (let i = 0; i < b.length; i++) if (b.start(i) <= t + 0.5) bufferedEnd = b.end(i);
  const engine = session?.engine ?? null;
  const behind = behindLive(media, engine);
  const live = session?.live ?? false;
  return {
    state,
    hasInput,
    paused,
    time: t,
    duration: session?.duration ?? NaN,
    bufferedEnd,
    live,
    behindLive: live && (paused || (behind !== null && behind > BEHIND_LIVE_S)),
    muted: media.muted,
    volume: media.volume,
    audioOnly: isAudioOnly(media, state, protocol),
    quality: renditions(engine),
  };
}

/** Nothing to show but sound: an MP3, or media without a picture (the player then shows a compact bar). */
export function isAudioOnly(
  media: HTMLMediaElement & { videoWidth?: number },
  state: PlayerState,
  protocol: PlayEncode | null,
): boolean {
  return protocol === 'mp3' || (media.readyState >= 1 && media.videoWidth === 0 && state !== 'error');
}

/** Renditions of an adaptive source, or `null` when the engine has no choice to offer. */
export function renditions(engine: PlaybackEngine | null): EngineQuality | null {
  const q = engine?.quality?.();
  return q && q.levels.length > 1 ? q : null;
}
