import { createHash } from 'node:crypto';
import type { Recording as EventsRecording, RecordingStatus } from '../../src/contract/events.ts';
import { ErrorCodes } from '../../src/contract/errors.ts';
import { ID_PATTERN } from '../../src/contract/ids.ts';

/** A recording as the receiver stores and serves it; record ids are strings (TRTC `userdefinerecordid`). */
export type Recording = Omit<EventsRecording, 'recordId'> & { recordId: string | null };
export type { RecordingStatus };

/** What a record id may look like everywhere (relay, callbacks, receiver filters, `record-id` attributes). */
export const RECORD_ID_PATTERN = ID_PATTERN;

/** Tencent CSS callback event types this receiver knows; any other integer is stored raw. */
export const EventTypes = {
  STREAM_END: 0,
  STREAM_START: 1,
  RECORDING: 100,
  SCREENSHOT: 200,
  RECORDING_STATUS: 332,
} as const;

/** A callback body after validation: a JSON object with an integer `event_type`. */
export type Notification = Record<string, unknown> & { event_type: number };

/** The recording fields extracted from an `event_type = 100` notification (a `Recording` before it has an id). */
export type RecordingFields = Omit<Recording, 'id'>;

/** A notification ready to be stored: its identity (the exactly-once key) plus what to index. */
export interface StoredNotification {
  identity: string;
  eventType: number;
  streamId: string | null;
  body: string;
  recording: RecordingFields | null;
  /** The recording status of an `event_type = 332` notification. */
  status: RecordingStatus | null;
}

export class NotificationError extends Error {
  constructor(
    readonly code: typeof ErrorCodes.BAD_BODY,
    message: string,
  ) {
    super(message);
  }
}

/** Latest plausible unix time in seconds (2100-01-01); anything later is a forged or broken field. */
const MAX_UNIX_SECONDS = 4_102_444_800;

/**
 * Numeric fields Tencent sends, each with its allowed range. A field that is present must be a number (or a numeric
 * string) in range, else the notification is refused (`400`) instead of stored with nonsense.
 */
const NUMERIC_RANGES: Record<string, readonly [number, number, string]> = {
  start_time: [0, MAX_UNIX_SECONDS, 'unix seconds'],
  end_time: [0, MAX_UNIX_SECONDS, 'unix seconds'],
  event_time: [0, MAX_UNIX_SECONDS, 'unix seconds'],
  duration: [0, 366 * 86_400, 'seconds, at most a year'],
  file_size: [0, 2 ** 50, 'bytes, at most 1 PiB'],
  media_start_time: [0, MAX_UNIX_SECONDS * 1000, 'milliseconds'],
  push_duration: [0, MAX_UNIX_SECONDS * 1000, 'milliseconds'],
};

/** Validates a parsed JSON body as a callback notification (an object with an integer `event_type`). */
export function asNotification(value: unknown): Notification {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NotificationError(ErrorCodes.BAD_BODY, 'The callback body must be a JSON object.');
  }
  const obj = value as Record<string, unknown>;
  const type = toInteger(obj.event_type);
  if (type === null) {
    throw new NotificationError(ErrorCodes.BAD_BODY, 'The callback body needs an integer "event_type".');
  }
  for (const [field, [min, max, unit]] of Object.entries(NUMERIC_RANGES)) {
    if (!(field in obj) || obj[field] === null) continue;
    const n = toNumber(obj[field]);
    if (n === null || n < min || n > max) {
      throw new NotificationError(
        ErrorCodes.BAD_BODY,
        `"${field}" must be a number from ${min} to ${max} (${unit}), got ${JSON.stringify(obj[field])}.`,
      );
    }
  }
  return { ...obj, event_type: type };
}

/**
 * The identity of a notification: the same event delivered any number of times (with a new `t` and `sign` on each
 * retry) maps to the same identity.
 * - recording (100): `100:{record_file_id || file_id}`
 * - stream start/end (1/0): `{event_type}:{stream_id}:{sequence}`
 * - anything else, or when those fields are missing: `{event_type}:sha256:{hash of the body without t and sign,
 *   keys sorted}`.
 */
export function identityOf(n: Notification): string {
  const type = n.event_type;
  if (type === EventTypes.RECORDING) {
    const fileId = nonEmptyString(n.record_file_id) ?? nonEmptyString(n.file_id);
    if (fileId) return `100:${fileId}`;
  }
  if (type === EventTypes.STREAM_START || type === EventTypes.STREAM_END) {
    const streamId = nonEmptyString(n.stream_id);
    const sequence = nonEmptyString(n.sequence);
    if (streamId && sequence) return `${type}:${streamId}:${sequence}`;
  }
  const rest: Record<string, unknown> = { ...n };
  delete rest.t;
  delete rest.sign;
  return `${type}:sha256:${createHash('sha256').update(canonicalJson(rest)).digest('hex')}`;
}

/** Extracts the recording from an `event_type = 100` notification, or `null` if it is not a usable recording. */
export function recordingOf(n: Notification): RecordingFields | null {
  if (n.event_type !== EventTypes.RECORDING) return null;
  const url = nonEmptyString(n.video_url);
  const streamId = nonEmptyString(n.stream_id) ?? nonEmptyString(n.channel_id);
  if (!url || !streamId) return null;
  const startTime = toNumber(n.start_time) ?? 0;
  const endTime = toNumber(n.end_time) ?? startTime;
  return {
    streamId,
    recordId: recordIdOf(n),
    fileFormat: (nonEmptyString(n.file_format) ?? formatFromUrl(url)).toLowerCase(),
    startTime,
    endTime,
    duration: toNumber(n.duration) ?? Math.max(0, endTime - startTime),
    fileSize: toNumber(n.file_size) ?? 0,
    url,
  };
}

/**
 * The record id, a string like TRTC's `meeting_42`: `userdefinerecordid`, else `userdefinerecordid` (what the local
 * relay reports, as Tencent's stream_param carries the push URL's query), `recordId` or `record_id` in the push URL's
 * `stream_param`. A JSON integer is taken as its decimal text; anything not matching `RECORD_ID_PATTERN` counts
 * as no record id (the notification is still stored raw).
 */
export function recordIdOf(n: Notification): string | null {
  const direct = asRecordId(n.userdefinerecordid) ?? asRecordId(n.user_define_record_id);
  if (direct !== null) return direct;
  const param = nonEmptyString(n.stream_param);
  if (!param) return null;
  const q = new URLSearchParams(param.startsWith('?') ? param.slice(1) : param);
  return (
    asRecordId(q.get('userdefinerecordid')) ?? asRecordId(q.get('recordId')) ?? asRecordId(q.get('record_id'))
  );
}

/** A record id from a string or a JSON integer, or `null` when it is not one. */
export function asRecordId(v: unknown): string | null {
  const text = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  return typeof text === 'string' && RECORD_ID_PATTERN.test(text) ? text : null;
}

const STATUS_MESSAGES: Record<string, string> = {
  record_start_succeeded: 'Recording started.',
  record_start_failed: 'Recording could not start.',
  record_paused: 'Recording paused.',
  record_resumed: 'Recording resumed.',
  record_error: 'Recording hit an error.',
  record_ended: 'Recording ended.',
};

/**
 * The recording status of an `event_type = 332` notification (Tencent CSS "recording status event": `record_event`,
 * `stream_id`, `event_time`, `session_id`, `record_detail`…), or `null` for other events or without a stream id.
 */
export function statusOf(n: Notification): RecordingStatus | null {
  if (n.event_type !== EventTypes.RECORDING_STATUS) return null;
  const streamId = nonEmptyString(n.stream_id);
  const raw = nonEmptyString(n.record_event) ?? nonEmptyString(n.recordevent);
  if (!streamId || !raw) return null;
  const status = raw.slice(0, 64);
  return {
    streamId,
    recordId: recordIdOf(n),
    status,
    message: STATUS_MESSAGES[status] ?? `Recording status "${status}".`,
    time: toNumber(n.event_time) ?? Math.floor(Date.now() / 1000),
  };
}

/** Everything the store needs from a validated notification. */
export function toStored(n: Notification): StoredNotification {
  const recording = recordingOf(n);
  return {
    identity: identityOf(n),
    eventType: n.event_type,
    streamId: recording?.streamId ?? nonEmptyString(n.stream_id) ?? null,
    body: JSON.stringify(n),
    recording,
    status: statusOf(n),
  };
}

/** Only `http:` and `https:` URLs are ever handed to a browser. */
export function isWebUrl(url: string): boolean {
  try {
    const p = new URL(url).protocol;
    return p === 'http:' || p === 'https:';
  } catch {
    return false;
  }
}

function formatFromUrl(url: string): string {
  const m = /\.(m3u8|flv|mp4|mp3|aac)(?:[?#]|$)/i.exec(url);
  if (!m) return 'unknown';
  return m[1].toLowerCase() === 'm3u8' ? 'hls' : m[1].toLowerCase();
}

/** JSON with object keys sorted: the same body serialised with another key order or spacing gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function nonEmptyString(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function toInteger(v: unknown): number | null {
  const n = toNumber(v);
  return n !== null && Number.isSafeInteger(n) ? n : null;
}
