/**
 * The inference worker: one MQTT client on the shared predict subscription, one model, one
 * micro-batching scheduler. `createWorker` does no I/O; start() loads the model and connects,
 * stop() drains and releases everything.
 */
import { performance } from 'node:perf_hooks';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino, { type Logger } from 'pino';
import { createTopics, encodeReply, PROTOCOL_VERSION, type ErrorCode, type ErrorEnvelope, type PredictResponse, type StatusMessage, type Trace } from '@helen/schemas';
import type { WorkerConfig } from './config';
import { intake, type QoS, type WorkItem } from './intake';
import type { OpenEngine } from '@helen/model-runtime';
import { loadModel, type LoadedModel } from '@helen/model-runtime';
import { rowScores } from '@helen/model-runtime';
import { Scheduler } from './scheduler';
import { emptyStats, type WorkerStats } from './stats';

export interface WorkerDeps {
  logger?: Logger;
  /**
   * Called when the inference engine dies as a whole (e.g. its thread crashed). The worker
   * has already begun stop(): a supervisor should restart the process (main.ts exits 1).
   */
  onFatal?: (err: Error) => void;
  /** Test seam: how the engine is opened (default: onnxruntime-node, per config). */
  openEngine?: OpenEngine;
}

export interface Worker {
  readonly id: string;
  /** Loads the model (refusing a metadata mismatch), connects, subscribes; resolves when serving. */
  start(): Promise<void>;
  /** Stops taking work, answers what it holds, publishes offline, disconnects, frees the model. */
  stop(): Promise<void>;
  stats(): WorkerStats;
}

/** Largest T a request may carry before decoding refuses it (only the last seq_len are used). */
const MAX_FRAMES = 1024;
/** Bound on each shutdown step, so a dead broker cannot hold the process forever. */
const STOP_STEP_MS = 5000;

export function createWorker(config: WorkerConfig, deps: WorkerDeps = {}): Worker {
  const id = config.workerId;
  const log = (deps.logger ?? pino({ level: config.logLevel })).child({ module: 'inference-worker', worker: id });
  const topics = createTopics(config.topicPrefix);
  const statusTopic = topics.workerStatus(id);
  const subscription = topics.workerPredictSubscription(config.shareGroup);
  const counters = emptyStats();
  let model: LoadedModel | undefined;
  let client: MqttClient | undefined;
  let scheduler: Scheduler<WorkItem> | undefined;
  let state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle';
  let stopping: Promise<void> | undefined;
  // Set once the queue has drained: a straggler delivered after that is told to go elsewhere.
  let drained = false;

  const status = (s: StatusMessage['state']): Buffer => {
    const msg: StatusMessage = { state: s, id, role: 'worker', ts: Date.now() };
    if (model) msg.model = model.metadata.model_id;
    return Buffer.from(JSON.stringify(msg));
  };

  function publish(topic: string, payload: Buffer, qos: QoS, what: string): void {
    client?.publish(topic, payload, { qos }, (err) => {
      if (!err) return;
      counters.publishErrors++;
      log.warn({ err, topic, what }, 'publish failed');
    });
  }

  function replyError(to: { id: string; replyTo: string; qos: QoS; trace: Trace | undefined }, code: ErrorCode, message: string): void {
    const env: ErrorEnvelope = { v: PROTOCOL_VERSION, id: to.id, error: { code, message }, worker: id };
    if (to.trace) env.trace = { ...to.trace, replied: Date.now() };
    counters.errorReplies++;
    publish(to.replyTo, encodeReply(env), to.qos, code);
  }

  function onMessage(topic: string, payload: Buffer, qos: QoS): void {
    if (topics.parsePredict(topic) === undefined) return;
    counters.received++;
    const m = model as LoadedModel;
    const got = intake(payload, qos, Date.now(), performance.now(), { metadata: m.metadata, maxFrames: MAX_FRAMES });
    switch (got.kind) {
      case 'dropped':
        if (got.reason === 'deadline') counters.droppedDeadline++;
        else counters.droppedNoReplyTo++;
        log.debug({ topic, reason: got.reason }, got.message);
        return;
      case 'rejected':
        counters.invalid++;
        log.debug({ topic, id: got.id }, got.message);
        replyError(got, 'invalid_request', got.message);
        return;
      case 'accepted':
        if (drained) {
          replyError(got.item, 'unavailable', `worker ${id} is shutting down`);
          return;
        }
        if ((scheduler as Scheduler<WorkItem>).submit(got.item)) return;
        counters.queueFull++;
        replyError(got.item, 'queue_full', `worker ${id} queue is full (${config.queueLimit} requests)`);
    }
  }

  async function runBatch(batch: WorkItem[]): Promise<void> {
    const m = model as LoadedModel;
    const frames = (batch[0] as WorkItem).frames;
    const featureDim = m.metadata.feature_dim;
    const classes = m.metadata.num_classes;
    const input = new Float32Array(batch.length * frames * featureDim);
    batch.forEach((item, i) => input.set(item.input.data, i * frames * featureDim));
    counters.batches++;
    counters.batchedRequests += batch.length;
    counters.largestBatch = Math.max(counters.largestBatch, batch.length);
    counters.inFlight = batch.length;
    const t0 = performance.now();
    let output: Float32Array;
    try {
      const result = await m.engine.run(input, [batch.length, frames, featureDim], m.inputName, m.outputName);
      if (result.output.length !== batch.length * classes) throw new Error(`model returned ${result.output.length} values for ${batch.length} x ${classes}`);
      output = result.output;
    } catch (err) {
      counters.inFlight = 0;
      counters.internalErrors += batch.length;
      log.error({ err, batch: batch.length, frames }, 'inference failed');
      for (const item of batch) replyError(item, 'internal_error', 'inference failed');
      return;
    }
    const inferenceMs = round3(performance.now() - t0);
    counters.inFlight = 0;
    const now = Date.now();
    batch.forEach((item, row) => {
      // Never answer late: a reply the caller has given up on only adds load.
      if (item.deadline < now) {
        counters.droppedDeadline++;
        return;
      }
      const s = rowScores(output, row, classes, m.outputIsLogits);
      const replied = Date.now();
      const response: PredictResponse = {
        v: PROTOCOL_VERSION,
        id: item.id,
        prediction: m.metadata.class_labels[s.topIndex] ?? String(s.topIndex),
        probabilities: s.probabilities,
        top_index: s.topIndex,
        top_probability: s.topProbability,
        elapsed_ms: round3(performance.now() - item.receivedMono),
        model: m.metadata.model_id,
        worker: id,
        batch_size: batch.length,
        trace: { ...item.trace, worker_received: item.received, inference_ms: inferenceMs, replied },
      };
      counters.replied++;
      publish(item.replyTo, encodeReply(response), item.qos, 'reply');
    });
  }

  function connect(m: LoadedModel): Promise<void> {
    const opts: IClientOptions = {
      clientId: `helen-worker-${id}`.slice(0, 128),
      protocolVersion: 4, // 3.1.1: what the embedded broker's shared subscriptions serve
      clean: true,
      resubscribe: false, // subscribed on every connect below
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      will: { topic: statusTopic, payload: Buffer.from(JSON.stringify({ state: 'offline', id, role: 'worker' })), qos: 1, retain: true },
    };
    if (config.mqttUsername !== undefined) opts.username = config.mqttUsername;
    if (config.mqttPassword !== undefined) opts.password = config.mqttPassword;
    const c = mqtt.connect(config.mqttUrl, opts);
    client = c;
    c.on('message', (topic, payload, packet) => onMessage(topic, payload, packet.qos));
    c.on('error', (err) => log.warn({ err: err.message }, 'mqtt error'));
    c.on('offline', () => log.warn('mqtt offline, reconnecting'));
    return new Promise<void>((resolve, reject) => {
      c.once('end', () => reject(new Error('worker stopped before it connected')));
      c.on('connect', () => {
        // Nagle + the broker's delayed ACK hold a reply written right after the request's
        // PUBACK for ~40 ms (QoS 1 round trip at c=1: 43.8 ms without this, 0.9 ms with it).
        (c.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
        if (state === 'stopping' || state === 'stopped') return;
        void (async () => {
          // Retained, so a late subscriber (the facade's /metadata) sees the model at once.
          await c.publishAsync(topics.modelMetadata(), Buffer.from(JSON.stringify(m.metadata)), { qos: 1, retain: true });
          // QoS 1 on the subscription: the broker then delivers each request at its own QoS.
          const granted = await c.subscribeAsync(subscription, { qos: 1 });
          if (granted.some((g) => g.qos === 128)) throw new Error(`broker refused subscription ${subscription}`);
          await c.publishAsync(statusTopic, status('online'), { qos: 1, retain: true });
          log.info({ url: config.mqttUrl, subscription, model: m.metadata.model_id, inference: m.engine.kind }, 'worker ready');
          resolve();
        })().catch((err: unknown) => {
          log.error({ err }, 'could not subscribe after connect');
          reject(err instanceof Error ? err : new Error(String(err)));
        });
      });
    });
  }

  return {
    id,
    async start() {
      if (state !== 'idle') throw new Error(`worker ${id} already ${state}`);
      state = 'starting';
      try {
        const settings = { intraOpThreads: config.intraOpThreads, spinning: config.spinning };
        const loaded = await loadModel(config.modelPaths, config.inferenceThread, settings, deps.openEngine);
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
        });
        log.info({ path: model.path, model: model.metadata.model_id, inference: model.engine.kind }, 'model loaded');
        scheduler = new Scheduler<WorkItem>(
          { maxBatch: config.maxBatch, maxWaitMs: config.maxWaitMs, queueLimit: config.queueLimit },
          { runBatch, expired: (items) => (counters.droppedDeadline += items.length) },
        );
        await connect(model);
      } catch (err) {
        // A worker that failed to start holds nothing: no session, no reconnecting client.
        stopping ??= shutdown();
        await stopping;
        throw err;
      }
      state = 'running';
    },

    async stop() {
      if (state === 'idle') state = 'stopped';
      if (state === 'stopped') return;
      stopping ??= shutdown();
      await stopping;
    },

    stats() {
      return { ...counters, queued: scheduler?.queued ?? 0 };
    },
  };

  async function shutdown(): Promise<void> {
    state = 'stopping';
    const c = client;
    if (c?.connected) {
      publish(statusTopic, status('draining'), 1, 'status');
      await bounded(c.unsubscribeAsync(subscription), 'unsubscribe');
    }
    // Requests already delivered are answered; the queue's max wait no longer applies.
    if (scheduler) await bounded(scheduler.drain(), 'drain');
    drained = true;
    const abandoned = scheduler?.abandon() ?? [];
    if (abandoned.length > 0) log.warn({ abandoned: abandoned.length }, 'requests abandoned at shutdown');
    if (c) {
      if (c.connected) await bounded(c.publishAsync(statusTopic, status('offline'), { qos: 1, retain: true }), 'publish offline');
      await bounded(c.endAsync(), 'disconnect');
      if (!c.disconnected) c.end(true);
    }
    await model?.engine.close();
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
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
