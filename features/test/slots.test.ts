import { describe, expect, it } from 'vitest';
import { assignSlots, FrameFeaturizer } from '../src/index';
import { frame, handAt } from './helpers';

const rules = { handednessMinScore: 0.7, crossDistance: 0.06 };
const cx = (s: { center: [number, number] } | null): number | undefined => s?.center[0];

describe('slot assignment', () => {
  it('goes by handedness when the score is >= 0.7', () => {
    const f = new FrameFeaturizer({ useZ: false }).push(frame(1, [handAt('Right', 0.9, 0.2), handAt('Left', 0.7, 0.8)]));
    // Labels win over position: the Left-labelled hand at x=0.8 sits in the Left slot.
    expect(cx(f.slots[0])).toBeCloseTo(0.8, 9);
    expect(cx(f.slots[1])).toBeCloseTo(0.2, 9);
    expect(f.mask).toEqual([1, 1]);
  });

  it('falls back to x position for a low-score hand', () => {
    const fz = new FrameFeaturizer({ useZ: false });
    // Labelled Right but score 0.69 < 0.7, center x 0.3 < 0.5 -> Left slot.
    let f = fz.push(frame(1, [handAt('Right', 0.69, 0.3)]));
    expect(f.mask).toEqual([1, 0]);
    expect(f.slots[0]?.label).toBe('Right');
    fz.reset();
    f = fz.push(frame(1, [handAt('Left', 0.5, 0.6)]));
    expect(f.mask).toEqual([0, 1]);
    // Two low-score hands: smaller x is Left, whatever the labels say.
    fz.reset();
    f = fz.push(frame(1, [handAt('Left', 0.4, 0.7), handAt('Left', 0.3, 0.35)]));
    expect(cx(f.slots[0])).toBeCloseTo(0.35, 9);
    expect(cx(f.slots[1])).toBeCloseTo(0.7, 9);
  });

  it('lets a confident hand take its slot and gives the other the remaining one', () => {
    expect(assignSlots([
      { handedness: 'Right', score: 0.2, center: [0.9, 0.5] },
      { handedness: 'Right', score: 0.9, center: [0.1, 0.5] },
    ], [null, null], rules)).toEqual([0, 1]);
  });

  it('assigns two confident hands with the same label by x', () => {
    expect(assignSlots([
      { handedness: 'Left', score: 0.9, center: [0.8, 0.5] },
      { handedness: 'Left', score: 0.95, center: [0.2, 0.5] },
    ], [null, null], rules)).toEqual([1, 0]);
  });

  it('keeps slots stable when two close hands swap labels (distance to previous centers)', () => {
    const fz = new FrameFeaturizer({ useZ: false });
    // Frame 1: A (Left) at x 0.40, B (Right) at x 0.60.
    fz.push(frame(1, [handAt('Left', 0.9, 0.4), handAt('Right', 0.9, 0.6)]));
    // Frame 2: 0.05 apart (< 0.06), labels swapped and detection order swapped.
    // Keep: |0.47-0.40| + |0.52-0.60| = 0.15; swap: |0.47-0.60| + |0.52-0.40| = 0.25 -> A stays Left.
    const close = [handAt('Left', 0.95, 0.52), handAt('Right', 0.95, 0.47)];
    const f = fz.push(frame(2, close));
    expect(cx(f.slots[0])).toBeCloseTo(0.35 * 0.47 + 0.65 * 0.4, 9); // smoothed, EMA continued
    expect(f.slots[0]?.label).toBe('Right');
    expect(cx(f.slots[1])).toBeCloseTo(0.35 * 0.52 + 0.65 * 0.6, 9);
    // Without the previous frame the labels decide, which would have swapped the slots.
    const fresh = new FrameFeaturizer({ useZ: false }).push(frame(2, close));
    expect(cx(fresh.slots[0])).toBeCloseTo(0.52, 9);
  });

  it('uses the proximity rule only when both slots were filled and the hands are closer than 0.06', () => {
    const prev: [[number, number], [number, number]] = [[0.4, 0.5], [0.6, 0.5]];
    const close = [
      { handedness: 'Left' as const, score: 0.9, center: [0.53, 0.5] as [number, number] },
      { handedness: 'Right' as const, score: 0.9, center: [0.48, 0.5] as [number, number] },
    ];
    // 0.05 apart: by distance, the hand at 0.48 is nearer the old Left center.
    expect(assignSlots(close, prev, rules)).toEqual([1, 0]);
    // Only one slot filled before: labels decide.
    expect(assignSlots(close, [prev[0], null], rules)).toEqual([0, 1]);
    // 0.07 apart (>= 0.06): labels decide.
    const apart = [close[0]!, { ...close[1]!, center: [0.46, 0.5] as [number, number] }];
    expect(assignSlots(apart, prev, rules)).toEqual([0, 1]);
  });

  it('keeps the two best hands when given more than two', () => {
    const f = new FrameFeaturizer({ useZ: false }).push(frame(1, [handAt('Left', 0.8, 0.2), handAt('Left', 0.3, 0.5), handAt('Right', 0.9, 0.8)]));
    expect(cx(f.slots[0])).toBeCloseTo(0.2, 9);
    expect(cx(f.slots[1])).toBeCloseTo(0.8, 9);
  });
});
