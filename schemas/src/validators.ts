import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { landmarkFrameSchema } from './json/landmark-frame';
import { predictBodySchema, predictRequestSchema } from './json/predict';
import { errorEnvelopeSchema, predictResponseSchema } from './json/predict-response';
import { modelMetadataSchema } from './json/metadata';
import { gestureEventSchema, statusMessageSchema } from './json/events';
import type {
  ErrorEnvelope, GestureEvent, LandmarkFrame, ModelMetadata, PredictBody, PredictRequest,
  PredictResponse, StatusMessage,
} from './types';

// ajv-formats ships CommonJS; under ESM interop the plugin may sit on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/** One ajv instance, validators compiled once at import. */
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv);

/** One ajv error, for callers of compileValidator that word errors themselves. */
export type SchemaError = ErrorObject;

export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

/** Human-readable, path-prefixed messages, e.g. `/hands/0/score must be <= 1`. */
export function formatAjvErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid';
  return errors
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
    .join('; ');
}

function validator<T>(schema: object): (data: unknown) => Validation<T> {
  const fn: ValidateFunction = ajv.compile(schema);
  return (data) => (fn(data) ? { ok: true, value: data as T } : { ok: false, error: formatAjvErrors(fn.errors) });
}

/**
 * A validator for another part's own JSON Schema, compiled once on this shared instance (the
 * same ajv options everywhere); `describe` words the errors (default formatAjvErrors).
 */
export function compileValidator<T>(schema: object, describe: (errors: ErrorObject[] | null | undefined) => string = formatAjvErrors): (data: unknown) => Validation<T> {
  const fn: ValidateFunction = ajv.compile(schema);
  return (data) => (fn(data) ? { ok: true, value: data as T } : { ok: false, error: describe(fn.errors) });
}

export const validateLandmarkFrame = validator<LandmarkFrame>(landmarkFrameSchema);
export const validatePredictBody = validator<PredictBody>(predictBodySchema);
export const validatePredictRequest = validator<PredictRequest>(predictRequestSchema);
export const validatePredictResponse = validator<PredictResponse>(predictResponseSchema);
export const validateErrorEnvelope = validator<ErrorEnvelope>(errorEnvelopeSchema);
export const validateModelMetadata = validator<ModelMetadata>(modelMetadataSchema);
export const validateGestureEvent = validator<GestureEvent>(gestureEventSchema);
export const validateStatusMessage = validator<StatusMessage>(statusMessageSchema);
