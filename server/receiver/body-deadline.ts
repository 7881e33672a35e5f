import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './http-error.ts';
import { ErrorCodes } from '../../src/contract/errors.ts';

/**
 * Route hooks that cut off a client which has not finished sending its body within `timeoutMs` (slowloris) with
 * `408 BODY_TIMEOUT`, or at once with `503 SHUTTING_DOWN` on `cutAll()` when the server closes. Nothing of such a
 * request was read, so nothing is stored.
 */
export function bodyDeadline(timeoutMs: number) {
  const unfinished = new Map<FastifyRequest, { timer: NodeJS.Timeout; cut: (shutdown: boolean) => void }>();
  const clear = async (req: FastifyRequest) => {
    clearTimeout(unfinished.get(req)?.timer);
    unfinished.delete(req);
  };
  const hooks = {
    onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
      const cut = (shutdown: boolean) => {
        void clear(req);
        const res = reply.raw;
        if (!res.headersSent) {
          res.writeHead(shutdown ? 503 : 408, {
            'content-type': 'application/json; charset=utf-8',
            connection: 'close',
          });
        }
        const body = shutdown
          ? errorBody(ErrorCodes.SHUTTING_DOWN, 'The receiver is shutting down; send the request again.')
          : errorBody(
              ErrorCodes.BODY_TIMEOUT,
              `The request body did not arrive within ${timeoutMs} ms; nothing was stored.`,
            );
        res.end(JSON.stringify(body), () => req.raw.socket?.destroy());
      };
      unfinished.set(req, { timer: setTimeout(() => cut(false), timeoutMs), cut });
    },
    preValidation: clear,
    onResponse: clear,
    onRequestAbort: clear,
  };
  return {
    hooks,
    cutAll(): void {
      for (const { cut } of [...unfinished.values()]) cut(true);
    },
  };
}

export type BodyDeadlineHooks = ReturnType<typeof bodyDeadline>['hooks'];
