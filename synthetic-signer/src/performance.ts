/**
 * What the hands do during one script step: which hands are up, their base pose and
 * placement (drawn once per step from the seed), and how they move over time. The renderer
 * turns a state into landmarks; keeping the state numeric lets consecutive steps blend.
 */
import type { ClassLabel } from '@helen/schemas';
import { clampAngles, solvePinch, type HandAngles } from './hand';
import { CLASS_POSES, relaxedAngles, type Motion, type PoseSpec } from './poses';
import type { Rng } from './prng';

export type Side = 'Left' | 'Right';
export type StepLabel = ClassLabel | 'idle' | 'none';

/** Everything that places one hand at one instant. Angles in degrees, positions normalized. */
export interface HandState {
  angles: HandAngles;
  roll: number;
  pitch: number;
  yaw: number;
  /** Palm length in image-height units. */
  scale: number;
  /** Wrist position, normalized image coordinates. */
  cx: number;
  cy: number;
}

interface HandPlan {
  side: Side;
  /** Handedness MediaPipe reports (usually `side`; sometimes wrong when unsure). */
  reported: Side;
  score: number;
  base: HandState;
  motion: Motion | 'wander' | 'rest';
  freq: number;
  amp: number;
  phase: number;
  /** Per-angle tremor phases and rates so fingers do not move in lockstep. */
  tremor: { phase: number; rate: number }[];
  tremorDeg: number;
}

export interface Performance {
  readonly hands: readonly HandPlan[];
  stateAt(tMs: number): { plan: HandPlan; state: HandState }[];
}

const TWO_PI = Math.PI * 2;

function jitterAngles(a: HandAngles, rng: Rng, sd: number): HandAngles {
  return clampAngles({
    fingers: a.fingers.map((f) => ({
      mcp: f.mcp + rng.normal(sd), abd: f.abd + rng.normal(sd * 0.5),
      pip: f.pip + rng.normal(sd), dip: f.dip + rng.normal(sd),
    })) as HandAngles['fingers'],
    thumb: {
      spread: a.thumb.spread + rng.normal(sd), oppose: a.thumb.oppose + rng.normal(sd),
      mcp: a.thumb.mcp + rng.normal(sd), ip: a.thumb.ip + rng.normal(sd),
    },
  });
}

function makePlan(rng: Rng, side: Side, base: HandState, motion: HandPlan['motion']): HandPlan {
  // MediaPipe is usually sure of the handedness; when it is not, the slot goes by x position.
  const unsure = rng.chance(0.04);
  return {
    side,
    // An unsure tracker reports a low score and sometimes the wrong hand; slotting then goes by position.
    reported: unsure && rng.chance(0.3) ? (side === 'Left' ? 'Right' : 'Left') : side,
    score: unsure ? rng.uniform(0.5, 0.69) : rng.uniform(0.8, 0.99),
    base,
    motion,
    freq: motion === 'shake' ? rng.uniform(2.5, 4) : motion === 'swipe' ? rng.uniform(0.8, 1.4) : rng.uniform(0.6, 1.2),
    amp: rng.uniform(0.7, 1.3),
    phase: rng.uniform(0, TWO_PI),
    tremor: Array.from({ length: 20 }, () => ({ phase: rng.uniform(0, TWO_PI), rate: rng.uniform(0.3, 1.5) })),
    tremorDeg: rng.uniform(1, 3),
  };
}

/** Hand size range (distance to the camera) of the training data. */
export const TRAINING_HAND_SCALE: readonly [number, number] = [0.1, 0.2];

/** Random wrist placement: rotation within comfortable limits, distance (scale) and position. */
function place(rng: Rng, pose: Pick<PoseSpec, 'roll' | 'pitch' | 'yaw'>, side: Side, angles: HandAngles, range: readonly [number, number]): HandState {
  // One uniform draw whatever the range, so a seed gives the same hands at any distance.
  const scale = range[0] + rng.uniform(0, 1) * (range[1] - range[0]);
  const toSide = side === 'Right' ? 1 : -1;
  return {
    angles,
    roll: (pose.roll ?? 0) + rng.uniform(-18, 18),
    pitch: (pose.pitch ?? 0) + rng.uniform(-22, 22),
    yaw: (pose.yaw ?? 0) + rng.uniform(-25, 25),
    scale,
    // In a mirrored selfie image a right hand sits on the right half, more or less.
    cx: 0.5 + toSide * rng.uniform(0.0, 0.25),
    cy: rng.uniform(0.5, 0.85),
  };
}

function signHands(rng: Rng, label: ClassLabel, range: readonly [number, number], dominant?: Side): HandPlan[] {
  const pose = CLASS_POSES[label];
  // Always drawn, so choosing the signing hand leaves every other draw of the seed as it was.
  const drawn: Side = rng.chance(0.5) ? 'Right' : 'Left';
  const side: Side = dominant ?? drawn;
  let angles = jitterAngles(pose.angles, rng, 5);
  if (pose.pinch) angles = solvePinchFor(angles, rng);
  const main = makePlan(rng, side, place(rng, pose, side, angles, range), pose.motion ?? 'none');
  const hands = [main];
  const other: Side = side === 'Right' ? 'Left' : 'Right';
  if (pose.partner) {
    const p = pose.partner;
    const toMain = side === 'Right' ? -1 : 1;
    const state = place(rng, p, other, jitterAngles(p.angles, rng, 5), range);
    // Beside the main hand, on its own side, so the index fingers cross.
    state.cx = main.base.cx + toMain * (p.dx + main.base.scale * 0.6);
    state.cy = main.base.cy + p.dy + main.base.scale * 0.5;
    state.scale = main.base.scale * rng.uniform(0.9, 1.1);
    hands.push(makePlan(rng, other, state, pose.motion ?? 'none'));
  } else if (rng.chance(0.25)) {
    hands.push(idleHand(rng, other, 'rest', range));
  }
  return hands;
}

function solvePinchFor(angles: HandAngles, rng: Rng): HandAngles {
  return solvePinch(angles, rng.uniform(0.0, 0.05));
}

function idleHand(rng: Rng, side: Side, motion: 'rest' | 'wander', range: readonly [number, number]): HandPlan {
  const angles = jitterAngles(relaxedAngles(), rng, 10);
  const state = place(rng, { pitch: rng.uniform(20, 55) }, side, angles, range);
  if (motion === 'rest') {
    // A resting hand hangs low on its own side of the body, out of the signing hand's way.
    state.cy = rng.uniform(0.8, 0.97);
    state.cx = 0.5 + (side === 'Right' ? 1 : -1) * rng.uniform(0.15, 0.35);
  }
  return makePlan(rng, side, state, motion);
}

function idleHands(rng: Rng, range: readonly [number, number]): HandPlan[] {
  const r = rng.next();
  if (r < 0.15) return [];
  if (r < 0.55) {
    const side: Side = rng.chance(0.5) ? 'Right' : 'Left';
    return [idleHand(rng, side, 'wander', range)];
  }
  const hands = [idleHand(rng, 'Right', 'rest', range)];
  if (rng.chance(0.5)) hands.push(idleHand(rng, 'Left', 'rest', range));
  return hands;
}

function moved(plan: HandPlan, tMs: number): HandState {
  const t = tMs / 1000;
  const b = plan.base;
  const w = TWO_PI * plan.freq * t + plan.phase;
  const s = { ...b, angles: structuredClone(b.angles) };
  // Tremor: every joint drifts a little, each on its own slow sine.
  let k = 0;
  const tremor = () => {
    const tr = plan.tremor[k++ % plan.tremor.length] ?? { phase: 0, rate: 1 };
    return plan.tremorDeg * Math.sin(TWO_PI * tr.rate * t + tr.phase);
  };
  for (const f of s.angles.fingers) { f.mcp += tremor(); f.pip += tremor(); f.dip += tremor(); f.abd += tremor() * 0.3; }
  s.angles.thumb.spread += tremor(); s.angles.thumb.oppose += tremor();
  s.angles.thumb.mcp += tremor(); s.angles.thumb.ip += tremor();
  s.cx += 0.006 * Math.sin(TWO_PI * 0.37 * t + plan.phase);
  s.cy += 0.005 * Math.sin(TWO_PI * 0.29 * t + plan.phase * 1.7);
  switch (plan.motion) {
    case 'swipe':
      // A sideways swipe turns the wrist as the arm sweeps, so the shape changes, not only the position.
      s.cx += 0.12 * plan.amp * Math.sin(w);
      s.roll += 22 * plan.amp * Math.sin(w);
      s.yaw += 25 * plan.amp * Math.cos(w);
      break;
    case 'shake':
      s.roll += 16 * plan.amp * Math.sin(w);
      s.cx += 0.01 * Math.sin(w);
      break;
    case 'push':
      s.scale *= 1 + 0.12 * plan.amp * Math.sin(w);
      s.pitch += 12 * plan.amp * Math.sin(w);
      break;
    case 'wander': {
      const slow = TWO_PI * 0.15 * t + plan.phase;
      s.cx += 0.18 * Math.sin(slow);
      s.cy += 0.1 * Math.sin(1.3 * slow + 1);
      s.roll += 25 * Math.sin(0.8 * slow);
      s.yaw += 30 * Math.sin(1.1 * slow + 2);
      for (const f of s.angles.fingers) { f.mcp += 20 * Math.sin(slow + f.abd); f.pip += 20 * Math.sin(1.2 * slow); }
      break;
    }
    default:
      break;
  }
  s.angles = clampAngles(s.angles);
  return s;
}

/** `dominant`: the hand that signs (a right- or left-handed signer); default drawn per sign. */
export function createPerformance(rng: Rng, label: StepLabel, handScale: readonly [number, number] = TRAINING_HAND_SCALE, dominant?: Side): Performance {
  const hands = label === 'none' ? [] : label === 'idle' ? idleHands(rng, handScale) : signHands(rng, label, handScale, dominant);
  return { hands, stateAt: (tMs) => hands.map((plan) => ({ plan, state: moved(plan, tMs) })) };
}

/** Linear blend of two states (w = 0 gives a, 1 gives b), for transitions between steps. */
export function blendStates(a: HandState, b: HandState, w: number): HandState {
  const l = (x: number, y: number) => x + (y - x) * w;
  return {
    angles: {
      fingers: a.angles.fingers.map((f, i) => {
        const g = b.angles.fingers[i] ?? f;
        return { mcp: l(f.mcp, g.mcp), abd: l(f.abd, g.abd), pip: l(f.pip, g.pip), dip: l(f.dip, g.dip) };
      }) as HandAngles['fingers'],
      thumb: {
        spread: l(a.angles.thumb.spread, b.angles.thumb.spread), oppose: l(a.angles.thumb.oppose, b.angles.thumb.oppose),
        mcp: l(a.angles.thumb.mcp, b.angles.thumb.mcp), ip: l(a.angles.thumb.ip, b.angles.thumb.ip),
      },
    },
    roll: l(a.roll, b.roll), pitch: l(a.pitch, b.pitch), yaw: l(a.yaw, b.yaw),
    scale: l(a.scale, b.scale), cx: l(a.cx, b.cx), cy: l(a.cy, b.cy),
  };
}
