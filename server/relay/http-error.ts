/** An error a route turns into `{ error: { module: 'relay', code, message } }` with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): { error: { module: string; code: string; message: string } } {
    return { error: { module: 'relay', code: this.code, message: this.message } };
  }
}
