/** Waiting helpers for the browser tests (outcomes are polled, never timed). */
import type { RelayErrorInfo } from '../../src/contract/types.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy, which it returns; fails naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 20000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

let seq = 0;
/** A name no other test (or earlier run against the same server) uses. */
export const uid = (name: string): string => `${name}-${Date.now()}-${seq++}`;

/** The error `p` rejects with (a `RelayError`: `{ module, code, message }` and an `Error`); fails if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<RelayErrorInfo & Error> {
  try {
    await p;
  } catch (err) {
    return err as RelayErrorInfo & Error;
  }
  throw new Error('expected a rejection');
}
