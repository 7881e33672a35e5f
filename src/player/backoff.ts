/** A bounded exponential backoff with jitter (the reconnect schedule of a live session). */
export interface BackoffOptions {
  /** First delay, ms. */
  initialMs: number;
  /** Upper bound of any delay, ms. */
  maxMs: number;
  /** Growth per attempt. */
  factor: number;
  /** 0…1: share of each delay that is randomised (0.5 → delay in [50 %, 100 %] of the nominal value). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0.5 };

/** Delay before attempt `attempt` (0-based). Always within `[initialMs * (1 - jitter), maxMs]`. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(nominal * (1 - jitter + jitter * r));
}

/** Stateful schedule: `next()` gives the next delay, `reset()` after a success. */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** How many delays have been handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const d = backoffDelay(this.attempt, this.options, this.random);
    this.attempt += 1;
    return d;
  }

  reset(): void {
    this.attempt = 0;
  }
}
