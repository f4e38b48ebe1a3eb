/**
 * Accuracy of an ONNX model through onnxruntime-node, the runtime that serves it: on a
 * dataset split (the model card's figures) or on freshly generated synthetic windows.
 */
import { CLASS_LABELS } from '@helen/schemas';
import { prepareModelInput, windowsFromFrames } from '@helen/features';
import { readDataset } from './dataset/build';
import type { Split } from './dataset/split';
import { generateRecording, mixSeed } from '@helen/synthetic-signer';
import { argmax, createSession, loadModelMetadata, runBatch } from '@helen/model-runtime';

/** Column of the confusion counts for a window a "no sign" model gave mostly to "no sign". */
export const NO_SIGN = 'no sign';

export interface Evaluation {
  windows: number;
  /** Frames per window the model saw (the last T of each window). */
  time: number;
  accuracy: number;
  perClass: { label: string; windows: number; correct: number; accuracy: number }[];
  /** Off-diagonal confusion counts, largest first (`predicted` is NO_SIGN for a sign the model called no sign). */
  confusions: { expected: string; predicted: string; count: number }[];
  elapsedMs: number;
  batch: number;
  /**
   * "No sign" windows (target -1, e.g. idle recordings): left out of `windows`/`accuracy`; their
   * mean top sign probability and how many reach 0.995 (the edge's static threshold) instead.
   */
  outliers?: { windows: number; meanTopP: number; atLeast995: number };
}

export interface Windows { X: Float32Array; y: Int32Array; count: number; seqLen: number; featureDim: number }

/** Classifies windows (optionally cut to their last `time` frames) and tallies the results. */
export async function evaluateWindows(onnxPath: string, w: Windows, labels: readonly string[], time = w.seqLen, batch = 256): Promise<Evaluation> {
  if (time < 1 || time > w.seqLen) throw new Error(`time must be 1..${w.seqLen} (got ${time})`);
  // A model with the "no sign" output returns the signs' probabilities (they sum to 1 - p(no sign));
  // one without it returns logits.
  const isLogits = (await loadModelMetadata(onnxPath)).output.kind === 'logits';
  const session = await createSession(onnxPath);
  const C = labels.length;
  const matrix = Array.from({ length: C }, () => new Array<number>(C + 1).fill(0));
  let outlierWindows = 0;
  let outlierTopSum = 0;
  let outlierAt995 = 0;
  const t0 = performance.now();
  try {
    const F = w.featureDim;
    for (let start = 0; start < w.count; start += batch) {
      const n = Math.min(batch, w.count - start);
      const data = new Float32Array(n * time * F);
      for (let i = 0; i < n; i++) {
        const from = ((start + i) * w.seqLen + (w.seqLen - time)) * F;
        data.set(w.X.subarray(from, from + time * F), i * time * F);
      }
      const out = await runBatch(session, data, n, time, F);
      for (let i = 0; i < n; i++) {
        const best = argmax(out, i * C, C);
        const top = isLogits ? topProbability(out, i * C, C) : (out[i * C + best] as number);
        if ((w.y[start + i] as number) < 0) {
          outlierWindows++;
          outlierTopSum += top;
          if (top >= 0.995) outlierAt995++;
          continue;
        }
        const row = matrix[w.y[start + i] as number];
        const noSign = isLogits ? 0 : 1 - sum(out, i * C, C);
        const predicted = noSign > top ? C : best;
        if (row) row[predicted] = (row[predicted] ?? 0) + 1;
      }
    }
  } finally {
    await session.release();
  }
  const perClass = labels.map((label, c) => {
    const row = matrix[c] ?? [];
    const windows = row.reduce((a, b) => a + b, 0);
    const correct = row[c] ?? 0;
    return { label, windows, correct, accuracy: windows ? correct / windows : NaN };
  });
  const correct = perClass.reduce((a, p) => a + p.correct, 0);
  const confusions = matrix
    .flatMap((row, e) => row.map((count, p) => ({ expected: labels[e] ?? String(e), predicted: p === C ? NO_SIGN : (labels[p] ?? String(p)), count, diag: e === p })))
    .filter((c) => !c.diag && c.count > 0)
    .map(({ expected, predicted, count }) => ({ expected, predicted, count }))
    .sort((a, b) => b.count - a.count);
  const signs = w.count - outlierWindows;
  return {
    windows: signs, time, batch, accuracy: signs ? correct / signs : NaN, perClass, confusions, elapsedMs: performance.now() - t0,
    ...(outlierWindows > 0 ? { outliers: { windows: outlierWindows, meanTopP: outlierTopSum / outlierWindows, atLeast995: outlierAt995 } } : {}),
  };
}

function sum(values: ArrayLike<number>, offset: number, C: number): number {
  let total = 0;
  for (let c = 0; c < C; c++) total += values[offset + c] as number;
  return total;
}

/** Largest softmax probability of one row of logits. */
function topProbability(logits: ArrayLike<number>, offset: number, C: number): number {
  let max = -Infinity;
  for (let c = 0; c < C; c++) max = Math.max(max, logits[offset + c] as number);
  let sum = 0;
  for (let c = 0; c < C; c++) sum += Math.exp((logits[offset + c] as number) - max);
  return 1 / sum;
}

export async function evaluateDataset(onnxPath: string, datasetDir: string, split: Split = 'test', time?: number, batch?: number): Promise<Evaluation> {
  const { meta, splits } = await readDataset(datasetDir);
  const s = splits[split];
  return evaluateWindows(onnxPath, { X: s.X, y: s.y, count: s.count, seqLen: meta.seq_len, featureDim: meta.feature_dim }, meta.class_labels, time ?? meta.seq_len, batch);
}

/** Windows from new synthetic recordings, through the same feature code, in memory. */
export function syntheticWindows(opts: { seed: number; perClass: number; frames?: number; seqLen?: number; useZ?: boolean; stride?: number }): Windows {
  const seqLen = opts.seqLen ?? 30;
  const frames = opts.frames ?? seqLen + 10;
  const chunks: Float32Array[] = [];
  const ys: number[] = [];
  let featureDim = 0;
  CLASS_LABELS.forEach((label, c) => {
    for (let n = 0; n < opts.perClass; n++) {
      const rec = generateRecording({ seed: mixSeed(opts.seed, c, n), label, frames });
      for (const w of windowsFromFrames(rec, { useZ: opts.useZ ?? false, seqLen, stride: opts.stride ?? 10 })) {
        const x = prepareModelInput(w, seqLen);
        featureDim = x.featureDim;
        chunks.push(x.data);
        ys.push(c);
      }
    }
  });
  const X = new Float32Array(chunks.length * seqLen * featureDim);
  chunks.forEach((d, i) => X.set(d, i * seqLen * featureDim));
  return { X, y: Int32Array.from(ys), count: ys.length, seqLen, featureDim };
}

export function formatEvaluation(e: Evaluation, title: string): string {
  const perWindow = e.windows ? e.elapsedMs / e.windows : NaN;
  const lines = [`${title}: ${(100 * e.accuracy).toFixed(2)}% of ${e.windows} windows at T=${e.time} (batch ${e.batch}: ${e.elapsedMs.toFixed(0)} ms, ${perWindow.toFixed(3)} ms/window)`];
  lines.push('| class | windows | correct | accuracy |', '| --- | ---: | ---: | ---: |');
  for (const p of e.perClass) lines.push(`| ${p.label} | ${p.windows} | ${p.correct} | ${(100 * p.accuracy).toFixed(1)}% |`);
  lines.push('', e.confusions.length ? 'confusions (expected -> predicted: windows):' : 'confusions: none');
  for (const c of e.confusions.slice(0, 20)) lines.push(`- ${c.expected} -> ${c.predicted}: ${c.count}`);
  if (e.outliers) {
    lines.push('', `no-sign windows (target -1, not in the accuracy): ${e.outliers.windows}, mean top probability ${e.outliers.meanTopP.toFixed(4)}, ` +
      `${e.outliers.atLeast995} with top probability >= 0.995`);
  }
  return lines.join('\n');
}
