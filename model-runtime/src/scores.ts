/**
 * Scores of the model's [batch, classes] output. The one softmax and argmax of the project:
 * the worker's replies, the edge's local fallback and the evaluation tools all go through
 * these, so a cloud answer and a local answer to the same window are the same numbers.
 */
export interface RowScores {
  probabilities: number[];
  topIndex: number;
  topProbability: number;
}

/** Softmax in float64; subtracting the max keeps exp() finite for large logits. */
export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  const out = new Array<number>(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i] as number) - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

/** Index (relative to `offset`) of the largest of `length` values; the first on ties. */
export function argmax(values: ArrayLike<number>, offset = 0, length = values.length - offset): number {
  let best = 0;
  for (let i = 1; i < length; i++) if ((values[offset + i] as number) > (values[offset + best] as number)) best = i;
  return best;
}

/** One row of a flat [batch, classes] output: probabilities (softmaxed when logits) and the top class. */
export function rowScores(output: Float32Array, row: number, classes: number, isLogits: boolean): RowScores {
  const values = output.subarray(row * classes, (row + 1) * classes);
  const probabilities = isLogits ? softmax(values) : Array.from(values);
  const topIndex = argmax(probabilities);
  return { probabilities, topIndex, topProbability: probabilities[topIndex] as number };
}
