/**
 * Play URLs on a CDN play domain, following Tencent CSS's convention (`docs/push-model.md`):
 * `rtmp://{domain}/live/{id}`, `http(s)://{domain}/live/{id}.flv`, `http(s)://{domain}/live/{id}.m3u8`. Free of
 * DOM types: the receiver signs the same URLs (`server/receiver/play-urls.ts`).
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';
import { RELAY_ENCODES, type PlayUrl, type RelayEncode } from '../contract/types.js';

/** `play-scheme`: the scheme of the HTTP URLs on a bare play host. */
export type PlayScheme = 'https' | 'http';

export interface PlayUrlShape {
  /** Scheme for a bare host (`play.example.com`); a play domain written with its scheme keeps it. Default https. */
  scheme?: PlayScheme;
}

/**
 * Builds the play URLs of `streamId` on `playDomain`, the requested `encode` first.
 * `playDomain` is a host (`play.example.com`, served over `scheme`, https by default) or an origin with scheme
 * (`http://play.example.com:8080`), optionally with an app path other than `live` (`https://d.example.com/app`).
 */
export function buildPlayUrls(
  playDomain: string,
  streamId: string,
  encode: RelayEncode,
  shape: PlayUrlShape = {},
): PlayUrl[] {
  const raw = playDomain.trim();
  if (raw === '') {
    throw new RelayError(
      'push',
      ErrorCodes.INVALID_OPTIONS,
      'Set play-domain to the CDN domain viewers play from.',
    );
  }
  const scheme = shape.scheme ?? 'https';
  if (scheme !== 'https' && scheme !== 'http') {
    throw new RelayError(
      'push',
      ErrorCodes.INVALID_OPTIONS,
      `play-scheme must be "https" or "http" (got "${String(scheme)}").`,
    );
  }
  let base: URL;
  try {
    base = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${scheme}://${raw}`);
  } catch {
    throw new RelayError(
      'push',
      ErrorCodes.INVALID_OPTIONS,
      `The play domain "${raw}" is not a valid host name.`,
    );
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new RelayError(
      'push',
      ErrorCodes.INVALID_OPTIONS,
      `The play domain "${raw}" must be http(s) or a bare host.`,
    );
  }
  const app = base.pathname.replace(/^\/+|\/+$/g, '') || 'live';
  const id = encodeURIComponent(streamId);
  const http = `${base.protocol}//${base.host}/${app}/${id}`;
  const all: Record<RelayEncode, string> = {
    rtmp: `rtmp://${base.hostname}/${app}/${id}`,
    flv: `${http}.flv`,
    hls: `${http}.m3u8`,
  };
  const order = [encode, ...RELAY_ENCODES.filter((e) => e !== encode)];
  return order.map((e) => ({ encode: e, url: all[e] }));
}
