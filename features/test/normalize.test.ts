import { describe, expect, it } from 'vitest';
import { featureDim, FrameFeaturizer } from '../src/index';
import { frame, hand, ladder, type Point } from './helpers';

const expectClose = (actual: ArrayLike<number>, expected: number[], digits = 6): void => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => {
    if (Math.abs((actual[i] as number) - v) > 10 ** -digits) expect.fail(`[${i}] = ${actual[i]}, expected ${v}`);
  });
};

describe('feature layout and per-hand normalization', () => {
  it('has 84 or 126 features', () => {
    expect(featureDim(false)).toBe(84);
    expect(featureDim(true)).toBe(126);
    expect(new FrameFeaturizer({ useZ: true }).featureDim).toBe(126);
  });

  it('normalizes x,y by the hand bbox, laid out x0,y0,...,x20,y20; a missing hand is zeros with mask 0', () => {
    // x_i = 0.2 + 0.01 i spans 0.2..0.4 -> (x_i - 0.2) / 0.2 = i / 20.
    // y = 0.5 (even i) / 0.6 (odd i) spans 0.1 -> 0 / 1.
    const f = new FrameFeaturizer({ useZ: false }).push(frame(1, [hand('Left', 0.9, ladder(0.2))]));
    const expected: number[] = [];
    for (let i = 0; i < 21; i++) expected.push(i / 20, i % 2);
    expectClose(f.vector.subarray(0, 42), expected);
    expect(Array.from(f.vector.subarray(42))).toEqual(new Array(42).fill(0));
    expect(f.mask).toEqual([1, 0]);
    expect(f.slots[1]).toBeNull();
    expect(f.slots[0]?.handedness).toBe('Left');
    expect(f.slots[0]?.bboxArea).toBeCloseTo(0.2 * 0.1, 12);
    expect(f.slots[0]?.center[0]).toBeCloseTo(0.3, 12);
    expect(f.slots[0]?.center[1]).toBeCloseTo(0.5 + 0.1 * 10 / 21, 12);
    expect(f.ts).toBe(1);
  });

  it('puts a lone Right hand in the second half and zeros the first', () => {
    const f = new FrameFeaturizer({ useZ: true }).push(frame(1, [hand('Right', 0.95, ladder(0.5))]));
    expect(f.mask).toEqual([0, 1]);
    expect(Array.from(f.vector.subarray(0, 63))).toEqual(new Array(63).fill(0));
    expect(f.vector[63]).toBe(0);
    expect(f.vector[63 + 3]).toBeCloseTo(1 / 20, 6); // x1 after x0,y0,z0
    expect(f.vector[63 + 4]).toBeCloseTo(1, 6); // y1
  });

  it('gives zeros for a degenerate hand (max == min) through the 1e-6 floor', () => {
    const same: Point[] = Array.from({ length: 21 }, () => [0.3, 0.4, 0.1]);
    const f = new FrameFeaturizer({ useZ: true }).push(frame(1, [hand('Left', 0.9, same)]));
    // x and y are exactly 0 / 1e-6 = 0; z is (z - mean) / (0 + 1e-6), where the float64 mean of
    // 21 copies of 0.1 may differ from 0.1 by an ulp: zero to within 1e-9.
    for (let i = 0; i < 63; i++) {
      if (i % 3 === 2) expect(Math.abs(f.vector[i] as number)).toBeLessThan(1e-9);
      else expect(f.vector[i]).toBe(0);
    }
    expect(Array.from(f.vector.subarray(63))).toEqual(new Array(63).fill(0));
    expect(f.mask).toEqual([1, 0]);
    expect(f.slots[0]?.bboxArea).toBe(0);
  });

  it('divides by 1e-6 when the span is below it', () => {
    // x spans 5e-7 (< 1e-6): x20 -> 5e-7 / 1e-6 = 0.5, not 1.
    const pts: Point[] = Array.from({ length: 21 }, (_, i) => [i === 20 ? 0.3 + 5e-7 : 0.3, 0.4 + 0.01 * i, 0]);
    const f = new FrameFeaturizer({ useZ: false }).push(frame(1, [hand('Left', 0.9, pts)]));
    expect(f.vector[40]).toBeCloseTo(0.5, 6);
    expect(f.vector[0]).toBe(0);
    expect(f.vector[41]).toBeCloseTo(1, 6); // y spans 0.2 normally
  });

  it('standardizes z per hand with the population std, layout x,y,z per landmark', () => {
    // z_i = 0.5 + 0.01 (i - 10): mean 0.5, population variance 1e-4 * 2 * (1^2 + ... + 10^2) / 21 = 1e-4 * 110 / 3.
    const pts: Point[] = ladder(0.2).map(([x, y], i) => [x, y, 0.5 + 0.01 * (i - 10)] as Point);
    const f = new FrameFeaturizer({ useZ: true }).push(frame(1, [hand('Left', 0.9, pts)]));
    const std = 0.01 * Math.sqrt(110 / 3); // 0.0605530...; the sample std would be 0.01 * sqrt(770 / 20)
    const expected: number[] = [];
    for (let i = 0; i < 21; i++) expected.push(i / 20, i % 2, (0.01 * (i - 10)) / (std + 1e-6));
    expectClose(f.vector.subarray(0, 63), expected, 5);
    expect(f.vector[62]).toBeCloseTo(1.65142, 4); // z20 = 0.1 / 0.0605540
    expect(Array.from(f.vector.subarray(63))).toEqual(new Array(63).fill(0));
  });

  it('refuses a hand that does not have 21 finite landmarks', () => {
    const fz = new FrameFeaturizer({ useZ: false });
    expect(() => fz.push(frame(1, [{ handedness: 'Left', score: 1, landmarks: [[0, 0, 0]] }]))).toThrow(/hands\[0\] must have 21 landmarks/);
    const pts = ladder(0.2);
    pts[3] = [NaN, 0, 0];
    expect(() => fz.push(frame(1, [hand('Left', 1, pts)]))).toThrow(/hands\[0\]\.landmarks\[3\]\[0\] must be a finite number/);
  });
});
