import { traceSchema } from './common';

const sequenceSchema = {
  type: 'array',
  description: 'T frames of feature_dim floats (T >= 1).',
  minItems: 1,
  items: { type: 'array', items: { type: 'number' } },
} as const;

const maskSchema = {
  type: 'array',
  description: 'Optional per-frame hand presence [mLeft, mRight], T x 2.',
  items: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
} as const;

/** The original HTTP body of POST /predict. Dimension checks against the model happen at run time. */
export const predictBodySchema = {
  $id: 'https://helen.local/schemas/predict-body.json',
  title: 'PredictBody',
  type: 'object',
  required: ['sequence'],
  properties: {
    sequence: sequenceSchema,
    mask: maskSchema,
  },
} as const;

/** The MQTT request envelope (JSON codec; the binary codec carries the same fields). */
export const predictRequestSchema = {
  $id: 'https://helen.local/schemas/predict-request.json',
  title: 'PredictRequest',
  type: 'object',
  required: ['v', 'id', 'reply_to', 'deadline', 'sequence'],
  properties: {
    v: { const: 1 },
    id: { type: 'string', minLength: 1, maxLength: 128 },
    reply_to: { type: 'string', minLength: 1, maxLength: 512 },
    deadline: { type: 'number', description: 'Epoch ms after which the request must not be answered.' },
    sequence: sequenceSchema,
    mask: maskSchema,
    trace: traceSchema,
  },
} as const;
