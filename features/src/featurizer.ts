import type { LandmarkFrame } from '@helen/schemas';
import { assignSlots, SLOT_NAMES, type SlotCandidate } from './slots';
import { featureDim, handBboxArea, handCenter, handFeatureDim, LANDMARKS_PER_HAND, normalizeHand } from './normalize';

export interface FeatureOptions {
  useZ: boolean;
  /** Weight of the new frame in the per-slot EMA: s = alpha*x + (1-alpha)*s_prev. Default 0.35. */
  emaAlpha?: number;
  /** Handedness labels are trusted at or above this score. Default 0.7. */
  handednessMinScore?: number;
  /** Two hands closer than this (center distance) are assigned by continuity. Default 0.06. */
  crossDistance?: number;
}

export const DEFAULT_FEATURE_OPTIONS = Object.freeze({ emaAlpha: 0.35, handednessMinScore: 0.7, crossDistance: 0.06 });

export interface SlotInfo {
  /** The slot this hand sits in. */
  handedness: 'Left' | 'Right';
  /** MediaPipe's own label for the hand (may differ from the slot when its score was low). */
  label: 'Left' | 'Right';
  score: number;
  /** Mean x,y of the smoothed landmarks. */
  center: [number, number];
  /** Raw image-space bbox w*h of the smoothed hand. */
  bboxArea: number;
  /** 63 smoothed raw values x,y,z per landmark. */
  landmarks: Float32Array;
}

export interface FrameFeatures {
  ts: number;
  /** featureDim values, [Left slot, Right slot]; a missing hand is zeros. */
  vector: Float32Array;
  /** [mL, mR]: 1 when the slot holds a hand. */
  mask: [number, number];
  /** [Left, Right]. */
  slots: [SlotInfo | null, SlotInfo | null];
}

type Hand = LandmarkFrame['hands'][number];

/**
 * Landmarks are normalized image coordinates (a few units at most, even off-frame). Far
 * larger finite values overflow the bbox span (1e308 - -1e308 = Infinity) and the frame
 * vector turns NaN, a window no wire codec accepts (found by test/fuzz).
 */
const MAX_LANDMARK_ABS = 1e6;

function flattenLandmarks(hand: Hand, index: number): Float64Array {
  const lm = hand.landmarks as unknown as readonly (readonly number[])[];
  if (!Array.isArray(lm) || lm.length !== LANDMARKS_PER_HAND) {
    throw new Error(`hands[${index}] must have ${LANDMARKS_PER_HAND} landmarks (got ${Array.isArray(lm) ? lm.length : typeof lm})`);
  }
  const out = new Float64Array(LANDMARKS_PER_HAND * 3);
  for (let i = 0; i < LANDMARKS_PER_HAND; i++) {
    const p = lm[i];
    for (let k = 0; k < 3; k++) {
      const v = p?.[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`hands[${index}].landmarks[${i}][${k}] must be a finite number (got ${String(v)})`);
      if (Math.abs(v) > MAX_LANDMARK_ABS) {
        throw new Error(`hands[${index}].landmarks[${i}][${k}] = ${v} is not a normalized image coordinate (|v| <= ${MAX_LANDMARK_ABS})`);
      }
      out[i * 3 + k] = v;
    }
  }
  return out;
}

/**
 * The one implementation of the feature contract (edge at run time and dataset building).
 * Stateful: slot continuity and EMA depend on the previous frame, so use one featurizer per
 * camera stream and `reset()` between recordings. Order per frame: assign slots on raw
 * landmarks, smooth each slot's raw landmarks (EMA), then normalize the smoothed hand.
 */
export class FrameFeaturizer {
  readonly featureDim: number;
  private readonly useZ: boolean;
  private readonly alpha: number;
  private readonly rules: { handednessMinScore: number; crossDistance: number };
  /** Smoothed raw landmarks per slot, null when the slot was empty in the previous frame. */
  private smoothed: [Float64Array | null, Float64Array | null] = [null, null];
  /** Raw centers of the previous frame's hands per slot (for the proximity rule). */
  private prevCenters: [[number, number] | null, [number, number] | null] = [null, null];

  constructor(opts: FeatureOptions) {
    this.useZ = opts.useZ;
    this.featureDim = featureDim(opts.useZ);
    this.alpha = opts.emaAlpha ?? DEFAULT_FEATURE_OPTIONS.emaAlpha;
    if (!(this.alpha > 0 && this.alpha <= 1)) throw new Error(`emaAlpha must be in (0, 1] (got ${this.alpha})`);
    this.rules = {
      handednessMinScore: opts.handednessMinScore ?? DEFAULT_FEATURE_OPTIONS.handednessMinScore,
      crossDistance: opts.crossDistance ?? DEFAULT_FEATURE_OPTIONS.crossDistance,
    };
  }

  reset(): void {
    this.smoothed = [null, null];
    this.prevCenters = [null, null];
  }

  push(frame: LandmarkFrame): FrameFeatures {
    // More than two hands cannot come from HandLandmarker(numHands=2); keep the two best.
    const hands = frame.hands.length > 2 ? [...frame.hands].sort((p, q) => q.score - p.score).slice(0, 2) : frame.hands;
    const raw = hands.map((h, i) => flattenLandmarks(h, i));
    const candidates: SlotCandidate[] = hands.map((h, i) => ({ handedness: h.handedness, score: h.score, center: handCenter(raw[i] as Float64Array) }));
    const assigned = assignSlots(candidates, this.prevCenters, this.rules);

    const vector = new Float32Array(this.featureDim);
    const mask: [number, number] = [0, 0];
    const slots: [SlotInfo | null, SlotInfo | null] = [null, null];
    const handDim = handFeatureDim(this.useZ);
    for (const s of [0, 1] as const) {
      const hi = assigned[s];
      if (hi === null || hi === undefined) {
        this.smoothed[s] = null; // hand lost: the next hand in this slot starts a fresh EMA
        this.prevCenters[s] = null;
        continue;
      }
      const x = raw[hi] as Float64Array;
      const prev = this.smoothed[s];
      const sm = new Float64Array(x.length);
      if (prev) for (let i = 0; i < x.length; i++) sm[i] = this.alpha * (x[i] as number) + (1 - this.alpha) * (prev[i] as number);
      else sm.set(x);
      this.smoothed[s] = sm;
      this.prevCenters[s] = (candidates[hi] as SlotCandidate).center as [number, number];
      normalizeHand(sm, this.useZ, vector, s * handDim);
      mask[s] = 1;
      const hand = hands[hi] as Hand;
      slots[s] = {
        handedness: SLOT_NAMES[s],
        label: hand.handedness,
        score: hand.score,
        center: handCenter(sm),
        bboxArea: handBboxArea(sm),
        landmarks: Float32Array.from(sm),
      };
    }
    return { ts: frame.ts, vector, mask, slots };
  }
}
