/**
 * onnxruntime-node helpers shared by `helen models verify|evaluate` and the tests: one
 * session per model, batched float32 runs (scores.ts turns the output into probabilities).
 */
import * as ort from 'onnxruntime-node';

export type Session = ort.InferenceSession;

export async function createSession(onnxPath: string, threads = 1): Promise<Session> {
  // One intra-op thread: the worker scales by processes, and tests share small machines.
  return ort.InferenceSession.create(onnxPath, { intraOpNumThreads: threads, interOpNumThreads: 1 });
}

/** Runs `batch` sequences of `time` x `features` (row-major) and returns the flat [batch, classes] output. */
export async function runBatch(session: Session, data: Float32Array, batch: number, time: number, features: number): Promise<Float32Array> {
  if (data.length !== batch * time * features) throw new Error(`input has ${data.length} values, expected ${batch}x${time}x${features}`);
  const inputName = session.inputNames[0] as string;
  const outputName = session.outputNames[0] as string;
  const feeds = { [inputName]: new ort.Tensor('float32', data, [batch, time, features]) };
  const result = await session.run(feeds);
  const out = result[outputName];
  if (!out || !(out.data instanceof Float32Array)) throw new Error(`model output "${outputName}" is not a float32 tensor`);
  return out.data;
}
