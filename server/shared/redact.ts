/**
 * Credentials never reach a log line: push and play credentials (`txSecret`), ingest tokens, callback signatures
 * and TRTC user signatures are replaced by `[redacted]` wherever they appear as query parameters or JSON fields.
 */
const SECRET_NAMES = ['txSecret', 'token', 'sign', 'userSig', 'usersig', 'key', 'readKey'];
const NAMES = SECRET_NAMES.join('|');
const QUERY_PARAM = new RegExp(`([?&;](?:${NAMES})=)[^&#\\s"']*`, 'gi');
const JSON_FIELD = new RegExp(`("(?:${NAMES})"\\s*:\\s*")[^"]*`, 'gi');

/** `text` (a URL, a log message) with every credential value replaced by `[redacted]`. */
export function redact(text: string): string {
  return text.replace(QUERY_PARAM, '$1[redacted]').replace(JSON_FIELD, '$1[redacted]');
}
