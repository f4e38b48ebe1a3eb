import type { LandmarkFrame } from '@helen/schemas';
import { describe, expect, it } from 'vitest';
import { mapHandedness } from '../../src/camera/index';

const hand = (handedness: 'Left' | 'Right', x: number) => ({
  handedness, score: 0.9, landmarks: Array.from({ length: 21 }, (_, i) => [x + i * 0.001, 0.5, -0.01]),
});
const frame: LandmarkFrame = { ts: 1, hands: [hand('Left', 0.2), hand('Right', 0.7)], source: 'camera' };

describe('mapHandedness', () => {
  it('as-reported leaves the frame alone', () => {
    expect(mapHandedness(frame, 'as-reported')).toEqual(frame);
  });
  it('swap exchanges the labels and keeps the coordinates', () => {
    const out = mapHandedness(frame, 'swap');
    expect(out.hands.map((h) => h.handedness)).toEqual(['Right', 'Left']);
    expect(out.hands[0]?.landmarks).toEqual(frame.hands[0]?.landmarks);
  });
  it('mirror flips x like a selfie view, keeps labels, y and z', () => {
    const out = mapHandedness(frame, 'mirror');
    expect(out.hands.map((h) => h.handedness)).toEqual(['Left', 'Right']);
    expect(out.hands[0]?.landmarks[0]?.[0]).toBeCloseTo(0.8, 9);
    expect(out.hands[0]?.landmarks[0]?.slice(1)).toEqual([0.5, -0.01]);
    expect(frame.hands[0]?.landmarks[0]?.[0]).toBe(0.2); // input untouched
  });
});
