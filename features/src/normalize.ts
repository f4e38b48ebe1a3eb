/** Landmarks per hand (MediaPipe HandLandmarker). */
export const LANDMARKS_PER_HAND = 21;
/** Guards the divisions of bbox normalization and z standardization (ARCHITECTURE.md). */
export const NORM_EPS = 1e-6;

/** Features of one hand: 42 (x,y per landmark) or 63 (x,y,z per landmark). */
export function handFeatureDim(useZ: boolean): number {
  return useZ ? LANDMARKS_PER_HAND * 3 : LANDMARKS_PER_HAND * 2;
}

/** Features of one frame, [Left slot, Right slot]: 84 or 126. */
export function featureDim(useZ: boolean): number {
  return 2 * handFeatureDim(useZ);
}

/**
 * Writes one hand's features into `out` at `offset`. `landmarks` holds 63 values laid out
 * x0,y0,z0,x1,... (raw normalized image coordinates, already smoothed).
 * x and y: `(p - min) / max(max - min, 1e-6)` over that hand's own bounding box, per axis.
 * z (useZ): `(z - mean) / (std + 1e-6)` with the population std of that hand's 21 z values.
 * Layout: x0,y0,...,x20,y20 without z; x0,y0,z0,...,x20,y20,z20 with z.
 * Computed in float64, stored as float32.
 */
export function normalizeHand(landmarks: ArrayLike<number>, useZ: boolean, out: Float32Array, offset: number): void {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, sumZ = 0;
  for (let i = 0; i < LANDMARKS_PER_HAND; i++) {
    const x = landmarks[i * 3] as number, y = landmarks[i * 3 + 1] as number;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    sumZ += landmarks[i * 3 + 2] as number;
  }
  const spanX = Math.max(maxX - minX, NORM_EPS);
  const spanY = Math.max(maxY - minY, NORM_EPS);
  if (!useZ) {
    for (let i = 0; i < LANDMARKS_PER_HAND; i++) {
      out[offset + i * 2] = ((landmarks[i * 3] as number) - minX) / spanX;
      out[offset + i * 2 + 1] = ((landmarks[i * 3 + 1] as number) - minY) / spanY;
    }
    return;
  }
  const meanZ = sumZ / LANDMARKS_PER_HAND;
  let sq = 0;
  for (let i = 0; i < LANDMARKS_PER_HAND; i++) sq += ((landmarks[i * 3 + 2] as number) - meanZ) ** 2;
  const stdZ = Math.sqrt(sq / LANDMARKS_PER_HAND);
  for (let i = 0; i < LANDMARKS_PER_HAND; i++) {
    out[offset + i * 3] = ((landmarks[i * 3] as number) - minX) / spanX;
    out[offset + i * 3 + 1] = ((landmarks[i * 3 + 1] as number) - minY) / spanY;
    out[offset + i * 3 + 2] = ((landmarks[i * 3 + 2] as number) - meanZ) / (stdZ + NORM_EPS);
  }
}

/** Mean x,y of the 21 landmarks (the "hand center" used by slot assignment and SlotInfo). */
export function handCenter(landmarks: ArrayLike<number>): [number, number] {
  let sx = 0, sy = 0;
  for (let i = 0; i < LANDMARKS_PER_HAND; i++) {
    sx += landmarks[i * 3] as number;
    sy += landmarks[i * 3 + 1] as number;
  }
  return [sx / LANDMARKS_PER_HAND, sy / LANDMARKS_PER_HAND];
}

/** Raw image-space bounding box area (w*h) of a hand. */
export function handBboxArea(landmarks: ArrayLike<number>): number {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < LANDMARKS_PER_HAND; i++) {
    const x = landmarks[i * 3] as number, y = landmarks[i * 3 + 1] as number;
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  return (maxX - minX) * (maxY - minY);
}
