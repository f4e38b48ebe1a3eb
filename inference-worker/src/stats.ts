/** Counters a worker keeps; `stats()` returns a copy. */
export interface WorkerStats {
  /** Messages taken off the predict subscription. */
  received: number;
  /** Result replies published. */
  replied: number;
  /** Error replies published (invalid_request, queue_full, internal_error). */
  errorReplies: number;
  invalid: number;
  queueFull: number;
  /** No usable reply_to: nobody to answer, dropped. */
  droppedNoReplyTo: number;
  /** Past the deadline on arrival, in the queue or after inference: dropped, never answered late. */
  droppedDeadline: number;
  internalErrors: number;
  /** Requests delivered after the drain, answered `unavailable`. */
  refusedShuttingDown: number;
  publishErrors: number;
  batches: number;
  /** Requests run through the model (sum of batch sizes). */
  batchedRequests: number;
  largestBatch: number;
  /** Waiting for a batch right now. */
  queued: number;
  /** In the batch running right now. */
  inFlight: number;
}

export function emptyStats(): WorkerStats {
  return {
    received: 0, replied: 0, errorReplies: 0, invalid: 0, queueFull: 0, droppedNoReplyTo: 0,
    droppedDeadline: 0, internalErrors: 0, refusedShuttingDown: 0, publishErrors: 0, batches: 0, batchedRequests: 0,
    largestBatch: 0, queued: 0, inFlight: 0,
  };
}
