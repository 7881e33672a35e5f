/**
 * Push credentials for a relay that runs with `RELAY_PUSH_KEY`: Tencent's `txSecret = md5(key + streamId +
 * txTime)` and `txTime` (upper-case hex unix expiry), minted by the site's own server and carried as query
 * parameters on every request for the stream (create, relay, stop, delete, the ingest socket). The key never
 * reaches the browser.
 *
 * Two sources, from `<live-push-controls>` attributes: `tx-secret` + `tx-time` (+ `stream-id`) written into the
 * page by the server, or `credential-endpoint`, asked before each start with
 * `POST { streamId? }` → `200 { streamId, txSecret, txTime }` (cookies included, so the site decides whom it
 * answers).
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';
import { STREAM_ID } from './options.js';
import { cancelledError, configString, type PushProviderConfig } from './provider.js';
import originBlocked from '../net/origin-check.js';

/** What a credentialed push carries: the stream it was minted for and the pair itself. */
export interface PushCredentials {
  streamId: string;
  txSecret: string;
  txTime: string;
}

function failed(message: string, cause?: unknown): RelayError {
  return new RelayError('push', ErrorCodes.CREDENTIALS_FAILED, message, { cause });
}

/** Asks `endpoint` for credentials, for `streamId` when the page chose one. */
async function fetchCredentials(
  endpoint: string,
  streamId: string | null,
  signal?: AbortSignal,
): Promise<PushCredentials> {
  const url = new URL(endpoint, globalThis.location?.href).href;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(streamId ? { streamId } : {}),
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw cancelledError();
    throw (
      (await originBlocked(url, 'push')) ??
      failed(
        `The credential endpoint ${url} cannot be reached. Check credential-endpoint and your server.`,
        err,
      )
    );
  }
  if (!res.ok) {
    throw failed(
      `The credential endpoint ${url} answered ${res.status} ${res.statusText}`.trim() +
        '. Sign in again, or check that your server allows this page to push.',
    );
  }
  const body = (await res.json().catch(() => null)) as Partial<Record<keyof PushCredentials, unknown>> | null;
  const ok =
    typeof body?.streamId === 'string' &&
    STREAM_ID.test(body.streamId) &&
    typeof body.txSecret === 'string' &&
    body.txSecret !== '' &&
    typeof body.txTime === 'string' &&
    body.txTime !== '';
  if (!ok || !body) {
    throw failed(`The credential endpoint ${url} did not answer { streamId, txSecret, txTime }.`);
  }
  return {
    streamId: body.streamId as string,
    txSecret: body.txSecret as string,
    txTime: body.txTime as string,
  };
}

/**
 * The credentials for a start, or `null` when the page configured none (a relay without `RELAY_PUSH_KEY`).
 * `credentialEndpoint` wins over `txSecret`/`txTime`; those need the stream id they were minted for.
 */
export async function resolvePushCredentials(
  config: PushProviderConfig,
  streamId: string | null,
  signal?: AbortSignal,
): Promise<PushCredentials | null> {
  const endpoint = configString(config, 'credentialEndpoint');
  if (endpoint) return fetchCredentials(endpoint, streamId, signal);
  const txSecret = configString(config, 'txSecret');
  const txTime = configString(config, 'txTime');
  if (!txSecret && !txTime) return null;
  if (!txSecret || !txTime || !streamId) {
    throw failed(
      'tx-secret and tx-time are minted for one stream: set tx-secret, tx-time and the stream-id they were made for ' +
        '(or use credential-endpoint).',
    );
  }
  return { streamId, txSecret, txTime };
}

/** `url` with `txSecret` and `txTime` added (its other query parameters kept). */
export function withCredentials(url: string, credentials: PushCredentials | null): string {
  if (!credentials) return url;
  const u = new URL(url);
  u.searchParams.set('txSecret', credentials.txSecret);
  u.searchParams.set('txTime', credentials.txTime);
  return u.href;
}
