/**
 * One distinct finger configuration per class. Digits go by raised fingers (6-9 use the
 * combinations left over, plus a hooked index for 9); letters and commands get hand shapes
 * that differ in which fingers are out, how they bend, or how the hand is turned, because
 * the per-hand bounding-box features keep shape and orientation but drop position and size.
 * A few classes move: Anterior swipes sideways, Alarma shakes, Agregar is a two-hand "+".
 */
import type { ClassLabel } from '@helen/schemas';
import type { FingerAngles, HandAngles, ThumbAngles } from './hand';

type F = FingerAngles;
const ext = (abd = 0): F => ({ mcp: 3, abd, pip: 4, dip: 3 });
const curl = (): F => ({ mcp: 88, abd: 0, pip: 100, dip: 60 });
const hook = (): F => ({ mcp: 15, abd: 0, pip: 95, dip: 70 });
const bent = (): F => ({ mcp: 85, abd: 0, pip: 6, dip: 4 });
const curve = (): F => ({ mcp: 30, abd: 0, pip: 45, dip: 25 });
const roundO = (): F => ({ mcp: 45, abd: 0, pip: 60, dip: 35 });
export const relaxed = (): F => ({ mcp: 25, abd: 2, pip: 35, dip: 20 });

const thumbOut: ThumbAngles = { spread: 50, oppose: 15, mcp: 5, ip: 5 };
const thumbTucked: ThumbAngles = { spread: 8, oppose: 55, mcp: 40, ip: 30 };
const thumbAcrossFist: ThumbAngles = { spread: 12, oppose: 62, mcp: 30, ip: 20 };
const thumbUp: ThumbAngles = { spread: -5, oppose: 0, mcp: 0, ip: 0 };
const thumbSide: ThumbAngles = { spread: 0, oppose: 8, mcp: 0, ip: 0 };
const thumbC: ThumbAngles = { spread: 40, oppose: 45, mcp: 12, ip: 12 };
const thumbOverFingers: ThumbAngles = { spread: 10, oppose: 60, mcp: 35, ip: 35 };
export const thumbRelaxed: ThumbAngles = { spread: 25, oppose: 25, mcp: 15, ip: 15 };

export type Motion = 'none' | 'swipe' | 'shake' | 'push';

export interface PoseSpec {
  angles: HandAngles;
  /** Orientation added to the random wrist rotation, degrees (roll positive turns the fingers to the thumb side). */
  roll?: number;
  pitch?: number;
  yaw?: number;
  /** Solve thumb and index so their tips touch (O and OK shapes). */
  pinch?: boolean;
  motion?: Motion;
  /** A second hand that is part of the sign, placed beside the first. */
  partner?: PoseSpec & { dx: number; dy: number };
}

const hand = (i: F, m: F, r: F, p: F, thumb: ThumbAngles): HandAngles => ({
  fingers: [i, m, r, p],
  thumb: { ...thumb },
});

export const CLASS_POSES: Readonly<Record<ClassLabel, PoseSpec>> = {
  '0': { angles: hand(roundO(), roundO(), roundO(), roundO(), thumbC), pinch: true, yaw: 35 },
  '1': { angles: hand(ext(), curl(), curl(), curl(), thumbOverFingers) },
  '2': { angles: hand(ext(-14), ext(12), curl(), curl(), thumbOverFingers) },
  '3': { angles: hand(ext(-8), ext(6), curl(), curl(), thumbOut) },
  '4': { angles: hand(ext(-10), ext(-2), ext(6), ext(14), thumbTucked) },
  '5': { angles: hand(ext(-12), ext(-2), ext(8), ext(18), thumbOut) },
  '6': { angles: hand(curl(), curl(), curl(), ext(10), thumbOut) },
  '7': { angles: hand(ext(), curl(), curl(), curl(), { ...thumbOut, spread: 70 }) },
  '8': { angles: hand(ext(-10), ext(0), ext(10), curl(), thumbOverFingers) },
  '9': { angles: hand(hook(), curl(), curl(), curl(), thumbOverFingers) },
  Start: { angles: hand(curl(), curl(), curl(), curl(), thumbUp), yaw: 55 },
  Clima: { angles: hand(curve(), curve(), curve(), curve(), thumbC), yaw: 60 },
  Foco: { angles: hand(roundO(), ext(-4), ext(6), ext(14), thumbC), pinch: true },
  Ajustes: { angles: hand(ext(-8), curl(), curl(), ext(14), thumbOverFingers) },
  Inicio: { angles: hand(curl(), curl(), curl(), curl(), thumbAcrossFist) },
  Dispositivos: { angles: hand(ext(-8), curl(), curl(), ext(14), thumbOut) },
  Reloj: { angles: hand(ext(-1), ext(1), curl(), curl(), thumbOverFingers), roll: 80 },
  Wifi: { angles: hand(curl(), curl(), curl(), ext(8), thumbOverFingers) },
  Alarma: { angles: hand(bent(), bent(), bent(), bent(), thumbSide), motion: 'shake' },
  // Index and middle crossed (middle over index): the tips swap sides, unlike 2's V or Reloj's H.
  Tutorial: { angles: hand(ext(6), ext(-9), curl(), curl(), thumbOverFingers) },
  Anterior: { angles: hand(ext(), curl(), curl(), curl(), thumbOverFingers), roll: 75, motion: 'swipe' },
  Agregar: {
    angles: hand(ext(), curl(), curl(), curl(), thumbOverFingers),
    motion: 'push',
    // The other hand's index crosses the first one horizontally: a "+".
    partner: { angles: hand(ext(), curl(), curl(), curl(), thumbOverFingers), roll: -90, dx: 0.05, dy: -0.03 },
  },
};

/** A loosely curled resting hand (the "idle" stream). */
export function relaxedAngles(): HandAngles {
  return hand(relaxed(), relaxed(), relaxed(), relaxed(), thumbRelaxed);
}
