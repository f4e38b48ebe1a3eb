/**
 * Train / validation / test assignment by recording, stratified by class: every window of a
 * recording lands in the split its recording was given, so no recording (one signer's one
 * take) is ever on both sides of an evaluation.
 */
import { createRng } from '@helen/synthetic-signer';

export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export interface SplitFractions { val: number; test: number }

/**
 * Returns the split of each item (same order as `items`). Items of one class are shuffled
 * with the seed, then the first share goes to test, the next to val, the rest to train;
 * a class with 3+ recordings gets at least one in each split.
 */
export function splitByRecording<T>(
  items: readonly T[], classOf: (item: T) => string, seed: number, fractions: SplitFractions = { val: 0.15, test: 0.15 },
): Split[] {
  const out = new Array<Split>(items.length).fill('train');
  const byClass = new Map<string, number[]>();
  items.forEach((item, i) => {
    const c = classOf(item);
    byClass.set(c, [...(byClass.get(c) ?? []), i]);
  });
  const rng = createRng(seed);
  for (const cls of [...byClass.keys()].sort()) {
    const idx = byClass.get(cls) ?? [];
    // Fisher-Yates with the seeded generator: reproducible for the same inputs and seed.
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
    }
    const n = idx.length;
    const atLeastOne = n >= 3 ? 1 : 0;
    const nTest = Math.max(atLeastOne, Math.round(n * fractions.test));
    const nVal = Math.max(atLeastOne, Math.round(n * fractions.val));
    idx.forEach((itemIndex, k) => {
      out[itemIndex] = k < nTest ? 'test' : k < nTest + nVal ? 'val' : 'train';
    });
  }
  return out;
}
