/** Errors the facade answers with: an HTTP status plus the original `{"error": "..."}` body. */
export type ApiErrorKind = 'bad_request' | 'unavailable' | 'timeout' | 'internal';

const STATUS: Record<ApiErrorKind, number> = { bad_request: 400, unavailable: 503, timeout: 504, internal: 500 };

export class ApiError extends Error {
  readonly statusCode: number;

  constructor(readonly kind: ApiErrorKind, message: string) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = STATUS[kind];
  }
}

export const badRequest = (message: string) => new ApiError('bad_request', message);
export const unavailable = (message: string) => new ApiError('unavailable', message);
export const timedOut = (message: string) => new ApiError('timeout', message);

/** Worker error envelope code -> HTTP meaning (the worker's message is passed through). */
export function fromWorkerError(code: string, message: string): ApiError {
  switch (code) {
    case 'invalid_request':
    case 'model_mismatch':
      return new ApiError('bad_request', message);
    case 'queue_full':
    case 'unavailable':
      return new ApiError('unavailable', message);
    case 'timeout':
      return new ApiError('timeout', message);
    default:
      return new ApiError('internal', `worker error (${code}): ${message}`);
  }
}
