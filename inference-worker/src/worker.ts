/**
 * The inference worker: one MQTT connection on the shared predict subscription, one model, one
 * request handler (requests.ts: intake, micro-batching, replies). `createWorker` does no I/O;
 * start() loads the model and connects, stop() drains and releases everything.
 */
import type { Logger } from 'pino';
import { loadModel, type LoadedModel, type OpenEngine } from '@helen/model-runtime';
import { createLogger, MqttConnection, serveMetricsHttp, type HealthProbe, type MetricsListener, type RunnableService } from '@helen/runtime';
import { createTopics } from '@helen/schemas';
import type { WorkerConfig } from './config';
import type { QoS } from './intake';
import { WorkerMetrics } from './metrics';
import { RequestHandler } from './requests';
import { emptyStats, type WorkerStats } from './stats';

export interface WorkerDeps {
  logger?: Logger;
  /**
   * Called when the inference engine dies as a whole (e.g. its thread crashed). The worker
   * has already begun stop(), and `ended` resolves with 1 (a supervisor restarts the process).
   */
  onFatal?: (err: Error) => void;
  /** Test seam: how the engine is opened (default: onnxruntime-node, per config). */
  openEngine?: OpenEngine;
}

export interface Worker extends RunnableService {
  readonly id: string;
  /** Loads the model (refusing a metadata mismatch), connects, subscribes; resolves when serving. */
  start(): Promise<void>;
  /** Stops taking work, answers what it holds, publishes offline, disconnects, frees the model. */
  stop(): Promise<void>;
  /** Resolves with 1 if the inference engine dies (the worker is then stopping by itself); else never. */
  readonly ended: Promise<number>;
  stats(): WorkerStats;
  /** Prometheus metrics (served on GET /metrics when HELEN_WORKER_HTTP_PORT is set). */
  readonly metrics: WorkerMetrics;
  /** The bound port of the /metrics and /health listener, once started; undefined when off. */
  readonly httpPort: number | undefined;
}

/** Bound on each shutdown step, so a dead broker cannot hold the process forever. */
export const STOP_STEP_MS = 5000;
/** Longest a whole stop() takes: its four bounded steps (unsubscribe, drain, offline, disconnect), plus slack. */
export const WORKER_STOP_TIMEOUT_MS = 5 * STOP_STEP_MS;

export function createWorker(config: WorkerConfig, deps: WorkerDeps = {}): Worker {
  const id = config.workerId;
  const log = (deps.logger ?? createLogger(config.logLevel)).child({ module: 'inference-worker', worker: id });
  const topics = createTopics(config.topicPrefix);
  const subscription = topics.workerPredictSubscription(config.shareGroup);
  const counters = emptyStats();
  let model: LoadedModel | undefined;
  let handler: RequestHandler | undefined;
  let state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle';
  let stopping: Promise<void> | undefined;
  let endWith: (code: number) => void = () => undefined;
  const ended = new Promise<number>((resolve) => (endWith = resolve));
  const serving = () => state === 'starting' || state === 'running';

  const connection = new MqttConnection({
    settings: config.mqtt,
    clientId: `helen-worker-${id}`.slice(0, 128),
    log,
    protocolVersion: 4, // 3.1.1: what the embedded broker's shared subscriptions serve
    minReconnectMs: 1000, // a fixed 1 s between attempts
    maxReconnectMs: 1000,
    connectTimeoutMs: 10_000,
    // A reply finished during a reconnect goes out after it (mqtt.js holds it meanwhile).
    queueWhileOffline: true,
    status: {
      topic: topics.workerStatus(id),
      body: () => ({ id, role: 'worker', ...(model ? { model: model.metadata.model_id } : {}) }),
    },
  });
  // On every connect: the metadata (retained, so a late subscriber such as the facade's
  // /metadata sees the model at once), then the subscription, then the retained 'online'.
  connection.onConnect(async () => {
    if (model && serving()) await connection.publishAsync(topics.modelMetadata(), Buffer.from(JSON.stringify(model.metadata)), 1, true);
  });
  // QoS 1 on the subscription: the broker then delivers each request at its own QoS.
  connection.keepSubscribed(subscription, 1);
  connection.onMessage((topic, payload, packet) => {
    if (topics.parsePredict(topic) !== undefined) handler?.handle(topic, payload, packet.qos);
  });
  connection.onConnection((up) => {
    if (!up || !model || !serving()) return;
    log.info({ url: connection.safeUrl, subscription, model: model.metadata.model_id, inference: model.engine.kind }, 'worker ready');
  });

  const stats = (): WorkerStats => ({ ...counters, queued: handler?.queued ?? 0 });
  const metrics = new WorkerMetrics({ stats, connected: () => connection.connected, model: () => model?.metadata.model_id });
  let http: MetricsListener | undefined;

  const health: HealthProbe = () => {
    let reason: string | undefined;
    if (state !== 'running') reason = `worker ${state}`;
    else if (!model) reason = 'model not loaded';
    else if (!connection.connected) reason = 'MQTT broker unreachable';
    const fields = { worker: id, state, broker: connection.connected ? 'connected' : 'disconnected', model: model?.metadata.model_id, queued: handler?.queued ?? 0 };
    return { reason, fields };
  };

  function publish(topic: string, payload: Buffer, qos: QoS): void {
    // The connection logs a failed publish; the worker counts it, and one it could not hand over at all.
    const failed = () => counters.publishErrors++;
    if (!connection.publish(topic, payload, qos, false, failed)) {
      failed();
      log.warn({ topic }, 'publish failed: no MQTT client');
    }
  }

  async function start(): Promise<void> {
    if (state !== 'idle') throw new Error(`worker ${id} already ${state}`);
    state = 'starting';
    try {
      // First, so /health says 503 (starting) while the model loads and the broker connects.
      if (config.http.port !== undefined) {
        metrics.enableDefaultMetrics();
        http = await serveMetricsHttp({ text: () => metrics.text(), contentType: metrics.registry.contentType }, config.http.port, config.http.host, health);
        log.info({ host: config.http.host, port: http.port }, 'worker /metrics and /health listening');
      }
      const loaded = await loadModel(config.modelPaths, config.inferenceThread, config.ort, deps.openEngine);
      if (state !== 'starting') {
        await loaded.engine.close();
        throw new Error(`worker ${id} stopped while starting`);
      }
      model = loaded;
      loaded.engine.onFailure((err) => {
        // Every later batch would fail: leave the shared group so others get the work.
        log.fatal({ err }, 'inference engine failed; stopping');
        stopping ??= shutdown();
        deps.onFatal?.(err);
        endWith(1);
      });
      log.info({ path: loaded.path, model: loaded.metadata.model_id, inference: loaded.engine.kind }, 'model loaded');
      handler = new RequestHandler({
        workerId: id,
        model: loaded,
        batching: { maxBatch: config.maxBatch, maxWaitMs: config.maxWaitMs, queueLimit: config.queueLimit },
        counters,
        log,
        observe: metrics,
        publish,
      });
      await connection.connect();
    } catch (err) {
      // A worker that failed to start holds nothing: no session, no reconnecting client.
      stopping ??= shutdown();
      await stopping;
      throw err;
    }
    state = 'running';
  }

  async function shutdown(): Promise<void> {
    state = 'stopping';
    if (connection.connected) connection.setStatus('draining', () => counters.publishErrors++);
    // Also forgets the subscription, so a reconnect meanwhile takes no new work.
    await bounded(connection.unsubscribe(subscription), 'unsubscribe');
    if (handler) {
      // Requests already delivered are answered; the queue's max wait no longer applies.
      await bounded(handler.drain(), 'drain');
      const abandoned = handler.close();
      if (abandoned.length > 0) log.warn({ abandoned: abandoned.length }, 'requests abandoned at shutdown');
    }
    // Publishes 'offline' (retained), then disconnects; each step bounded.
    await connection.stop(STOP_STEP_MS);
    await model?.engine.close();
    await http?.close();
    state = 'stopped';
    log.info({ stats: { ...counters } }, 'worker stopped');
  }

  function bounded(p: Promise<unknown>, step: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.warn({ step }, `shutdown step took over ${STOP_STEP_MS} ms, moving on`);
        resolve();
      }, STOP_STEP_MS);
    });
    return Promise.race([p.then(() => undefined, (err: unknown) => log.warn({ err, step }, 'shutdown step failed')), timeout])
      .finally(() => clearTimeout(timer));
  }

  return {
    id,
    ended,
    start,
    async stop() {
      if (state === 'idle') state = 'stopped';
      if (state === 'stopped') return;
      stopping ??= shutdown();
      await stopping;
    },
    stats,
    metrics,
    get httpPort() {
      return http?.port;
    },
  };
}
