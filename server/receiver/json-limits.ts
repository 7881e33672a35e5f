import { HttpError } from './http-error.ts';
import { ErrorCodes } from '../../src/contract/errors.ts';

/** Shape limits checked on the raw text of a JSON body before it is parsed, signed-checked or stored. */
export interface JsonLimits {
  /** Deepest nesting of objects and arrays. Tencent's callbacks are flat (depth 1, record_detail is a string). */
  maxDepth: number;
  /** Longest string (key or value) in characters of the raw text, escapes included. */
  maxString: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 16, maxString: 8192 };

/**
 * One linear pass over `text` (no recursion, no allocation per token): returns why the body exceeds `limits`, or
 * `null` when it is within them. It does not validate JSON syntax; `JSON.parse` does that afterwards, on text that
 * is now known to be shallow. This keeps a 30,000-deep array (valid JSON, valid sign) from reaching any recursive code.
 */
export function jsonShapeProblem(text: string, limits: JsonLimits): string | null {
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      if (inString && i - stringStart >= limits.maxString) {
        return `a string is longer than ${limits.maxString} characters`;
      }
      continue;
    }
    if (c === 0x22) {
      inString = true;
      stringStart = i + 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limits.maxDepth) return `objects and arrays nest deeper than ${limits.maxDepth} levels`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return null;
}

/** A request body (read as text) as a JSON object: its shape checked on the raw text first, then parsed. */
export function jsonObjectOf(body: unknown, limits: JsonLimits, what: string): Record<string, unknown> {
  const text = typeof body === 'string' ? body : '';
  const problem = jsonShapeProblem(text, limits);
  if (problem) {
    throw new HttpError(
      400,
      ErrorCodes.BODY_TOO_COMPLEX,
      `The ${what} body was refused: ${problem}. Nothing was stored.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new HttpError(
      400,
      ErrorCodes.BAD_BODY,
      `The ${what} body is not valid JSON (${reason}); nothing was stored.`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(
      400,
      ErrorCodes.BAD_BODY,
      `The ${what} body must be a JSON object; nothing was stored.`,
    );
  }
  return value as Record<string, unknown>;
}
