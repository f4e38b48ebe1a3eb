export { createWorker, type Worker, type WorkerDeps } from './worker';
export { workerConfigFromEnv, workerEnv, defaultWorkerId, type WorkerConfig, type InferenceThread } from './config';
export { ModelLoadError } from './model';
export type { WorkerStats } from './stats';
export type { InferenceEngine, OpenEngine, EngineResult, SessionInfo } from './engine';
