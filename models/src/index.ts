/**
 * @helen/models: build-time tooling only (dataset building, evaluation, golden vectors, the
 * `helen models` CLI, Python training/export) and the committed model files it produces.
 * Nothing that runs in production imports this package: the model is loaded through
 * @helen/model-runtime, synthetic landmarks come from @helen/synthetic-signer.
 */
export { readGolden, checkGolden, type GoldenFile, type GoldenCase, type GoldenResult } from './golden';
export { evaluateDataset, evaluateWindows, syntheticWindows, formatEvaluation, type Evaluation, type Windows } from './evaluate';
export { buildDataset, readDataset, listRecordings, DATASET_FORMAT, type BuildOptions, type DatasetMeta, type SplitData, type SplitInfo } from './dataset/build';
export { splitByRecording, SPLITS, type Split, type SplitFractions } from './dataset/split';
export { generateRecordingSet, recordingSeed, type RecordingSetOptions, type RecordingSetManifest } from './dataset/recording-set';
