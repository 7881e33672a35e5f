import { ErrorCodes, RelayError } from '../contract/errors.js';
import type { Recording } from '../contract/events.js';
import { readRecording } from './recording.js';
import originBlocked from '../net/origin-check.js';

export const MODULE = 'recordings';
/** Files per page when the page does not say (`page-size`). */
export const DEFAULT_PAGE_SIZE = 20;

/** Which recordings to show, and the read key that allows it (`docs/contracts.md` "Credentials": `readSecret`/`readTime`). */
export interface RecordingFilter {
  recordId?: string | null;
  streamId?: string | null;
  /** `md5(RECEIVER_READ_KEY + recordId + readTime)`, minted by the site's backend. */
  readSecret?: string | null;
  /** Expiry of `readSecret`, upper-case hex unix seconds. */
  readTime?: string | null;
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
  if (filter.recordId) q.set('recordId', filter.recordId);
  if (filter.streamId) q.set('streamId', filter.streamId);
  if (filter.readSecret) q.set('readSecret', filter.readSecret);
  if (filter.readTime) q.set('readTime', filter.readTime);
  for (const [k, v] of Object.entries(extra))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `${baseUrl(endpoint)}${path}${qs ? `?${qs}` : ''}`;
}

/**
 * Fetches one page, newest first. Rejects with a `RelayError` that says why: `READ_AUTH_FAILED` when the receiver
 * refuses the read key (403), else `LIST_FAILED`.
 */
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
    throw (
      (await originBlocked(url, MODULE)) ??
      new RelayError(
        MODULE,
        ErrorCodes.LIST_FAILED,
        `The recordings service at ${baseUrl(endpoint)} cannot be reached.`,
        {
          cause: err,
        },
      )
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
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const detail = error?.message;
    if (res.status === 403 && error?.code === ErrorCodes.READ_AUTH_FAILED) {
      throw new RelayError(
        MODULE,
        ErrorCodes.READ_AUTH_FAILED,
        `The recordings service at ${baseUrl(endpoint)} refused the read key for record id "${filter.recordId ?? ''}"` +
          `${typeof detail === 'string' ? ` (${detail})` : ''}. Ask the site for a fresh read-secret and read-time.`,
      );
    }
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
    recordings: page.recordings.map(readRecording).filter((r): r is Recording => r !== null),
    next: typeof page.next === 'string' ? page.next : null,
    lastEventId: typeof page.lastEventId === 'string' ? page.lastEventId : null,
  };
}
