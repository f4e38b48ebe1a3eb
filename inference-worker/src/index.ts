export { createWorker, STOP_STEP_MS, WORKER_STOP_TIMEOUT_MS, type Worker, type WorkerDeps } from './worker';
export { workerSettings, workerConfigFromEnv, defaultWorkerId, type WorkerConfig } from './config';
export { ModelLoadError } from '@helen/model-runtime';
export type { WorkerStats } from './stats';
export { WorkerMetrics, type WorkerMetricsSource } from './metrics';
export type { InferenceEngine, InferenceThread, OpenEngine, EngineResult, SessionInfo } from '@helen/model-runtime';
