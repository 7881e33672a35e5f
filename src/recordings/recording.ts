import type { Recording } from '../contract/events.js';
import { ID_PATTERN } from '../contract/ids.js';

/**
 * A recording as this list reads it from any backend: only the fields needed to show and play it are required
 * (`id`, `streamId`, an http(s) `url`); numbers that are missing, not finite or out of range are kept as `NaN` and
 * shown as "unknown", so one bad row never breaks the list.
 */

/** Record ids are strings (TRTC's `userdefinerecordid`, e.g. `meeting_42`): the one id pattern. */
export const RECORD_ID_PATTERN = ID_PATTERN;

/** The last second `Date` and `Intl` can show in any language: 9999-12-31T23:59:59Z. */
const MAX_UNIX_SECONDS = 253_402_300_799;
/** Longer than any recording a relay or CDN writes (a year). */
const MAX_DURATION_SECONDS = 366 * 24 * 3600;
/** Larger than any single recording file (1 PB). */
const MAX_FILE_BYTES = 1e15;

/** A unix time (seconds) that can be shown, else `null` (0, negative, `1e20`, `NaN`…). */
export function plausibleTime(seconds: number): number | null {
  return Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_UNIX_SECONDS ? seconds : null;
}

/** A recording length (seconds) that can be shown, else `null`. */
export function plausibleDuration(seconds: number): number | null {
  return Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_DURATION_SECONDS ? seconds : null;
}

/** A file size (bytes) that can be shown, else `null`. */
export function plausibleSize(bytes: number): number | null {
  return Number.isFinite(bytes) && bytes >= 0 && bytes <= MAX_FILE_BYTES ? bytes : null;
}

/** The recording's length: its `duration`, else `endTime - startTime`, else `null`. */
export function durationOf(r: Recording): number | null {
  const d = plausibleDuration(r.duration);
  if (d !== null) return d;
  const start = plausibleTime(r.startTime);
  const end = plausibleTime(r.endTime);
  return start !== null && end !== null ? plausibleDuration(end - start) : null;
}

/** Only `http:`/`https:` URLs are ever played or shown as images. */
export function isWebUrl(value: unknown): value is string {
  return typeof value === 'string' && /^https?:\/\//i.test(value);
}

/**
 * Reads one row of the receiver's answer (list page or live event). Returns `null` only when it cannot be shown
 * or played at all (no id, no stream, no http(s) URL); every other oddity becomes an "unknown" value.
 */
export function readRecording(value: unknown): Recording | null {
  if (!value || typeof value !== 'object') return null;
  const r = value as Record<string, unknown>;
  const id = typeof r.id === 'number' && Number.isFinite(r.id) ? String(r.id) : r.id;
  if (typeof id !== 'string' || id === '') return null;
  if (typeof r.streamId !== 'string' || r.streamId === '') return null;
  if (!isWebUrl(r.url)) return null;
  const recording: Recording = {
    id,
    streamId: r.streamId,
    recordId: readRecordId(r.recordId),
    fileFormat: typeof r.fileFormat === 'string' ? r.fileFormat : '',
    startTime: finiteOrNaN(r.startTime),
    endTime: finiteOrNaN(r.endTime),
    duration: finiteOrNaN(r.duration),
    fileSize: finiteOrNaN(r.fileSize),
    url: r.url,
  };
  if (isWebUrl(r.thumbnailUrl)) recording.thumbnailUrl = r.thumbnailUrl;
  return recording;
}

/** A string record id; an integer from an older receiver is read as its decimal text. */
function readRecordId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return typeof value === 'string' && RECORD_ID_PATTERN.test(value) ? value : null;
}

function finiteOrNaN(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : NaN;
}
