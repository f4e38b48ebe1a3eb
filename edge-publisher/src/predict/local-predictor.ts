/**
 * The offline fallback: the same ONNX model the workers run, on the Pi with onnxruntime-node
 * (its npm package ships linux arm64). The model is loaded lazily, on the first fallback or
 * at start when `preload`, and the input goes through the same `prepareModelInput` as the
 * workers' (mask applied, last seq_len frames, never padded).
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { argmax, checkMetadataAgainstSession, createSession, DEFAULT_MODEL_PATH, loadModelMetadata, runBatch, softmax, type Session } from '@helen/model-runtime';
import { prepareModelInput } from '@helen/features';
import type { FeatureSequence, ModelMetadata } from '@helen/schemas';
import type { PredictOutcome, Predictor } from './types';

export interface LocalModel {
  path: string;
  metadata: ModelMetadata;
  session: Session;
}

/** The first existing path (HELEN_MODEL_PATHS), else the package's default model. */
export function resolveLocalModelPath(paths: readonly string[]): string {
  const candidates = paths.length > 0 ? paths : [DEFAULT_MODEL_PATH];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no local model: none of ${candidates.join(':')} exists (set HELEN_MODEL_PATHS or HELEN_EDGE_FALLBACK=false)`);
  return found;
}

export async function loadLocalModel(paths: readonly string[]): Promise<LocalModel> {
  const path = resolveLocalModelPath(paths);
  const metadata = await loadModelMetadata(path);
  // One intra-op thread: the Pi's other cores are busy with the camera page and the UI.
  const session = await createSession(path, 1);
  try {
    checkMetadataAgainstSession(metadata, session);
  } catch (err) {
    await session.release();
    throw new Error(`local model ${path} does not match its metadata: ${(err as Error).message}`);
  }
  return { path, metadata, session };
}

export class LocalPredictor implements Predictor {
  readonly servedBy = 'edge' as const;
  private model: Promise<LocalModel> | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private seqNo = 0;
  readonly stats = { runs: 0, errors: 0, totalMs: 0 };

  constructor(private readonly paths: readonly string[], private readonly log: Logger) {}

  /** Loads the model now (throws with a clear message when it cannot). */
  async load(): Promise<LocalModel> {
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
    if (m) await m.then((x) => x.session.release()).catch(() => undefined);
  }

  private async run(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome> {
    let model: LocalModel;
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
      const raw = await runBatch(model.session, input.data, 1, input.frames, input.featureDim);
      const probabilities = Array.from(meta.output.kind === 'logits' ? softmax(raw) : raw);
      const top = argmax(probabilities);
      const inferenceMs = performance.now() - t0;
      this.stats.runs++;
      this.stats.totalMs += inferenceMs;
      return {
        kind: 'result',
        result: {
          id: `local.${++this.seqNo}`,
          probabilities,
          label: meta.class_labels[top] ?? String(top),
          topIndex: top,
          topProbability: probabilities[top] as number,
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
