import { traceSchema } from './common';

/** Fields of the original HTTP /predict response (kept byte-compatible in names). */
export const predictResultProperties = {
  prediction: { type: 'string' },
  probabilities: { type: 'array', items: { type: 'number' } },
  top_index: { type: 'integer', minimum: 0 },
  top_probability: { type: 'number' },
  elapsed_ms: { type: 'number', description: 'Inference time on the worker, ms.' },
  model: { type: 'string', description: '<name>@<sha256 prefix>' },
  worker: { type: 'string' },
  batch_size: { type: 'integer', minimum: 1 },
} as const;

export const predictResponseSchema = {
  $id: 'https://helen.local/schemas/predict-response.json',
  title: 'PredictResponse',
  type: 'object',
  required: ['v', 'id', 'prediction', 'probabilities', 'top_index', 'top_probability', 'elapsed_ms', 'model', 'worker', 'batch_size'],
  properties: {
    v: { const: 1 },
    id: { type: 'string' },
    ...predictResultProperties,
    trace: traceSchema,
  },
} as const;

/** Stable error codes shared by MQTT error envelopes and HTTP errors. */
export const ERROR_CODES = ['invalid_request', 'queue_full', 'model_mismatch', 'internal_error', 'unavailable', 'timeout'] as const;

export const errorEnvelopeSchema = {
  $id: 'https://helen.local/schemas/error-envelope.json',
  title: 'ErrorEnvelope',
  type: 'object',
  required: ['v', 'id', 'error'],
  properties: {
    v: { const: 1 },
    id: { type: 'string' },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: ERROR_CODES },
        message: { type: 'string' },
      },
    },
    worker: { type: 'string' },
    trace: traceSchema,
  },
} as const;
