/** What the decision engine knows about the window a prediction was made on. */
export interface WindowStats {
  /** Frames in the window (fewer than seqLen while it fills: a partial window). */
  frames: number;
  seqLen: number;
  /** Fraction of the window's frames with at least one hand. */
  presence: number;
  /** Box area (image fraction) of the smoothed Left / Right hand in the newest frame; 0 if absent. */
  areaLeft: number;
  areaRight: number;
  /** Mean over the window's frames of the per-frame landmark motion (see `frameMotion`). */
  motion: number;
  /** Mean over features of each feature's std across the window's frames (numpy `std(axis=0).mean()`). */
  featureStd: number;
  /** Mean over the window's frames of the frame's mean hand detection score (0 without hands). */
  handScore: number;
  /** Capture time (epoch ms) of the newest frame. */
  ts: number;
}

/**
 * Mean xy displacement of the 21 landmarks between two frames, averaged over the hands
 * present in both (the original `motion_energy`, on smoothed landmarks). 0 when none is.
 * Slots hold 63 values x,y,z per landmark.
 */
export function frameMotion(prev: readonly (Float32Array | null)[], cur: readonly (Float32Array | null)[]): number {
  let total = 0;
  let hands = 0;
  for (let s = 0; s < 2; s++) {
    const a = prev[s], b = cur[s];
    if (!a || !b) continue;
    let sum = 0;
    for (let i = 0; i < 21; i++) sum += Math.hypot((a[i * 3] as number) - (b[i * 3] as number), (a[i * 3 + 1] as number) - (b[i * 3 + 1] as number));
    total += sum / 21;
    hands++;
  }
  return hands === 0 ? 0 : total / hands;
}

/** Mean over features of the population std of each feature across `rows`. */
export function meanFeatureStd(rows: readonly Float32Array[]): number {
  const n = rows.length;
  if (n === 0) return 0;
  const dim = (rows[0] as Float32Array).length;
  let acc = 0;
  for (let f = 0; f < dim; f++) {
    let mean = 0;
    for (const r of rows) mean += r[f] as number;
    mean /= n;
    let sq = 0;
    for (const r of rows) sq += ((r[f] as number) - mean) ** 2;
    acc += Math.sqrt(sq / n);
  }
  return acc / dim;
}
