/**
 * Turns a scenario into the landmark frames a camera would deliver: the synthetic signer's
 * stream at the scenario's frame rate and signing hand, then what the generator does not
 * model itself: hands sliding in and out of the frame, idle people drifting and turning,
 * extra landmark jitter and dropped frames. Also returns where each sign is, for the scorer.
 */
import { ASPECT, createRng, mixSeed, scriptedStream, type Rng } from '@helen/synthetic-signer';
import type { LandmarkFrame } from '@helen/schemas';
import type { Scenario, ScenarioStep } from './scenario';

/** Where one sign of the script is, in frame time (epoch ms). */
export interface SignSpan {
  label: string;
  /** Capture time of the sign's first frame (its onset). */
  onset: number;
  /** Capture time of its last frame. */
  end: number;
  /** Conditions the sign was made under, for the breakdown rows. */
  tags: string[];
}

export interface RenderedStream {
  frames: LandmarkFrame[];
  signs: SignSpan[];
  /** Stretches where the camera sees no hand, [start, end) in frame time. */
  empty: { start: number; end: number }[];
  /** Frame time covered: [first frame, last frame + one frame period). */
  start: number;
  end: number;
}

export const STREAM_START_TS = 1_700_000_000_000;
/** How far below its place a hand starts when it slides in (image heights). */
const SLIDE_DISTANCE = 0.7;
/** Drift fades in and out over this long at the ends of a step (no jump into the next step). */
const DRIFT_FADE_MS = 500;

type Hand = LandmarkFrame['hands'][number];
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** The scale band of a scenario, for the breakdown: far (training distances) to arm's reach. */
export function scaleBand(s: Scenario): string {
  const c = (s.handScale[0] + s.handScale[1]) / 2;
  return c < 0.15 ? 'scale 0.10-0.15' : c < 0.2 ? 'scale 0.15-0.20' : c < 0.25 ? 'scale 0.20-0.25' : 'scale 0.25-0.30';
}

function mapHand(h: Hand, f: (x: number, y: number, z: number) => [number, number, number]): Hand {
  return { ...h, landmarks: h.landmarks.map((p) => f(p[0] as number, p[1] as number, p[2] as number)) };
}

function centreY(h: Hand): number {
  return h.landmarks.reduce((a, p) => a + (p[1] as number), 0) / h.landmarks.length;
}

/**
 * A person moving without signing: the whole body shifts (sd ~0.05 image heights) and the
 * hands turn (sd ~12 degrees), smoothly, over a few seconds. A damped oscillator driven by
 * noise, scaled by sqrt(dt) so it moves the same at 15 and 30 fps.
 */
class Drift {
  private x = 0; private y = 0; private angle = 0;
  private vx = 0; private vy = 0; private va = 0;
  private static readonly DAMPING = 2;
  private static readonly SPRING = 2;
  constructor(private readonly rng: Rng, private readonly dtS: number) {}
  step(): void {
    const dt = this.dtS, kick = Math.sqrt(dt), { DAMPING: c, SPRING: k } = Drift;
    // Stationary sd of the position: noise sd / sqrt(2 * c * k) = noise sd / 2.83.
    this.vx += this.rng.normal(0.14) * kick - (c * this.vx + k * this.x) * dt;
    this.vy += this.rng.normal(0.11) * kick - (c * this.vy + k * this.y) * dt;
    this.va += this.rng.normal(34) * kick - (c * this.va + k * this.angle) * dt;
    this.x += this.vx * dt; this.y += this.vy * dt; this.angle += this.va * dt;
  }
  /** `weight` 0-1 fades the displacement in and out, so a step starts and ends where the generator put the hands. */
  apply(h: Hand, weight: number): Hand {
    const n = h.landmarks.length;
    const cx = h.landmarks.reduce((a, p) => a + (p[0] as number), 0) / n;
    const cy = centreY(h);
    const rad = (weight * this.angle * Math.PI) / 180;
    const c = Math.cos(rad), s = Math.sin(rad);
    const ox = weight * this.x, oy = weight * this.y;
    // Rotate about the hand's centre in metric units (x is in 4:3 image widths).
    return mapHand(h, (x, y, z) => {
      const dx = (x - cx) * ASPECT, dy = y - cy;
      return [cx + (dx * c - dy * s) / ASPECT + ox / ASPECT, cy + dx * s + dy * c + oy, z];
    });
  }
}

export function renderScenario(s: Scenario): RenderedStream {
  const period = 1000 / s.fps;
  const raw = [...scriptedStream({ seed: mixSeed(s.seed, 0x5167), script: s.steps, fps: s.fps, startTs: STREAM_START_TS, handScale: s.handScale, dominantSide: s.signer })];
  const rng = createRng(mixSeed(s.seed, 0xf4a3e));
  const frames: LandmarkFrame[] = [];
  const signs: SignSpan[] = [];
  const empty: { start: number; end: number }[] = [];
  const baseTags = [`${s.fps} fps`, `${s.signer === 'Right' ? 'right' : 'left'}-handed`, scaleBand(s)];
  let index = 0;
  let burst = 0;
  for (const step of s.steps) {
    // The generator's own frame count for a step (generator.ts: round(duration * fps / 1000)).
    const count = Math.max(0, Math.round((step.durationMs * s.fps) / 1000));
    const first = index;
    let twoHands = 0;
    const drift = step.drift ? new Drift(rng.fork(first), period / 1000) : undefined;
    for (let i = 0; i < count; i++, index++) {
      const frame = raw[index];
      if (!frame) throw new Error(`the generator gave ${raw.length} frames, the script needs more`);
      if (frame.hands.length === 2) twoHands++;
      drift?.step();
      const hands = frame.hands.map((h) => perturb(h, s, step, i * period, drift, rng)).filter((h): h is Hand => h !== undefined);
      if (hands.length === 0) {
        const last = empty.at(-1);
        if (last && last.end === frame.ts) last.end = tsOf(index + 1, s.fps);
        else empty.push({ start: frame.ts, end: tsOf(index + 1, s.fps) });
      }
      // Dropped frames come in short bursts (a busy capture loop skips a few at a time).
      if (burst > 0) { burst--; continue; }
      if (s.dropRate > 0 && rng.chance(s.dropRate / 2)) { burst = rng.int(0, 2); continue; }
      frames.push({ ...frame, hands });
    }
    if (step.label !== 'idle' && step.label !== 'none' && count > 0) {
      // Two-hand signs (Agregar) and signs made with the other hand resting in view.
      const tags = [...baseTags, twoHands > count / 2 ? 'two hands in view' : 'one hand in view'];
      if (step.enterMs) tags.push('hand enters');
      if (step.leaveMs) tags.push('hand leaves');
      signs.push({ label: step.label, onset: tsOf(first, s.fps), end: tsOf(first + count - 1, s.fps), tags });
    }
  }
  if (index !== raw.length) throw new Error(`the generator gave ${raw.length} frames, the script has ${index}`);
  return { frames, signs, empty, start: STREAM_START_TS, end: tsOf(index, s.fps) };
}

/** The generator's timestamps (generator.ts). */
function tsOf(frameIndex: number, fps: number): number {
  return Math.round(STREAM_START_TS + (frameIndex * 1000) / fps);
}

/** One hand as the camera delivers it, or undefined when it is out of the frame. */
function perturb(h: Hand, s: Scenario, step: ScenarioStep, tMs: number, drift: Drift | undefined, rng: Rng): Hand | undefined {
  let out = drift ? drift.apply(h, Math.min(1, tMs / DRIFT_FADE_MS, (step.durationMs - tMs) / DRIFT_FADE_MS)) : h;
  let slide = 0;
  if (step.enterMs && tMs < step.enterMs) slide = SLIDE_DISTANCE * (1 - tMs / step.enterMs);
  const leaveFrom = step.durationMs - (step.leaveMs ?? 0);
  if (step.leaveMs && tMs > leaveFrom) slide = SLIDE_DISTANCE * Math.min(1, (tMs - leaveFrom) / step.leaveMs);
  if (slide > 0) {
    out = mapHand(out, (x, y, z) => [x, y + slide, z]);
    // The tracker does not find a hand that is mostly below the frame.
    if (centreY(out) > 1) return undefined;
  }
  if (s.jitter > 0) out = mapHand(out, (x, y, z) => [x + rng.normal(s.jitter) / ASPECT, y + rng.normal(s.jitter), z]);
  return out === h ? h : mapHand(out, (x, y, z) => [round6(x), round6(y), round6(z)]);
}
