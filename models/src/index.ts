/** @helen/models: the default ONNX model and its metadata, the synthetic generator and the dataset tools. */
export {
  DEFAULT_MODEL_DIR, DEFAULT_MODEL_PATH, DEFAULT_METADATA_PATH, DEFAULT_GOLDEN_PATH,
  loadModelMetadata, checkMetadataAgainstSession, metadataPathFor, sha256File,
} from './model';
export { createSession, runBatch, softmax, argmax, type Session } from './runtime';
export { readGolden, checkGolden, type GoldenFile, type GoldenCase, type GoldenResult } from './golden';
export { evaluateDataset, evaluateWindows, syntheticWindows, formatEvaluation, type Evaluation, type Windows } from './evaluate';
export {
  generateRecording, scriptedStream, writeRecording, readRecording, parseRecording, RecordingError,
  generateRecordingSet, recordingSeed, createRng, mixSeed, renderLandmarks, handSkeleton,
  FINGER_BONES, THUMB_BONES, RANGES, CLASS_POSES, ASPECT, GENERATOR_VERSION, DEFAULT_FPS,
  type ScriptStep, type StepLabel, type Side, type Rng, type HandAngles, type Vec3, type PoseSpec,
  type RecordingSetOptions, type RecordingSetManifest,
} from './synthetic/index';
export { buildDataset, readDataset, listRecordings, DATASET_FORMAT, type BuildOptions, type DatasetMeta, type SplitData, type SplitInfo } from './dataset/build';
export { splitByRecording, SPLITS, type Split, type SplitFractions } from './dataset/split';
