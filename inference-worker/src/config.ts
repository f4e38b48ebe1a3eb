/**
 * The worker's settings: one env spec (also what `helen worker --help` prints) parsed once
 * into a frozen, typed config. Nothing else in this package reads process.env.
 */
import { hostname } from 'node:os';
import { DEFAULT_MODEL_PATH } from '@helen/model-runtime';
import { commonEnv, envVar, mqttClientEnv, parseEnv, type LogLevel } from '@helen/runtime';
import { isValidTopicId, WORKER_SHARE_GROUP } from '@helen/schemas';

import type { InferenceThread } from '@helen/model-runtime';

export interface WorkerConfig {
  readonly mqttUrl: string;
  readonly mqttUsername: string | undefined;
  readonly mqttPassword: string | undefined;
  readonly topicPrefix: string;
  readonly logLevel: LogLevel;
  readonly workerId: string;
  readonly shareGroup: string;
  /** Candidate ONNX files; the first that exists is loaded (metadata.json beside it). */
  readonly modelPaths: readonly string[];
  readonly maxBatch: number;
  /** 0 = greedy: a batch starts as soon as the previous one ends (Triton's default). */
  readonly maxWaitMs: number;
  readonly queueLimit: number;
  readonly intraOpThreads: number;
  readonly spinning: boolean;
  /** Where InferenceSession.run() executes inside the worker process (see README). */
  readonly inferenceThread: InferenceThread;
}

/** hostname-pid, squeezed into one valid topic level. */
export function defaultWorkerId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 100) || 'worker';
  return `${host}-${process.pid}`;
}

const workerId = envVar.custom('worker id (one topic level, in replies and helen/v1/workers/{id}/status)', (raw) => {
  if (!isValidTopicId(raw)) throw new Error(`must be 1-128 of A-Z a-z 0-9 . _ : - (got "${raw}")`);
  return raw;
}, undefined as string | undefined, 'hostname-pid');

export const workerEnv = {
  ...commonEnv,
  ...mqttClientEnv,
  HELEN_MODEL_PATHS: envVar.pathList('`:`-separated ONNX model paths; the first that exists is loaded, with metadata.json beside it', [DEFAULT_MODEL_PATH]),
  HELEN_WORKER_ID: workerId,
  HELEN_WORKER_SHARE_GROUP: envVar.custom('shared-subscription group the worker joins', (raw) => {
    if (!isValidTopicId(raw)) throw new Error(`must be 1-128 of A-Z a-z 0-9 . _ : - (got "${raw}")`);
    return raw;
  }, WORKER_SHARE_GROUP),
  HELEN_WORKER_MAX_BATCH: envVar.int('largest micro-batch handed to ONNX Runtime', 32, { min: 1, max: 1024 }),
  HELEN_WORKER_MAX_WAIT_MS: envVar.number('extra wait for a fuller batch, ms, from the oldest queued request (0 = none)', 0, { min: 0, max: 10_000 }),
  HELEN_WORKER_QUEUE_LIMIT: envVar.int('requests held waiting for a batch; past it a request gets a queue_full error', 1024, { min: 1, max: 1_000_000 }),
  HELEN_ORT_INTRA_OP_THREADS: envVar.int('ONNX Runtime intra-op threads (0 = ONNX Runtime decides)', 1, { min: 0, max: 256 }),
  HELEN_ORT_SPINNING: envVar.bool('let ONNX Runtime threads spin-wait between ops (burns CPU when idle)', false),
  HELEN_WORKER_INFERENCE_THREAD: envVar.oneOf('where InferenceSession.run() executes: a worker_threads thread or the main event loop', ['worker-thread', 'main'] as const, 'worker-thread'),
};

export function workerConfigFromEnv(env: NodeJS.ProcessEnv | Record<string, string | undefined>): WorkerConfig {
  const e = parseEnv(workerEnv, env);
  return Object.freeze({
    mqttUrl: e.HELEN_MQTT_URL,
    mqttUsername: e.HELEN_MQTT_USERNAME,
    mqttPassword: e.HELEN_MQTT_PASSWORD,
    topicPrefix: e.HELEN_TOPIC_PREFIX,
    logLevel: e.HELEN_LOG_LEVEL,
    workerId: e.HELEN_WORKER_ID ?? defaultWorkerId(),
    shareGroup: e.HELEN_WORKER_SHARE_GROUP,
    modelPaths: e.HELEN_MODEL_PATHS,
    maxBatch: e.HELEN_WORKER_MAX_BATCH,
    maxWaitMs: e.HELEN_WORKER_MAX_WAIT_MS,
    queueLimit: e.HELEN_WORKER_QUEUE_LIMIT,
    intraOpThreads: e.HELEN_ORT_INTRA_OP_THREADS,
    spinning: e.HELEN_ORT_SPINNING,
    inferenceThread: e.HELEN_WORKER_INFERENCE_THREAD,
  });
}
