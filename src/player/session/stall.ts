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
  /** One look (every tick): true when `time` stood still for longer than `timeoutMs` while `active`. */
  stalled(time: number, active: boolean, timeoutMs: number): boolean {
    if (!active || time !== this.#lastTime) {
      this.reset(time);
      return false;
    }
    return Date.now() - this.#lastProgressAt > timeoutMs;
  }
}
