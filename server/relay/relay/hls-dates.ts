/**
 * Program dates for the live HLS playlist: each segment gets `#EXT-X-PROGRAM-DATE-TIME`, the wall time at which its
 * first frame was captured (the hub's relay clock, the same one HTTP-FLV viewers get as cue points). A player reads
 * the date of what it shows (hls.js `playingDate`, Safari `getStartDate()`) and so knows the stream's true delay,
 * encoder and segmenter included, instead of only its own buffer.
 *
 * Why not ffmpeg's `-hls_flags program_date_time`: ffmpeg dates segments from its own start time, and the live muxer
 * starts on demand from the hub's GOP cache, seconds after that media was captured; its dates would say the stream
 * is seconds fresher than it is. The live muxer runs with `-copyts -muxdelay 0 -muxpreload 0`, so a segment's
 * first PTS is the hub's timestamp of that sample, read here from the segment's first packets.
 */

/** MPEG-TS timestamps count 33 bits of 90 kHz: they wrap after this many ms (about 26.5 h). */
export const PTS_WRAP_MS = 2 ** 33 / 90;

/**
 * When a segment starts: the earliest PTS (ms) among the first audio and the first video PES of an MPEG-TS buffer
 * (its first packets suffice), or null when it has neither. A segment starts on a keyframe, but its audio usually
 * starts a little earlier (up to a frame of audio per segment boundary), and a program date is the date of the
 * segment's first sample, which is also where players place the segment (hls.js's `frag.start`).
 */
export function segmentStartPtsMs(ts: Buffer): number | null {
  let video: number | null = null;
  let audio: number | null = null;
  for (let o = 0; o + 188 <= ts.length && (video === null || audio === null); o += 188) {
    if (ts[o] !== 0x47) break; // not (or no longer) aligned MPEG-TS
    if (!(ts[o + 1]! & 0x40)) continue; // no PES starts in this packet
    const afc = (ts[o + 3]! >> 4) & 3;
    if (!(afc & 1)) continue; // no payload
    const p = o + 4 + (afc & 2 ? 1 + ts[o + 4]! : 0);
    if (p + 14 > o + 188) continue;
    if (ts[p] !== 0 || ts[p + 1] !== 0 || ts[p + 2] !== 1) continue; // not a PES (a PAT/PMT section)
    if (!(ts[p + 7]! & 0x80)) continue; // no PTS
    const streamId = ts[p + 3]!;
    const isVideo = streamId >= 0xe0 && streamId <= 0xef;
    const isAudio = streamId >= 0xc0 && streamId <= 0xdf;
    if ((isVideo && video !== null) || (isAudio && audio !== null) || (!isVideo && !isAudio)) continue;
    const b = ts.subarray(p + 9, p + 14);
    // 33 bits: beyond 32-bit integer arithmetic, so by multiplication
    const pts =
      ((b[0]! >> 1) & 7) * 2 ** 30 + b[1]! * 2 ** 22 + (b[2]! >> 1) * 2 ** 15 + b[3]! * 2 ** 7 + (b[4]! >> 1);
    if (isVideo) video = pts / 90;
    else audio = pts / 90;
  }
  if (video === null) return audio;
  if (audio === null) return video;
  return Math.min(video, audio);
}

/**
 * The playlist with `#EXT-X-PROGRAM-DATE-TIME` before every segment whose date `dateOf(uri)` knows (ms since the
 * epoch); segments it does not know are left without one (a player extrapolates from the previous one). A playlist
 * that already has dates is returned unchanged.
 */
export function withProgramDates(playlist: string, dateOf: (uri: string) => number | null): string {
  if (playlist.includes('#EXT-X-PROGRAM-DATE-TIME')) return playlist;
  const lines = playlist.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#EXTINF')) {
      const uri = lines.slice(i + 1).find((l) => l && !l.startsWith('#'));
      const date = uri ? dateOf(uri.trim()) : null;
      if (date !== null && Number.isFinite(date))
        out.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(date).toISOString()}`);
    }
    out.push(line);
  }
  return out.join('\n');
}

/**
 * The hub timestamp (ms) of a PTS read from a segment: the PTS counts modulo {@link PTS_WRAP_MS}, so the one nearest
 * the hub's latest timestamp.
 */
export function unwrapPts(ptsMs: number, latestMs: number): number {
  return ptsMs + Math.round((latestMs - ptsMs) / PTS_WRAP_MS) * PTS_WRAP_MS;
}
