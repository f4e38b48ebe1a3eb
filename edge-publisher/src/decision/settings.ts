/**
 * Every number of the original client's decision rules (model/inference_classifier_video.py),
 * one environment variable each so a deployment can tune any rule without a rebuild.
 * ARCHITECTURE.md "Decision engine" lists the original values; they are kept by name as
 * ORIGINAL_DECISION_SETTINGS (preset `original`). The defaults differ in eight numbers, tuned on
 * the stream benchmark's tuning seeds with the stream-trained, calibrated model (issue 12;
 * edge-publisher/README.md "Stream benchmark" has the steps and what each one bought): the
 * area gate admits far hands (0.01 / 0.016 instead of 0.025 / 0.04) over the newest 8 frames,
 * 5 averaged predictions with 3 agreeing votes (7 / 4) answer sooner, a hand score of 0.5
 * (static 0.6) instead of 0.7 (0.8) keeps small, less certain hands, and a still hand needs
 * p >= 0.999 instead of 0.995 (most false events come from resting hands; the default model
 * holds a real still sign above that, so the stricter number costs few catches).
 */
import { defineSettings, setting, type ConfigOf } from '@helen/runtime';

const unit = { min: 0, max: 1 };

export const decisionSettings = defineSettings({
  // Fraction of window frames with a hand needed to open the presence gate / to keep it open.
  presenceEnter: setting.number('HELEN_DECISION_PRESENCE_ENTER', 'presence gate opens at this fraction of window frames with a hand', 0.85, unit),
  presenceExit: setting.number('HELEN_DECISION_PRESENCE_EXIT', 'presence gate closes below this fraction', 0.70, unit),
  // Averaged top probability to enter a label / to stay in it.
  probEnter: setting.number('HELEN_DECISION_PROB_ENTER', 'averaged top probability to enter a label', 0.95, unit),
  probExit: setting.number('HELEN_DECISION_PROB_EXIT', 'averaged top probability to stay in the active label', 0.75, unit),
  // top1 - top2 of the averaged probabilities.
  marginEnter: setting.number('HELEN_DECISION_MARGIN_ENTER', 'top1 - top2 margin to enter', 0.40, unit),
  marginExit: setting.number('HELEN_DECISION_MARGIN_EXIT', 'top1 - top2 margin to stay', 0.18, unit),
  // Entropy (nats) of the averaged probabilities: at most this to enter / to stay.
  entropyEnter: setting.number('HELEN_DECISION_ENTROPY_ENTER', 'maximum entropy (nats) to enter', 1.70, { min: 0 }),
  entropyExit: setting.number('HELEN_DECISION_ENTROPY_EXIT', 'maximum entropy (nats) to stay', 1.95, { min: 0 }),
  // Hand box area (image fraction): one hand at least `areaSingle` or both together `areaTotal`.
  areaSingle: setting.number('HELEN_DECISION_AREA_SINGLE', 'hand box area (image fraction) one hand must reach', 0.01, unit),
  areaTotal: setting.number('HELEN_DECISION_AREA_TOTAL', 'hand box area both hands together must reach', 0.016, { min: 0, max: 2 }),
  // The area rules look at each hand's largest box over the newest this many frames (1 = the
  // newest frame, the original rule): a hand sliding out of view keeps its votes a moment longer.
  areaFrames: setting.int('HELEN_DECISION_AREA_FRAMES', 'frames over which each hand\'s largest box counts for the area rules (1 = newest frame only)', 8, { min: 1, max: 120 }),
  // Mean landmark motion per frame over the window, with hysteresis: below `motionEnter` while
  // no label is active (below `motionExit` while one is) the window is static.
  motionEnter: setting.number('HELEN_DECISION_MOTION_ENTER', 'mean landmark motion per frame under which a window is static while no label is active', 0.015, { min: 0 }),
  motionExit: setting.number('HELEN_DECISION_MOTION_EXIT', 'the same while a label is active (hysteresis)', 0.005, { min: 0 }),
  // Probability vectors averaged (the original `prob_buffer_size` and `smooth_k`).
  smoothWindow: setting.int('HELEN_DECISION_SMOOTH_WINDOW', 'probability vectors averaged', 5, { min: 1, max: 100 }),
  // Consecutive agreeing votes needed to enter a label.
  minConsecutive: setting.int('HELEN_DECISION_MIN_CONSECUTIVE', 'consecutive agreeing votes to enter', 3, { min: 1, max: 100 }),
  // A static window enters only with this probability, margin and mean hand score.
  staticProb: setting.number('HELEN_DECISION_STATIC_PROB', 'probability a static window needs', 0.999, unit),
  staticMargin: setting.number('HELEN_DECISION_STATIC_MARGIN', 'margin a static window needs', 0.5, unit),
  staticHandScore: setting.number('HELEN_DECISION_STATIC_HAND_SCORE', 'mean hand score a static window needs', 0.6, unit),
  // Early trigger on a partial window (fewer than seq_len frames).
  earlyProb: setting.number('HELEN_DECISION_EARLY_PROB', 'probability for the early trigger on a partial window', 0.995, unit),
  earlyMargin: setting.number('HELEN_DECISION_EARLY_MARGIN', 'margin for the early trigger', 0.5, unit),
  earlyConsecutive: setting.int('HELEN_DECISION_EARLY_CONSECUTIVE', 'agreeing recent predictions for the early trigger', 2, { min: 1, max: 100 }),
  // Mean hand detection score over the window needed to accept any label.
  minHandScore: setting.number('HELEN_DECISION_MIN_HAND_SCORE', 'mean hand detection score to accept a label', 0.5, unit),
  // The same label never fires twice within this many ms.
  cooldownMs: setting.secondsAsMs('HELEN_DECISION_COOLDOWN', 'seconds before the same label may fire again', 2, { min: 0 }),
}, [
  // The exit thresholds are hysteresis below the enter ones; votes are kept in a window of smoothWindow.
  { env: 'HELEN_DECISION_PRESENCE_EXIT', check: (c) => (c.presenceExit > c.presenceEnter ? 'must not exceed HELEN_DECISION_PRESENCE_ENTER' : undefined) },
  { env: 'HELEN_DECISION_PROB_EXIT', check: (c) => (c.probExit > c.probEnter ? 'must not exceed HELEN_DECISION_PROB_ENTER' : undefined) },
  {
    env: 'HELEN_DECISION_MIN_CONSECUTIVE',
    check: (c) => (c.minConsecutive > c.smoothWindow ? 'must not exceed HELEN_DECISION_SMOOTH_WINDOW (votes are kept in a window that size)' : undefined),
  },
]);

export type DecisionSettings = ConfigOf<typeof decisionSettings.shape>;

export const DEFAULT_DECISION_SETTINGS: DecisionSettings = decisionSettings.defaults();

/** The original client's numbers, kept by name now that the defaults are tuned (issue 12). */
export const ORIGINAL_DECISION_SETTINGS: DecisionSettings = Object.freeze({
  presenceEnter: 0.85, presenceExit: 0.70, probEnter: 0.95, probExit: 0.75, marginEnter: 0.40, marginExit: 0.18,
  entropyEnter: 1.70, entropyExit: 1.95, areaSingle: 0.025, areaTotal: 0.040, areaFrames: 1, motionEnter: 0.015, motionExit: 0.005,
  smoothWindow: 7, minConsecutive: 4, staticProb: 0.995, staticMargin: 0.5, staticHandScore: 0.8,
  earlyProb: 0.995, earlyMargin: 0.5, earlyConsecutive: 2, minHandScore: 0.7, cooldownMs: 2000,
});

export const DECISION_PRESET_NAMES = ['original', 'strict', 'normal', 'sensitive'] as const;
export type DecisionPresetName = (typeof DECISION_PRESET_NAMES)[number];

/**
 * Named sets of decision numbers. `original`: the original client's. `normal`: the defaults
 * (the edge's configuration, so an empty override). `strict`: the original numbers, which fire
 * least (fewer false events, more misses); `sensitive`: 3 averaged predictions with 2 agreeing
 * votes, which answer ~0.1 s sooner at a few more false events. What each costs is measured by
 * the stream benchmark (edge-publisher/README.md "Stream benchmark").
 */
export const DECISION_PRESETS: Readonly<Record<DecisionPresetName, Partial<DecisionSettings>>> = Object.freeze({
  original: ORIGINAL_DECISION_SETTINGS,
  strict: ORIGINAL_DECISION_SETTINGS,
  normal: {},
  sensitive: { smoothWindow: 3, minConsecutive: 2 },
});
