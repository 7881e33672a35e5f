/**
 * What hls.js's light build cannot play, so that the HLS engine can start with it (117 KB gzip against 182 KB: the
 * first frame comes ≈ 10 % sooner) and take the full build for the streams that need it. The list follows hls.js's
 * build: the light build leaves out alternate audio, subtitles and captions, EME (DRM), variable substitution
 * (`EXT-X-DEFINE`), interstitials, and HEVC, AC-3 and E-AC-3 in MPEG-TS. AES-128, SAMPLE-AES, content steering,
 * ID3 and fMP4 of any codec are in both.
 */

/**
 * Playlist lines only the full build understands: alternate renditions (`EXT-X-MEDIA`), DRM keys, variable
 * substitution, interstitials, HEVC or (E-)AC-3 codecs. One expression, no names: it is in the script every page
 * loads (the line it matched says what it is).
 */
const FULL_ONLY_LINE =
  /^#EXT-X-(?:MEDIA:.*TYPE=(?:AUDIO|SUBTITLES|CLOSED-CAPTIONS)|SESSION-KEY|KEY:.*KEYFORMAT="(?!identity")|DEFINE|DATERANGE:.*CLASS="com\.apple\.hls\.interstitial"|STREAM-INF:.*CODECS="[^"]*\b(?:hvc1|hev1|ac-3|ec-3))/m;

/** Why `playlist` needs hls.js's full build (the line that says so), or null when the light build plays it. */
export function playlistNeedsFullHls(playlist: string): string | null {
  return FULL_ONLY_LINE.exec(playlist)?.[0] ?? null;
}

/** MPEG-TS stream types the light build skips: HEVC, AC-3, E-AC-3 (and their SAMPLE-AES forms). */
const FULL_ONLY_STREAMS = new Set([0x24, 0x81, 0x87, 0xc1, 0xc2]);
/** DVB descriptors that make a private-data stream (type 6) AC-3 or E-AC-3. */
const FULL_ONLY_DESCRIPTORS = new Set([0x6a, 0x7a]);

/**
 * Why an MPEG-TS segment needs hls.js's full build (its program map lists an HEVC, AC-3 or E-AC-3 stream), or null.
 * Media playlists do not declare codecs, and the light build plays such a segment with a stream missing: the
 * picture (HEVC) or the sound (AC-3) is simply not there, with at most a non-fatal parsing error.
 */
export function segmentNeedsFullHls(data: Uint8Array): string | null {
  let pmtPid = -1;
  for (let at = 0; at + 188 <= data.length && at < 188 * 64; at += 188) {
    if (data[at] !== 0x47) return null; // not MPEG-TS (fMP4, AAC, …): the light build handles those
    const pid = ((data[at + 1]! & 0x1f) << 8) | data[at + 2]!;
    const start = (data[at + 1]! & 0x40) !== 0;
    if (!start || (pid !== 0 && pid !== pmtPid)) continue;
    let p = at + 4;
    if (data[at + 3]! & 0x20) p += 1 + data[p]!; // adaptation field
    p += 1 + data[p]!; // pointer field
    const sectionEnd = Math.min(at + 188, p + 3 + (((data[p + 1]! & 0x0f) << 8) | data[p + 2]!) - 4);
    if (pid === 0) {
      // PAT: the first program's map PID
      for (let q = p + 8; q + 4 <= sectionEnd; q += 4)
        if ((data[q]! << 8) | data[q + 1]!) {
          pmtPid = ((data[q + 2]! & 0x1f) << 8) | data[q + 3]!;
          break;
        }
      continue;
    }
    // PMT: its streams
    let q = p + 12 + (((data[p + 10]! & 0x0f) << 8) | data[p + 11]!);
    while (q + 5 <= sectionEnd) {
      const type = data[q]!;
      const infoEnd = q + 5 + (((data[q + 3]! & 0x0f) << 8) | data[q + 4]!);
      if (FULL_ONLY_STREAMS.has(type)) return `stream type 0x${type.toString(16)} in MPEG-TS`;
      if (type === 0x06)
        for (let d = q + 5; d + 2 <= infoEnd; d += 2 + data[d + 1]!)
          if (FULL_ONLY_DESCRIPTORS.has(data[d]!)) return 'AC-3 or E-AC-3 in MPEG-TS';
      q = infoEnd;
    }
    return null;
  }
  return null;
}
