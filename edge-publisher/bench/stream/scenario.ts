/**
 * Stream scenarios: what one simulated person in front of the camera does, drawn from one
 * seed. A scenario is a script for the synthetic signer (signs, idle hands, empty frames)
 * plus how the camera sees it (frame rate, dropped frames, landmark jitter, hands sliding
 * in and out, idle hands drifting about). Seeds come from two disjoint ranges so the numbers
 * a change is tuned on are never the numbers it is reported on.
 */
import { createRng, mixSeed, type ScriptStep, type Side } from '@helen/synthetic-signer';
import { CLASS_LABELS, type ClassLabel } from '@helen/schemas';

export const SPLITS = ['tuning', 'heldout'] as const;
export type Split = (typeof SPLITS)[number];

/** Inclusive seed ranges; the gap between them keeps an off-by-some stream count from crossing over. */
export const SPLIT_SEEDS: Readonly<Record<Split, { first: number; last: number }>> = {
  tuning: { first: 1, last: 100_000 },
  heldout: { first: 100_001, last: 200_000 },
};

/** Seeds whose streams may be trained on (dataset.ts); never benchmarked. */
export const TRAIN_SEEDS = { first: 200_001, last: 300_000 } as const;

/** The seed of the `index`-th stream of a split (index from 0). */
export function splitSeed(split: Split, index: number): number {
  const r = SPLIT_SEEDS[split];
  if (!Number.isInteger(index) || index < 0 || r.first + index > r.last) {
    throw new Error(`stream index ${index} is outside the ${split} split (0..${r.last - r.first})`);
  }
  return r.first + index;
}

export function splitOf(seed: number): Split | undefined {
  return SPLITS.find((s) => seed >= SPLIT_SEEDS[s].first && seed <= SPLIT_SEEDS[s].last);
}

/** One step of the script with how the camera sees it. */
export interface ScenarioStep extends ScriptStep {
  /** A sign whose hands slide in from below the frame over this many ms (the hand entering). */
  enterMs?: number;
  /** A sign whose hands slide out below the frame over its last this many ms (the hand leaving). */
  leaveMs?: number;
  /** Idle hands also drift and turn about (a person moving without signing). */
  drift?: boolean;
}

export type ScenarioKind = 'signs' | 'idle-only';

export interface Scenario {
  seed: number;
  /** `signs`: 5-8 signs with idle gaps; `idle-only`: people in view who do not sign. */
  kind: ScenarioKind;
  /** Camera frame rate: a Pi under load delivers 15, a free one 30. */
  fps: 15 | 30;
  /** Which hand makes every sign (a right- or left-handed signer). */
  signer: Side;
  /** Hand size range (palm length in image heights): a far signer ~0.1, arm's reach ~0.3. */
  handScale: readonly [number, number];
  /** Extra landmark noise on top of the generator's tracker noise, sd in image heights. */
  jitter: number;
  /** Fraction of camera frames lost (in short bursts) on top of the frame rate. */
  dropRate: number;
  steps: ScenarioStep[];
}

/** Hand scales across the camera's range: the training data's 0.1-0.2 and arm's reach 0.2-0.3. */
export const HAND_SCALE_RANGE: readonly [number, number] = [0.1, 0.3];
export const SIGN_MS: readonly [number, number] = [800, 2000];
/** Idle gaps between signs; the scorer's tolerance after a sign (1 s) fits in the shortest. */
export const GAP_MS: readonly [number, number] = [1200, 4000];
export const IDLE_ONLY_SHARE = 0.25;

const round = (v: number) => Math.round(v);

/** Draws the whole scenario of `seed`: same seed, same scenario, on any machine. */
export function generateScenario(seed: number): Scenario {
  const rng = createRng(mixSeed(seed, 0x57e4));
  const kind: ScenarioKind = rng.chance(IDLE_ONLY_SHARE) ? 'idle-only' : 'signs';
  const fps = rng.chance(0.5) ? 30 : 15;
  const signer: Side = rng.chance(0.5) ? 'Right' : 'Left';
  const centre = rng.uniform(HAND_SCALE_RANGE[0], HAND_SCALE_RANGE[1]);
  const handScale = [centre * 0.9, centre * 1.1] as const;
  const jitter = rng.uniform(0, 0.004);
  const dropRate = rng.chance(0.5) ? rng.uniform(0, 0.1) : 0;
  const steps: ScenarioStep[] = [];
  const gap = (): ScenarioStep => {
    const r = rng.next();
    const durationMs = round(rng.uniform(GAP_MS[0], GAP_MS[1]));
    // No hands in view (the signer lowered them out of the frame), still hands, or hands moving about.
    if (r < 0.3) return { label: 'none', durationMs };
    return r < 0.7 ? { label: 'idle', durationMs } : { label: 'idle', durationMs, drift: true };
  };
  if (kind === 'idle-only') {
    const total = rng.uniform(30_000, 90_000);
    let ms = 0;
    while (ms < total) {
      const durationMs = round(rng.uniform(2000, 10_000));
      const r = rng.next();
      steps.push(r < 0.15 ? { label: 'none', durationMs } : { label: 'idle', durationMs, drift: r < 0.75 });
      ms += durationMs;
    }
    return { seed, kind, fps, signer, handScale, jitter, dropRate, steps };
  }
  const signs = rng.int(5, 8);
  steps.push(gap());
  let previous: ClassLabel | undefined;
  for (let i = 0; i < signs; i++) {
    // No sign twice in a row: the per-label cooldown would (rightly) hold a quick repeat back.
    let label: ClassLabel;
    do label = rng.pick(CLASS_LABELS); while (label === previous);
    previous = label;
    const step: ScenarioStep = { label, durationMs: round(rng.uniform(SIGN_MS[0], SIGN_MS[1])) };
    if (steps.at(-1)?.label === 'none' && rng.chance(0.6)) step.enterMs = round(rng.uniform(150, 400));
    const after = gap();
    if (after.label === 'none' && rng.chance(0.6)) step.leaveMs = round(rng.uniform(150, 400));
    steps.push(step, after);
  }
  return { seed, kind, fps, signer, handScale, jitter, dropRate, steps };
}
