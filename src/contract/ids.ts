/**
 * Stream ids and record ids: 1–64 characters of `A-Za-z0-9_-` (Tencent's `userdefinerecordid` and the CDN's stream
 * names accept them, and they need no escaping in a URL or a file name). The one definition, imported by the
 * widgets and both servers; `docs/contracts.md` describes it.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** {@link ID_PATTERN} without anchors, to build larger patterns (`/live/{id}.flv`). */
export const ID_SOURCE = ID_PATTERN.source.slice(1, -1);

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
