import { ErrorCodes } from '../../contract/errors.js';
import type { EngineFailure } from '../engine.js';

/**
 * Stall detection: playback that should move (the viewer wants it, the media is not paused or ended, the source
 * showed a frame) and whose time stands still for longer than the timeout is a break.
 */
export class StallWatch {
  #lastTime = 0;
  #lastProgressAt = 0;

  /** Counts from now, at `time` (a new attempt, or the first frame). */
  reset(time: number): void {
    this.#lastTime = time;
    this.#lastProgressAt = Date.now();
  }
  /** One look (every tick): the failure when `time` stood still for longer than `timeoutMs` while `active`. */
  check(time: number, active: boolean, timeoutMs: number): EngineFailure | null {
    if (!active || time !== this.#lastTime) {
      this.reset(time);
      return null;
    }
    if (Date.now() - this.#lastProgressAt <= timeoutMs) return null;
    return {
      code: ErrorCodes.NETWORK_ERROR,
      message: `Playback stalled for ${Math.round(timeoutMs / 1000)} s.`,
    };
  }
}
