/**
 * In-process ONNX Runtime figures for the worker's model: batch-1 latency (p50/p99) and
 * batch 8 / 32 throughput, with the session on the main thread and in a worker_threads thread.
 *   npx tsx inference-worker/bench/ort.ts [iterations]
 */
import { DEFAULT_MODEL_PATH, loadModel, type InferenceThread } from '@helen/model-runtime';
import { ms, summary } from './stats';

const iterations = Number(process.argv[2] ?? 300);
const T = 30;

async function bench(kind: InferenceThread): Promise<void> {
  const model = await loadModel([DEFAULT_MODEL_PATH], kind, { intraOpThreads: 1, spinning: false });
  const F = model.metadata.feature_dim;
  const run = (batch: number) => model.engine.run(new Float32Array(batch * T * F).map(() => Math.random()), [batch, T, F], model.inputName, model.outputName);
  for (let i = 0; i < 20; i++) await run(1);
  const lat: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await run(1);
    lat.push(performance.now() - t0);
  }
  const s = summary(lat);
  console.log(`${kind.padEnd(13)} batch 1  T=${T}: p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  (${s.n} runs)`);
  for (const batch of [8, 32]) {
    for (let i = 0; i < 5; i++) await run(batch);
    const n = Math.max(10, Math.round(iterations / batch) * 2);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await run(batch);
    const elapsed = performance.now() - t0;
    console.log(`${kind.padEnd(13)} batch ${String(batch).padEnd(2)} T=${T}: ${((n * batch) / (elapsed / 1000)).toFixed(0)} windows/s  (${ms(elapsed / n)} per batch)`);
  }
  await model.engine.close();
}

console.log(`model ${DEFAULT_MODEL_PATH}, intra-op threads 1, spinning off, node ${process.version}`);
for (const kind of ['main', 'worker-thread'] as const) await bench(kind);
