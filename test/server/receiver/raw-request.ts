// A request to the real receiver with what fetch will not let a test choose: the source address (another client on
// loopback), the `Host` header (a DNS-rebinding page), or an `Origin` (a browser on another site).
import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  body: string;
  /** The `error.code` of a JSON error body, or `null`. */
  code: string | null;
}

export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, localAddress: opts.localAddress },
      (res) => {
        let body = '';
        const done = () => {
          let code: string | null = null;
          try {
            code = (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? null;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body, code });
        };
        if (res.headers['content-type']?.startsWith('text/event-stream')) {
          res.destroy();
          done();
          return;
        }
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', done);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
