import { createHash } from 'node:crypto';
import type { Recording } from '../../src/events.ts';

/** Tencent CSS callback event types this receiver knows; any other integer is stored raw. */
export const EventTypes = {
  STREAM_END: 0,
  STREAM_START: 1,
  RECORDING: 100,
  SCREENSHOT: 200,
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
}

export class NotificationError extends Error {
  constructor(
    readonly code: 'BAD_BODY',
    message: string,
  ) {
    super(message);
  }
}

/** Validates a parsed JSON body as a callback notification (an object with an integer `event_type`). */
export function asNotification(value: unknown): Notification {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NotificationError('BAD_BODY', 'The callback body must be a JSON object.');
  }
  const obj = value as Record<string, unknown>;
  const type = toInteger(obj.event_type);
  if (type === null) {
    throw new NotificationError('BAD_BODY', 'The callback body needs an integer "event_type".');
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

/** The record id: TRTC's `userdefinerecordid`, else `recordId`/`record_id` in the push URL's `stream_param`. */
export function recordIdOf(n: Notification): number | null {
  const direct = toInteger(n.userdefinerecordid) ?? toInteger(n.user_define_record_id);
  if (direct !== null) return direct;
  const param = nonEmptyString(n.stream_param);
  if (!param) return null;
  const q = new URLSearchParams(param.startsWith('?') ? param.slice(1) : param);
  return toInteger(q.get('recordId')) ?? toInteger(q.get('record_id'));
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

function canonicalJson(value: unknown): string {
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
