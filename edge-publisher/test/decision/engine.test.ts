import { describe, expect, it } from 'vitest';
import { CLASS_LABELS } from '@helen/schemas';
import { DecisionEngine, entropy, type GestureDecision } from '../../src/decision/engine';
import { ORIGINAL_DECISION_SETTINGS } from '../../src/decision/settings';
import type { WindowStats } from '../../src/decision/stats';

/*
 * Scripted prediction streams: each step is one window (every `stride` frames at 30 fps),
 * with the stats the pipeline would compute and the model's probabilities. Time is the
 * frames' capture time, which is all the engine reads, so no clock is needed.
 */
const LABELS = CLASS_LABELS;
const FRAME_MS = 1000 / 30;
const STRIDE = 2;

type Step = { label?: string; p?: number; frames?: number; presence?: number; motion?: number; area?: number; handScore?: number; probs?: number[] };
type Segment = Step & { windows: number };

function probsFor(label: string | undefined, p: number): number[] {
  if (label === undefined) return LABELS.map(() => 1 / LABELS.length);
  const idx = LABELS.indexOf(label as (typeof LABELS)[number]);
  if (idx < 0) throw new Error(`unknown label ${label}`);
  const rest = (1 - p) / (LABELS.length - 1);
  return LABELS.map((_, i) => (i === idx ? p : rest));
}

/** Runs segments through the engine exactly as the pipeline does: gate first, then the prediction. */
function run(engine: DecisionEngine, segments: Segment[], startTs = 1_000_000): { fired: GestureDecision[]; ts: number; suppressed: string[] } {
  const fired: GestureDecision[] = [];
  const suppressed: string[] = [];
  let ts = startTs;
  for (const seg of segments) {
    for (let i = 0; i < seg.windows; i++) {
      ts += STRIDE * FRAME_MS;
      const stats: WindowStats = {
        frames: seg.frames ?? 30,
        seqLen: 30,
        presence: seg.presence ?? 1,
        areaLeft: seg.area ?? 0.06,
        areaRight: 0,
        motion: seg.motion ?? 0.02,
        featureStd: 0.05,
        handScore: seg.handScore ?? 0.95,
        ts,
      };
      if (!engine.gate(stats)) continue;
      const out = engine.onPrediction(seg.probs ?? probsFor(seg.label, seg.p ?? 0.99), stats);
      if (out.fired) fired.push(out.fired);
      if (out.suppressed) suppressed.push(out.suppressed.label);
    }
  }
  return { fired, ts, suppressed };
}

/** Deterministic pseudo-random probability vectors (a peaked softmax of random logits). */
function noiseVectors(n: number, seed: number): number[][] {
  let s = seed >>> 0;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, () => {
    const logits = LABELS.map(() => rnd() * 6);
    const m = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  });
}

const idle = (windows: number): Segment => ({ windows, probs: probsFor('3', 0.3) });
const none = (windows: number): Segment => ({ windows, presence: 0, area: 0 });

describe('DecisionEngine', () => {
  it('uses the original defaults', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    expect(e.settings).toEqual(ORIGINAL_DECISION_SETTINGS);
    expect(e.settings).not.toHaveProperty('staticMotion');
    expect(e.settings).not.toHaveProperty('staticVariance');
    expect(e.settings).toMatchObject({ presenceEnter: 0.85, presenceExit: 0.7, probEnter: 0.95, probExit: 0.75, marginEnter: 0.4, marginExit: 0.18, entropyEnter: 1.7, entropyExit: 1.95, areaSingle: 0.025, areaTotal: 0.04, motionEnter: 0.015, motionExit: 0.005, smoothWindow: 7, minConsecutive: 4, staticProb: 0.995, staticMargin: 0.5, staticHandScore: 0.8, earlyProb: 0.995, earlyConsecutive: 2, cooldownMs: 2000 });
  });

  it('fires a held sign once, after 4 agreeing votes', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    const { fired } = run(e, [idle(10), { label: 'Inicio', windows: 40 }, idle(10)]);
    expect(fired.map((f) => f.label)).toEqual(['Inicio']);
    expect(fired[0]?.score).toBeGreaterThan(0.95);
    // Averaging 7 vectors: the 7th Inicio window is the first whose average passes 0.95, and
    // it is the first of the 4 agreeing votes, so the 10th Inicio window fires.
    expect(fired[0]?.ts).toBeCloseTo(1_000_000 + 20 * STRIDE * FRAME_MS, 6);
  });

  it('needs the votes to agree: 3 windows are not enough', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    expect(run(e, [idle(5), { label: 'Inicio', windows: 3 }, idle(10)]).fired).toEqual([]);
  });

  it('fires two signs in a row, in order', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    const { fired } = run(e, [idle(5), { label: 'Inicio', windows: 25 }, { label: 'Reloj', windows: 25 }, idle(5)]);
    expect(fired.map((f) => f.label)).toEqual(['Inicio', 'Reloj']);
    expect((fired[1]?.ts ?? 0) > (fired[0]?.ts ?? 0)).toBe(true);
  });

  it('fires nothing for idle hands, no hands or noise', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    const noise = noiseVectors(300, 7).map((probs) => ({ windows: 1, probs }));
    const { fired } = run(e, [idle(100), none(100), ...noise, { label: 'Clima', p: 0.8, windows: 50 }]);
    expect(fired).toEqual([]);
  });

  it('fires nothing while the presence or area gate is closed, however confident the model', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    expect(run(e, [{ label: 'Inicio', windows: 50, presence: 0.5 }]).fired).toEqual([]);
    expect(run(e, [{ label: 'Inicio', windows: 50, area: 0.01 }]).fired).toEqual([]);
  });

  it('lets one hand of area >= areaSingle enter, though it is under areaTotal (the gate\'s OR rule)', () => {
    // 0.03: over the single-hand 0.025, under the two-hand total 0.040.
    expect(run(new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS), [idle(5), { label: 'Inicio', windows: 30, area: 0.03 }]).fired.map((f) => f.label)).toEqual(['Inicio']);
    expect(run(new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS), [idle(5), { label: 'Inicio', windows: 30, area: 0.02 }]).fired).toEqual([]);
  });

  it('keeps the presence gate open down to the exit threshold (hysteresis)', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    const base = { presence: 1, areaLeft: 0.05, areaRight: 0 };
    expect(e.gate({ ...base, presence: 0.8 })).toBe(false); // below enter 0.85
    expect(e.gate({ ...base, presence: 0.9 })).toBe(true);
    expect(e.gate({ ...base, presence: 0.72 })).toBe(true); // above exit 0.70
    expect(e.gate({ ...base, presence: 0.69 })).toBe(false);
    expect(e.gate({ ...base, presence: 0.8 })).toBe(false); // closed again: needs 0.85
    expect(e.gate({ presence: 1, areaLeft: 0.02, areaRight: 0.021 })).toBe(true); // total >= 0.040
    expect(e.gate({ presence: 1, areaLeft: 0.02, areaRight: 0.01 })).toBe(false);
  });

  it('stays in a label until the exit thresholds fail (hysteresis), then can fire it again', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    // 0.85 is below the enter threshold (0.95) but above the exit one (0.75): stays, no new event.
    const first = run(e, [{ label: 'Foco', windows: 10 }, { label: 'Foco', p: 0.85, windows: 60 }]);
    expect(first.fired.map((f) => f.label)).toEqual(['Foco']);
    expect(e.active).toBe('Foco');
    // 0.7 is below the exit threshold: leaves; a fresh strong Foco after the cooldown fires again.
    const second = run(e, [{ label: 'Foco', p: 0.7, windows: 10 }, { label: 'Foco', windows: 10 }], first.ts);
    expect(second.fired.map((f) => f.label)).toEqual(['Foco']);
  });

  it('keeps a held label while the hand goes still, without firing it again', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    // Entered moving; then 4 s still (under the exit threshold 0.005) at p = 0.9: below the
    // static numbers, but the stay rules hold, so it stays and fires once.
    const { fired } = run(e, [{ label: 'Wifi', windows: 8 }, { label: 'Wifi', p: 0.9, windows: 60, motion: 0.001 }]);
    expect(fired.map((f) => f.label)).toEqual(['Wifi']);
    expect(e.active).toBe('Wifi');
    // Another class on top, still: the stay rules fail and it leaves.
    run(e, [{ label: 'Foco', p: 0.97, windows: 10, motion: 0.001 }]);
    expect(e.active).toBe(null);
  });

  it('applies the per-label cooldown of 2 s', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    // Inicio, a short gap of idle (exits), Inicio again within 2 s: suppressed.
    const a = run(e, [{ label: 'Inicio', windows: 6 }, idle(4), { label: 'Inicio', windows: 12 }]);
    expect(a.fired.map((f) => f.label)).toEqual(['Inicio']);
    expect(a.suppressed).toEqual(['Inicio']);
    // Another label is not held back by Inicio's cooldown.
    const b = run(e, [idle(2), { label: 'Reloj', windows: 12 }], a.ts);
    expect(b.fired.map((f) => f.label)).toEqual(['Reloj']);
    // After 2 s Inicio fires again.
    const c = run(e, [idle(40), { label: 'Inicio', windows: 12 }], b.ts);
    expect(c.fired.map((f) => f.label)).toEqual(['Inicio']);
  });

  it('makes a static window meet the stricter thresholds', () => {
    const still = { motion: 0.001 };
    const weak = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    expect(run(weak, [{ label: 'Alarma', p: 0.97, windows: 20, ...still }]).fired).toEqual([]);
    const lowScore = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    expect(run(lowScore, [{ label: 'Alarma', p: 0.999, windows: 20, handScore: 0.75, ...still }]).fired).toEqual([]);
    const strong = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    expect(run(strong, [{ label: 'Alarma', p: 0.999, windows: 20, ...still }]).fired.map((f) => f.label)).toEqual(['Alarma']);
  });

  it('treats a window under the enter motion threshold as static: a held sign at p >= 0.995 fires once, at p = 0.97 not', () => {
    // A held sign moves a little (0.001-0.01 per frame), under the enter threshold 0.015 but
    // not perfectly still: it is a static window, and only the static numbers let it in.
    const held = { motion: 0.008 };
    const strong = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    const { fired } = run(strong, [idle(10), { label: 'Ajustes', p: 0.997, windows: 60, ...held }, idle(10)]);
    expect(fired.map((f) => f.label)).toEqual(['Ajustes']);
    expect(fired[0]?.score).toBeGreaterThanOrEqual(0.995);
    expect(strong.settings.staticProb).toBe(0.995);
    const weak = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    expect(run(weak, [idle(10), { label: 'Ajustes', p: 0.97, windows: 60, ...held }, idle(10)]).fired).toEqual([]);
    // The same p = 0.97 while moving enters under the plain rules.
    const moving = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    expect(run(moving, [idle(10), { label: 'Ajustes', p: 0.97, windows: 60, motion: 0.02 }, idle(10)]).fired.map((f) => f.label)).toEqual(['Ajustes']);
  });

  it('judges motion with hysteresis: the exit threshold while a label is active, the enter one otherwise', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    const ts = 1_000_000;
    const stats = (motion: number, i: number): WindowStats => ({ frames: 30, seqLen: 30, presence: 1, areaLeft: 0.06, areaRight: 0, motion, featureStd: 0.05, handScore: 0.95, ts: ts + i * 67 });
    expect(e.onPrediction(probsFor('3', 0.3), stats(0.01, 0)).checks?.static).toBe(true); // < 0.015, nothing active
    let i = 1;
    while (e.active === null && i < 20) e.onPrediction(probsFor('Wifi', 0.99), stats(0.02, i++));
    expect(e.active).toBe('Wifi');
    expect(e.onPrediction(probsFor('Wifi', 0.99), stats(0.01, i++)).checks?.static).toBe(false); // >= 0.005 while active
    expect(e.onPrediction(probsFor('Wifi', 0.99), stats(0.004, i++)).checks?.static).toBe(true);
    expect(e.active).toBe('Wifi'); // static or not, the stay rules hold
  });

  it('early-triggers on a partial window at p >= 0.995 with 2 agreeing predictions', () => {
    // A static hand with a mean hand score under the static 0.8 (but over the 0.7 every
    // label needs): only the early trigger can fire it.
    const slow = { motion: 0.01, handScore: 0.75 };
    const partial = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    const { fired } = run(partial, [{ label: 'Tutorial', p: 0.999, windows: 6, frames: 20, ...slow }]);
    expect(fired.map((f) => [f.label, f.early])).toEqual([['Tutorial', true]]);
    // The same windows when full do not qualify.
    const full = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    expect(run(full, [{ label: 'Tutorial', p: 0.999, windows: 6, frames: 30, ...slow }]).fired).toEqual([]);
    // Nor does a partial window below 0.995.
    const weak = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    expect(run(weak, [{ label: 'Tutorial', p: 0.99, windows: 6, frames: 20, ...slow }]).fired).toEqual([]);
  });

  it('ignores a prediction for a window sent before the gate closed', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    const stats: WindowStats = { frames: 30, seqLen: 30, presence: 1, areaLeft: 0.05, areaRight: 0, motion: 0.02, featureStd: 0.05, handScore: 0.9, ts: 1 };
    expect(e.gate(stats)).toBe(true);
    const epoch = e.epoch;
    expect(e.gate({ ...stats, presence: 0 })).toBe(false);
    expect(e.gate(stats)).toBe(true);
    expect(e.onPrediction(probsFor('Start', 0.99), stats, epoch).stale).toBe(true);
  });

  it('computes entropy in nats', () => {
    expect(entropy([1, 0])).toBeCloseTo(0, 5);
    expect(entropy([0.5, 0.5])).toBeCloseTo(Math.log(2), 10);
    expect(entropy(probsFor(undefined, 0))).toBeCloseTo(Math.log(22), 10);
  });
});
