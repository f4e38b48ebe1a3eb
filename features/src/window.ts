import type { FeatureSequence } from '@helen/schemas';
import type { LandmarkFrame } from '@helen/schemas';
import { FrameFeaturizer, type FeatureOptions, type FrameFeatures } from './featurizer';

/**
 * Fewest frames a partial window may run on: max(6, floor(seqLen / 2)), never more than
 * seqLen. floor, as the original Python client's `seq_len // 2`: for seq_len 30 that is
 * 15, the "15 to 29 frames" the original client sent while its window filled.
 */
export function minPartialFrames(seqLen: number): number {
  return Math.min(seqLen, Math.max(6, Math.floor(seqLen / 2)));
}

/** The last `seqLen` frames' features (a ring buffer), oldest first. */
export class FeatureWindow {
  private readonly buf: FrameFeatures[] = [];
  private start = 0;

  constructor(readonly seqLen: number, readonly featureDim: number) {
    if (!Number.isInteger(seqLen) || seqLen < 1) throw new Error(`seqLen must be a positive integer (got ${seqLen})`);
    if (!Number.isInteger(featureDim) || featureDim < 2 || featureDim % 2 !== 0) throw new Error(`featureDim must be a positive even integer (got ${featureDim})`);
  }

  get length(): number {
    return this.buf.length;
  }

  get isFull(): boolean {
    return this.buf.length === this.seqLen;
  }

  push(f: FrameFeatures): void {
    if (f.vector.length !== this.featureDim) throw new Error(`frame has ${f.vector.length} features, window expects ${this.featureDim}`);
    if (this.buf.length < this.seqLen) {
      this.buf.push(f);
      return;
    }
    this.buf[this.start] = f;
    this.start = (this.start + 1) % this.seqLen;
  }

  frames(): readonly FrameFeatures[] {
    return [...this.buf.slice(this.start), ...this.buf.slice(0, this.start)];
  }

  /** The frames held, oldest first, with their mask (never padded; frames may be < seqLen). */
  toSequence(): FeatureSequence {
    const frames = this.frames();
    const data = new Float32Array(frames.length * this.featureDim);
    const mask = new Float32Array(frames.length * 2);
    frames.forEach((f, t) => {
      data.set(f.vector, t * this.featureDim);
      mask[t * 2] = f.mask[0];
      mask[t * 2 + 1] = f.mask[1];
    });
    return { frames: frames.length, featureDim: this.featureDim, data, mask };
  }

  clear(): void {
    this.buf.length = 0;
    this.start = 0;
  }
}

/**
 * What the server does before the model (ARCHITECTURE.md): keep the last `seqLen` frames of
 * a longer sequence and multiply each hand's half of every frame by that hand's mask. A
 * shorter sequence is kept as it is (never padded). Without a mask the values pass unchanged.
 * Returns a new sequence; the input is not modified.
 */
export function prepareModelInput(seq: FeatureSequence, seqLen: number): FeatureSequence {
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new Error(`seqLen must be a positive integer (got ${seqLen})`);
  const F = seq.featureDim;
  const start = Math.max(0, seq.frames - seqLen);
  const frames = seq.frames - start;
  const data = seq.data.slice(start * F, seq.frames * F);
  if (!seq.mask) return { frames, featureDim: F, data };
  if (F % 2 !== 0) throw new Error(`featureDim ${F} is odd: a mask needs [Left, Right] halves`);
  const mask = seq.mask.slice(start * 2, seq.frames * 2);
  const half = F / 2;
  for (let t = 0; t < frames; t++) {
    for (let h = 0; h < 2; h++) {
      const m = mask[t * 2 + h] as number;
      if (m === 1) continue;
      const base = t * F + h * half;
      for (let i = 0; i < half; i++) data[base + i] = (data[base + i] as number) * m;
    }
  }
  return { frames, featureDim: F, data, mask };
}

/**
 * Dataset building: one featurizer pass over a recording, emitting a full window at the
 * first frame where `seqLen` frames are held and then every `stride` frames. Call once per
 * recording (the featurizer starts fresh), so windows never span two recordings.
 */
export function windowsFromFrames(frames: LandmarkFrame[], opts: FeatureOptions & { seqLen: number; stride: number }): FeatureSequence[] {
  if (!Number.isInteger(opts.stride) || opts.stride < 1) throw new Error(`stride must be a positive integer (got ${opts.stride})`);
  const featurizer = new FrameFeaturizer(opts);
  const window = new FeatureWindow(opts.seqLen, featurizer.featureDim);
  const out: FeatureSequence[] = [];
  frames.forEach((frame, i) => {
    window.push(featurizer.push(frame));
    if (window.isFull && (i - (opts.seqLen - 1)) % opts.stride === 0) out.push(window.toSequence());
  });
  return out;
}
