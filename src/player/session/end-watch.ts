import { probeStream, type ProbeResult } from '../stream-probe.js';
import type { Candidate } from '../source-order.js';

/** Quiet checks after a clean end: 1 s, 2 s, 4 s… up to this apart. */
const MAX_CHECK_MS = 15_000;

/**
 * Telling a live broadcast's clean end from a break, and noticing when it comes back: one quiet look at the URL
 * (`check`), and after an end the resume window (`watch`: checks further and further apart until it answers with a
 * stream or the window closes). Owns at most one probe and one timer; `cancel()` drops both.
 */
export class EndWatch {
  #probe: AbortController | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** A look is under way (a second clean end meanwhile is not looked at again). */
  get probing(): boolean {
    return this.#probe !== null;
  }
  /** Probes `cand`'s URL once; `then` runs unless cancelled meanwhile. */
  check(cand: Candidate, then: (result: ProbeResult) => void): void {
    const ac = new AbortController();
    this.#probe = ac;
    void probeStream(cand.source.url, cand.encode, ac.signal).then((result) => {
      if (ac.signal.aborted) return;
      this.#probe = null;
      then(result);
    });
  }
  /** After a clean end: checks `cand` quietly within `windowMs`; `onLive` when it answers with a stream. */
  watch(cand: Candidate, windowMs: number, onLive: () => void): void {
    const endedAt = Date.now();
    const next = (delay: number): void => {
      if (Date.now() + delay - endedAt > windowMs) return;
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.check(cand, (result) =>
          result === 'live' ? onLive() : next(Math.min(delay * 2, MAX_CHECK_MS)),
        );
      }, delay);
    };
    next(1000);
  }
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#probe?.abort();
    this.#probe = null;
  }
}
