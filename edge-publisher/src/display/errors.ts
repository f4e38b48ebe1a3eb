/** Errors a display route answers as `{ "error": message, ...extra }` with its status. */
export class DisplayHttpError extends Error {
  constructor(readonly statusCode: number, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'DisplayHttpError';
  }

  body(): Record<string, unknown> {
    return { error: this.message, ...this.extra };
  }
}

export const badRequest = (message: string): DisplayHttpError => new DisplayHttpError(400, message);
export const notFound = (message: string): DisplayHttpError => new DisplayHttpError(404, message);
