/**
 * The benchmark: `streams` scenarios of a split, each rendered, run through the edge
 * pipeline with the model and scored, added up into one report.
 */
import type { LoadedModel } from '@helen/model-runtime';
import type { DecisionSettings } from '../../src/decision/settings';
import type { ResampleOptions } from '../../src/pipeline/resample';
import { renderScenario } from './frames';
import { BenchTotals, type BenchReport } from './report';
import { runStream } from './runner';
import { generateScenario, splitSeed, type Scenario, type Split } from './scenario';
import { DEFAULT_TOLERANCE_MS, scoreStream, type StreamScore } from './scorer';

export interface BenchOptions {
  split: Split;
  streams: number;
  /** Index of the first stream within the split (so runs can be continued or spread). */
  seedBase: number;
  model: LoadedModel;
  decision: Partial<DecisionSettings>;
  stride: number;
  toleranceMs?: number;
  resample?: ResampleOptions;
  /** Called after each stream (progress output, per-stream detail such as `--list-false`). */
  onStream?: (done: number, seed: number, detail: StreamDetail) => void;
}

export interface StreamDetail {
  scenario: Scenario;
  score: StreamScore;
  /** Frame time of the stream's first frame: event times relative to it place them in the script. */
  start: number;
}

export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  if (!Number.isInteger(opts.streams) || opts.streams < 1) throw new Error(`streams must be a positive integer (got ${opts.streams})`);
  const totals = new BenchTotals(opts.model.metadata.class_labels);
  for (let i = 0; i < opts.streams; i++) {
    const seed = splitSeed(opts.split, opts.seedBase + i);
    const scenario = generateScenario(seed);
    const stream = renderScenario(scenario);
    const run = await runStream(stream.frames, { model: opts.model, decision: opts.decision, stride: opts.stride, ...(opts.resample ? { resample: opts.resample } : {}) });
    const score = scoreStream(stream.signs, run.events, stream, opts.toleranceMs ?? DEFAULT_TOLERANCE_MS, stream.empty);
    totals.add(score, { idleOnly: scenario.kind === 'idle-only', frames: stream.frames.length, windows: run.windows, durationMs: stream.end - stream.start });
    opts.onStream?.(i + 1, seed, { scenario, score, start: stream.start });
  }
  return totals.report();
}
