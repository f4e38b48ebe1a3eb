/**
 * The floor: ONNX Runtime in this process on the main thread, no network, no queue. Batch-1
 * latency and batched throughput of the real bench window, per intra-op thread count.
 */
import { DEFAULT_MODEL_PATH, loadModel, type LoadedModel } from '@helen/model-runtime';
import type { FeatureSequence } from '@helen/schemas';
import { latencyOf } from '../latency';
import type { FloorResult } from '../results';
import { benchWindow } from '../window';

export interface FloorOptions {
  /** Intra-op thread counts (default [1, 2]). */
  threads?: number[];
  /** Timed batch-1 runs per thread count. */
  batch1Runs: number;
  /** Batch sizes for throughput (default [8, 32, 128]). */
  batches?: number[];
  /** Seconds of back-to-back runs per batch size. */
  secondsPerBatch: number;
  /** Untimed batch-1 runs first (default 50); each batch size also gets 3 untimed runs. */
  warmupRuns?: number;
}

/** The window repeated `batch` times, row-major [batch, frames, featureDim]. */
function batchOf(seq: FeatureSequence, batch: number): Float32Array {
  const out = new Float32Array(batch * seq.data.length);
  for (let i = 0; i < batch; i++) out.set(seq.data, i * seq.data.length);
  return out;
}

async function measureOne(model: LoadedModel, seq: FeatureSequence, threads: number, opts: FloorOptions): Promise<FloorResult> {
  const run = (input: Float32Array, batch: number) =>
    model.engine.run(input, [batch, seq.frames, seq.featureDim], model.inputName, model.outputName);
  const one = batchOf(seq, 1);
  for (let i = 0; i < (opts.warmupRuns ?? 50); i++) await run(one, 1);
  const samples: number[] = [];
  for (let i = 0; i < opts.batch1Runs; i++) {
    const t0 = performance.now();
    await run(one, 1);
    samples.push(performance.now() - t0);
  }
  const throughput: FloorResult['throughput'] = [];
  for (const batch of opts.batches ?? [8, 32, 128]) {
    const input = batchOf(seq, batch);
    for (let i = 0; i < 3; i++) await run(input, batch);
    let runs = 0;
    const t0 = performance.now();
    const until = t0 + opts.secondsPerBatch * 1000;
    do {
      await run(input, batch);
      runs++;
    } while (performance.now() < until);
    throughput.push({ batch, windowsPerSec: (runs * batch) / ((performance.now() - t0) / 1000) });
  }
  return { intraOpThreads: threads, batch1: latencyOf(samples), throughput };
}

export async function measureFloor(opts: FloorOptions): Promise<FloorResult[]> {
  const seq = benchWindow();
  const results: FloorResult[] = [];
  for (const threads of opts.threads ?? [1, 2]) {
    // 'main': the engine runs on this thread and leaves the input in place (nothing transferred).
    const model = await loadModel([DEFAULT_MODEL_PATH], 'main', { intraOpThreads: threads, spinning: false });
    try {
      if (model.metadata.feature_dim !== seq.featureDim) {
        throw new Error(`bench window has ${seq.featureDim} features, the model ${model.metadata.feature_dim}`);
      }
      results.push(await measureOne(model, seq, threads, opts));
    } finally {
      await model.engine.close();
    }
  }
  return results;
}
