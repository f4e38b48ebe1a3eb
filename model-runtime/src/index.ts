/**
 * @helen/model-runtime: the ONNX model at run time, for the inference worker and the edge's
 * local fallback (and the build tooling, which may import it; it never imports the tooling).
 */
export {
  DEFAULT_MODEL_DIR, DEFAULT_MODEL_PATH, DEFAULT_METADATA_PATH, DEFAULT_GOLDEN_PATH,
  loadModelMetadata, checkMetadataAgainstSession, metadataPathFor, sha256File,
} from './metadata';
export { loadModel, resolveModelPath, scoreBatch, ModelLoadError, type LoadedModel } from './model';
export { openEngine, type InferenceEngine, type InferenceThread, type OpenEngine, type EngineResult, type SessionInfo } from './engine';
export type { OrtSettings } from './ort-options';
export { rowScores, softmax, argmax, type RowScores } from './scores';
export { createSession, runBatch, type Session } from './session';
