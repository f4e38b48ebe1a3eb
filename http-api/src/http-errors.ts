/**
 * Every error leaves as the original server's `{"error": "..."}` body, never Fastify's
 * default `{statusCode, code, error, message}` shape.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from './errors';
import { describeValidationError, type AjvLikeError } from './validation-messages';

export function installErrorHandlers(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    const { status, message } = describe(err, bodyLimit);
    if (status >= 500 && !(err instanceof ApiError)) req.log.error({ err }, 'request failed');
    else req.log.debug({ status, message }, 'request refused');
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url}` }));
}

function describe(err: FastifyError | ApiError, bodyLimit: number): { status: number; message: string } {
  if (err instanceof ApiError) return { status: err.statusCode, message: err.message };
  if (err.validation) return { status: 400, message: describeValidationError(err.validation[0] as AjvLikeError | undefined) };
  switch (err.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'request body is empty: send a JSON object with a \'sequence\' field' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, message: 'request body is not valid JSON' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: `request body is larger than the limit of ${bodyLimit} bytes` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: 'Content-Type must be application/json' };
    default: {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
      return { status, message: status >= 500 ? 'internal error' : err.message };
    }
  }
}
