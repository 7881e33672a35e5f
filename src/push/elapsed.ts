/**
 * The elapsed time of a live push, as the status line shows it: counts whole seconds from `live`, holds through
 * `stopping`, and is back at zero in any other state. It owns its timer; `follow('idle')` (which a released
 * session reports) leaves nothing running.
 */
import type { PushState } from '../contract/events.js';

/** `mm:ss`, or `h:mm:ss` from one hour. */
export function formatElapsed(totalSeconds: number): string {
  const h = Math.floor(totalSeconds / 3600);
  const mm = String(Math.floor((totalSeconds % 3600) / 60)).padStart(2, '0');
  const ss = String(totalSeconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export class ElapsedClock {
  /** Whole seconds since the push went live (0 when not live). */
  seconds = 0;
  #timer: ReturnType<typeof setInterval> | null = null;

  /** `onTick` runs each second while counting (the element re-renders). */
  constructor(private readonly onTick: () => void) {}

  /** Follows the push state: starts at `live`, holds through `stopping`, resets otherwise. */
  follow(state: PushState): void {
    if (state === 'live') this.#start();
    else if (state !== 'stopping') this.stop();
  }

  #start(): void {
    this.stop();
    const startedAt = Date.now();
    this.#timer = setInterval(() => {
      this.seconds = Math.floor((Date.now() - startedAt) / 1000);
      this.onTick();
    }, 1000);
  }

  /** Stops counting and resets to zero. */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.seconds = 0;
  }
}
