/**
 * Slot assignment (ARCHITECTURE.md "Features"): each detected hand goes to the Left (0) or
 * Right (1) slot. Decisions the text leaves open, fixed here:
 * - A hand's center is the mean x,y of its 21 raw landmarks; "two hands closer than
 *   crossDistance" compares the two current centers (Euclidean, image coordinates).
 * - Proximity rule: when the two hands are closer than crossDistance and both slots held a
 *   hand in the previous frame, the pairing with the smaller summed distance to the previous
 *   frame's raw slot centers wins (ties keep detection order: first hand -> Left).
 * - Otherwise a hand with score >= handednessMinScore goes by its label. If both are
 *   confident with the same label (a known MediaPipe mistake), both go by x instead.
 *   With one confident hand, the other takes the remaining slot.
 * - "By x position": the smaller center x is Left (ties: detection order). This matches
 *   MediaPipe's labels, which treat the image as mirrored: its "Left" hand is the one on
 *   the image's left. A lone low-score hand is Left when its center x < 0.5, else Right.
 */
export type SlotIndex = 0 | 1;
export const SLOT_NAMES = ['Left', 'Right'] as const;

export interface SlotCandidate {
  handedness: 'Left' | 'Right';
  score: number;
  center: readonly [number, number];
}

export interface SlotRules {
  handednessMinScore: number;
  crossDistance: number;
}

const dist = (a: readonly [number, number], b: readonly [number, number]): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
const labelSlot = (h: SlotCandidate): SlotIndex => (h.handedness === 'Left' ? 0 : 1);

/** Returns, for each slot [Left, Right], the index of the hand in `hands` (or null). */
export function assignSlots(
  hands: readonly SlotCandidate[],
  previousCenters: readonly [readonly [number, number] | null, readonly [number, number] | null],
  rules: SlotRules,
): [number | null, number | null] {
  if (hands.length === 0) return [null, null];
  if (hands.length === 1) {
    const h = hands[0] as SlotCandidate;
    const slot: SlotIndex = h.score >= rules.handednessMinScore ? labelSlot(h) : h.center[0] < 0.5 ? 0 : 1;
    return slot === 0 ? [0, null] : [null, 0];
  }
  const a = hands[0] as SlotCandidate, b = hands[1] as SlotCandidate;
  const [prevL, prevR] = previousCenters;
  if (prevL && prevR && dist(a.center, b.center) < rules.crossDistance) {
    const straight = dist(a.center, prevL) + dist(b.center, prevR);
    const swapped = dist(a.center, prevR) + dist(b.center, prevL);
    return straight <= swapped ? [0, 1] : [1, 0];
  }
  const aSure = a.score >= rules.handednessMinScore, bSure = b.score >= rules.handednessMinScore;
  if (aSure && bSure && a.handedness !== b.handedness) return a.handedness === 'Left' ? [0, 1] : [1, 0];
  if (aSure && !bSure) return labelSlot(a) === 0 ? [0, 1] : [1, 0];
  if (bSure && !aSure) return labelSlot(b) === 0 ? [1, 0] : [0, 1];
  return a.center[0] <= b.center[0] ? [0, 1] : [1, 0];
}
