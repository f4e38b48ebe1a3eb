/**
 * What the worker publishes on a request's reply_to: a result (one row of a batch's scores)
 * or an error envelope, encoded. The worker decides when and where to publish them.
 */
import { performance } from 'node:perf_hooks';
import {
  encodeReply, PROTOCOL_VERSION, type ErrorCode, type ErrorEnvelope, type ModelMetadata, type PredictResponse, type Trace,
} from '@helen/schemas';
import type { RowScores } from '@helen/model-runtime';
import type { QoS, WorkItem } from './intake';

/** Whom an error reply goes to: an accepted item, or a rejected request whose id and reply_to were readable. */
export interface ReplyTarget {
  readonly id: string;
  readonly replyTo: string;
  readonly qos: QoS;
  readonly trace: Trace | undefined;
}

export function errorReply(to: ReplyTarget, worker: string, code: ErrorCode, message: string): Buffer {
  const env: ErrorEnvelope = { v: PROTOCOL_VERSION, id: to.id, error: { code, message }, worker };
  if (to.trace) env.trace = { ...to.trace, replied: Date.now() };
  return encodeReply(env);
}

export interface BatchFacts {
  readonly worker: string;
  readonly metadata: ModelMetadata;
  readonly batchSize: number;
  /** The model run of the batch, ms. */
  readonly inferenceMs: number;
}

/** One row's result; `elapsed_ms` runs from the item's receipt to now (the reply). */
export function predictReply(item: WorkItem, scores: RowScores, batch: BatchFacts): Buffer {
  const replied = Date.now();
  const response: PredictResponse = {
    v: PROTOCOL_VERSION,
    id: item.id,
    prediction: batch.metadata.class_labels[scores.topIndex] ?? String(scores.topIndex),
    probabilities: scores.probabilities,
    top_index: scores.topIndex,
    top_probability: scores.topProbability,
    elapsed_ms: round3(performance.now() - item.receivedMono),
    model: batch.metadata.model_id,
    worker: batch.worker,
    batch_size: batch.batchSize,
    trace: { ...item.trace, worker_received: item.received, inference_ms: batch.inferenceMs, replied },
  };
  return encodeReply(response);
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
