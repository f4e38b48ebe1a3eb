export { CLASS_LABELS, NUM_CLASSES, isClassLabel, type ClassLabel } from './labels';
export { PROTOCOL_VERSION } from './json/common';
export { landmarkFrameSchema, handSchema } from './json/landmark-frame';
export { predictBodySchema, predictRequestSchema } from './json/predict';
export { predictResponseSchema, errorEnvelopeSchema, predictResultProperties, ERROR_CODES } from './json/predict-response';
export { modelMetadataSchema } from './json/metadata';
export { gestureEventSchema, statusMessageSchema } from './json/events';
export type {
  Hand, LandmarkFrame, PredictBody, PredictRequest, PredictResponse, ErrorEnvelope, ErrorCode,
  ModelMetadata, GestureEvent, StatusMessage, Trace, PredictReply,
} from './types';
export {
  validateLandmarkFrame, validatePredictBody, validatePredictRequest, validatePredictResponse,
  validateErrorEnvelope, validateModelMetadata, validateGestureEvent, validateStatusMessage,
  formatAjvErrors, compileValidator, type Validation, type SchemaError,
} from './validators';
export { createTopics, isValidTopicId, DEFAULT_TOPIC_PREFIX, WORKER_SHARE_GROUP, type Topics } from './topics';
export {
  WireError, float32ToFloat16Bits, float16BitsToFloat32, float16Overflows,
  FLOAT16_MAX, FLOAT16_MIN_SUBNORMAL, FLOAT16_MIN_NORMAL, FLOAT16_OVERFLOW_THRESHOLD,
  sequenceFromRows, sequenceToRows, checkSequence, DEFAULT_MAX_FRAMES, DEFAULT_MAX_FEATURE_DIM,
  encodeRequestJson, encodeRequestBinary, decodeRequest, formatFloat32,
  BINARY_MAGIC_0, BINARY_MAGIC_1, BINARY_VERSION, BINARY_HEADER_BYTES,
  encodeReply, decodeReply, isErrorReply, isPredictResponse,
  type FeatureSequence, type SequenceLimits, type RequestEncoding, type RequestEnvelopeFields,
  type DecodedRequest, type DecodeOptions, type BinaryEncodeOptions,
} from './codec/index';
