/**
 * Play URLs on a CDN play domain, following Tencent CSS's convention (`docs/push-model.md`):
 * `rtmp://{domain}/live/{id}`, `http(s)://{domain}/live/{id}.flv`, `http(s)://{domain}/live/{id}.m3u8` — built in
 * the page (unsigned), or asked of the site's server (`play-url-endpoint`), which signs them with the play domain's
 * anti-leech key (`txSecret`/`txTime`) the page never holds.
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';
import type { PlayUrl, RelayEncode } from '../contract/types.js';
import { buildPlayUrls, type PlayScheme } from './play-url-build.js';
import { requestJson } from './http.js';
import { cancelledError, configString, type PushProviderConfig } from './provider.js';
import { normaliseSources } from '../player/protocol.js';

export { buildPlayUrls, type PlayScheme, type PlayUrlShape } from './play-url-build.js';

/** Transcode template ids (Tencent's template names): letters, digits, `_` and `-`, at most 32. */
const TEMPLATE = /^[A-Za-z0-9_-]{1,32}$/;

function invalid(message: string): RelayError {
  return new RelayError('push', ErrorCodes.INVALID_OPTIONS, message);
}

function unavailable(message: string, cause?: unknown): RelayError {
  return new RelayError('push', ErrorCodes.PLAY_URLS_UNAVAILABLE, message, { cause });
}

/**
 * The play URLs a provider answers a start with, from its element's attributes: `play-url-endpoint` (signed by the
 * site's server: `POST { streamId, encode, template? }` → `{ urls: PlayUrl[], expiresAt }`, cookies included), else
 * built here, unsigned, from `play-domain` and `play-scheme`. With `transcode-template` the URLs name the transcoded
 * stream `streamId_template` only (the site chose what viewers get; the original is not offered behind it).
 */
export async function resolvePlayUrls(
  config: PushProviderConfig,
  streamId: string,
  encode: RelayEncode,
  signal?: AbortSignal,
): Promise<PlayUrl[]> {
  const template = configString(config, 'transcodeTemplate');
  if (template !== undefined && !TEMPLATE.test(template)) {
    throw invalid('transcode-template must be a template id of 1–32 letters, digits, "_" or "-".');
  }
  const scheme = configString(config, 'playScheme')?.toLowerCase() as PlayScheme | undefined;
  if (scheme !== undefined && scheme !== 'https' && scheme !== 'http') {
    throw invalid(`play-scheme must be "https" or "http" (got "${scheme}").`);
  }
  const endpoint = configString(config, 'playUrlEndpoint');
  if (!endpoint) {
    const name = template ? `${streamId}_${template}` : streamId;
    return buildPlayUrls(configString(config, 'playDomain') ?? '', name, encode, { scheme });
  }
  const url = new URL(endpoint, globalThis.location?.href).href;
  let answer: { urls?: unknown } | null;
  try {
    answer = await requestJson<{ urls?: unknown } | null>(url, {
      method: 'POST',
      body: { streamId, encode, ...(template ? { template } : {}) },
      credentials: 'include',
      signal,
      module: 'push',
      what: `the play URL service at ${new URL(url).origin}`,
    });
  } catch (err) {
    if (signal?.aborted) throw cancelledError();
    throw unavailable(
      `No signed play URLs could be fetched: ${err instanceof Error ? err.message : String(err)}`,
      err,
    );
  }
  let urls: PlayUrl[];
  try {
    urls = normaliseSources(answer?.urls);
  } catch (err) {
    throw unavailable(
      `The play URL service at ${new URL(url).origin} did not answer { urls: [{ encode, url }], expiresAt } (${(err as Error).message}).`,
    );
  }
  if (urls.length === 0)
    throw unavailable(`The play URL service at ${new URL(url).origin} answered no URLs.`);
  return urls;
}
