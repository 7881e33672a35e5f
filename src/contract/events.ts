import type { PlayEncode, PlayUrl, RelayErrorInfo } from './types.js';

/**
 * Every DOM event name the widgets dispatch, in one place (as media-chrome keeps its constants).
 * All are `bubbles: true, composed: true` with a typed `detail`.
 */
export const RelayPlayerEvents = {
  STATE: 'relay-player-state',
  FALLBACK: 'relay-player-fallback',
  ERROR: 'relay-player-error',
} as const;

export const LivePushEvents = {
  STATE: 'live-push-state',
  STARTED: 'live-push-started',
  STOPPED: 'live-push-stopped',
  ERROR: 'live-push-error',
} as const;

export const RecordingEvents = {
  SELECT: 'recording-select',
  ERROR: 'recording-error',
} as const;

export const PLAYER_STATES = [
  'idle',
  'loading',
  'playing',
  'waiting',
  'reconnecting',
  'error',
  'ended',
  'paused',
] as const;
export type PlayerState = (typeof PLAYER_STATES)[number];

export const PUSH_STATES = ['idle', 'previewing', 'starting', 'live', 'stopping', 'error'] as const;
export type PushState = (typeof PUSH_STATES)[number];

export interface RelayPlayerStateDetail {
  state: PlayerState;
  protocol: PlayEncode | null;
  url: string | null;
}
export interface RelayPlayerFallbackDetail {
  from: PlayUrl;
  to: PlayUrl | null;
  reason: string;
}
export interface RelayPlayerErrorDetail extends RelayErrorInfo {
  url: string | null;
  fatal: boolean;
}

export interface LivePushStateDetail {
  state: PushState;
}
export interface LivePushStartedDetail {
  streamId: string;
  urls: PlayUrl[];
  /** The record id the recordings carry (a string, e.g. `meeting_42`), or `null`. */
  recordId: string | null;
  /**
   * How the media goes out: `webrtc` (WHIP, real time) or `websocket` (the local relay's fallback ingest);
   * absent where the backend's SDK decides (Tencent).
   */
  transport?: 'webrtc' | 'websocket';
}
export interface LivePushStoppedDetail {
  streamId: string;
  /** {@link STOP_REASON_REQUESTED}, {@link STOP_REASON_DISCONNECTED}, or the error code that ended the push. */
  reason: string;
}
/** `live-push-stopped` reason of a push ended by `stop()` / the Stop button. */
export const STOP_REASON_REQUESTED = 'stopped';
/** `live-push-stopped` reason of a push ended because the element left the page. */
export const STOP_REASON_DISCONNECTED = 'disconnected';
export type LivePushErrorDetail = RelayErrorInfo;

/** A recording as the receiver's read API returns it. */
export interface Recording {
  id: string;
  streamId: string;
  /** String record id (`meeting_42`, `docs/contracts.md` "Ids"). */
  recordId: string | null;
  fileFormat: string;
  startTime: number;
  endTime: number;
  duration: number;
  fileSize: number;
  url: string;
  /** A poster image (http(s)) for the recording, when the backend has one (reclist). */
  thumbnailUrl?: string;
}
// --- receiver: recording status (Tencent event_type 332), sent as SSE `event: status` by the receiver ---
/** A recording task's status change as the receiver's live feed sends it (`event: status`). */
export interface RecordingStatus {
  streamId: string;
  recordId: string | null;
  /** Tencent's `record_event`: `record_start_succeeded`, `record_start_failed`, `record_paused`,
   * `record_resumed`, `record_error`, `record_ended` (other values passed through). */
  status: string;
  /** A short English description of the status. */
  message: string;
  /** `event_time` (unix seconds). */
  time: number;
}
// --- end receiver ---

export interface RecordingSelectDetail {
  recording: Recording;
}

/** Builds an event the way every widget dispatches: bubbling, composed, typed detail. */
export function relayEvent<T>(type: string, detail: T, init: { cancelable?: boolean } = {}): CustomEvent<T> {
  return new CustomEvent<T>(type, {
    detail,
    bubbles: true,
    composed: true,
    cancelable: init.cancelable ?? false,
  });
}

declare global {
  interface HTMLElementEventMap {
    'relay-player-state': CustomEvent<RelayPlayerStateDetail>;
    'relay-player-fallback': CustomEvent<RelayPlayerFallbackDetail>;
    'relay-player-error': CustomEvent<RelayPlayerErrorDetail>;
    'live-push-state': CustomEvent<LivePushStateDetail>;
    'live-push-started': CustomEvent<LivePushStartedDetail>;
    'live-push-stopped': CustomEvent<LivePushStoppedDetail>;
    'live-push-error': CustomEvent<LivePushErrorDetail>;
    'recording-select': CustomEvent<RecordingSelectDetail>;
    'recording-error': CustomEvent<RelayErrorInfo>;
  }
}
