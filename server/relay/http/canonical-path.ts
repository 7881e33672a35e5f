/**
 * One canonical path for every relay request: authorisation, routing and file serving all read the same decoded,
 * normalised path, so no spelling of a URL can reach a file or a stream past a check that read another spelling.
 *
 * A request path is accepted only when it round-trips: decoding it and encoding it again gives back exactly what
 * was sent. Anything else (`%2e`, `%73` for a plain `s`, an encoded `/` or `\`, `//`, `.` and `..` segments,
 * backslashes, bad percent-encoding, overlong or otherwise invalid UTF-8, control characters) is refused with
 * `400 BAD_PATH` before any other check. Browsers and HTTP clients never send those for the URLs the relay hands
 * out, so nothing legitimate is refused.
 */
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { relayError } from '../../shared/http-error.ts';

/** Characters a path segment may carry as they are (RFC 3986 `pchar` without `%`). */
const PLAIN = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;

/** How a canonical URL spells one decoded segment: plain characters as they are, others percent-encoded (upper hex). */
function encodeSegment(segment: string): string {
  let out = '';
  for (const ch of segment) {
    if (PLAIN.test(ch)) out += ch;
    else
      out += [...Buffer.from(ch, 'utf8')]
        .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
  }
  return out;
}

/** Why `raw` (the path part of a request target, without `?…`) is not canonical, or null when it is. */
export function pathProblem(raw: string): string | null {
  if (!raw.startsWith('/')) return 'the path must start with /';
  if (raw === '/') return null;
  const segments = raw.slice(1).split('/');
  for (let i = 0; i < segments.length; i += 1) {
    const seg = segments[i];
    if (seg === '' && i < segments.length - 1) return 'empty path segments (//) are not allowed';
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg); // throws on bad percent-encoding and invalid (e.g. overlong) UTF-8
    } catch {
      return 'the path has invalid percent-encoding';
    }
    if (decoded === '.' || decoded === '..') return 'dot segments (. and ..) are not allowed';
    if (decoded.includes('\\') || decoded.includes('/')) return 'encoded slashes are not allowed';
    if (/[\u0000-\u001f\u007f]/.test(decoded)) return 'control characters are not allowed';
    if (encodeSegment(decoded) !== seg.replace(/%[0-9a-f]{2}/g, (e) => e.toUpperCase()))
      return 'the path is not in canonical form (characters encoded that need no encoding)';
  }
  return null;
}

/**
 * The decoded path of a request target (`/live/s1.flv?txSecret=…` → `/live/s1.flv`); throws `400 BAD_PATH` when
 * the path is not canonical.
 */
export function canonicalPath(target: string | undefined): string {
  const raw = (target ?? '/').split(/[?#]/, 1)[0];
  const problem = pathProblem(raw);
  if (problem)
    throw relayError(400, ErrorCodes.BAD_PATH, `Bad request path: ${problem}. Use the URL the relay gave.`);
  return decodeURIComponent(raw);
}
