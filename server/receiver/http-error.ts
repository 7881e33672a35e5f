/** Every receiver refusal: a status plus `{ error: { module, code, message } }` with a stable code. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly module = 'receiver',
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, module = 'receiver') {
  return { error: { module, code, message } };
}
