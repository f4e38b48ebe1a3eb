/**
 * The offline fallback: the same ONNX model the workers run, on the Pi with onnxruntime-node
 * (its npm package ships linux arm64), loaded and scored through @helen/model-runtime like the
 * workers' (so a local answer and a cloud answer to the same window are the same numbers).
 * Start-up reads only the model's metadata (checked against the ONNX file's sha256) to compare
 * it with the cloud's; the ONNX Runtime session (~35 MB of RSS on the edge, bench/README.md
 * "Memory") is created on the first fallback, or at start when the cloud is unreachable. The input
 * goes through the same `prepareModelInput` as the workers' (mask applied, last seq_len
 * frames, never padded).
 */
import type { Logger } from 'pino';
import { loadModel, loadModelMetadata, ModelLoadError, resolveModelPath, scoreBatch, type LoadedModel } from '@helen/model-runtime';
import { prepareModelInput } from '@helen/features';
import type { FeatureSequence, ModelMetadata } from '@helen/schemas';
import type { PredictOutcome, Predictor } from './types';

/** The first existing path (HELEN_MODEL_PATHS), else the default model; the error says how to go on without one. */
export function resolveLocalModelPath(paths: readonly string[]): string {
  try {
    return resolveModelPath(paths);
  } catch (err) {
    throw new ModelLoadError(`${(err as Error).message} (set HELEN_MODEL_PATHS or HELEN_EDGE_FALLBACK=false)`);
  }
}

export async function loadLocalModel(paths: readonly string[]): Promise<LoadedModel> {
  // On the main thread with one intra-op thread, not spinning: the Pi's other cores are busy
  // with the camera page and the UI, and one window at a time is all the fallback runs.
  return loadModel([resolveLocalModelPath(paths)], 'main', { intraOpThreads: 1, spinning: false });
}

export class LocalPredictor implements Predictor {
  readonly servedBy = 'edge' as const;
  private model: Promise<LoadedModel> | undefined;
  private meta: Promise<ModelMetadata> | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private seqNo = 0;
  readonly stats = { runs: 0, errors: 0, totalMs: 0 };

  constructor(private readonly paths: readonly string[], private readonly log: Logger) {}

  /** Loads the model now (throws with a clear message when it cannot). */
  async load(): Promise<LoadedModel> {
    this.model ??= loadLocalModel(this.paths).then((m) => {
      this.log.info({ path: m.path, model: m.metadata.model_id }, 'local fallback model loaded');
      return m;
    });
    try {
      return await this.model;
    } catch (err) {
      this.model = undefined;
      throw err;
    }
  }

  /** The model's metadata without creating a session (the session's own checks run at load()). */
  async metadata(): Promise<ModelMetadata> {
    if (this.model) return (await this.load()).metadata;
    this.meta ??= (async () => loadModelMetadata(resolveLocalModelPath(this.paths)))();
    try {
      return await this.meta;
    } catch (err) {
      this.meta = undefined;
      throw err;
    }
  }

  async predict(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome> {
    // One run at a time: a burst of windows must not pile sessions onto the Pi's CPU.
    const run = this.running.then(() => this.run(seq, captureTs));
    this.running = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    const m = this.model;
    this.model = undefined;
    await this.running;
    if (m) await m.then((x) => x.engine.close()).catch(() => undefined);
  }

  private async run(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome> {
    let model: LoadedModel;
    try {
      model = await this.load();
    } catch (err) {
      return { kind: 'unavailable', reason: (err as Error).message };
    }
    const meta = model.metadata;
    if (seq.featureDim !== meta.feature_dim) return { kind: 'error', message: `window has ${seq.featureDim} features, the local model wants ${meta.feature_dim}` };
    const started = Date.now();
    const t0 = performance.now();
    try {
      const input = prepareModelInput(seq, meta.seq_len);
      const [scores] = await scoreBatch(model, input.data, 1, input.frames);
      if (!scores) throw new Error('the local model returned no scores');
      const inferenceMs = performance.now() - t0;
      this.stats.runs++;
      this.stats.totalMs += inferenceMs;
      return {
        kind: 'result',
        result: {
          id: `local.${++this.seqNo}`,
          probabilities: scores.probabilities,
          label: meta.class_labels[scores.topIndex] ?? String(scores.topIndex),
          topIndex: scores.topIndex,
          topProbability: scores.topProbability,
          servedBy: 'edge',
          model: meta.model_id,
          trace: { capture: captureTs, publish: started, inference_ms: inferenceMs, received: Date.now() },
        },
      };
    } catch (err) {
      this.stats.errors++;
      return { kind: 'error', message: (err as Error).message };
    }
  }
}
