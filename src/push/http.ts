/**
 * JSON over HTTP to a push backend, with failures mapped to `{ module, code, message }`:
 * unreachable → `BACKEND_UNREACHABLE`; a 4xx/5xx with the contract's `{ error: { module, code, message } }` body
 * → that error as-is; any other 4xx/5xx → `BACKEND_REJECTED`; an aborted request → `START_CANCELLED`.
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';
import type { RelayErrorInfo } from '../contract/types.js';
import { cancelledError } from './provider.js';
import originBlocked from '../net/origin-check.js';

function isErrorInfo(v: unknown): v is RelayErrorInfo {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.module === 'string' && typeof o.code === 'string' && typeof o.message === 'string';
}

export interface JsonRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** `fetch`'s credentials mode (default `same-origin`); `include` sends the site's cookies cross-origin. */
  credentials?: RequestCredentials;
  /** `module` reported for failures without a body of their own (default `relay`). */
  module?: string;
  /** What is being reached, for messages (default: the URL's origin). */
  what?: string;
}

export async function requestJson<T>(url: string, req: JsonRequest = {}): Promise<T> {
  const module = req.module ?? 'relay';
  const what = req.what ?? `the relay at ${new URL(url).origin}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method ?? 'GET',
      headers: req.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: req.signal,
      credentials: req.credentials,
    });
  } catch (err) {
    if (req.signal?.aborted) throw cancelledError();
    throw (
      (await originBlocked(url, module)) ??
      new RelayError(
        module,
        ErrorCodes.BACKEND_UNREACHABLE,
        `Cannot reach ${what}. Check that it is running and that the address is right, then try again.`,
        { cause: err },
      )
    );
  }
  let body: unknown = null;
  const text = await res.text().catch(() => '');
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const info = (body as { error?: unknown } | null)?.error;
    if (isErrorInfo(info)) throw new RelayError(info.module, info.code, info.message);
    throw new RelayError(
      module,
      ErrorCodes.BACKEND_REJECTED,
      `${what.charAt(0).toUpperCase()}${what.slice(1)} answered ${res.status} ${res.statusText}`.trim() +
        '. Try again later or check the server log.',
    );
  }
  return body as T;
}
