import { WireError } from './errors';

/** In-memory T x F sequence, row-major. */
export interface FeatureSequence {
  frames: number;
  featureDim: number;
  data: Float32Array;
  /** frames*2, [mL, mR] per frame. */
  mask?: Float32Array;
}

/** Default decode limits: generous for seq_len 30 windows, small enough to bound memory. */
export const DEFAULT_MAX_FRAMES = 1024;
export const DEFAULT_MAX_FEATURE_DIM = 1024;

export interface SequenceLimits {
  maxFrames?: number;
  maxFeatureDim?: number;
}

export function checkDims(frames: number, featureDim: number, limits: SequenceLimits = {}): void {
  const maxFrames = limits.maxFrames ?? DEFAULT_MAX_FRAMES;
  const maxFeatureDim = limits.maxFeatureDim ?? DEFAULT_MAX_FEATURE_DIM;
  if (!Number.isInteger(frames) || frames < 1) throw new WireError(`sequence must have at least 1 frame (got ${frames})`);
  if (!Number.isInteger(featureDim) || featureDim < 1) throw new WireError(`sequence frames must have at least 1 feature (got ${featureDim})`);
  if (frames > maxFrames) throw new WireError(`sequence has ${frames} frames, more than the limit ${maxFrames}`);
  if (featureDim > maxFeatureDim) throw new WireError(`sequence has ${featureDim} features per frame, more than the limit ${maxFeatureDim}`);
}

/** Throws a WireError naming the first non-finite value by frame and feature index. */
export function checkFinite(data: ArrayLike<number>, featureDim: number, what = 'sequence'): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) {
      throw new WireError(`${what}[${Math.floor(i / featureDim)}][${i % featureDim}] is ${v}: values must be finite`);
    }
  }
}

/** Checks a FeatureSequence's own consistency (lengths, finite values). */
export function checkSequence(seq: FeatureSequence, limits: SequenceLimits = { maxFrames: Infinity, maxFeatureDim: Infinity }): void {
  checkDims(seq.frames, seq.featureDim, limits);
  if (seq.data.length !== seq.frames * seq.featureDim) {
    throw new WireError(`sequence data has ${seq.data.length} values, expected frames*featureDim = ${seq.frames * seq.featureDim}`);
  }
  checkFinite(seq.data, seq.featureDim);
  if (seq.mask) {
    if (seq.mask.length !== seq.frames * 2) throw new WireError(`mask has ${seq.mask.length} values, expected frames*2 = ${seq.frames * 2}`);
    checkFinite(seq.mask, 2, 'mask');
  }
}

/**
 * Builds a sequence from JSON-style rows. Checks that rows are non-empty, rectangular and
 * finite (also after rounding to float32), and that the mask, if any, is T x 2.
 */
export function sequenceFromRows(rows: readonly (readonly number[])[], mask?: readonly (readonly number[])[]): FeatureSequence {
  if (!Array.isArray(rows) || rows.length === 0) throw new WireError('sequence must be a non-empty 2-D array');
  const first = rows[0];
  if (!Array.isArray(first)) throw new WireError('sequence must be a 2-D array: sequence[0] is not an array');
  const frames = rows.length;
  const featureDim = first.length;
  if (featureDim === 0) throw new WireError('sequence[0] is empty: frames must have at least 1 feature');
  const data = new Float32Array(frames * featureDim);
  for (let t = 0; t < frames; t++) {
    const row = rows[t];
    if (!Array.isArray(row)) throw new WireError(`sequence[${t}] is not an array`);
    if (row.length !== featureDim) {
      throw new WireError(`sequence is not rectangular: sequence[${t}] has ${row.length} values, sequence[0] has ${featureDim}`);
    }
    const base = t * featureDim;
    for (let f = 0; f < featureDim; f++) {
      const v = row[f];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new WireError(`sequence[${t}][${f}] is ${String(v)}: values must be finite numbers`);
      data[base + f] = v;
      if (!Number.isFinite(data[base + f] as number)) throw new WireError(`sequence[${t}][${f}] = ${v} overflows float32`);
    }
  }
  const seq: FeatureSequence = { frames, featureDim, data };
  if (mask !== undefined) {
    if (!Array.isArray(mask) || mask.length !== frames) {
      throw new WireError(`mask must be T x 2 with T = ${frames} (got ${Array.isArray(mask) ? mask.length : typeof mask} rows)`);
    }
    const m = new Float32Array(frames * 2);
    for (let t = 0; t < frames; t++) {
      const row = mask[t];
      if (!Array.isArray(row) || row.length !== 2) throw new WireError(`mask[${t}] must be [mLeft, mRight]`);
      for (let k = 0; k < 2; k++) {
        const v = row[k];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new WireError(`mask[${t}][${k}] is ${String(v)}: values must be finite numbers`);
        m[t * 2 + k] = v;
      }
    }
    seq.mask = m;
  }
  return seq;
}

/** The sequence as JSON-style rows (and mask rows), e.g. for tests and the HTTP facade. */
export function sequenceToRows(seq: FeatureSequence): { sequence: number[][]; mask?: number[][] } {
  const sequence: number[][] = [];
  for (let t = 0; t < seq.frames; t++) sequence.push(Array.from(seq.data.subarray(t * seq.featureDim, (t + 1) * seq.featureDim)));
  if (!seq.mask) return { sequence };
  const mask: number[][] = [];
  for (let t = 0; t < seq.frames; t++) mask.push([seq.mask[t * 2] as number, seq.mask[t * 2 + 1] as number]);
  return { sequence, mask };
}
