/**
 * Seeded synthetic landmark streams in the LandmarkFrame format: the same lines a camera
 * recording holds, so the dataset builder, the edge's demo source and the tests all read
 * one format. Same seed, same frames, on any machine.
 */
import type { Hand, LandmarkFrame } from '@helen/schemas';
import { handSkeleton, orient, type Vec3 } from './hand';
import { blendStates, createPerformance, TRAINING_HAND_SCALE, type HandState, type Performance, type Side, type StepLabel } from './performance';
import { createRng, mixSeed, type Rng } from './prng';

export type ScriptStep = { label: StepLabel; durationMs: number };

/** Width / height of the simulated camera (640x480): normalized x and y have different units. */
export const ASPECT = 4 / 3;
/** Bumped whenever the generator's output for a given seed changes (recorded in datasets). */
export const GENERATOR_VERSION = 2;
export const DEFAULT_FPS = 30;
/** How long consecutive script steps take to morph into each other. */
const BLEND_MS = 300;
/** Weak perspective: parts of the hand nearer the camera look a little bigger. */
const PERSPECTIVE = 0.5;

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** Projects a hand state to 21 MediaPipe-style landmarks with tracker noise. */
export function renderLandmarks(state: HandState, side: Side, noise: Rng, noiseScale = 1): number[][] {
  let pts: Vec3[] = orient(handSkeleton(state.angles), state.roll, state.pitch, state.yaw);
  // The skeleton is a right hand; a left hand is its mirror image.
  if (side === 'Left') pts = pts.map(([x, y, z]) => [-x, y, z]);
  const s = state.scale;
  const sdXY = s * 0.018 * noiseScale;
  const sdZ = s * 0.04 * noiseScale;
  return pts.map(([x, y, z]) => {
    const persp = 1 / (1 - z * s * PERSPECTIVE);
    return [
      round6(state.cx + (s * x * persp) / ASPECT + noise.normal(sdXY) / ASPECT),
      round6(state.cy - s * y * persp + noise.normal(sdXY)),
      // MediaPipe z: depth relative to the wrist, negative towards the camera, in x's units.
      round6((-s * z) / ASPECT + noise.normal(sdZ) / ASPECT),
    ];
  });
}

interface StreamOptions {
  seed: number;
  script: ScriptStep[];
  fps?: number;
  startTs?: number;
  /** Hand size range [min, max] (how near the signer stands); default the training range. */
  handScale?: readonly [number, number];
  /** The hand every sign is made with (a right- or left-handed signer); default drawn per sign. */
  dominantSide?: Side;
}

/**
 * Frames for a script of signs, idle and empty stretches. Each step draws its own hands
 * from the seed; the first BLEND_MS of a step morph from where the previous step's hands
 * were, so transitions look like a person changing sign rather than a cut.
 */
export function* scriptedStream(opts: StreamOptions): Generator<LandmarkFrame> {
  const fps = opts.fps ?? DEFAULT_FPS;
  if (!(fps > 0)) throw new Error(`fps must be > 0 (got ${fps})`);
  const startTs = opts.startTs ?? 0;
  const handScale = opts.handScale ?? TRAINING_HAND_SCALE;
  if (!(handScale[0] > 0 && handScale[1] >= handScale[0])) throw new Error(`handScale must be 0 < min <= max (got ${handScale.join(', ')})`);
  const master = createRng(mixSeed(opts.seed, 0x5eed));
  const noise = master.fork(1);
  const events = master.fork(2);
  let frameIndex = 0;
  let last = new Map<Side, HandState>();
  const dropout = new Map<Side, number>();
  for (const [stepIndex, step] of opts.script.entries()) {
    const perf: Performance = createPerformance(master.fork(mixSeed(100 + stepIndex, labelSalt(step.label))), step.label, handScale, opts.dominantSide);
    const frames = Math.max(0, Math.round((step.durationMs * fps) / 1000));
    const from = last;
    for (let i = 0; i < frames; i++) {
      const tMs = (i * 1000) / fps;
      const hands: Hand[] = [];
      const now = new Map<Side, HandState>();
      for (const { plan, state } of perf.stateAt(tMs)) {
        const prev = from.get(plan.side);
        const w = prev && tMs < BLEND_MS ? smoothstep(tMs / BLEND_MS) : 1;
        const blended = prev && w < 1 ? blendStates(prev, state, w) : state;
        now.set(plan.side, blended);
        // Tracking dropouts: the tracker loses a hand for a few frames now and then.
        const left = dropout.get(plan.side) ?? 0;
        if (left > 0) { dropout.set(plan.side, left - 1); continue; }
        if (events.chance(0.012)) { dropout.set(plan.side, events.int(0, 3)); continue; }
        const score = Math.min(1, Math.max(0, plan.score + events.normal(0.015)));
        hands.push({ handedness: plan.reported, score: round6(score), landmarks: renderLandmarks(blended, plan.side, noise) });
      }
      last = now;
      yield {
        ts: Math.round(startTs + (frameIndex * 1000) / fps),
        hands: hands.slice(0, 2),
        label: step.label,
        source: 'synthetic',
      };
      frameIndex++;
    }
  }
}

/** Different labels under one seed get different hands, not the same draws reused. */
function labelSalt(label: string): number {
  let h = 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function smoothstep(x: number): number {
  const t = Math.min(1, Math.max(0, x));
  return t * t * (3 - 2 * t);
}

/** One recording of one sign (or of idle / no hands), `frames` long. */
export function generateRecording(opts: {
  seed: number; label: StepLabel; frames: number; fps?: number; startTs?: number;
  /** Hand size range [min, max]; default the training range. */
  handScale?: readonly [number, number];
}): LandmarkFrame[] {
  const fps = opts.fps ?? DEFAULT_FPS;
  if (!Number.isInteger(opts.frames) || opts.frames < 0) throw new Error(`frames must be a non-negative integer (got ${opts.frames})`);
  const out: LandmarkFrame[] = [];
  // durationMs is exact for `frames` frames; the loop stops at `frames` anyway.
  const script = [{ label: opts.label, durationMs: (opts.frames * 1000) / fps }];
  for (const frame of scriptedStream({ seed: opts.seed, script, fps, startTs: opts.startTs ?? 0, ...(opts.handScale ? { handScale: opts.handScale } : {}) })) {
    if (out.length >= opts.frames) break;
    out.push(frame);
  }
  return out;
}
