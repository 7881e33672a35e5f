import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { ErrorCodes } from '../../src/contract/errors.ts';
import { HttpError } from './http-error.ts';

/**
 * Which `Host` names the receiver answers (`RECEIVER_HOSTS`), against DNS rebinding: a page on
 * `http://rebind.example:8081` whose name the attacker re-points at 127.0.0.1 makes same-origin requests that carry
 * no `Origin`, only its own name in `Host`. Always served: IP literals (a page can only reach an address by its own
 * name, never another site's), `localhost` and `*.localhost` (browsers resolve them to loopback themselves), and the
 * listed names; `'*'` serves any name (when a proxy in front already checks it). Anything else is `421`.
 */
export class HostPolicy {
  private readonly names: ReadonlySet<string> | '*';

  constructor(allowed: readonly string[] | '*' = []) {
    this.names = allowed === '*' ? '*' : new Set(allowed.map((h) => hostnameOf(h) ?? normalise(h)));
  }

  /** Throws `421 HOST_NOT_ALLOWED` unless `Host` names this receiver. A request without `Host` (HTTP/1.0) passes. */
  check(req: FastifyRequest): void {
    const header = req.headers.host;
    if (header === undefined || this.serves(header)) return;
    throw new HttpError(
      421,
      ErrorCodes.HOST_NOT_ALLOWED,
      `This receiver does not answer for the host "${header.slice(0, 100)}"; if clients reach it by that name, add it to RECEIVER_HOSTS.`,
    );
  }

  serves(hostHeader: string): boolean {
    if (this.names === '*') return true;
    const name = hostnameOf(hostHeader);
    if (name === null) return false;
    if (isIP(name.replace(/^\[|\]$/g, '')) !== 0) return true;
    if (name === 'localhost' || name.endsWith('.localhost')) return true;
    return this.names.has(name);
  }
}

/** The host name of a `Host` header (`name`, `1.2.3.4`, `[::1]`), lowercase and without port; `null` if malformed. */
function hostnameOf(header: string): string | null {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(header.trim());
  return m ? normalise(m[1]) : null;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
