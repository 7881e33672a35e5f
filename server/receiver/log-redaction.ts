import type { FastifyRequest } from 'fastify';

/**
 * Query parameters and JSON fields that hold credentials: `sign`, `txSecret`, `readSecret`, `userSig`/`usersig`,
 * any `…key`, `…token`, `…password`, `…signature`. Matched case-insensitively, also inside a JSON string such as
 * Tencent's `stream_param` (`txSecret=…&txTime=…`).
 */
const NAME = String.raw`[A-Za-z0-9_-]*(?:sign|sig|signature|secret|key|token|password)`;
const IN_QUERY = new RegExp(String.raw`(^|[^A-Za-z0-9_-])(${NAME})=[^&#\s"'\\]*`, 'gi');
const IN_JSON = new RegExp(String.raw`("${NAME}"\s*:\s*)(?:"(?:[^"\\]|\\.)*"|[^,}\]\s]+)`, 'gi');
const HIDDEN = '[redacted]';

/** `text` with the value of every credential in a URL query or a JSON body replaced by `[redacted]`. */
export function redactCredentials(text: string): string {
  return text.replace(IN_JSON, `$1"${HIDDEN}"`).replace(IN_QUERY, `$1$2=${HIDDEN}`);
}

/**
 * Log serializers for every receiver route: the request URL (read credentials in the query) and error messages and
 * stacks (bodies quoted by a parser) go through `redactCredentials`, so no log line carries a credential.
 */
export const redactingLogSerializers = {
  req(req: FastifyRequest): Record<string, unknown> {
    return {
      method: req.method,
      url: redactCredentials(req.url),
      host: req.host,
      remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    };
  },
  err(err: Error & { code?: unknown; statusCode?: unknown }): Record<string, unknown> {
    return {
      type: err.name,
      message: redactCredentials(String(err.message)),
      code: err.code,
      statusCode: err.statusCode,
      stack: err.stack === undefined ? undefined : redactCredentials(err.stack),
    };
  },
};
