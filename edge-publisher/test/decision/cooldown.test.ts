/**
 * The decision engine's edges, at exact numbers: the 2 s cooldown boundary (a 1.5 s cooldown
 * must fail here), each enter/stay threshold at its value, the outcome fields, and the window
 * statistics (motion, feature spread) the pipeline feeds it.
 */
import { describe, expect, it } from 'vitest';
import { CLASS_LABELS } from '@helen/schemas';
import { DecisionEngine, type DecisionOutcome } from '../../src/decision/engine';
import { decisionSettings, ORIGINAL_DECISION_SETTINGS, type DecisionSettings } from '../../src/decision/settings';
import { frameMotion, meanFeatureStd, type WindowStats } from '../../src/decision/stats';

const LABELS = CLASS_LABELS;

function peaked(label: string, p: number): number[] {
  const idx = LABELS.indexOf(label as (typeof LABELS)[number]);
  const rest = (1 - p) / (LABELS.length - 1);
  return LABELS.map((_, i) => (i === idx ? p : rest));
}

/** Foco p1, Wifi p2, the rest (usually 0) spread over the other 20 classes. */
const two = (p1: number, p2: number) => LABELS.map((l) => (l === 'Foco' ? p1 : l === 'Wifi' ? p2 : (1 - p1 - p2) / 20));

const window = (over: Partial<WindowStats> = {}): WindowStats => ({
  frames: 30, seqLen: 30, presence: 1, areaLeft: 0.06, areaRight: 0, motion: 0.02, featureStd: 0.05, handScore: 0.95, ts: 0, ...over,
});

/** Opens the gate and feeds `votes` identical predictions at capture time `ts`; the last outcome. */
function hold(e: DecisionEngine, probs: number[], ts: number, votes = 4, over: Partial<WindowStats> = {}): DecisionOutcome {
  const stats = window({ ts, ...over });
  expect(e.gate(stats)).toBe(true);
  let out: DecisionOutcome | undefined;
  for (let i = 0; i < votes; i++) out = e.onPrediction(probs, stats);
  return out as DecisionOutcome;
}

/** The hand leaves: the gate closes and the active label is dropped. */
function leave(e: DecisionEngine): void {
  expect(e.gate(window({ presence: 0, areaLeft: 0 }))).toBe(false);
  expect(e.active).toBe(null);
}

describe('decision cooldown', () => {
  const T = 1_000_000;

  it('holds the same label back for exactly 2 s by default', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    expect(hold(e, peaked('Inicio', 0.99), T).fired).toMatchObject({ label: 'Inicio', ts: T, early: false });
    leave(e);
    const early = hold(e, peaked('Inicio', 0.99), T + 1600);
    expect(early.fired).toBeUndefined();
    expect(early.suppressed).toEqual({ label: 'Inicio', remainingMs: 400 });
    expect(early.active).toBe('Inicio'); // entered, only not announced
    leave(e);
    const justBefore = hold(e, peaked('Inicio', 0.99), T + 1999);
    expect(justBefore.suppressed).toEqual({ label: 'Inicio', remainingMs: 1 });
    leave(e);
    expect(hold(e, peaked('Inicio', 0.99), T + 2000).fired).toMatchObject({ label: 'Inicio', ts: T + 2000 });
  });

  it('measures the cooldown from the last event that fired, not from a suppressed entry', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    hold(e, peaked('Reloj', 0.99), T);
    leave(e);
    expect(hold(e, peaked('Reloj', 0.99), T + 1000).suppressed?.remainingMs).toBe(1000);
    leave(e);
    expect(hold(e, peaked('Reloj', 0.99), T + 2000).fired?.label).toBe('Reloj');
  });

  it('reads HELEN_DECISION_COOLDOWN in seconds', () => {
    const s = decisionSettings.parse({ HELEN_DECISION_COOLDOWN: '1.5' });
    expect(s.cooldownMs).toBe(1500);
    expect(ORIGINAL_DECISION_SETTINGS.cooldownMs).toBe(2000);
    const e = new DecisionEngine(LABELS, { ...ORIGINAL_DECISION_SETTINGS, cooldownMs: s.cooldownMs });
    hold(e, peaked('Inicio', 0.99), T);
    leave(e);
    expect(hold(e, peaked('Inicio', 0.99), T + 1500).fired?.label).toBe('Inicio');
  });
});

describe('decision thresholds at their values', () => {
  const T = 5_000_000;
  const fresh = (over: Partial<DecisionSettings> = {}) => new DecisionEngine(LABELS, { ...ORIGINAL_DECISION_SETTINGS, ...over });

  it('refuses an engine with no labels and a prediction of the wrong length', () => {
    expect(() => new DecisionEngine([])).toThrow(/at least one class label/);
    expect(() => fresh().onPrediction([1, 0], window())).toThrow('prediction has 2 probabilities, the model has 22 labels');
  });

  it('enters at exactly 4 votes, not 3, and reports the averaged top probability as the score', () => {
    const e = fresh();
    expect(hold(e, peaked('Clima', 0.97), T, 3).active).toBe(null);
    const out = e.onPrediction(peaked('Clima', 0.97), window({ ts: T }));
    expect(out.active).toBe('Clima');
    expect(out.fired?.score).toBeCloseTo(0.97, 10);
    expect(out.top).toBe('Clima');
    expect(out.p1).toBeCloseTo(0.97, 10);
    expect(out.margin).toBeCloseTo(0.97 - 0.03 / 21, 10);
  });

  it('enters at probEnter itself and not below it', () => {
    // 0.875 is exact in binary, so the average of four is 0.875 exactly.
    expect(hold(fresh({ probEnter: 0.875 }), peaked('Foco', 0.875), T).fired?.label).toBe('Foco');
    expect(hold(fresh({ probEnter: 0.875 }), peaked('Foco', 0.87), T).fired).toBeUndefined();
  });

  it('enters at marginEnter itself and not below it', () => {
    // Two classes share the mass: margin = p1 - p2.
    const s = { probEnter: 0.5, entropyEnter: 5, staticProb: 0 };
    expect(hold(fresh({ ...s, marginEnter: 0.5 }), two(0.75, 0.25), T).fired?.label).toBe('Foco');
    expect(hold(fresh({ ...s, marginEnter: 0.5 }), two(0.74, 0.26), T).fired).toBeUndefined();
  });

  it('enters only with entropy at most entropyEnter', () => {
    const probs = peaked('Foco', 0.99);
    const h = hold(fresh(), probs, T, 1).entropy;
    expect(hold(fresh({ entropyEnter: h }), probs, T).fired?.label).toBe('Foco');
    expect(hold(fresh({ entropyEnter: h - 1e-9 }), probs, T).fired).toBeUndefined();
  });

  it('needs the mean hand score to reach minHandScore', () => {
    expect(hold(fresh(), peaked('Foco', 0.99), T, 4, { handScore: 0.7 }).fired?.label).toBe('Foco');
    const low = hold(fresh(), peaked('Foco', 0.99), T, 4, { handScore: 0.69 });
    expect(low.fired).toBeUndefined();
    expect(low.checks?.handScore).toBe(false);
  });

  it('needs one hand of areaSingle (left or right) or both of areaTotal', () => {
    const at = (areaLeft: number, areaRight: number) => hold(fresh({ presenceEnter: 0 }), peaked('Foco', 0.99), T, 4, { areaLeft, areaRight }).checks?.area;
    expect(at(0.025, 0)).toBe(true);
    expect(at(0, 0.025)).toBe(true);
    expect(at(0.02, 0.02)).toBe(true);
    const e = fresh();
    expect(e.gate({ presence: 1, areaLeft: 0.024, areaRight: 0.0159 })).toBe(false);
    expect(e.gate({ presence: 1, areaLeft: 0, areaRight: 0.025 })).toBe(true);
    expect(e.gate({ presence: 1, areaLeft: 0.02, areaRight: 0.02 })).toBe(true);
  });

  it('opens the presence gate at presenceEnter itself and keeps it at presenceExit itself', () => {
    const e = fresh();
    expect(e.gate({ presence: 0.85, areaLeft: 0.05, areaRight: 0 })).toBe(true);
    expect(e.gate({ presence: 0.7, areaLeft: 0.05, areaRight: 0 })).toBe(true);
  });

  it('stays in a label at the exit thresholds and leaves just below them', () => {
    const stay = (p: number, over: Partial<DecisionSettings> = {}) => {
      const e = fresh(over);
      hold(e, peaked('Foco', 0.99), T);
      // smoothWindow 1: the average is the latest prediction alone.
      return e.onPrediction(peaked('Foco', p), window({ ts: T + 100 })).active;
    };
    expect(stay(0.75, { smoothWindow: 1, minConsecutive: 1 })).toBe('Foco');
    expect(stay(0.749, { smoothWindow: 1, minConsecutive: 1 })).toBe(null);
    const m = fresh({ smoothWindow: 1 }).onPrediction(peaked('Foco', 0.8), window()).margin;
    expect(stay(0.8, { smoothWindow: 1, minConsecutive: 1, marginExit: m })).toBe('Foco');
    expect(stay(0.8, { smoothWindow: 1, minConsecutive: 1, marginExit: m + 1e-9 })).toBe(null);
    const e = fresh({ smoothWindow: 1, minConsecutive: 1 });
    hold(e, peaked('Foco', 0.99), T);
    const h = e.onPrediction(peaked('Foco', 0.8), window({ ts: T + 1 })).entropy;
    expect(stay(0.8, { smoothWindow: 1, minConsecutive: 1, entropyExit: h })).toBe('Foco');
    expect(stay(0.8, { smoothWindow: 1, minConsecutive: 1, entropyExit: h - 1e-9 })).toBe(null);
  });

  it('averages over at most smoothWindow predictions', () => {
    const e = fresh({ smoothWindow: 2, minConsecutive: 2 });
    expect(e.gate(window())).toBe(true);
    e.onPrediction(peaked('3', 0.2), window());
    e.onPrediction(peaked('Foco', 0.99), window());
    // Only the last two count: (0.99 + 0.99) / 2, the 0.2 vector is gone.
    expect(e.onPrediction(peaked('Foco', 0.99), window()).p1).toBeCloseTo(0.99, 10);
  });

  it('keeps the votes in a window of smoothWindow and needs the last minConsecutive to agree', () => {
    const e = fresh({ smoothWindow: 7, minConsecutive: 4, probEnter: 0.5, marginEnter: 0.1, entropyEnter: 5, staticProb: 0 });
    expect(e.gate(window())).toBe(true);
    const votes = ['Foco', 'Foco', 'Foco', 'Wifi', 'Foco', 'Foco', 'Foco'];
    const fired = votes.map((l) => e.onPrediction(peaked(l, 0.99), window()).fired?.label);
    // Averages over 7 keep Foco on top; the Wifi vote is in the average but Foco still wins.
    expect(fired.filter(Boolean)).toEqual(['Foco']);
  });

  it('forgets the votes when a window fails the enter rules', () => {
    const e = fresh({ smoothWindow: 2, minConsecutive: 2 });
    expect(e.gate(window())).toBe(true);
    e.onPrediction(peaked('Foco', 0.99), window()); // one vote
    e.onPrediction(peaked('Foco', 0.5), window()); // average 0.745 fails: votes cleared
    e.onPrediction(peaked('Foco', 0.99), window()); // average 0.745 fails again
    expect(e.onPrediction(peaked('Foco', 0.99), window()).fired).toBeUndefined(); // the first vote again
    expect(e.onPrediction(peaked('Foco', 0.99), window()).fired?.label).toBe('Foco');
  });

  it('after a fire, starts the next entry from fresh votes and probabilities', () => {
    const e = fresh({ smoothWindow: 7, minConsecutive: 4 });
    hold(e, peaked('Foco', 0.99), T);
    expect(e.onPrediction(peaked('Wifi', 0.99), window({ ts: T + 3000 })).active).toBe(null);
    // Three more Wifi: with Foco's probabilities and votes forgotten, the 4th Wifi fires.
    const outs = [1, 2, 3].map((i) => e.onPrediction(peaked('Wifi', 0.99), window({ ts: T + 3000 + i })));
    expect(outs.map((o) => o.fired?.label)).toEqual([undefined, undefined, 'Wifi']);
  });

  it('reports every check, and the outcome fields', () => {
    const out = fresh().onPrediction(peaked('Foco', 0.999), window({ motion: 0.02 }));
    expect(out.checks).toEqual({ prob: true, margin: true, entropy: true, area: true, motion: true, static: false, staticStrong: true, early: false, handScore: true });
    const weak = fresh().onPrediction(peaked('Foco', 0.3), window({ motion: 0.01, handScore: 0.5, areaLeft: 0.001 }));
    expect(weak.checks).toEqual({ prob: false, margin: false, entropy: false, area: false, motion: false, static: true, staticStrong: false, early: false, handScore: false });
    expect(weak.active).toBe(null);
    expect(weak.stale).toBeUndefined();
  });

  it('judges static windows at the motion thresholds themselves', () => {
    expect(fresh().onPrediction(peaked('Foco', 0.99), window({ motion: 0.015 })).checks?.static).toBe(false);
    expect(fresh().onPrediction(peaked('Foco', 0.99), window({ motion: 0.0149 })).checks?.static).toBe(true);
    const e = fresh();
    hold(e, peaked('Foco', 0.99), T);
    expect(e.onPrediction(peaked('Foco', 0.99), window({ motion: 0.005 })).checks?.static).toBe(false);
    expect(e.onPrediction(peaked('Foco', 0.99), window({ motion: 0.0049 })).checks?.static).toBe(true);
  });

  it('lets a static window in at the static numbers themselves', () => {
    const still = { motion: 0.001, handScore: 0.8 };
    // Dyadic numbers: the averages are exact, so each threshold is met with equality.
    const probs = two(0.96875, 0.03125);
    const base = { staticProb: 0.96875, staticMargin: 0.9375, staticHandScore: 0.8 };
    expect(hold(fresh(base), probs, T, 4, still).fired?.label).toBe('Foco');
    expect(hold(fresh({ ...base, staticProb: 0.97 }), probs, T, 4, still).fired).toBeUndefined();
    expect(hold(fresh({ ...base, staticMargin: 0.94 }), probs, T, 4, still).fired).toBeUndefined();
    expect(hold(fresh(base), probs, T, 4, { ...still, handScore: 0.79 }).fired).toBeUndefined();
  });

  it('early-triggers at the early numbers themselves, only on a partial window with agreeing recent predictions', () => {
    // Static and a hand score under the static one: only the early trigger can fire.
    const partial = { frames: 20, motion: 0.001, handScore: 0.75 };
    // 5 predictions: the first has no agreeing predecessor, so 4 votes start at the second.
    const probs = two(0.96875, 0.03125);
    const s = { earlyProb: 0.96875, earlyMargin: 0.9375, earlyConsecutive: 2 };
    const early = hold(fresh(s), probs, T, 5, partial);
    expect(early.fired).toMatchObject({ label: 'Foco', early: true });
    expect(early.checks?.early).toBe(true);
    expect(hold(fresh({ ...s, earlyProb: 0.97 }), probs, T, 5, partial).fired).toBeUndefined();
    expect(hold(fresh({ ...s, earlyMargin: 0.94 }), probs, T, 5, partial).fired).toBeUndefined();
    expect(hold(fresh(s), probs, T, 5, { ...partial, frames: 30 }).fired).toBeUndefined();
    expect(hold(fresh(s), probs, T, 5, { ...partial, handScore: 0.69 }).fired).toBeUndefined();
    // The first prediction alone has no 2 agreeing predictions yet.
    const e = fresh({ ...s, minConsecutive: 1 });
    expect(e.gate(window())).toBe(true);
    expect(e.onPrediction(probs, window(partial)).checks?.early).toBe(false);
    expect(e.onPrediction(probs, window(partial)).checks?.early).toBe(true);
    // A disagreeing recent prediction breaks the consensus.
    const d = fresh(s);
    expect(d.gate(window())).toBe(true);
    d.onPrediction(two(0.03125, 0.96875), window(partial));
    expect(d.onPrediction(two(1, 0), window(partial)).checks?.early).toBe(false);
  });

  it('marks a fire early only when the plain enter rules did not hold', () => {
    expect(hold(fresh(), peaked('Foco', 0.999), T, 4, { frames: 20 }).fired).toMatchObject({ label: 'Foco', early: false });
  });

  it('reset() forgets the active label and makes in-flight answers stale, but keeps the cooldown clock', () => {
    const e = fresh();
    hold(e, peaked('Foco', 0.99), T);
    const epoch = e.epoch;
    e.reset();
    expect(e.active).toBe(null);
    expect(e.epoch).toBe(epoch + 1);
    expect(e.onPrediction(peaked('Foco', 0.99), window(), epoch).stale).toBe(true);
    expect(e.gate({ presence: 0.8, areaLeft: 0.05, areaRight: 0 })).toBe(false); // presence gate closed again
    expect(hold(e, peaked('Foco', 0.99), T + 500).suppressed?.label).toBe('Foco');
  });

  it('does not count a stale answer in the average', () => {
    const e = fresh();
    expect(e.gate(window())).toBe(true);
    const epoch = e.epoch;
    leave(e);
    const stale = hold(e, peaked('Foco', 0.99), T, 1);
    expect(stale.p1).toBeCloseTo(0.99, 10);
    const out = e.onPrediction(peaked('Wifi', 0.99), window(), epoch);
    expect(out.stale).toBe(true);
    expect(out.checks).toBeUndefined();
    expect(e.onPrediction(peaked('Foco', 0.99), window()).p1).toBeCloseTo(0.99, 10);
  });

  it('a closed gate only advances the epoch once, when it closes', () => {
    const e = fresh();
    expect(e.gate(window())).toBe(true);
    const epoch = e.epoch;
    leave(e);
    leave(e);
    expect(e.epoch).toBe(epoch + 1);
  });
});

describe('window statistics', () => {
  const hand = (dx: number, dy = 0) => Float32Array.from({ length: 63 }, (_, i) => (i % 3 === 0 ? dx : i % 3 === 1 ? dy : 9));

  it('frameMotion is the mean xy displacement, averaged over hands present in both frames', () => {
    expect(frameMotion([hand(0), null], [hand(0.3, 0.4), null])).toBeCloseTo(0.5, 6);
    expect(frameMotion([null, hand(0)], [null, hand(0, 0.2)])).toBeCloseTo(0.2, 6);
    expect(frameMotion([hand(0), hand(0)], [hand(0.3, 0.4), hand(0.1)])).toBeCloseTo(0.3, 6);
    expect(frameMotion([hand(0), null], [null, hand(1)])).toBe(0);
    expect(frameMotion([null, null], [null, null])).toBe(0);
  });

  it('frameMotion ignores z', () => {
    const a = hand(0);
    const b = Float32Array.from(a, (v, i) => (i % 3 === 2 ? v + 5 : v));
    expect(frameMotion([a, null], [b, null])).toBe(0);
  });

  it('meanFeatureStd is the mean over features of the population std', () => {
    expect(meanFeatureStd([])).toBe(0);
    expect(meanFeatureStd([Float32Array.of(1, 5)])).toBe(0);
    // feature 0: {0, 2} -> std 1; feature 1: {1, 1} -> 0; mean 0.5.
    expect(meanFeatureStd([Float32Array.of(0, 1), Float32Array.of(2, 1)])).toBeCloseTo(0.5, 10);
    // {0, 0, 3}: mean 1, population std sqrt(2).
    expect(meanFeatureStd([Float32Array.of(0), Float32Array.of(0), Float32Array.of(3)])).toBeCloseTo(Math.SQRT2, 10);
  });
});
