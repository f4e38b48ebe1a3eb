/** Per-row scores of a [batch, classes] output: softmax (when logits) and the top class. */
export interface RowScores {
  probabilities: number[];
  topIndex: number;
  topProbability: number;
}

export function rowScores(output: Float32Array, row: number, classes: number, softmax: boolean): RowScores {
  const base = row * classes;
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, output[base + c] as number);
  const probabilities = new Array<number>(classes);
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    const v = output[base + c] as number;
    // Subtracting the max keeps exp() finite for large logits.
    const p = softmax ? Math.exp(v - max) : v;
    probabilities[c] = p;
    sum += p;
  }
  let topIndex = 0;
  for (let c = 0; c < classes; c++) {
    if (softmax) probabilities[c] = (probabilities[c] as number) / sum;
    if ((probabilities[c] as number) > (probabilities[topIndex] as number)) topIndex = c;
  }
  return { probabilities, topIndex, topProbability: probabilities[topIndex] as number };
}
