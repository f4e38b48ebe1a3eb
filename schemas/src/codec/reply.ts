import { validateErrorEnvelope, validatePredictResponse } from '../validators';
import type { ErrorEnvelope, PredictReply, PredictResponse } from '../types';
import { WireError } from './errors';

/** Replies are always JSON, readable with mosquitto_sub. */
export function encodeReply(reply: PredictReply): Buffer {
  return Buffer.from(JSON.stringify(reply), 'utf8');
}

/** A result or an error envelope (told apart by the `error` field), checked against its schema. */
export function decodeReply(payload: Uint8Array): PredictReply {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch (err) {
    throw new WireError(`reply is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new WireError('reply must be a JSON object');
  const raw = body as Record<string, unknown>;
  const ids = { id: typeof raw.id === 'string' ? raw.id : undefined };
  const checked = 'error' in raw ? validateErrorEnvelope(body) : validatePredictResponse(body);
  if (!checked.ok) throw new WireError(`invalid reply: ${checked.error}`, ids);
  return checked.value;
}

/**
 * Narrows a reply to the error envelope. Prefer this to `'error' in reply`: PredictResponse
 * allows extra properties, so that test leaves `reply.error` typed as unknown.
 */
export function isErrorReply(reply: PredictReply): reply is ErrorEnvelope {
  return typeof (reply as { error?: unknown }).error === 'object' && (reply as { error?: unknown }).error !== null;
}

export function isPredictResponse(reply: PredictReply): reply is PredictResponse {
  return !isErrorReply(reply);
}
