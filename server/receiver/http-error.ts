/**
 * Every receiver refusal: a status plus `{ error: { module, code, message } }` with a stable code — the shared
 * `HttpError` and error body of both servers (`server/shared/http-error.ts`), with `receiver` as the module.
 */
import {
  HttpError as SharedHttpError,
  errorBody as sharedErrorBody,
  type ErrorBody,
  type ServerModule,
} from '../shared/http-error.ts';

export class HttpError extends SharedHttpError {
  constructor(statusCode: number, code: string, message: string, module: ServerModule = 'receiver') {
    super(statusCode, code, message, module);
  }
}

export function errorBody(code: string, message: string, module: ServerModule = 'receiver'): ErrorBody {
  return sharedErrorBody(module, code, message);
}
