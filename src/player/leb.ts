import type { PlayUrl } from '../contract/types.js';

/**
 * `webrtc://` sources (Tencent LEB, 快直播): TCPlayer's documented fallback for browsers that do not play LEB,
 * `webrtc://{domain}/{app}/{stream}?{query}` → `https://{domain}/{app}/{stream}.flv?{query}` and `….m3u8?{query}`
 * (the same stream on the same play domain; a signed query carries over, `txSecret` being over the stream name).
 * Port and percent-encoded names are kept as written. Written here rather than taken from a library: it is one
 * string rewrite, and TCPlayer (the only package that does it) is a whole player.
 */
export function lebFallbacks(url: string, scheme: 'https' | 'http' = 'https'): PlayUrl[] | null {
  const m = /^webrtc:\/\/([^/?#]+)(\/[^?#]*)(\?[^#]*)?/i.exec(url.trim());
  if (!m || m[2] === '/') return null;
  const path = m[2]!.replace(/\/+$/, '');
  const base = `${scheme}://${m[1]}${path}`;
  const query = m[3] ?? '';
  return [
    { encode: 'flv', url: `${base}.flv${query}` },
    { encode: 'hls', url: `${base}.m3u8${query}` },
  ];
}

/** `sources` with each `webrtc://` entry replaced by its FLV and HLS fallbacks (its `quality` label kept). */
export function expandLebSources(sources: readonly PlayUrl[], scheme?: 'https' | 'http'): PlayUrl[] {
  return sources.flatMap((s) => {
    const fallbacks = /^webrtc:/i.test(s.url) ? lebFallbacks(s.url, scheme) : null;
    if (!fallbacks) return [s];
    return fallbacks.map((f) => (s.quality ? { ...f, quality: s.quality } : f));
  });
}
