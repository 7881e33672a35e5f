/**
 * Tells a request the browser's origin policy (CORS) blocked apart from a server that cannot be reached: both
 * reject `fetch` with the same bare `TypeError`, and the server's own explanation never reaches the page. After
 * such a failure, a `no-cors` request to the same URL resolves (with an opaque answer) only if the server
 * answered, so the first failure was the origin policy.
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';

/**
 * After a request to `url` from this page failed without an answer: an `ORIGIN_NOT_ALLOWED` error naming the page's
 * origin and `ALLOWED_ORIGINS` when the server is up but did not allow this page, else `null` (not reachable, or
 * the same origin, where no origin policy applies).
 */
export default async function originBlocked(url: string, module: string): Promise<RelayError | null> {
  const page = globalThis.location?.origin;
  let target: URL;
  try {
    target = new URL(url, globalThis.location?.href);
  } catch {
    return null;
  }
  if (!page || target.origin === page) return null;
  const abort = new AbortController();
  try {
    // a live stream would go on forever: the headers are all the proof needed
    await fetch(target.href, { mode: 'no-cors', cache: 'no-store', signal: abort.signal });
  } catch {
    return null;
  } finally {
    abort.abort();
  }
  return new RelayError(
    module,
    ErrorCodes.ORIGIN_NOT_ALLOWED,
    `${target.origin} answered, but does not allow pages of ${page} to use it: add ${page} to its ALLOWED_ORIGINS.`,
  );
}

// This file's entry in the lazy-module registry (src/lazy/manifest.json lists the modules).
declare module '../lazy/registry.js' {
  interface LazyModules {
    /** Tells a blocked origin from an unreachable server; fetched when all of a player's sources fail. */
    'origin-check': typeof originBlocked;
  }
}
