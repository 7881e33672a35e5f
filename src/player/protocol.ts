import { RelayError, ErrorCodes } from '../contract/errors.js';
import { PLAY_ENCODES, type PlayEncode, type PlayUrl } from '../contract/types.js';

const SUFFIXES: ReadonlyArray<[string, PlayEncode]> = [
  ['.flv', 'flv'],
  ['.m3u8', 'hls'],
  ['.mp4', 'mp4'],
  ['.m4v', 'mp4'],
  ['.mp3', 'mp3'],
];

export function isPlayEncode(value: unknown): value is PlayEncode {
  return typeof value === 'string' && (PLAY_ENCODES as readonly string[]).includes(value);
}

/**
 * The protocol of a URL from its scheme (`rtmp:`/`rtmps:`) or its path suffix (`.flv`, `.m3u8`, `.mp4`, `.mp3`),
 * ignoring any query string or fragment. `null` when it cannot tell.
 */
export function classifyUrl(url: string): PlayEncode | null {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'rtmp' || scheme === 'rtmps' || scheme === 'rtmpt' || scheme === 'rtmpe') return 'rtmp';
  const path = trimmed.split(/[?#]/, 1)[0]!.toLowerCase();
  for (const [suffix, encode] of SUFFIXES) if (path.endsWith(suffix)) return encode;
  return null;
}

/** The protocol of a play URL: its `encode` when given, else guessed from the URL. */
export function encodeOf(source: PlayUrl): PlayEncode | null {
  return source.encode ?? classifyUrl(source.url);
}

const MODULE = 'player';

function badSources(message: string): RelayError {
  return new RelayError(MODULE, ErrorCodes.BAD_SOURCES, message);
}

/**
 * Validates a `sources` value (parsed JSON or a property) into `PlayUrl[]`. Accepts an array of
 * `{ encode?, url, quality? }` objects or plain URL strings. Throws a `RelayError` (`BAD_SOURCES`) that says what is wrong.
 */
export function normaliseSources(value: unknown): PlayUrl[] {
  if (!Array.isArray(value)) {
    throw badSources('"sources" must be a JSON array of { "encode", "url" } objects or URL strings.');
  }
  return value.map((item: unknown, i): PlayUrl => {
    if (typeof item === 'string') {
      if (!item.trim()) throw badSources(`sources[${i}] is an empty URL.`);
      return { url: item.trim() };
    }
    if (typeof item !== 'object' || item === null) {
      throw badSources(`sources[${i}] must be an object like { "encode": "flv", "url": "https://…" }.`);
    }
    const { url, encode, quality, token } = item as {
      url?: unknown;
      encode?: unknown;
      quality?: unknown;
      token?: unknown;
    };
    if (typeof url !== 'string' || !url.trim())
      throw badSources(`sources[${i}].url must be a non-empty string.`);
    if (quality !== undefined && (typeof quality !== 'string' || !quality.trim()))
      throw badSources(`sources[${i}].quality must be a non-empty string, such as "720p".`);
    if (token !== undefined && (typeof token !== 'string' || !token.trim()))
      throw badSources(`sources[${i}].token must be a non-empty string (a WHEP source's Bearer token).`);
    const named = {
      ...(quality ? { quality: quality.trim() } : {}),
      ...(token ? { token: token.trim() } : {}),
    };
    if (encode === undefined || encode === null || encode === '') return { url: url.trim(), ...named };
    const lower = typeof encode === 'string' ? encode.toLowerCase() : encode;
    if (!isPlayEncode(lower)) {
      throw badSources(`sources[${i}].encode "${String(encode)}" is not one of ${PLAY_ENCODES.join(', ')}.`);
    }
    return { encode: lower, url: url.trim(), ...named };
  });
}

/** Parses the `sources` attribute (JSON). Throws a `RelayError` (`BAD_SOURCES`) on malformed JSON or shape. */
export function parseSourcesAttribute(json: string): PlayUrl[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw badSources(`"sources" is not valid JSON (${(err as Error).message}).`);
  }
  return normaliseSources(value);
}
