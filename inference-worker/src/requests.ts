/**
 * The worker's work between the subscription and the replies: each message through intake,
 * accepted requests into the micro-batching scheduler, each batch through the model, and one
 * reply per request or a counted drop. Every outcome is counted in the worker's stats.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { scoreBatch, type LoadedModel, type RowScores } from '@helen/model-runtime';
import type { ErrorCode } from '@helen/schemas';
import type { BatchQueueOptions } from './batch-queue';
import { intake, type QoS, type WorkItem } from './intake';
import type { WorkerMetrics } from './metrics';
import { errorReply, predictReply, round3, type ReplyTarget } from './replies';
import { Scheduler } from './scheduler';
import type { WorkerStats } from './stats';

/** Largest T a request may carry before decoding refuses it (only the last seq_len are used). */
const MAX_FRAMES = 1024;

export interface RequestHandlerOptions {
  readonly workerId: string;
  readonly model: LoadedModel;
  readonly batching: BatchQueueOptions;
  /** The worker's counters, updated in place. */
  readonly counters: WorkerStats;
  readonly log: Logger;
  /** Durations and batch sizes for /metrics (metrics.ts); counters come from `counters`. */
  readonly observe: Pick<WorkerMetrics, 'observeBatch' | 'observeRequest'>;
  /** Publishes a reply, fire and forget (counts its own failures). */
  publish(topic: string, payload: Buffer, qos: QoS): void;
}

export class RequestHandler {
  private readonly scheduler: Scheduler<WorkItem>;
  // Set once the queue has drained: a straggler delivered after that is told to go elsewhere.
  private closed = false;

  constructor(private readonly o: RequestHandlerOptions) {
    this.scheduler = new Scheduler<WorkItem>(o.batching, {
      runBatch: (batch) => this.runBatch(batch),
      expired: (items) => (o.counters.droppedDeadline += items.length),
    });
  }

  get queued(): number {
    return this.scheduler.queued;
  }

  /** One predict message: queued, answered with an error, or dropped. Never throws. */
  handle(topic: string, payload: Buffer, qos: QoS): void {
    const { counters, log, model, workerId: id } = this.o;
    counters.received++;
    const got = intake(payload, qos, Date.now(), performance.now(), { metadata: model.metadata, maxFrames: MAX_FRAMES });
    switch (got.kind) {
      case 'dropped':
        if (got.reason === 'deadline') counters.droppedDeadline++;
        else counters.droppedNoReplyTo++;
        log.debug({ topic, reason: got.reason }, got.message);
        return;
      case 'rejected':
        counters.invalid++;
        log.debug({ topic, id: got.id }, got.message);
        this.replyError(got, 'invalid_request', got.message);
        return;
      case 'accepted':
        if (this.closed) {
          counters.refusedShuttingDown++;
          this.replyError(got.item, 'unavailable', `worker ${id} is shutting down`);
          return;
        }
        if (this.scheduler.submit(got.item)) return;
        counters.queueFull++;
        this.replyError(got.item, 'queue_full', `worker ${id} queue is full (${this.o.batching.queueLimit} requests)`);
    }
  }

  /** Runs everything queued without waiting for fuller batches; resolves when idle. */
  drain(): Promise<void> {
    return this.scheduler.drain();
  }

  /** From now on a request gets `unavailable`; returns what was still queued (never answered). */
  close(): WorkItem[] {
    this.closed = true;
    return this.scheduler.abandon();
  }

  private replyError(to: ReplyTarget, code: ErrorCode, message: string): void {
    this.o.counters.errorReplies++;
    this.o.publish(to.replyTo, errorReply(to, this.o.workerId, code, message), to.qos);
  }

  private async runBatch(batch: WorkItem[]): Promise<void> {
    const { counters, log, model } = this.o;
    const frames = (batch[0] as WorkItem).frames;
    const rowLength = frames * model.metadata.feature_dim;
    const input = new Float32Array(batch.length * rowLength);
    batch.forEach((item, i) => input.set(item.input.data, i * rowLength));
    counters.batches++;
    counters.batchedRequests += batch.length;
    counters.largestBatch = Math.max(counters.largestBatch, batch.length);
    counters.inFlight = batch.length;
    const t0 = performance.now();
    let scores: RowScores[];
    try {
      scores = await scoreBatch(model, input, batch.length, frames);
    } catch (err) {
      counters.inFlight = 0;
      counters.internalErrors += batch.length;
      log.error({ err, batch: batch.length, frames }, 'inference failed');
      for (const item of batch) this.replyError(item, 'internal_error', 'inference failed');
      return;
    }
    const facts = { worker: this.o.workerId, metadata: model.metadata, batchSize: batch.length, inferenceMs: round3(performance.now() - t0) };
    counters.inFlight = 0;
    this.o.observe.observeBatch(batch.length, facts.inferenceMs);
    const now = Date.now();
    batch.forEach((item, row) => {
      // Never answer late: a reply the caller has given up on only adds load.
      if (item.deadline < now) {
        counters.droppedDeadline++;
        return;
      }
      counters.replied++;
      this.o.publish(item.replyTo, predictReply(item, scores[row] as RowScores, facts), item.qos);
      this.o.observe.observeRequest(performance.now() - item.receivedMono);
    });
  }
}
