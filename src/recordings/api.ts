import { ErrorCodes, RelayError } from '../errors.js';
import type { Recording } from '../events.js';

export const MODULE = 'recordings';

/** Which recordings to show. */
export interface RecordingFilter {
  recordId?: number | null;
  streamId?: string | null;
}

/** One page of `GET /api/recordings` (see server/API.md). */
export interface RecordingPage {
  recordings: Recording[];
  next: string | null;
  lastEventId: string | null;
}

/** The receiver's base URL: the attribute, else the page's origin. Trailing slashes removed. */
export function baseUrl(endpoint: string | null | undefined): string {
  const base = endpoint && endpoint.trim() !== '' ? endpoint.trim() : (globalThis.location?.origin ?? '');
  return base.replace(/\/+$/, '');
}

export function recordingsUrl(
  endpoint: string,
  filter: RecordingFilter,
  extra: Record<string, string | number | null | undefined> = {},
  path = '/api/recordings',
): string {
  const q = new URLSearchParams();
  if (filter.recordId !== undefined && filter.recordId !== null) q.set('recordId', String(filter.recordId));
  if (filter.streamId) q.set('streamId', filter.streamId);
  for (const [k, v] of Object.entries(extra))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `${baseUrl(endpoint)}${path}${qs ? `?${qs}` : ''}`;
}

/** Fetches one page, newest first. Rejects with a `RelayError` (`recordings` / `LIST_FAILED`) that says why. */
export async function fetchRecordings(
  endpoint: string,
  filter: RecordingFilter,
  limit: number,
  before: string | null,
  signal?: AbortSignal,
): Promise<RecordingPage> {
  const url = recordingsUrl(endpoint, filter, { limit, before });
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new RelayError(
      MODULE,
      ErrorCodes.LIST_FAILED,
      `The recordings service at ${baseUrl(endpoint)} cannot be reached.`,
      {
        cause: err,
      },
    );
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    if (signal?.aborted) throw err;
    body = null;
  }
  if (!res.ok) {
    const detail = (body as { error?: { message?: unknown } } | null)?.error?.message;
    throw new RelayError(
      MODULE,
      ErrorCodes.LIST_FAILED,
      `The recordings service answered ${res.status}${typeof detail === 'string' ? `: ${detail}` : '.'}`,
    );
  }
  const page = body as Partial<RecordingPage> | null;
  if (!page || !Array.isArray(page.recordings)) {
    throw new RelayError(
      MODULE,
      ErrorCodes.LIST_FAILED,
      'The recordings service sent an answer this list cannot read.',
    );
  }
  return {
    recordings: page.recordings.filter(isRecording),
    next: typeof page.next === 'string' ? page.next : null,
    lastEventId: typeof page.lastEventId === 'string' ? page.lastEventId : null,
  };
}

/** A well-formed recording with an http(s) URL (anything else is never shown or played). */
export function isRecording(value: unknown): value is Recording {
  if (!value || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    typeof r.streamId === 'string' &&
    (r.recordId === null || typeof r.recordId === 'number') &&
    typeof r.fileFormat === 'string' &&
    typeof r.startTime === 'number' &&
    typeof r.endTime === 'number' &&
    typeof r.duration === 'number' &&
    typeof r.fileSize === 'number' &&
    typeof r.url === 'string' &&
    /^https?:\/\//i.test(r.url)
  );
}

/** Newest first: later start first; equal starts keep the order given (newest arrival first). */
export function mergeRecordings(current: readonly Recording[], incoming: readonly Recording[]): Recording[] {
  const seen = new Set(current.map((r) => r.id));
  const merged = [...current];
  for (const r of incoming) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    const at = merged.findIndex((x) => x.startTime < r.startTime);
    merged.splice(at === -1 ? merged.length : at, 0, r);
  }
  return merged;
}
