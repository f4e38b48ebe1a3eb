/**
 * Every error leaves as the original server's `{"error": "..."}` body, never Fastify's
 * default `{statusCode, code, error, message}` shape.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from './errors';
import { describeValidationError, type AjvLikeError } from './validation-messages';

export function installErrorHandlers(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler(async (err: FastifyError | ApiError, req, reply) => {
    const { status, message } = describe(err, bodyLimit);
    if (status === 413) await discardRest(req.raw);
    if (status >= 500 && !(err instanceof ApiError)) req.log.error({ err }, 'request failed');
    else req.log.debug({ status, message }, 'request refused');
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url}` }));
}

/**
 * How much of an oversized body is read and thrown away before the 413 goes out. Fastify
 * refuses at the limit and Node then closes the socket while the client is still sending:
 * a client that writes its whole body before reading (Python http.client / requests, curl
 * past ~32 MiB) got a broken pipe instead of the 413 (found by test/fuzz). Past these caps
 * the 413 is sent anyway, so a client cannot hold the server with an endless body.
 */
export const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
export const DISCARD_MAX_MS = 10_000;

/** Reads the rest of the request body into nothing (bounded); resolves at its end or at a cap. */
function discardRest(raw: IncomingMessage): Promise<void> {
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (): void => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', finish).off('close', finish).off('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > DISCARD_MAX_BYTES) finish();
    };
    const timer = setTimeout(finish, DISCARD_MAX_MS);
    raw.on('data', onData).once('end', finish).once('close', finish).once('error', finish);
    raw.resume();
  });
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
