import type {
  PlayerState,
  RelayPlayerErrorDetail,
  RelayPlayerFallbackDetail,
} from '../../contract/events.js';
import type { PlayEncode } from '../../contract/types.js';
import type { Candidate } from '../source-order.js';

/** Everything a view shows of a session, read in one go ({@link LiveSession.snapshot}). */
export interface PlayerSnapshot {
  readonly state: PlayerState;
  /** Protocol of the source being played or tried, or `null`. */
  readonly protocol: PlayEncode | null;
  readonly url: string | null;
  /** Why playback gave up (state `error`), else `null`. */
  readonly error: RelayPlayerErrorDetail | null;
  /**
   * The one definition of "paused" (the element's `paused`, its play button's icon and what a press does): the
   * viewer did not ask to play, or the media is paused for a reason other than bridging a break or loading.
   */
  readonly paused: boolean;
  /** Playback waits for a press (no autoplay, or the browser blocked it). */
  readonly needsPress: boolean;
  /** The browser refused sound, so the session muted the media to play (an Unmute button makes sense). */
  readonly mutedByAutoplay: boolean;
  /** Reconnects since the input was set. */
  readonly reconnects: number;
}

export interface SessionListener {
  /** The snapshot changed (`before`: the state it replaced); also when the renditions on offer changed. */
  onChange(now: PlayerSnapshot, before: PlayerSnapshot): void;
  /** A source was skipped or failed and the next one is tried (`to: null`: none is left). */
  onFallback(detail: RelayPlayerFallbackDetail): void;
  /** Every failure; `fatal: true` when playback gave up (the snapshot's `error`). */
  onError(detail: RelayPlayerErrorDetail): void;
}

/** A session's snapshot before it played anything (and a view's before it has a session). */
export const IDLE_SNAPSHOT: PlayerSnapshot = {
  state: 'idle',
  protocol: null,
  url: null,
  error: null,
  paused: true,
  needsPress: false,
  mutedByAutoplay: false,
  reconnects: 0,
};

/**
 * `snap` in `state`, trying `cand`: how the derived fields follow the state. The protocol and URL are the source's
 * (none when idle without one), the error clears on a new start or try, and entering `reconnecting` counts one.
 */
export function withState(snap: PlayerSnapshot, state: PlayerState, cand: Candidate | null): PlayerSnapshot {
  const none = state === 'idle' && !cand;
  return {
    ...snap,
    state,
    protocol: none ? null : (cand?.encode ?? null),
    url: none ? null : (cand?.source.url ?? null),
    error: state === 'idle' || state === 'loading' ? null : snap.error,
    reconnects: snap.reconnects + (state === 'reconnecting' && snap.state !== state ? 1 : 0),
  };
}
