import type { FastifyRequest } from 'fastify';

/**
 * Credentials never reach a log line, in the relay or the receiver: query parameters and JSON fields named `sign`,
 * `txSecret`, `readSecret`, `userSig`/`usersig`, any `…key`, `…token`, `…password`, `…signature` (push and play
 * credentials, ingest tokens, callback signatures, TRTC user signatures). Matched case-insensitively, also inside a
 * JSON string such as Tencent's `stream_param` (`txSecret=…&txTime=…`).
 */
const NAME = String.raw`[A-Za-z0-9_-]*(?:sign|sig|signature|secret|key|token|password)`;
const IN_QUERY = new RegExp(String.raw`(^|[^A-Za-z0-9_-])(${NAME})=[^&#\s"'\\]*`, 'gi');
const IN_JSON = new RegExp(String.raw`("${NAME}"\s*:\s*)(?:"(?:[^"\\]|\\.)*"|[^,}\]\s]+)`, 'gi');
const HIDDEN = '[redacted]';

/** `text` (a URL, a log message, a body) with the value of every credential replaced by `[redacted]`. */
export function redact(text: string): string {
  return text.replace(IN_JSON, `$1"${HIDDEN}"`).replace(IN_QUERY, `$1$2=${HIDDEN}`);
}

/**
 * Fastify log serializers: the request URL (credentials in the query) and error messages and stacks (bodies quoted
 * by a parser) go through `redact`, so no request or error log line carries a credential.
 */
export const redactingLogSerializers = {
  req(req: FastifyRequest): Record<string, unknown> {
    return {
      method: req.method,
      url: redact(req.url),
      host: req.host,
      remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    };
  },
  err(err: Error & { code?: unknown; statusCode?: unknown }): Record<string, unknown> {
    return {
      type: err.name,
      message: redact(String(err.message)),
      code: err.code,
      statusCode: err.statusCode,
      stack: err.stack === undefined ? undefined : redact(err.stack),
    };
  },
};
