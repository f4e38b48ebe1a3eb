/**
 * The feature pipeline at its edges: every slot rule of assignSlots on its own (thresholds
 * taken with equality, ties), the featurizer's input checks and options, and the window's
 * argument checks, ring buffer and mask layout.
 */
import { describe, expect, it } from 'vitest';
import { assignSlots, FeatureWindow, FrameFeaturizer, prepareModelInput, type SlotCandidate } from '../src/index';
import { frame, hand, handAt, ladder, type Point } from './helpers';

const rules = { handednessMinScore: 0.75, crossDistance: 0.125 };
const cand = (handedness: 'Left' | 'Right', score: number, x: number, y = 0.5): SlotCandidate => ({ handedness, score, center: [x, y] });
const none = [null, null] as const;

describe('assignSlots', () => {
  it('leaves both slots empty without hands', () => {
    expect(assignSlots([], none, rules)).toEqual([null, null]);
  });

  it('puts one hand by its label from the threshold score up, else by x (x < 0.5 is Left)', () => {
    expect(assignSlots([cand('Right', 0.75, 0.1)], none, rules)).toEqual([null, 0]);
    expect(assignSlots([cand('Left', 0.75, 0.9)], none, rules)).toEqual([0, null]);
    expect(assignSlots([cand('Right', 0.74, 0.1)], none, rules)).toEqual([0, null]);
    expect(assignSlots([cand('Left', 0.74, 0.5)], none, rules)).toEqual([null, 0]);
    expect(assignSlots([cand('Left', 0.74, 0.49)], none, rules)).toEqual([0, null]);
  });

  it('two confident hands with different labels go by label, whatever their x', () => {
    expect(assignSlots([cand('Right', 0.75, 0.2), cand('Left', 0.75, 0.8)], none, rules)).toEqual([1, 0]);
    expect(assignSlots([cand('Left', 0.75, 0.8), cand('Right', 0.75, 0.2)], none, rules)).toEqual([0, 1]);
  });

  it('one confident hand takes its labelled slot and the other the remaining one', () => {
    // By x the answer would be the opposite each time.
    expect(assignSlots([cand('Right', 0.75, 0.2), cand('Right', 0.74, 0.8)], none, rules)).toEqual([1, 0]);
    expect(assignSlots([cand('Left', 0.75, 0.8), cand('Left', 0.74, 0.2)], none, rules)).toEqual([0, 1]);
    expect(assignSlots([cand('Left', 0.74, 0.2), cand('Left', 0.75, 0.8)], none, rules)).toEqual([1, 0]);
    expect(assignSlots([cand('Right', 0.74, 0.8), cand('Right', 0.75, 0.2)], none, rules)).toEqual([0, 1]);
  });

  it('goes by x when neither is confident or both carry the same label, detection order on a tie', () => {
    expect(assignSlots([cand('Left', 0.5, 0.8), cand('Right', 0.5, 0.2)], none, rules)).toEqual([1, 0]);
    expect(assignSlots([cand('Left', 0.9, 0.8), cand('Left', 0.9, 0.2)], none, rules)).toEqual([1, 0]);
    expect(assignSlots([cand('Right', 0.5, 0.4), cand('Left', 0.5, 0.4)], none, rules)).toEqual([0, 1]);
  });

  it('pairs two close hands with the previous centers by the smaller summed distance', () => {
    // a and b 0.05 apart; labels (a Right, b Left, both confident) would give [1, 0].
    const a = cand('Right', 0.9, 0.5, 0.5), b = cand('Left', 0.9, 0.55, 0.5);
    // Straight: 0.05 + 0.05 = 0.1; swapped: 2 * hypot(0.05, 0.05) = 0.141.
    expect(assignSlots([a, b], [[0.5, 0.55], [0.55, 0.55]], rules)).toEqual([0, 1]);
    // Swapped is closer.
    expect(assignSlots([a, b], [[0.56, 0.5], [0.49, 0.5]], rules)).toEqual([1, 0]);
    // A tie keeps detection order.
    expect(assignSlots([a, b], [[0.525, 0.6], [0.525, 0.6]], rules)).toEqual([0, 1]);
  });

  it('uses the proximity rule only below crossDistance and with both previous centers', () => {
    const a = cand('Right', 0.9, 0.5), b = cand('Left', 0.9, 0.625); // exactly 0.125 apart
    expect(assignSlots([a, b], [[0.5, 0.5], [0.625, 0.5]], rules)).toEqual([1, 0]);
    const close = cand('Left', 0.9, 0.6);
    expect(assignSlots([a, close], [[0.5, 0.5], [0.6, 0.5]], rules)).toEqual([0, 1]);
    expect(assignSlots([a, close], [[0.5, 0.5], null], rules)).toEqual([1, 0]);
    expect(assignSlots([a, close], [null, [0.6, 0.5]], rules)).toEqual([1, 0]);
  });
});

describe('FrameFeaturizer checks and options', () => {
  const good = (): Point[] => ladder(0.3);

  it('names a landmark that is missing or not a finite number', () => {
    const f = new FrameFeaturizer({ useZ: false });
    const holes = good() as unknown as (Point | null)[];
    holes[4] = null;
    expect(() => f.push(frame(0, [hand('Left', 0.9, holes as Point[])]))).toThrow('hands[0].landmarks[4][0] must be a finite number (got undefined)');
    const nan = good();
    (nan[7] as Point)[1] = Number.NaN;
    expect(() => f.push(frame(0, [handAt('Right', 0.9, 0.7), hand('Left', 0.9, nan)]))).toThrow('hands[1].landmarks[7][1] must be a finite number (got NaN)');
  });

  it('refuses a coordinate beyond 1e6 in magnitude, and takes one at exactly 1e6', () => {
    const f = new FrameFeaturizer({ useZ: true });
    const big = good();
    (big[2] as Point)[2] = 1e6;
    expect(() => f.push(frame(0, [hand('Left', 0.9, big)]))).not.toThrow();
    (big[2] as Point)[2] = -1e6 - 1;
    expect(() => f.push(frame(0, [hand('Left', 0.9, big)]))).toThrow('hands[0].landmarks[2][2] = -1000001 is not a normalized image coordinate (|v| <= 1000000)');
  });

  it('accepts emaAlpha 1 (no smoothing) and refuses 0 or more than 1', () => {
    expect(() => new FrameFeaturizer({ useZ: false, emaAlpha: 1 })).not.toThrow();
    expect(() => new FrameFeaturizer({ useZ: false, emaAlpha: 0 })).toThrow('emaAlpha must be in (0, 1] (got 0)');
    expect(() => new FrameFeaturizer({ useZ: false, emaAlpha: 1.01 })).toThrow('emaAlpha must be in (0, 1] (got 1.01)');
    // alpha 1: each frame is its raw self, whatever came before.
    const f = new FrameFeaturizer({ useZ: false, emaAlpha: 1 });
    f.push(frame(0, [handAt('Left', 0.9, 0.3)]));
    const second = f.push(frame(1, [handAt('Left', 0.9, 0.4)]));
    const fresh = new FrameFeaturizer({ useZ: false, emaAlpha: 1 }).push(frame(1, [handAt('Left', 0.9, 0.4)]));
    expect(Array.from(second.slots[0]?.landmarks ?? [])).toEqual(Array.from(fresh.slots[0]?.landmarks ?? []));
  });

  it('smooths every landmark value, the last one included', () => {
    const f = new FrameFeaturizer({ useZ: true, emaAlpha: 0.5 });
    f.push(frame(0, [hand('Left', 0.9, ladder(0.2))]));
    const out = f.push(frame(1, [hand('Left', 0.9, ladder(0.4))]));
    const lm = out.slots[0]?.landmarks as Float32Array;
    expect(lm[0]).toBeCloseTo(0.3, 6);
    expect(lm[60]).toBeCloseTo(0.3 + 0.01 * 20, 6);
  });

  it('with more than two hands keeps the two best and never reads the others', () => {
    const f = new FrameFeaturizer({ useZ: false });
    const broken = { handedness: 'Left' as const, score: 0.1, landmarks: ladder(0.5).slice(0, 20) };
    const out = f.push(frame(0, [broken, handAt('Left', 0.9, 0.3), handAt('Right', 0.8, 0.7)]));
    expect(out.mask).toEqual([1, 1]);
    expect(out.slots.map((s) => s?.score)).toEqual([0.9, 0.8]);
  });

  it('keeps two hands in detection order (no sorting by score) for the slot rules', () => {
    // Neither confident, same x: the tie goes by detection order, so the first hand is Left.
    const f = new FrameFeaturizer({ useZ: false });
    const out = f.push(frame(0, [handAt('Right', 0.2, 0.5), handAt('Left', 0.3, 0.5)]));
    expect(out.slots.map((s) => s?.score)).toEqual([0.2, 0.3]);
  });
});

describe('FeatureWindow and prepareModelInput checks', () => {
  it('refuses a seqLen that is not a positive integer and a featureDim that is not a positive even integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new FeatureWindow(bad, 4), String(bad)).toThrow(`seqLen must be a positive integer (got ${bad})`);
    for (const bad of [0, 1, 3, 2.5, -2]) expect(() => new FeatureWindow(3, bad), String(bad)).toThrow(`featureDim must be a positive even integer (got ${bad})`);
    expect(new FeatureWindow(1, 2).seqLen).toBe(1);
    expect(() => prepareModelInput({ frames: 1, featureDim: 2, data: new Float32Array(2) }, 0)).toThrow('seqLen must be a positive integer (got 0)');
    expect(() => prepareModelInput({ frames: 1, featureDim: 2, data: new Float32Array(2) }, 1.5)).toThrow('seqLen must be a positive integer (got 1.5)');
    expect(() => prepareModelInput({ frames: 1, featureDim: 3, data: new Float32Array(3), mask: new Float32Array(2) }, 1)).toThrow('featureDim 3 is odd: a mask needs [Left, Right] halves');
    // Odd is fine without a mask.
    expect(prepareModelInput({ frames: 1, featureDim: 3, data: Float32Array.of(1, 2, 3) }, 1).data).toEqual(Float32Array.of(1, 2, 3));
  });

  it('holds each frame\'s mask at its own row, oldest first, after the ring wraps', () => {
    const w = new FeatureWindow(3, 2);
    const f = (v: number, mask: [number, number]) => ({ ts: v, vector: Float32Array.of(v, -v), mask, slots: [null, null] as [null, null] });
    w.push(f(1, [1, 0]));
    w.push(f(2, [0, 1]));
    expect(w.isFull).toBe(false);
    w.push(f(3, [1, 1]));
    w.push(f(4, [0, 0]));
    expect(w.isFull).toBe(true);
    const seq = w.toSequence();
    expect(Array.from(seq.data)).toEqual([2, -2, 3, -3, 4, -4]);
    expect(Array.from(seq.mask as Float32Array)).toEqual([0, 1, 1, 1, 0, 0]);
    expect(() => w.push({ ...f(5, [1, 1]), vector: Float32Array.of(1) })).toThrow('frame has 1 features, window expects 2');
  });

  it('masks every frame of the kept window, the last one included', () => {
    const seq = { frames: 2, featureDim: 2, data: Float32Array.of(1, 2, 3, 4), mask: Float32Array.of(0.5, 1, 1, 0) };
    expect(Array.from(prepareModelInput(seq, 2).data)).toEqual([0.5, 2, 3, 0]);
    expect(Array.from(seq.data)).toEqual([1, 2, 3, 4]); // the input is not modified
  });
});
