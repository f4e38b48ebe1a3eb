/**
 * Where InferenceSession.run() executes. onnxruntime-node's run() computes synchronously on
 * the calling thread (onnxruntime issue #26968), so on the main thread it stalls MQTT I/O for
 * the length of each batch. The worker-thread engine moves the session to a worker_threads
 * thread; README.md has the measurements behind the default.
 */
import type { InferenceSession } from 'onnxruntime-node';
/** Where InferenceSession.run() executes: a worker_threads thread or the calling (main) thread. */
export type InferenceThread = 'worker-thread' | 'main';
import type { OrtSettings } from './ort-options';
import { openMainThreadEngine } from './engine-main';
import { openWorkerThreadEngine } from './engine-thread';

/**
 * The session's declared inputs and outputs, as checked against the metadata. A copy of the
 * session's own fields, so it can come back from the inference thread.
 */
export type SessionInfo = Pick<InferenceSession, 'inputNames' | 'outputNames' | 'inputMetadata' | 'outputMetadata'>;

export interface EngineResult {
  /** Row-major [batch, ...] output of the named output. */
  readonly output: Float32Array;
  readonly dims: readonly number[];
}

export interface InferenceEngine {
  readonly kind: InferenceThread;
  readonly session: SessionInfo;
  /** Runs one [batch, frames, featureDim] float32 tensor. `input` may be transferred away. */
  run(input: Float32Array, dims: readonly [number, number, number], inputName: string, outputName: string): Promise<EngineResult>;
  /** Called at most once if the engine dies as a whole (not for one failed run, not after close()). */
  onFailure(listener: (err: Error) => void): void;
  close(): Promise<void>;
}

export type OpenEngine = (kind: InferenceThread, modelPath: string, settings: OrtSettings) => Promise<InferenceEngine>;

export const openEngine: OpenEngine = (kind, modelPath, settings) => {
  return kind === 'main' ? openMainThreadEngine(modelPath, settings) : openWorkerThreadEngine(modelPath, settings);
};
