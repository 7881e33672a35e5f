/**
 * Types shared by every domain. The wire shapes follow `docs/push-model.md`.
 */

/** Relay (旁路) protocols a push can be relayed as. */
export const RELAY_ENCODES = ['rtmp', 'hls', 'flv'] as const;
export type RelayEncode = (typeof RELAY_ENCODES)[number];

/**
 * Every kind of URL a player may be handed: live relays, recorded files, and `webrtc` — a WHEP endpoint (an
 * `http(s)` URL a WebRTC viewer `POST`s its offer to), for real-time playback.
 */
export const PLAY_ENCODES = ['rtmp', 'flv', 'hls', 'mp4', 'mp3', 'webrtc'] as const;
export type PlayEncode = (typeof PLAY_ENCODES)[number];

/** One play URL, as a relay start answers it: `{ encode, url }`. `encode` may be omitted (guessed from the URL). */
export interface PlayUrl {
  encode?: PlayEncode;
  url: string;
  /**
   * A name for this rendition when the list has the same stream in several bitrates (`"1080p"`, `"超清"`): the
   * player's quality menu then offers the labelled sources of the protocol playing.
   */
  quality?: string;
  /**
   * A Bearer token to send with the requests of this source: for `webrtc` (WHEP) sources, the
   * `Authorization: Bearer …` of the offer `POST` and the session's `DELETE` (RFC 9725 §4.5).
   */
  token?: string;
}

/** Recording file types. MP3 only for audio-only pushes. */
export const RECORD_FILE_TYPES = ['hls', 'flv', 'mp4', 'mp3'] as const;
export type RecordFileType = (typeof RECORD_FILE_TYPES)[number];

/** Every failure in the project has this shape (the model's `onError(module, errCode, errMsg)`). */
export interface RelayErrorInfo {
  /** Which part failed: `player`, `push`, `relay`, `camera`, `trtc`, `recordings`, … */
  module: string;
  /** Stable string code from `src/contract/errors.ts`. */
  code: string;
  /** Human-readable, says what to do. */
  message: string;
}
