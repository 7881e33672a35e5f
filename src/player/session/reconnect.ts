import { Backoff, type BackoffOptions } from '../backoff.js';

/**
 * Reconnecting after a break: whether one is under way (the media's own pause/emptied events then mean nothing),
 * the backoff between attempts and the one pending attempt's timer.
 */
export class Reconnect {
  #backoff: Backoff;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #active = false;

  constructor(options: BackoffOptions) {
    this.#backoff = new Backoff(options);
  }
  /** True from a break until the source plays again (or the session gives up). */
  get active(): boolean {
    return this.#active;
  }
  /** An attempt is scheduled and has not run yet. */
  get pending(): boolean {
    return this.#timer !== null;
  }
  /** Attempts made since the last success. */
  get attempts(): number {
    return this.#backoff.attempts;
  }
  /** Runs `attempt` after the next backoff delay. */
  schedule(attempt: () => void): void {
    this.cancel();
    this.#active = true;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      attempt();
    }, this.#backoff.next());
  }
  /** Drops a pending attempt (the break, if any, is still being bridged). */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
  /** Back to no break at all: no pending attempt, the backoff from its start. */
  reset(): void {
    this.cancel();
    this.#active = false;
    this.#backoff.reset();
  }
}
