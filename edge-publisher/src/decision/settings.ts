import { envVar } from '@helen/runtime';

/**
 * Every number of the original client's decision rules (model/inference_classifier_video.py),
 * with its original default. ARCHITECTURE.md "Decision engine" lists the same values.
 */
export interface DecisionSettings {
  /** Fraction of window frames with a hand needed to open the presence gate / to keep it open. */
  presenceEnter: number;
  presenceExit: number;
  /** Averaged top probability to enter a label / to stay in it. */
  probEnter: number;
  probExit: number;
  /** top1 - top2 of the averaged probabilities. */
  marginEnter: number;
  marginExit: number;
  /** Entropy (nats) of the averaged probabilities: at most this to enter / to stay. */
  entropyEnter: number;
  entropyExit: number;
  /** Hand box area (image fraction): one hand at least `areaSingle` or both together `areaTotal`. */
  areaSingle: number;
  areaTotal: number;
  /**
   * Mean landmark motion per frame over the window, with hysteresis: below `motionEnter` while
   * no label is active (below `motionExit` while one is) the window is static.
   */
  motionEnter: number;
  motionExit: number;
  /** Probability vectors averaged (the original `prob_buffer_size` and `smooth_k`). */
  smoothWindow: number;
  /** Consecutive agreeing votes needed to enter a label. */
  minConsecutive: number;
  /** A static window enters only with this probability, margin and mean hand score. */
  staticProb: number;
  staticMargin: number;
  staticHandScore: number;
  /** Early trigger on a partial window (fewer than seq_len frames). */
  earlyProb: number;
  earlyMargin: number;
  earlyConsecutive: number;
  /** Mean hand detection score over the window needed to accept any label. */
  minHandScore: number;
  /** The same label never fires twice within this many ms. */
  cooldownMs: number;
}

export const DEFAULT_DECISION_SETTINGS: Readonly<DecisionSettings> = Object.freeze({
  presenceEnter: 0.85,
  presenceExit: 0.70,
  probEnter: 0.95,
  probExit: 0.75,
  marginEnter: 0.40,
  marginExit: 0.18,
  entropyEnter: 1.70,
  entropyExit: 1.95,
  areaSingle: 0.025,
  areaTotal: 0.040,
  motionEnter: 0.015,
  motionExit: 0.005,
  smoothWindow: 7,
  minConsecutive: 4,
  staticProb: 0.995,
  staticMargin: 0.5,
  staticHandScore: 0.8,
  earlyProb: 0.995,
  earlyMargin: 0.5,
  earlyConsecutive: 2,
  minHandScore: 0.7,
  cooldownMs: 2000,
});

const d = DEFAULT_DECISION_SETTINGS;
const unit = { min: 0, max: 1 };

/** One environment variable per number, so a deployment can tune any rule without a rebuild. */
export const decisionEnv = {
  HELEN_DECISION_PRESENCE_ENTER: envVar.number('presence gate opens at this fraction of window frames with a hand', d.presenceEnter, unit),
  HELEN_DECISION_PRESENCE_EXIT: envVar.number('presence gate closes below this fraction', d.presenceExit, unit),
  HELEN_DECISION_PROB_ENTER: envVar.number('averaged top probability to enter a label', d.probEnter, unit),
  HELEN_DECISION_PROB_EXIT: envVar.number('averaged top probability to stay in the active label', d.probExit, unit),
  HELEN_DECISION_MARGIN_ENTER: envVar.number('top1 - top2 margin to enter', d.marginEnter, unit),
  HELEN_DECISION_MARGIN_EXIT: envVar.number('top1 - top2 margin to stay', d.marginExit, unit),
  HELEN_DECISION_ENTROPY_ENTER: envVar.number('maximum entropy (nats) to enter', d.entropyEnter, { min: 0 }),
  HELEN_DECISION_ENTROPY_EXIT: envVar.number('maximum entropy (nats) to stay', d.entropyExit, { min: 0 }),
  HELEN_DECISION_AREA_SINGLE: envVar.number('hand box area (image fraction) one hand must reach', d.areaSingle, unit),
  HELEN_DECISION_AREA_TOTAL: envVar.number('hand box area both hands together must reach', d.areaTotal, { min: 0, max: 2 }),
  HELEN_DECISION_MOTION_ENTER: envVar.number('mean landmark motion per frame under which a window is static while no label is active', d.motionEnter, { min: 0 }),
  HELEN_DECISION_MOTION_EXIT: envVar.number('the same while a label is active (hysteresis)', d.motionExit, { min: 0 }),
  HELEN_DECISION_SMOOTH_WINDOW: envVar.int('probability vectors averaged', d.smoothWindow, { min: 1, max: 100 }),
  HELEN_DECISION_MIN_CONSECUTIVE: envVar.int('consecutive agreeing votes to enter', d.minConsecutive, { min: 1, max: 100 }),
  HELEN_DECISION_STATIC_PROB: envVar.number('probability a static window needs', d.staticProb, unit),
  HELEN_DECISION_STATIC_MARGIN: envVar.number('margin a static window needs', d.staticMargin, unit),
  HELEN_DECISION_STATIC_HAND_SCORE: envVar.number('mean hand score a static window needs', d.staticHandScore, unit),
  HELEN_DECISION_EARLY_PROB: envVar.number('probability for the early trigger on a partial window', d.earlyProb, unit),
  HELEN_DECISION_EARLY_MARGIN: envVar.number('margin for the early trigger', d.earlyMargin, unit),
  HELEN_DECISION_EARLY_CONSECUTIVE: envVar.int('agreeing recent predictions for the early trigger', d.earlyConsecutive, { min: 1, max: 100 }),
  HELEN_DECISION_MIN_HAND_SCORE: envVar.number('mean hand detection score to accept a label', d.minHandScore, unit),
  HELEN_DECISION_COOLDOWN: envVar.number('seconds before the same label may fire again', d.cooldownMs / 1000, { min: 0 }),
};

type DecisionEnv = { readonly [K in keyof typeof decisionEnv]: number };

export function decisionSettingsFromEnv(env: DecisionEnv): DecisionSettings {
  return {
    presenceEnter: env.HELEN_DECISION_PRESENCE_ENTER,
    presenceExit: env.HELEN_DECISION_PRESENCE_EXIT,
    probEnter: env.HELEN_DECISION_PROB_ENTER,
    probExit: env.HELEN_DECISION_PROB_EXIT,
    marginEnter: env.HELEN_DECISION_MARGIN_ENTER,
    marginExit: env.HELEN_DECISION_MARGIN_EXIT,
    entropyEnter: env.HELEN_DECISION_ENTROPY_ENTER,
    entropyExit: env.HELEN_DECISION_ENTROPY_EXIT,
    areaSingle: env.HELEN_DECISION_AREA_SINGLE,
    areaTotal: env.HELEN_DECISION_AREA_TOTAL,
    motionEnter: env.HELEN_DECISION_MOTION_ENTER,
    motionExit: env.HELEN_DECISION_MOTION_EXIT,
    smoothWindow: env.HELEN_DECISION_SMOOTH_WINDOW,
    minConsecutive: env.HELEN_DECISION_MIN_CONSECUTIVE,
    staticProb: env.HELEN_DECISION_STATIC_PROB,
    staticMargin: env.HELEN_DECISION_STATIC_MARGIN,
    staticHandScore: env.HELEN_DECISION_STATIC_HAND_SCORE,
    earlyProb: env.HELEN_DECISION_EARLY_PROB,
    earlyMargin: env.HELEN_DECISION_EARLY_MARGIN,
    earlyConsecutive: env.HELEN_DECISION_EARLY_CONSECUTIVE,
    minHandScore: env.HELEN_DECISION_MIN_HAND_SCORE,
    cooldownMs: Math.round(env.HELEN_DECISION_COOLDOWN * 1000),
  };
}
