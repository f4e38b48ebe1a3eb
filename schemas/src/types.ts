import type { FromSchema } from 'json-schema-to-ts';
import type { handSchema, landmarkFrameSchema } from './json/landmark-frame';
import type { predictBodySchema, predictRequestSchema } from './json/predict';
import type { errorEnvelopeSchema, predictResponseSchema, ERROR_CODES } from './json/predict-response';
import type { modelMetadataSchema } from './json/metadata';
import type { gestureEventSchema, statusMessageSchema } from './json/events';

// Types derive from the JSON Schemas, which are the source of truth.
export type Hand = FromSchema<typeof handSchema>;
export type LandmarkFrame = FromSchema<typeof landmarkFrameSchema>;
export type PredictBody = FromSchema<typeof predictBodySchema>;
export type PredictRequest = FromSchema<typeof predictRequestSchema>;
export type PredictResponse = FromSchema<typeof predictResponseSchema>;
export type ErrorEnvelope = FromSchema<typeof errorEnvelopeSchema>;
export type ErrorCode = (typeof ERROR_CODES)[number];
export type ModelMetadata = FromSchema<typeof modelMetadataSchema>;
export type GestureEvent = FromSchema<typeof gestureEventSchema>;
export type StatusMessage = FromSchema<typeof statusMessageSchema>;
export type Trace = Record<string, number>;
/** A worker reply on a reply_to topic: a result or an error. */
export type PredictReply = PredictResponse | ErrorEnvelope;
