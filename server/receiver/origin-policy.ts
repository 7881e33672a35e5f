import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes } from '../../src/contract/errors.ts';
import { HttpError } from './http-error.ts';

/**
 * Which web sites may call the receiver from a browser (`ALLOWED_ORIGINS`). A request with an `Origin` that is not
 * listed is refused outright (`403 ORIGIN_NOT_ALLOWED`) rather than answered without CORS headers: it then costs
 * nothing (no live-feed slot) and a DNS-rebinding page cannot read a loopback receiver. Requests without `Origin`
 * (servers, same-origin GETs) pass.
 */
export class OriginPolicy {
  constructor(private readonly allowed: readonly string[] | '*') {}

  /** The CORS headers of an answer to `origin`. */
  headers(origin: string | undefined): Record<string, string> {
    if (this.allowed === '*') return { 'access-control-allow-origin': '*' };
    if (origin && this.listed(origin)) return { 'access-control-allow-origin': origin, vary: 'Origin' };
    return { vary: 'Origin' };
  }

  /** Sets the CORS headers, then throws for an origin not listed (`'*'` counts only where `anyOk`). */
  check(req: FastifyRequest, reply: FastifyReply, anyOk = true): void {
    const origin = req.headers.origin;
    reply.headers(this.headers(origin));
    if (origin === undefined || this.listed(origin) || (anyOk && this.allowed === '*')) return;
    throw notAllowed(origin);
  }

  /**
   * Callbacks come from servers, which send no `Origin`, and Tencent sometimes no `Content-Type` either: those pass.
   * A browser's request (every browser POST carries `Origin`) is refused unless its origin is listed (`'*'`
   * does not count), and a listed one still may not send a CORS-simple body (`text/plain`, a form, or no type),
   * which any page could post with `mode: 'no-cors'` and no preflight (`415 UNSUPPORTED_CONTENT_TYPE`).
   */
  checkServerPost(req: FastifyRequest): void {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    if (!this.listed(origin)) throw notAllowed(origin);
    if (isCorsSimpleContentType(req.headers['content-type'])) {
      throw new HttpError(
        415,
        ErrorCodes.UNSUPPORTED_CONTENT_TYPE,
        'A browser may not post callbacks as text/plain, a form or without a type; callbacks come from servers. Nothing was stored.',
      );
    }
  }

  private listed(origin: string): boolean {
    return this.allowed !== '*' && this.allowed.includes(origin);
  }
}

/** The request content types a browser sends cross-origin without a CORS preflight, and none at all. */
export function isCorsSimpleContentType(header: string | undefined): boolean {
  const essence = (header ?? '').split(';')[0].trim().toLowerCase();
  return (
    essence === '' ||
    essence === 'text/plain' ||
    essence === 'application/x-www-form-urlencoded' ||
    essence === 'multipart/form-data'
  );
}

function notAllowed(origin: string): HttpError {
  return new HttpError(
    403,
    ErrorCodes.ORIGIN_NOT_ALLOWED,
    `Origin ${origin.slice(0, 200)} may not use this API; add it to ALLOWED_ORIGINS if it should.`,
  );
}

/**
 * The CORS preflight of a credentialed `POST` endpoint (UserSig, signed play URLs): only listed origins, cookies
 * allowed, JSON bodies, cached 10 minutes. `check` refuses an origin that is not listed.
 */
export function credentialedPreflight(
  fastify: FastifyInstance,
  path: string,
  check: (req: FastifyRequest, reply: FastifyReply) => void,
): void {
  fastify.options(path, (req, reply) => {
    check(req, reply);
    reply
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'Content-Type')
      .header('access-control-allow-credentials', 'true')
      .header('access-control-max-age', '600')
      .code(204)
      .send();
  });
}
