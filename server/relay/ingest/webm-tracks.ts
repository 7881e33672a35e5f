/**
 * What a WebM/Matroska ingest carries, read from its header (EBML header + Segment Info + Tracks, everything before
 * the first Cluster) before any media: the relay copies H.264 and re-encodes the rest.
 *
 * MediaRecorder writes the Tracks element in its first chunk, so this needs no more than that chunk. The Matroska
 * `CodecID` values are ASCII strings (`V_MPEG4/ISO/AVC`, `V_VP8`, `A_OPUS`, …), found by scanning the header bytes.
 */

export type IngestVideoCodec = 'h264' | 'vp8' | 'vp9' | 'av1' | 'other';
export type IngestAudioCodec = 'opus' | 'vorbis' | 'aac' | 'other';

export interface IngestTracks {
  video: IngestVideoCodec | null;
  audio: IngestAudioCodec | null;
}

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
const CLUSTER_ID = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);
/** A header longer than this is not one MediaRecorder wrote; the caller then falls back to re-encoding. */
export const MAX_WEBM_HEADER_BYTES = 256 * 1024;

const VIDEO_IDS: [string, IngestVideoCodec][] = [
  ['V_MPEG4/ISO/AVC', 'h264'],
  ['V_VP8', 'vp8'],
  ['V_VP9', 'vp9'],
  ['V_AV1', 'av1'],
];
const AUDIO_IDS: [string, IngestAudioCodec][] = [
  ['A_OPUS', 'opus'],
  ['A_VORBIS', 'vorbis'],
  ['A_AAC', 'aac'],
];

/**
 * Reads the tracks from the start of a WebM stream. Returns `null` while the header is incomplete (feed more
 * bytes), and `undefined` when the bytes are not a WebM header this can read (not EBML, or no Cluster within
 * {@link MAX_WEBM_HEADER_BYTES}).
 */
export function readWebmTracks(head: Buffer): IngestTracks | null | undefined {
  if (head.length >= 4 && !head.subarray(0, 4).equals(EBML_MAGIC)) return undefined;
  const end = head.indexOf(CLUSTER_ID);
  if (end < 0) return head.length > MAX_WEBM_HEADER_BYTES ? undefined : null;
  const text = head.toString('latin1', 0, end);
  const find = <T>(ids: [string, T][], prefix: string): T | null => {
    for (const [id, codec] of ids) if (text.includes(id)) return codec;
    return new RegExp(`${prefix}_[A-Z0-9]`).test(text) ? ('other' as T) : null;
  };
  return { video: find(VIDEO_IDS, 'V'), audio: find(AUDIO_IDS, 'A') };
}
