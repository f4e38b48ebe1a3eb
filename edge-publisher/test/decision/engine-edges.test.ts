/**
 * Decision engine rules that only show at their edges: ties, the final checks of an early
 * trigger, which recent predictions the early consensus reads, which votes must agree, a held
 * label with no cooldown, the reported checks at their thresholds, reset and the gate epoch.
 */
import { describe, expect, it } from 'vitest';
import { CLASS_LABELS } from '@helen/schemas';
import { DecisionEngine, type DecisionOutcome } from '../../src/decision/engine';
import { ORIGINAL_DECISION_SETTINGS, type DecisionSettings } from '../../src/decision/settings';
import { frameMotion, type WindowStats } from '../../src/decision/stats';

const LABELS = CLASS_LABELS;
const peaked = (label: string, p: number) => LABELS.map((l) => (l === label ? p : (1 - p) / (LABELS.length - 1)));
/** Foco p1, Wifi p2, the rest spread over the other 20 classes. */
const two = (p1: number, p2: number) => LABELS.map((l) => (l === 'Foco' ? p1 : l === 'Wifi' ? p2 : (1 - p1 - p2) / 20));
const window = (over: Partial<WindowStats> = {}): WindowStats => ({
  frames: 30, seqLen: 30, presence: 1, areaLeft: 0.06, areaRight: 0, motion: 0.02, featureStd: 0.05, handScore: 0.95, ts: 0, ...over,
});
const engine = (over: Partial<DecisionSettings> = {}) => {
  const e = new DecisionEngine(LABELS, { ...ORIGINAL_DECISION_SETTINGS, ...over });
  expect(e.gate(window())).toBe(true);
  return e;
};
const feed = (e: DecisionEngine, probs: number[][], over: Partial<WindowStats> = {}): DecisionOutcome[] => probs.map((p) => e.onPrediction(p, window(over)));

describe('decision engine edges', () => {
  it('breaks a tie for the top class in favour of the first label', () => {
    expect(engine().onPrediction(two(0.5, 0.5), window()).top).toBe('Foco');
    expect(engine().onPrediction(two(0.5, 0.5), window()).margin).toBe(0);
  });

  it('does not enter on a window whose hand area is too small, even if the gate was skipped', () => {
    const e = new DecisionEngine(LABELS, ORIGINAL_DECISION_SETTINGS);
    const outs = feed(e, Array(6).fill(peaked('Foco', 0.99)), { areaLeft: 0.001 });
    expect(outs.every((o) => o.fired === undefined && o.checks?.area === false)).toBe(true);
  });

  it('needs the hand score for the early trigger too, reported in checks.early', () => {
    const partial = { frames: 20, motion: 0.001 };
    const e = engine();
    const at = feed(e, [peaked('Foco', 0.999), peaked('Foco', 0.999)], { ...partial, handScore: 0.7 });
    expect(at[1]?.checks?.early).toBe(true);
    const below = feed(engine(), [peaked('Foco', 0.999), peaked('Foco', 0.999)], { ...partial, handScore: 0.69 });
    expect(below[1]?.checks?.early).toBe(false);
  });

  it('does not fire an early trigger whose entropy is over entropyEnter', () => {
    const partial = { frames: 20, motion: 0.001, handScore: 0.75 };
    const outs = feed(engine({ entropyEnter: 0.01 }), Array(8).fill(peaked('Foco', 0.995)), partial);
    expect(outs.some((o) => o.checks?.early)).toBe(true);
    expect(outs.every((o) => o.fired === undefined)).toBe(true);
  });

  it('reads the early consensus from the last earlyConsecutive predictions only', () => {
    const e = engine({ earlyProb: 0, earlyMargin: 0, earlyConsecutive: 2, smoothWindow: 7, minConsecutive: 7 });
    const f = peaked('Foco', 0.9);
    const w = peaked('Wifi', 0.9);
    const outs = feed(e, [f, f, f, w, f, f], { frames: 20 });
    expect(outs.map((o) => o.checks?.early)).toEqual([false, true, true, false, false, true]);
  });

  it('fires when the last minConsecutive votes agree, whatever came before them', () => {
    const e = engine({ smoothWindow: 7, minConsecutive: 2, probEnter: 0, marginEnter: 0, entropyEnter: 10 });
    // Votes: Wifi, then Foco (the 1:1 average ties to Foco, the first label), then Foco.
    const outs = feed(e, [peaked('Wifi', 0.99), peaked('Foco', 0.99), peaked('Foco', 0.99)]);
    expect(outs.map((o) => o.top)).toEqual(['Wifi', 'Foco', 'Foco']);
    expect(outs.map((o) => o.fired?.label)).toEqual([undefined, undefined, 'Foco']);
  });

  it('holds a label without firing it again, even with no cooldown', () => {
    const outs = feed(engine({ cooldownMs: 0 }), Array(30).fill(peaked('Foco', 0.99)));
    expect(outs.filter((o) => o.fired).length).toBe(1);
    expect(outs.at(-1)?.active).toBe('Foco');
  });

  it('reports each enter check as met at its threshold itself', () => {
    const probe = engine({ smoothWindow: 1 }).onPrediction(two(0.875, 0.125), window());
    const e = engine({ smoothWindow: 1, probEnter: 0.875, marginEnter: probe.margin, entropyEnter: probe.entropy, minHandScore: 0.7 });
    const out = e.onPrediction(two(0.875, 0.125), window({ handScore: 0.7, motion: 0.015 }));
    expect(out.checks).toMatchObject({ prob: true, margin: true, entropy: true, handScore: true, motion: true });
    const strict = engine({ smoothWindow: 1, probEnter: 0.876, marginEnter: probe.margin + 1e-9, entropyEnter: probe.entropy - 1e-9, minHandScore: 0.71 });
    expect(strict.onPrediction(two(0.875, 0.125), window({ handScore: 0.7, motion: 0.0149 })).checks).toMatchObject({ prob: false, margin: false, entropy: false, handScore: false, motion: false });
  });

  it('leaves `suppressed` out of an outcome that suppressed nothing, and `fired` out of one that fired nothing', () => {
    const out = engine().onPrediction(peaked('Foco', 0.99), window());
    expect(Object.keys(out)).not.toContain('suppressed');
    expect(Object.keys(out)).not.toContain('fired');
  });

  it('after reset(), a closing gate does not advance the epoch a second time', () => {
    const e = engine();
    const epoch = e.epoch;
    e.reset();
    expect(e.epoch).toBe(epoch + 1);
    expect(e.gate(window({ presence: 0 }))).toBe(false);
    expect(e.epoch).toBe(epoch + 1);
  });

  it('frameMotion measures the displacement, not the sum of positions', () => {
    const at = (x: number, y: number) => Float32Array.from({ length: 63 }, (_, i) => (i % 3 === 0 ? x : i % 3 === 1 ? y : 0));
    expect(frameMotion([at(0.2, 0.3), null], [at(0.5, 0.7), null])).toBeCloseTo(0.5, 6);
    expect(frameMotion([at(0.5, 0.5), null], [at(0.5, 0.5), null])).toBe(0);
  });
});
