import type { Recording } from '../contract/events.js';
import { durationOf, plausibleTime } from './recording.js';

/**
 * A take: one push/record session of one stream, with every file format it was recorded in (TRTC and the local
 * relay write one file per format, each with its own callback). The list shows one entry per take.
 */
export interface Take {
  /** Stable key: the stream, record id and the take's first file id. */
  key: string;
  streamId: string;
  recordId: string | null;
  /** Earliest plausible start among the files (unix seconds), `null` when none is known. */
  startTime: number | null;
  /** Longest plausible length among the files (seconds), `null` when none is known. */
  duration: number | null;
  /** The files, in a fixed format order (MP4, HLS, FLV, MP3, then others). */
  files: Recording[];
  /** The first http(s) thumbnail any file carries. */
  thumbnailUrl: string | null;
}

/** Files of one stream and record id whose starts are this close (seconds) belong to the same take. */
export const TAKE_WINDOW_SECONDS = 30;

const FORMAT_ORDER = ['mp4', 'hls', 'm3u8', 'flv', 'mp3'];

/** Newest first by start (unknown starts last), then stream, record id and id: the same order on every load. */
export function compareRecordings(a: Recording, b: Recording): number {
  return (
    compareStartsDesc(plausibleTime(a.startTime), plausibleTime(b.startTime)) ||
    compareText(a.streamId, b.streamId) ||
    compareText(a.recordId ?? '', b.recordId ?? '') ||
    compareIds(a.id, b.id)
  );
}

/** Adds `incoming` to `current` (each id once), in {@link compareRecordings} order. */
export function mergeRecordings(current: readonly Recording[], incoming: readonly Recording[]): Recording[] {
  const byId = new Map(current.map((r) => [r.id, r]));
  for (const r of incoming) if (!byId.has(r.id)) byId.set(r.id, r);
  return [...byId.values()].sort(compareRecordings);
}

/**
 * Groups files into takes: a file carrying a take id (`sequence`, as TRTC's push callbacks do) joins the files
 * with the same one; otherwise files of the same stream and record id that start within
 * {@link TAKE_WINDOW_SECONDS} of the take's first file and add a format it lacks. A file whose start is unknown is
 * a take of its own. The result depends only on the set of files, never on their arrival order.
 */
export function groupTakes(recordings: readonly Recording[]): Take[] {
  const ascending = [...recordings].sort(
    (a, b) =>
      compareText(a.streamId, b.streamId) ||
      compareText(a.recordId ?? '', b.recordId ?? '') ||
      -compareStartsDesc(plausibleTime(a.startTime), plausibleTime(b.startTime)) ||
      compareFormats(a.fileFormat, b.fileFormat) ||
      compareIds(a.id, b.id),
  );
  const takes: Recording[][] = [];
  const bySequence = new Map<string, Recording[]>();
  let open: { files: Recording[]; start: number; bucket: string } | null = null;
  for (const r of ascending) {
    const bucket = `${r.streamId}\u0000${r.recordId ?? ''}`;
    const sequence = takeIdOf(r);
    if (sequence !== null) {
      const key = `${bucket}\u0000${sequence}`;
      const files = bySequence.get(key);
      if (files) files.push(r);
      else {
        const created = [r];
        bySequence.set(key, created);
        takes.push(created);
      }
      continue;
    }
    const start = plausibleTime(r.startTime);
    const format = r.fileFormat.toLowerCase();
    if (
      open &&
      start !== null &&
      open.bucket === bucket &&
      start - open.start <= TAKE_WINDOW_SECONDS &&
      !open.files.some((f) => f.fileFormat.toLowerCase() === format)
    ) {
      open.files.push(r);
      continue;
    }
    const files = [r];
    takes.push(files);
    open = start === null ? null : { files, start, bucket };
  }
  return takes.map(toTake).sort(compareTakes);
}

/** A take id the backend gave the file, if any (`take` or `sequence`, as text). */
function takeIdOf(r: Recording): string | null {
  const extra = r as Recording & { take?: unknown; sequence?: unknown };
  for (const v of [extra.take, extra.sequence])
    if ((typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v)))
      return String(v);
  return null;
}

function toTake(files: Recording[]): Take {
  files.sort((a, b) => compareFormats(a.fileFormat, b.fileFormat) || compareIds(a.id, b.id));
  const starts = files.map((f) => plausibleTime(f.startTime)).filter((t): t is number => t !== null);
  const durations = files.map(durationOf).filter((d): d is number => d !== null);
  const first = [...files].sort((a, b) => compareIds(a.id, b.id))[0]!;
  return {
    key: `${first.streamId}|${first.recordId ?? ''}|${first.id}`,
    streamId: first.streamId,
    recordId: first.recordId,
    startTime: starts.length > 0 ? Math.min(...starts) : null,
    duration: durations.length > 0 ? Math.max(...durations) : null,
    files,
    thumbnailUrl: files.find((f) => f.thumbnailUrl)?.thumbnailUrl ?? null,
  };
}

function compareTakes(a: Take, b: Take): number {
  return (
    compareStartsDesc(a.startTime, b.startTime) ||
    compareText(a.streamId, b.streamId) ||
    compareText(a.recordId ?? '', b.recordId ?? '') ||
    compareText(a.key, b.key)
  );
}

/** Later first; unknown after every known time. */
function compareStartsDesc(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return b - a;
}

function compareFormats(a: string, b: string): number {
  const rank = (f: string) => {
    const i = FORMAT_ORDER.indexOf(f.toLowerCase());
    return i === -1 ? FORMAT_ORDER.length : i;
  };
  return rank(a) - rank(b) || compareText(a.toLowerCase(), b.toLowerCase());
}

/** Numeric ids (the receiver's) by value, others by code points: the same answer in every locale. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || compareText(a, b);
  return compareText(a, b);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
