import type { FeatureSequence, Trace } from '@helen/schemas';

/** Which path answered: the cloud over MQTT, the local ONNX fallback, or the HTTP facade. */
export type ServedBy = 'cloud' | 'edge' | 'http';

export interface PredictionResult {
  id: string;
  probabilities: number[];
  label: string;
  topIndex: number;
  topProbability: number;
  servedBy: ServedBy;
  model?: string | undefined;
  worker?: string | undefined;
  /**
   * Per-hop timings: capture, publish, worker_received, inference_ms, replied, received
   * (epoch ms; *_ms are durations). Hops a path does not have are absent.
   */
  trace: Trace;
}

export type PredictOutcome =
  | { kind: 'result'; result: PredictionResult }
  /** A newer window was answered or took this one's place: its answer no longer matters. */
  | { kind: 'superseded' }
  | { kind: 'timeout' }
  /** Nothing to send it to (broker down, no model). */
  | { kind: 'unavailable'; reason: string }
  | { kind: 'error'; message: string };

export interface Predictor {
  readonly servedBy: ServedBy;
  /** `captureTs`: capture time of the window's newest frame. Never rejects. */
  predict(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome>;
}
