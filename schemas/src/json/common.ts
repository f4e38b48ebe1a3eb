/** Wire protocol version carried as `v` in every envelope. */
export const PROTOCOL_VERSION = 1;

export const finiteNumber = { type: 'number' } as const;

/** Optional per-hop timings: epoch milliseconds or durations, keyed by hop name. */
export const traceSchema = {
  type: 'object',
  description: 'Per-hop timings (epoch ms for instants, ms for *_ms durations), e.g. capture, publish, worker_received, inference_ms, replied.',
  additionalProperties: { type: 'number' },
} as const;
