export { createWorker, type Worker, type WorkerDeps } from './worker';
export { workerConfigFromEnv, workerEnv, defaultWorkerId, type WorkerConfig } from './config';
export { ModelLoadError } from '@helen/model-runtime';
export type { WorkerStats } from './stats';
export type { InferenceEngine, OpenEngine, EngineResult, SessionInfo } from '@helen/model-runtime';
