import type { FastifyReply, FastifyRequest } from 'fastify';
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
    throw new HttpError(
      403,
      'ORIGIN_NOT_ALLOWED',
      `Origin ${origin} may not use this API; add it to ALLOWED_ORIGINS if it should.`,
    );
  }

  private listed(origin: string): boolean {
    return this.allowed !== '*' && this.allowed.includes(origin);
  }
}
