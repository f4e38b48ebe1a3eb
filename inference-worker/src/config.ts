/**
 * The worker's settings: one table (also what `helen worker --help` prints) parsed once into a
 * frozen, typed config. Nothing else in this package reads process.env.
 */
import { hostname } from 'node:os';
import { DEFAULT_MODEL_PATH, type InferenceThread } from '@helen/model-runtime';
import {
  defineSettings, isLoopbackHost, logLevelSetting, mqttClientSettings, plainMqttClientCheck, productionRules, productionSettings,
  setting, topicPrefixSetting, type ConfigOf, type EnvSource,
} from '@helen/runtime';
import { WORKER_SHARE_GROUP } from '@helen/schemas';

/** hostname-pid, squeezed into one valid topic level. */
export function defaultWorkerId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 100) || 'worker';
  return `${host}-${process.pid}`;
}

const INFERENCE_THREADS: readonly InferenceThread[] = ['main', 'worker-thread'];

/** HELEN_WORKER_HTTP_PORT: unset or `off` = no listener; 0 picks a free port (tests). */
function parseHttpPort(raw: string): number | undefined {
  if (raw.toLowerCase() === 'off') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`must be a port 0-65535 or "off" (got "${raw}")`);
  return n;
}

export const workerSettings = defineSettings({
  logLevel: logLevelSetting,
  topicPrefix: topicPrefixSetting,
  mqtt: mqttClientSettings,
  /** Candidate ONNX files; the first that exists is loaded (metadata.json beside it). */
  modelPaths: setting.pathList('HELEN_MODEL_PATHS', '`:`-separated ONNX model paths; the first that exists is loaded, with metadata.json beside it', [DEFAULT_MODEL_PATH]),
  workerId: setting.topicId('HELEN_WORKER_ID', 'worker id (one topic level, in replies and helen/v1/workers/{id}/status)', defaultWorkerId, 'hostname-pid'),
  shareGroup: setting.topicId('HELEN_WORKER_SHARE_GROUP', 'shared-subscription group the worker joins', WORKER_SHARE_GROUP),
  maxBatch: setting.int('HELEN_WORKER_MAX_BATCH', 'largest micro-batch handed to ONNX Runtime', 32, { min: 1, max: 1024 }),
  /** 0 = greedy: a batch starts as soon as the previous one ends (Triton's default). */
  maxWaitMs: setting.number('HELEN_WORKER_MAX_WAIT_MS', 'extra wait for a fuller batch, ms, from the oldest queued request (0 = none)', 0, { min: 0, max: 10_000 }),
  queueLimit: setting.int('HELEN_WORKER_QUEUE_LIMIT', 'requests held waiting for a batch; past it a request gets a queue_full error', 1024, { min: 1, max: 1_000_000 }),
  /** ONNX Runtime session settings (model-runtime's OrtSettings). */
  ort: {
    intraOpThreads: setting.int('HELEN_ORT_INTRA_OP_THREADS', 'ONNX Runtime intra-op threads (0 = ONNX Runtime decides)', 1, { min: 0, max: 256 }),
    spinning: setting.bool('HELEN_ORT_SPINNING', 'let ONNX Runtime threads spin-wait between ops (burns CPU when idle)', false),
  },
  /** GET /metrics and GET /health (runtime serveMetricsHttp); off unless a port is given. */
  http: {
    port: setting.custom<number | undefined>('HELEN_WORKER_HTTP_PORT',
      'port of the worker\'s GET /metrics (Prometheus) and GET /health listener (unset or off = none, 0 = a free port)', parseHttpPort, undefined),
    // Loopback like the broker's /metrics: nothing but a local scraper needs it; a container sets 0.0.0.0.
    host: setting.string('HELEN_WORKER_HTTP_HOST', 'bind address of the /metrics and /health listener', '127.0.0.1'),
  },
  /**
   * Where InferenceSession.run() executes inside the worker process. `main` since write
   * coalescing (issue 15): same throughput as the thread, less CPU and ~45 MB less RSS (README).
   */
  inferenceThread: setting.oneOf('HELEN_WORKER_INFERENCE_THREAD', 'where InferenceSession.run() executes: the main event loop or a worker_threads thread', INFERENCE_THREADS, 'main'),
  /** HELEN_ENV=production refuses plain MQTT or HTTP beyond loopback unless allowed. */
  production: productionSettings(['plainMqtt', 'plainHttp']),
}, [
  ...productionRules<{ mqtt: { url: string }; http: { port: number | undefined; host: string } }>([
    plainMqttClientCheck('HELEN_MQTT_URL', (c) => c.mqtt.url),
    {
      kind: 'plainHttp',
      find: (c) => (c.http.port === undefined || isLoopbackHost(c.http.host)
        ? undefined
        : `HELEN_WORKER_HTTP_HOST=${c.http.host} serves /metrics and /health over plain HTTP beyond this machine`),
    },
  ]),
  // Only separators (":") leave no path; loadModel would take that as "the default model".
  { env: 'HELEN_MODEL_PATHS', check: (c) => (c.modelPaths.length === 0 ? 'names no ONNX file (only ":" separators)' : undefined) },
]);

export type WorkerConfig = ConfigOf<typeof workerSettings.shape>;

/** The environment -> a frozen WorkerConfig; throws ConfigError naming every bad variable. */
export function workerConfigFromEnv(env: EnvSource): WorkerConfig {
  return workerSettings.parse(env);
}
