import type { PlayEncode } from '../contract/types.js';

/**
 * What a quiet look at a live URL says:
 * - `gone`: 404/410, the broadcast is not there (any more);
 * - `ended`: the HLS playlist is there but closed with `#EXT-X-ENDLIST`;
 * - `live`: it answers with a stream, so playback can (re)start;
 * - `unknown`: anything else (network error, 5xx): no conclusion.
 */
export type ProbeResult = 'gone' | 'ended' | 'live' | 'unknown';

/**
 * Asks `url` once whether the stream is there, reading no more than it needs (the headers for FLV, the playlist
 * text for HLS). The URL is used unchanged (signed `txSecret`/`txTime` query strings stay as they are).
 */
export async function probeStream(
  url: string,
  encode: PlayEncode,
  signal: AbortSignal,
): Promise<ProbeResult> {
  let res: Response;
  try {
    res = await fetch(url, { signal, cache: 'no-store' });
  } catch {
    return 'unknown';
  }
  try {
    if (res.status === 404 || res.status === 410) return 'gone';
    if (!res.ok) return 'unknown';
    if (encode === 'hls') return (await res.text()).includes('#EXT-X-ENDLIST') ? 'ended' : 'live';
    return 'live';
  } catch {
    return 'unknown';
  } finally {
    // an endless FLV body: stop reading it
    void res.body?.cancel().catch(() => undefined);
  }
}
