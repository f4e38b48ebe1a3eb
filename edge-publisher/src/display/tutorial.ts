/**
 * The tutorial's demonstration of each sign: the synthetic signer's rendition (fixed seed, so
 * every screen shows the same hands), about 1.5 s at 30 fps, made with the user's hand.
 */
import { CLASS_LABELS, isClassLabel, type ClassLabel } from '@helen/schemas';
import { scriptedStream, type Side } from '@helen/synthetic-signer';
import { notFound } from './errors';
import type { Handedness } from './schemas';

export const TUTORIAL_FPS = 30;
const TUTORIAL_MS = 1500;
const TUTORIAL_SEED = 13;
/** Arm's length from the display, like the demo source (config.ts DEFAULT_SYNTHETIC_HAND_SCALE). */
const HAND_SCALE: readonly [number, number] = [0.2, 0.3];

export interface PreviewHand { handedness: string; landmarks: number[][] }
export interface TutorialAnswer { label: ClassLabel; fps: number; frames: { hands: PreviewHand[] }[] }

const cache = new Map<string, TutorialAnswer>();

export function tutorialFor(label: string, handedness: Handedness): TutorialAnswer {
  if (!isClassLabel(label)) throw notFound(`unknown sign "${label}" (one of ${CLASS_LABELS.join(', ')})`);
  const key = `${label}/${handedness}`;
  let answer = cache.get(key);
  if (!answer) {
    const side: Side = handedness === 'left' ? 'Left' : 'Right';
    const frames = [...scriptedStream({ seed: TUTORIAL_SEED, script: [{ label, durationMs: TUTORIAL_MS }], fps: TUTORIAL_FPS, handScale: HAND_SCALE, dominantSide: side })]
      .map((f) => ({ hands: f.hands.map((h) => ({ handedness: h.handedness, landmarks: h.landmarks })) }));
    answer = { label, fps: TUTORIAL_FPS, frames };
    cache.set(key, answer);
  }
  return answer;
}
