/**
 * One stream through the edge's own pipeline (features, window, presence and area gates,
 * stride, decision engine) with the model in-process, batched for speed.
 *
 * Which windows the pipeline sends depends only on the gates, never on the answers, so a
 * first pass collects them, the model scores them all in a few batches, and a second pass
 * replays the stream through a fresh pipeline whose predictor answers each window at once
 * from those scores. The outcome is what an edge with instant inference decides, in frame
 * time (as decision-sweep.ts measures it), without one model call per window.
 */
import { prepareModelInput } from '@helen/features';
import { scoreBatch, type LoadedModel } from '@helen/model-runtime';
import type { FeatureSequence, LandmarkFrame } from '@helen/schemas';
import pino from 'pino';
import type { DecisionSettings } from '../../src/decision/settings';
import { modelInfoFromMetadata } from '../../src/model-info';
import { EdgePipeline } from '../../src/pipeline/pipeline';
import type { ResampleOptions } from '../../src/pipeline/resample';
import type { PredictOutcome, Predictor } from '../../src/predict/types';

export interface BenchEvent {
  label: string;
  /** Capture time of the newest frame of the window that fired it. */
  ts: number;
}

export interface StreamRun {
  events: BenchEvent[];
  /** Windows the pipeline sent to the model. */
  windows: number;
}

export interface RunOptions {
  model: LoadedModel;
  decision: Partial<DecisionSettings>;
  stride: number;
  /** Rows per model call at most. */
  batchSize?: number;
  /** Frame-rate normalisation (the pipeline's default when absent). */
  resample?: ResampleOptions;
}

const silent = pino({ level: 'silent' });

function pipelineFor(opts: RunOptions, predictor: Predictor): EdgePipeline {
  return new EdgePipeline({
    model: modelInfoFromMetadata(opts.model.metadata), decision: opts.decision, stride: opts.stride,
    ...(opts.resample ? { resample: opts.resample } : {}),
    deviceId: 'stream-bench', sessionId: 'stream-bench', predictor, sinks: [], log: silent,
  });
}

/** First pass: keeps every window the pipeline sends; answers nothing. */
export class Collector implements Predictor {
  readonly servedBy = 'edge' as const;
  readonly windows: FeatureSequence[] = [];
  predict(seq: FeatureSequence): Promise<PredictOutcome> {
    this.windows.push(seq);
    return Promise.resolve({ kind: 'unavailable', reason: 'collecting windows' });
  }
}

/** Second pass: answers the n-th window with the n-th precomputed score row, at once. */
class Replayer implements Predictor {
  readonly servedBy = 'edge' as const;
  private next = 0;
  private pending: Promise<PredictOutcome> | undefined;
  constructor(private readonly windows: readonly FeatureSequence[], private readonly probabilities: readonly number[][], private readonly labels: readonly string[]) {}
  predict(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome> {
    const i = this.next++;
    const expected = this.windows[i];
    const probabilities = this.probabilities[i];
    // The two passes must send the same windows; anything else is a bug in this bench.
    if (!expected || !probabilities || expected.frames !== seq.frames) throw new Error(`window ${i} differs between the passes`);
    let top = 0;
    probabilities.forEach((p, k) => { if (p > (probabilities[top] as number)) top = k; });
    this.pending = Promise.resolve({
      kind: 'result',
      result: {
        id: `bench.${i}`, probabilities, label: this.labels[top] ?? String(top), topIndex: top,
        topProbability: probabilities[top] as number, servedBy: 'edge', trace: { capture: captureTs },
      },
    });
    return this.pending;
  }
  /** The answer the last frame started, if any (and forget it). */
  take(): Promise<PredictOutcome> | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }
  get answered(): number {
    return this.next;
  }
}

/** Scores windows with the model: grouped by length (partial windows are 15-29 frames), in batches. */
export async function scoreWindows(model: LoadedModel, windows: readonly FeatureSequence[], batchSize = 512): Promise<number[][]> {
  const seqLen = model.metadata.seq_len;
  const out: number[][] = new Array<number[]>(windows.length);
  const byLength = new Map<number, number[]>();
  windows.forEach((w, i) => {
    const frames = Math.min(w.frames, seqLen);
    const group = byLength.get(frames);
    if (group) group.push(i);
    else byLength.set(frames, [i]);
  });
  for (const [frames, indices] of byLength) {
    for (let at = 0; at < indices.length; at += batchSize) {
      const chunk = indices.slice(at, at + batchSize);
      const dim = model.metadata.feature_dim;
      const input = new Float32Array(chunk.length * frames * dim);
      chunk.forEach((wi, row) => input.set(prepareModelInput(windows[wi] as FeatureSequence, seqLen).data, row * frames * dim));
      const scores = await scoreBatch(model, input, chunk.length, frames);
      chunk.forEach((wi, row) => { out[wi] = (scores[row] as { probabilities: number[] }).probabilities; });
    }
  }
  return out;
}

export async function runStream(frames: readonly LandmarkFrame[], opts: RunOptions): Promise<StreamRun> {
  const collector = new Collector();
  const first = pipelineFor(opts, collector);
  for (const f of frames) first.onFrame(f);
  const probabilities = await scoreWindows(opts.model, collector.windows, opts.batchSize);

  const replayer = new Replayer(collector.windows, probabilities, opts.model.metadata.class_labels);
  const pipeline = pipelineFor(opts, replayer);
  const events: BenchEvent[] = [];
  pipeline.onEvent((_e, d) => events.push({ label: d.label, ts: d.ts }));
  for (const f of frames) {
    pipeline.onFrame(f);
    // The pipeline's own handler was attached first, so the decision is made when this resolves.
    const pending = replayer.take();
    if (pending) await pending;
  }
  if (replayer.answered !== collector.windows.length) throw new Error(`the second pass sent ${replayer.answered} windows, the first ${collector.windows.length}`);
  return { events, windows: collector.windows.length };
}
