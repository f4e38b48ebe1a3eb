import { describe, expect, it } from 'vitest';
import { FrameFeaturizer } from '../src/index';
import { frame, hand, handAt, ladder } from './helpers';

describe('per-slot EMA (alpha 0.35)', () => {
  it('smooths raw landmarks: s = 0.35 x + 0.65 s_prev', () => {
    const fz = new FrameFeaturizer({ useZ: false });
    fz.push(frame(1, [handAt('Left', 0.9, 0.2)]));
    const f = fz.push(frame(2, [handAt('Left', 0.9, 0.3)]));
    expect(f.slots[0]?.center[0]).toBeCloseTo(0.35 * 0.3 + 0.65 * 0.2, 9); // 0.235
    expect(f.slots[0]?.landmarks[0]).toBeCloseTo(0.235 - 0.1, 6); // x0 of the smoothed hand
  });

  it('normalizes after smoothing (not the other way round)', () => {
    const fz = new FrameFeaturizer({ useZ: false });
    fz.push(frame(1, [hand('Left', 0.9, ladder(0.2))])); // x spans 0.2..0.4
    const moved = ladder(0.2);
    moved[20] = [0.6, moved[20]![1], 0]; // only x20 moves: span 0.4
    const f = fz.push(frame(2, [hand('Left', 0.9, moved)]));
    // Smoothed x20 = 0.35*0.6 + 0.65*0.4 = 0.47, span 0.27; x10 = (0.3 - 0.2) / 0.27.
    expect(f.vector[20]).toBeCloseTo(0.1 / 0.27, 6); // 0.37037, whereas smoothing normalized values gives 0.4125
    expect(f.vector[40]).toBeCloseTo(1, 6);
  });

  it('resets a slot when its hand is lost, without touching the other slot', () => {
    const fz = new FrameFeaturizer({ useZ: false });
    fz.push(frame(1, [handAt('Left', 0.9, 0.2), handAt('Right', 0.9, 0.7)]));
    fz.push(frame(2, [handAt('Left', 0.9, 0.3), handAt('Right', 0.9, 0.8)]));
    const lost = fz.push(frame(3, [handAt('Right', 0.9, 0.8)]));
    expect(lost.mask).toEqual([0, 1]);
    expect(lost.slots[0]).toBeNull();
    // Right kept smoothing: 0.7 -> 0.735 -> 0.35*0.8 + 0.65*0.735.
    expect(lost.slots[1]?.center[0]).toBeCloseTo(0.35 * 0.8 + 0.65 * (0.35 * 0.8 + 0.65 * 0.7), 9);
    const back = fz.push(frame(4, [handAt('Left', 0.9, 0.5), handAt('Right', 0.9, 0.8)]));
    expect(back.slots[0]?.center[0]).toBeCloseTo(0.5, 12); // fresh start, no memory of 0.235
    expect(back.mask).toEqual([1, 1]);
  });

  it('reset() forgets every slot', () => {
    const fz = new FrameFeaturizer({ useZ: false, emaAlpha: 0.5 });
    fz.push(frame(1, [handAt('Left', 0.9, 0.2)]));
    fz.reset();
    expect(fz.push(frame(2, [handAt('Left', 0.9, 0.4)])).slots[0]?.center[0]).toBeCloseTo(0.4, 12);
    expect(() => new FrameFeaturizer({ useZ: false, emaAlpha: 0 })).toThrow(/emaAlpha/);
  });
});
