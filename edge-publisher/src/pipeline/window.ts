/**
 * The edge's sliding window: the shared FeatureWindow (the model input) plus what the
 * decision engine needs per frame (motion, hand score).
 *
 * Like the original, frames without hands enter the window as zeros, so presence drops
 * while a hand is away. Unlike the original (which started empty only once, at program
 * start), the window restarts once it holds no hand at all: the next hand then runs on
 * partial windows again (>= minPartialFrames, never padded) and the early trigger can
 * serve it, as it served the original's first gesture.
 */
import { FeatureWindow, type FrameFeatures } from '@helen/features';
import type { FeatureSequence } from '@helen/schemas';
import { frameMotion, meanFeatureStd, type WindowStats } from '../decision/stats';

interface Aux {
  motion: number;
  handScore: number;
  hasHand: boolean;
  areaLeft: number;
  areaRight: number;
}

export class EdgeWindow {
  private readonly window: FeatureWindow;
  private readonly aux: Aux[] = [];
  private handFrames = 0;
  private prevLandmarks: (Float32Array | null)[] = [null, null];
  private newest: FrameFeatures | undefined;

  constructor(readonly seqLen: number, readonly featureDim: number) {
    this.window = new FeatureWindow(seqLen, featureDim);
  }

  get length(): number {
    return this.window.length;
  }

  /** `handScore`: the frame's mean hand detection score, 0 without hands. */
  push(features: FrameFeatures, handScore: number): void {
    const landmarks = features.slots.map((s) => s?.landmarks ?? null);
    const motion = frameMotion(this.prevLandmarks, landmarks);
    this.prevLandmarks = landmarks;
    this.newest = features;
    const hasHand = features.mask[0] > 0 || features.mask[1] > 0;
    if (!hasHand && this.handFrames === 0) {
      // Nothing but empty frames: keep the window empty so the next hand starts fresh.
      if (this.window.length > 0) this.clear();
      return;
    }
    if (this.aux.length === this.seqLen) {
      const dropped = this.aux.shift() as Aux;
      if (dropped.hasHand) this.handFrames--;
    }
    this.window.push(features);
    this.aux.push({ motion, handScore, hasHand, areaLeft: features.slots[0]?.bboxArea ?? 0, areaRight: features.slots[1]?.bboxArea ?? 0 });
    if (hasHand) this.handFrames++;
  }

  /**
   * `withSpread` false skips the feature std (the per-frame gate does not need it).
   * `areaFrames`: each hand's box area is its largest over the newest this many frames
   * (1: the newest frame only, the original rule).
   */
  stats(withSpread = true, areaFrames = 1): WindowStats {
    const n = this.aux.length;
    let motion = 0, score = 0;
    for (const a of this.aux) {
      motion += a.motion;
      score += a.handScore;
    }
    const slots = this.newest?.slots;
    let areaLeft = slots?.[0]?.bboxArea ?? 0, areaRight = slots?.[1]?.bboxArea ?? 0;
    for (let i = Math.max(0, n - areaFrames); i < n; i++) {
      const a = this.aux[i] as Aux;
      areaLeft = Math.max(areaLeft, a.areaLeft);
      areaRight = Math.max(areaRight, a.areaRight);
    }
    return {
      frames: n,
      seqLen: this.seqLen,
      presence: n === 0 ? 0 : this.handFrames / n,
      areaLeft,
      areaRight,
      motion: n === 0 ? 0 : motion / n,
      featureStd: withSpread ? meanFeatureStd(this.window.frames().map((f) => f.vector)) : 0,
      handScore: n === 0 ? 0 : score / n,
      ts: this.newest?.ts ?? 0,
    };
  }

  toSequence(): FeatureSequence {
    return this.window.toSequence();
  }

  clear(): void {
    this.window.clear();
    this.aux.length = 0;
    this.handFrames = 0;
  }
}
