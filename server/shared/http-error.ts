/**
 * Every refusal of both servers: an HTTP status and the body `{ error: { module, code, message } }`, `code` one of
 * `ErrorCodes` (`src/contract/errors.ts`), `message` saying what to do. The shape is described in `docs/contracts.md`.
 */
/** Where a refusal happened: the relay, the receiver, or the receiver's recording reads. */
export type ServerModule = 'relay' | 'receiver' | 'recordings';

export interface ErrorBody {
  error: { module: ServerModule; code: string; message: string };
}

export function errorBody(module: ServerModule, code: string, message: string): ErrorBody {
  return { error: { module, code, message } };
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly module: ServerModule,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** The HTTP status (same as `statusCode`, which fastify reads). */
  get status(): number {
    return this.statusCode;
  }

  toBody(): ErrorBody {
    return errorBody(this.module, this.code, this.message);
  }
}

/** A refusal of the local relay. */
export function relayError(status: number, code: string, message: string): HttpError {
  return new HttpError(status, code, message, 'relay');
}
