import { describe, expect, it } from 'vitest';
import { rowScores } from '../src/scores';

describe('rowScores', () => {
  it('softmaxes one row of logits and finds the top class', () => {
    const out = new Float32Array([9, 9, 9, 1, 2, 3]);
    const s = rowScores(out, 1, 3, true);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const sum = e[0]! + e[1]! + e[2]!;
    s.probabilities.forEach((p, i) => expect(p).toBeCloseTo(e[i]! / sum, 12));
    expect(s.topIndex).toBe(2);
    expect(s.topProbability).toBe(s.probabilities[2]);
  });

  it('stays finite for large logits and passes probabilities through unchanged', () => {
    expect(rowScores(new Float32Array([1000, 999]), 0, 2, true).probabilities.every(Number.isFinite)).toBe(true);
    expect(rowScores(new Float32Array([0.25, 0.75]), 0, 2, false)).toEqual({ probabilities: [0.25, 0.75], topIndex: 1, topProbability: 0.75 });
  });
});
