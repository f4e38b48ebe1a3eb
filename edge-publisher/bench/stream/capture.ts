/**
 * Captures what the decision engine sees on one stream, once, so that many sets of decision
 * numbers can be tried on it without the model: every frame's gate stats and every window
 * sent with its stats and the model's scores (as logits-equivalent log probabilities, so a
 * temperature can be applied later). Gate numbers (presence, area) decide which windows are
 * sent, so a capture holds for the gate numbers it was made with only.
 */
import type { LoadedModel } from '@helen/model-runtime';
import type { FeatureSequence, LandmarkFrame } from '@helen/schemas';
import pino from 'pino';
import { DecisionEngine } from '../../src/decision/engine';
import type { DecisionSettings } from '../../src/decision/settings';
import type { WindowStats } from '../../src/decision/stats';
import { modelInfoFromMetadata } from '../../src/model-info';
import { EdgePipeline } from '../../src/pipeline/pipeline';
import type { ResampleOptions } from '../../src/pipeline/resample';
import { Collector, scoreWindows, type BenchEvent } from './runner';

/** One frame: its gate stats, and the window sent on it if any (index into `windows`). */
interface FrameStep {
  gate: Pick<WindowStats, 'presence' | 'areaLeft' | 'areaRight'>;
  window: number;
}

export interface StreamCapture {
  steps: FrameStep[];
  windowStats: WindowStats[];
  /** Natural-log probabilities per window (softmax(logits) taken back to log space). */
  logProbs: Float32Array[];
}

export async function captureStream(
  frames: readonly LandmarkFrame[], opts: { model: LoadedModel; gate: Partial<DecisionSettings>; stride: number; resample?: ResampleOptions },
): Promise<StreamCapture> {
  const collector = new Collector();
  const pipeline = new EdgePipeline({
    model: modelInfoFromMetadata(opts.model.metadata), decision: opts.gate, stride: opts.stride,
    deviceId: 'stream-tune', sessionId: 'stream-tune', predictor: collector, sinks: [], log: pino({ level: 'silent' }),
    ...(opts.resample ? { resample: opts.resample } : {}),
  });
  const steps: FrameStep[] = [];
  const windowStats: WindowStats[] = [];
  pipeline.onGate((s) => steps.push({ gate: { presence: s.presence, areaLeft: s.areaLeft, areaRight: s.areaRight }, window: -1 }));
  pipeline.onSend((s) => {
    windowStats.push(s);
    (steps.at(-1) as FrameStep).window = windowStats.length - 1;
  });
  for (const f of frames) pipeline.onFrame(f);
  const logProbs = await scoreLog(opts.model, collector.windows);
  return { steps, windowStats, logProbs };
}

/** Natural-log probabilities: the scores taken back to log space, so a temperature can be applied later. */
async function scoreLog(model: LoadedModel, windows: readonly FeatureSequence[]): Promise<Float32Array[]> {
  return (await scoreWindows(model, windows)).map((p) => Float32Array.from(p, (v) => Math.log(Math.max(v, 1e-30))));
}

/**
 * Softmax of logProbs / temperature. A model with the "no sign" output returns the signs' share
 * only (they sum to 1 - p(no sign)): that missing mass takes part in the softmax as one more
 * class and is left out again, so T = 1 gives back exactly what the model said (renormalising
 * the signs alone would hand p(no sign) to them and undo that output).
 */
export function calibrated(logProbs: Float32Array, temperature: number): Float64Array {
  let total = 0;
  for (const v of logProbs) total += Math.exp(v);
  // Below 1e-5 the gap is float32 rounding of a model without that output (22 values, ~1e-6).
  const noSign = 1 - total;
  const logNoSign = noSign > 1e-5 ? Math.log(noSign) : -Infinity;
  let max = logNoSign / temperature;
  for (const v of logProbs) max = Math.max(max, v / temperature);
  const out = new Float64Array(logProbs.length);
  let sum = Math.exp(logNoSign / temperature - max);
  logProbs.forEach((v, i) => { out[i] = Math.exp(v / temperature - max); sum += out[i] as number; });
  for (let i = 0; i < out.length; i++) (out[i] as number) /= sum;
  return out;
}

/** The events a decision engine with `settings` fires on a captured stream (answers instant, as in runner.ts). */
export function replayDecisions(capture: StreamCapture, labels: readonly string[], settings: Partial<DecisionSettings>, temperature = 1): BenchEvent[] {
  const engine = new DecisionEngine(labels, settings);
  const events: BenchEvent[] = [];
  for (const step of capture.steps) {
    if (!engine.gate(step.gate) || step.window < 0) continue;
    const stats = capture.windowStats[step.window] as WindowStats;
    const out = engine.onPrediction(calibrated(capture.logProbs[step.window] as Float32Array, temperature), stats);
    if (out.fired) events.push({ label: out.fired.label, ts: out.fired.ts });
  }
  return events;
}

/**
 * Two models' captures of the same streams (same gate numbers, so the same windows) as one:
 * the mean of their probabilities, in log space like a capture. What an ensemble of the two
 * would decide, at twice the model cost (`tune.ts --ensemble`).
 */
export function averageCaptures(a: StreamCapture, b: StreamCapture): StreamCapture {
  if (a.windowStats.length !== b.windowStats.length || a.logProbs.length !== b.logProbs.length) {
    throw new Error(`captures differ: ${a.windowStats.length} windows against ${b.windowStats.length} (were they made with other gate numbers?)`);
  }
  const logProbs = a.logProbs.map((la, w) => {
    const lb = b.logProbs[w] as Float32Array;
    return Float32Array.from(la, (v, k) => Math.log((Math.exp(v) + Math.exp(lb[k] as number)) / 2));
  });
  return { ...a, logProbs };
}
