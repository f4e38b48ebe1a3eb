/**
 * The worker's Prometheus metrics, in its own registry (several workers in one process, as in
 * the tests, never clash). Two kinds of source:
 * - counters already kept in `WorkerStats` (stats.ts) are copied into Prometheus counters at
 *   scrape time, so the request path pays nothing extra for them and the two never disagree;
 * - durations and batch sizes are observed where they happen (`observeBatch`,
 *   `observeRequest`): one histogram observe per request or batch.
 * Names follow the broker's (`helen_broker_*`): `helen_worker_*`, seconds, `_total` counters;
 * prom-client's default process metrics come without a prefix (`process_*`, `nodejs_*`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkerStats } from './stats';

/** Request and inference durations: a warm batch of one runs in ~1-3 ms, a full queue in seconds. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Up to HELEN_WORKER_MAX_BATCH (default 32, at most 1024). */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** What the worker tells its metrics at scrape time. */
export interface WorkerMetricsSource {
  stats(): WorkerStats;
  /** Connected to the broker now. */
  connected(): boolean;
  /** The loaded model's id (`name@sha256 prefix`), undefined before it is loaded. */
  model(): string | undefined;
}

/** Reply outcomes: `ok` or the error envelope's code. */
const REPLY_OUTCOMES = {
  ok: (s: WorkerStats) => s.replied,
  invalid_request: (s: WorkerStats) => s.invalid,
  queue_full: (s: WorkerStats) => s.queueFull,
  internal_error: (s: WorkerStats) => s.internalErrors,
  unavailable: (s: WorkerStats) => s.refusedShuttingDown,
} as const;

/** Requests never answered, by why. */
const DROP_REASONS = {
  deadline: (s: WorkerStats) => s.droppedDeadline,
  no_reply_to: (s: WorkerStats) => s.droppedNoReplyTo,
} as const;

export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly requestSeconds: Histogram;
  private readonly inferenceSeconds: Histogram;
  private readonly batchSize: Histogram;
  private defaultMetrics = false;

  constructor(source: WorkerMetricsSource) {
    const registers = [this.registry];
    this.requestSeconds = new Histogram({
      name: 'helen_worker_request_duration_seconds', registers, buckets: DURATION_BUCKETS,
      help: 'time the worker held an answered request: receipt to reply (decode, queue wait, inference, encoding)',
    });
    this.inferenceSeconds = new Histogram({
      name: 'helen_worker_inference_duration_seconds', registers, buckets: DURATION_BUCKETS,
      help: 'model run of one batch (ONNX Runtime and scores)',
    });
    this.batchSize = new Histogram({
      name: 'helen_worker_batch_size', registers, buckets: BATCH_BUCKETS, help: 'requests per batch run through the model',
    });
    // Copied from WorkerStats at scrape time: reset, then set to the running total.
    const mirror = <L extends string>(name: string, help: string, label: L, values: Record<string, (s: WorkerStats) => number>) =>
      new Counter({
        name, help, labelNames: [label], registers,
        collect() {
          const s = source.stats();
          this.reset();
          for (const [value, read] of Object.entries(values)) this.inc({ [label]: value } as Record<L, string>, read(s));
        },
      });
    const total = (name: string, help: string, read: (s: WorkerStats) => number) =>
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(read(source.stats())); } });
    total('helen_worker_messages_received_total', 'messages taken off the predict subscription', (s) => s.received);
    mirror('helen_worker_replies_total', 'replies published, by outcome (ok or the error code)', 'outcome', REPLY_OUTCOMES);
    mirror('helen_worker_dropped_total', 'requests never answered, by reason (past the deadline, no usable reply_to)', 'reason', DROP_REASONS);
    total('helen_worker_publish_errors_total', 'replies and status messages the MQTT client failed to publish', (s) => s.publishErrors);
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers, collect() { this.set(read()); } });
    gauge('helen_worker_queue_depth', 'requests waiting for a batch', () => source.stats().queued);
    gauge('helen_worker_in_flight', 'requests in the batch running now', () => source.stats().inFlight);
    gauge('helen_worker_mqtt_connected', '1 while connected to the broker', () => (source.connected() ? 1 : 0));
    new Gauge({
      name: 'helen_worker_model_info', help: 'the loaded model (always 1; the model label names it)', labelNames: ['model'], registers,
      collect() {
        this.reset();
        const model = source.model();
        if (model !== undefined) this.set({ model }, 1);
      },
    });
  }

  /** One batch through the model. */
  observeBatch(size: number, inferenceMs: number): void {
    this.batchSize.observe(size);
    this.inferenceSeconds.observe(inferenceMs / 1000);
  }

  /** One result reply: how long the worker held the request. */
  observeRequest(elapsedMs: number): void {
    this.requestSeconds.observe(elapsedMs / 1000);
  }

  /**
   * Adds prom-client's default process metrics (CPU, memory, event loop lag, GC), once. Only
   * when served: they install observers that live as long as the process.
   */
  enableDefaultMetrics(): void {
    if (this.defaultMetrics) return;
    this.defaultMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
