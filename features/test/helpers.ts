import type { LandmarkFrame } from '@helen/schemas';

export type Hand = LandmarkFrame['hands'][number];
export type Point = [number, number, number];

export function hand(handedness: 'Left' | 'Right', score: number, points: Point[]): Hand {
  if (points.length !== 21) throw new Error('21 points');
  return { handedness, score, landmarks: points };
}

/** x_i = x0 + dx*i, y_i = y0 (even i) or y0 + dy (odd i), z_i = z. */
export function ladder(x0: number, dx = 0.01, y0 = 0.5, dy = 0.1, z = 0): Point[] {
  return Array.from({ length: 21 }, (_, i) => [x0 + dx * i, y0 + (i % 2) * dy, z] as Point);
}

/** The same hand shape translated so its center (mean x of ladder) sits at cx. */
export function handAt(handedness: 'Left' | 'Right', score: number, cx: number, cy = 0.5): Hand {
  // ladder(x0, 0.01) has mean x = x0 + 0.1, mean y = y0 + 0.1*10/21.
  return hand(handedness, score, ladder(cx - 0.1, 0.01, cy - (0.1 * 10) / 21));
}

export const frame = (ts: number, hands: Hand[]): LandmarkFrame => ({ ts, hands });
