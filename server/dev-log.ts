/**
 * The one-line descriptions `npm start` (server/dev.ts) prints, kept apart so they can be tested without a server.
 */

/**
 * A callback as a site's backend would read it: `event 100 mp4 (stream s1)`. `body` is what the receiver got: the
 * raw JSON text (the receiver reads every body as text) or an already parsed object.
 */
export function describeCallback(body: unknown): string {
  let rec: unknown = body;
  if (typeof body === 'string') {
    try {
      rec = JSON.parse(body);
    } catch {
      return 'a body that is not JSON';
    }
  }
  if (typeof rec !== 'object' || rec === null) return 'an empty body';
  const o = rec as Record<string, unknown>;
  const text = (v: unknown): string | null =>
    typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
  const event = text(o.event_type) ?? '?';
  const format = o.event_type === 100 ? text(o.file_format) : null;
  return `event ${event}${format ? ` ${format}` : ''} (stream ${text(o.stream_id) ?? '?'})`;
}

/** The first port from `from` on (at most `tries` of them) that `isFree` says is free, or `null`. */
export async function firstFreePort(
  from: number,
  isFree: (port: number) => Promise<boolean>,
  tries = 50,
): Promise<number | null> {
  for (let p = from; p < from + tries && p <= 65535; p++) if (await isFree(p)) return p;
  return null;
}
