/** The area rules over several frames (HELEN_DECISION_AREA_FRAMES): a hand that leaves keeps its box a moment. */
import { describe, expect, it } from 'vitest';
import { FrameFeaturizer } from '@helen/features';
import type { LandmarkFrame } from '@helen/schemas';
import { EdgeWindow } from '../../src/pipeline/window';

const big = (ts: number): LandmarkFrame => ({
  ts, hands: [{ handedness: 'Right', score: 0.9, landmarks: Array.from({ length: 21 }, (_, k) => [0.3 + 0.015 * k, 0.3 + 0.3 * (k % 2), 0] as [number, number, number]) }],
});
const none = (ts: number): LandmarkFrame => ({ ts, hands: [] });

function windowAfter(frames: LandmarkFrame[]): EdgeWindow {
  const f = new FrameFeaturizer({ useZ: false });
  const w = new EdgeWindow(30, 84);
  for (const fr of frames) w.push(f.push(fr), fr.hands.length ? 0.9 : 0);
  return w;
}

describe('EdgeWindow area over frames', () => {
  const frames = [...Array.from({ length: 20 }, (_, i) => big(i * 33)), none(20 * 33), none(21 * 33)];
  it('uses the newest frame only by default (the original rule): the hand gone, the area is 0', () => {
    const s = windowAfter(frames).stats(false);
    expect(s.areaRight + s.areaLeft).toBe(0);
  });
  it('keeps the largest box over the newest N frames', () => {
    const s = windowAfter(frames).stats(false, 4);
    expect(s.areaRight + s.areaLeft).toBeGreaterThan(0.05);
    expect(windowAfter(frames).stats(false, 2).areaRight).toBe(0);
  });
});
