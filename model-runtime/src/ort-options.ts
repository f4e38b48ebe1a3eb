import type { InferenceSession } from 'onnxruntime-node';

export interface OrtSettings {
  intraOpThreads: number;
  spinning: boolean;
}

/**
 * Session options shared by both engines. Spinning is off by default: a spinning thread
 * keeps a core busy between batches, and the EC2 box has two cores shared with the broker
 * and the facade. `extra` keys are ONNX Runtime session config keys (dots become nesting).
 */
export function sessionOptions(s: OrtSettings): InferenceSession.SessionOptions {
  const spin = s.spinning ? '1' : '0';
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(s.intraOpThreads > 0 ? { intraOpNumThreads: s.intraOpThreads } : {}),
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}
