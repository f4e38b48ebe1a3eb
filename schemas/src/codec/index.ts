export { WireError } from './errors';
export {
  float32ToFloat16Bits, float16BitsToFloat32, float16Overflows,
  FLOAT16_MAX, FLOAT16_MIN_SUBNORMAL, FLOAT16_MIN_NORMAL, FLOAT16_OVERFLOW_THRESHOLD,
} from './float16';
export {
  sequenceFromRows, sequenceToRows, checkSequence, DEFAULT_MAX_FRAMES, DEFAULT_MAX_FEATURE_DIM,
  type FeatureSequence, type SequenceLimits,
} from './sequence';
export {
  encodeRequestJson, encodeRequestBinary, decodeRequest, formatFloat32,
  BINARY_MAGIC_0, BINARY_MAGIC_1, BINARY_VERSION, BINARY_HEADER_BYTES,
  type RequestEncoding, type RequestEnvelopeFields, type DecodedRequest, type DecodeOptions, type BinaryEncodeOptions,
} from './request';
export { encodeReply, decodeReply, isErrorReply, isPredictResponse } from './reply';
