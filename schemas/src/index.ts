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
  formatAjvErrors, type Validation,
} from './validators';
export { createTopics, isValidTopicId, DEFAULT_TOPIC_PREFIX, WORKER_SHARE_GROUP, type Topics } from './topics';
export {
  envVar, parseEnv, formatEnvHelp, ConfigError, commonEnv, mqttClientEnv, LOG_LEVELS,
  type EnvVar, type EnvSpec, type EnvConfig, type LogLevel,
} from './env';
