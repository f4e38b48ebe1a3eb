/**
 * Frame-rate normalisation (pipeline/resample.ts) and how the pipeline uses it: a 15 fps
 * camera's window spans one second like a 30 fps one, dropped frames are filled, a stalled
 * camera is not, and only real frames are gated and sent.
 */
import { describe, expect, it } from 'vitest';
import { CLASS_LABELS, type FeatureSequence, type LandmarkFrame } from '@helen/schemas';
import { EdgePipeline } from '../../src/pipeline/pipeline';
import { FrameRateNormalizer, interpolateFrame } from '../../src/pipeline/resample';
import type { PredictOutcome, Predictor } from '../../src/predict/types';
import { DECISION_PRESETS, DEFAULT_DECISION_SETTINGS, ORIGINAL_DECISION_SETTINGS } from '../../src/decision/settings';
import { silent } from '../helpers';

type Hand = LandmarkFrame['hands'][number];
const hand = (side: 'Left' | 'Right', x: number, score = 0.9): Hand => ({
  handedness: side, score, landmarks: Array.from({ length: 21 }, (_, k) => [x + 0.01 * k, 0.4 + 0.2 * (k % 2), 0] as [number, number, number]),
});
const frame = (ts: number, hands: Hand[]): LandmarkFrame => ({ ts, hands });

describe('interpolateFrame', () => {
  it('interpolates a hand seen in both frames, landmarks and score', () => {
    const f = interpolateFrame(frame(0, [hand('Right', 0.2, 0.8)]), frame(100, [hand('Right', 0.4, 1.0)]), 0.25);
    expect(f.ts).toBe(25);
    expect(f.hands).toHaveLength(1);
    expect(f.hands[0]?.landmarks[0]?.[0]).toBeCloseTo(0.25, 9);
    expect(f.hands[0]?.score).toBeCloseTo(0.85, 9);
  });

  it('holds a hand seen in one frame only from the nearer frame (entering and leaving hands)', () => {
    const a = frame(0, [hand('Right', 0.2)]);
    const b = frame(100, [hand('Right', 0.4), hand('Left', 0.6)]);
    expect(interpolateFrame(a, b, 0.4).hands.map((h) => h.handedness)).toEqual(['Right']);
    expect(interpolateFrame(a, b, 0.6).hands.map((h) => h.handedness)).toEqual(['Left', 'Right']);
    expect(interpolateFrame(b, frame(100, []), 0.7).hands).toEqual([]);
  });
});

describe('FrameRateNormalizer', () => {
  it('turns a 15 fps stream into a 30 fps one, ending each batch with the real frame', () => {
    const n = new FrameRateNormalizer({ fps: 30, maxGapMs: 400 });
    expect(n.push(frame(0, [hand('Right', 0.2)]))).toHaveLength(1);
    const out = n.push(frame(66.7, [hand('Right', 0.3)]));
    expect(out.map((f) => Math.round(f.ts))).toEqual([33, 67]);
    expect(out[1]?.hands[0]?.landmarks[0]?.[0]).toBe(0.3);
  });

  it('fills a burst of dropped frames at 30 fps, leaves a regular stream and a stalled camera alone', () => {
    const n = new FrameRateNormalizer({ fps: 30, maxGapMs: 400 });
    n.push(frame(0, []));
    expect(n.push(frame(33, []))).toHaveLength(1);
    expect(n.push(frame(133, []))).toHaveLength(3); // two lost frames filled
    expect(n.push(frame(1133, []))).toHaveLength(1); // a 1 s stall is not made up
  });

  it('does nothing when turned off (fps 0)', () => {
    const n = new FrameRateNormalizer({ fps: 0, maxGapMs: 400 });
    n.push(frame(0, []));
    expect(n.push(frame(200, []))).toHaveLength(1);
  });
});

class Keeper implements Predictor {
  readonly servedBy = 'cloud' as const;
  readonly windows: FeatureSequence[] = [];
  predict(seq: FeatureSequence): Promise<PredictOutcome> {
    this.windows.push(seq);
    return new Promise(() => undefined);
  }
}

function run(fps: number, resample: { fps: number; maxGapMs: number }) {
  const predictor = new Keeper();
  const p = new EdgePipeline({
    model: { seqLen: 30, useZ: false, featureDim: 84, labels: CLASS_LABELS }, decision: {}, stride: 1,
    deviceId: 'pi', sessionId: 's', predictor, sinks: [], log: silent, resample,
  });
  let gated = 0;
  p.onGate(() => gated++);
  const period = 1000 / fps;
  for (let i = 0; i < 2 * fps; i++) p.onFrame(frame(1_000_000 + i * period, [hand('Right', 0.2 + 0.002 * (i % 20))]));
  return { predictor, gated };
}

describe('EdgePipeline with frame-rate normalisation', () => {
  it('gives a 15 fps camera full 30-frame windows after one second, gating and sending on real frames only', () => {
    const on = run(15, { fps: 30, maxGapMs: 400 });
    expect(on.gated).toBe(30); // 2 s of real frames, each gated once
    expect(on.predictor.windows.at(-1)?.frames).toBe(30);
    // The first full window comes after ~1 s (15 real frames = 29 grid frames + the partial start).
    const firstFull = on.predictor.windows.findIndex((w) => w.frames === 30);
    expect(firstFull).toBeGreaterThan(0);
    expect(firstFull).toBeLessThanOrEqual(10);
    // Without it, a 15 fps window needs 2 s of frames to fill.
    const off = run(15, { fps: 0, maxGapMs: 400 });
    expect(off.predictor.windows.some((w) => w.frames === 30)).toBe(true);
    expect(off.predictor.windows.findIndex((w) => w.frames === 30)).toBeGreaterThan(firstFull + 5);
  });
});

describe('decision presets and setDecision', () => {
  it('keeps the original numbers by name; normal is the configured defaults', () => {
    expect(DECISION_PRESETS.original).toEqual(ORIGINAL_DECISION_SETTINGS);
    expect({ ...DEFAULT_DECISION_SETTINGS, ...DECISION_PRESETS.normal }).toEqual(DEFAULT_DECISION_SETTINGS);
    expect(Object.keys(ORIGINAL_DECISION_SETTINGS).sort()).toEqual(Object.keys(DEFAULT_DECISION_SETTINGS).sort());
  });

  it('swaps the engine: new numbers, and answers to windows sent before are dropped', async () => {
    const answers: ((o: PredictOutcome) => void)[] = [];
    const predictor: Predictor = { servedBy: 'cloud', predict: () => new Promise((r) => answers.push(r)) };
    const events: string[] = [];
    const p = new EdgePipeline({
      model: { seqLen: 30, useZ: false, featureDim: 84, labels: CLASS_LABELS }, decision: { smoothWindow: 1, minConsecutive: 1, cooldownMs: 0 }, stride: 1,
      deviceId: 'pi', sessionId: 's', predictor, sinks: [{ name: 't', send: (e) => events.push(e.gesture) }], log: silent,
    });
    for (let i = 0; i < 30; i++) p.onFrame(frame(1_000_000 + i * 33, [hand('Right', 0.2 + 0.01 * (i % 10), 0.95)]));
    expect(answers.length).toBeGreaterThan(0);
    const before = p.engine;
    p.setDecision({ probEnter: 0.5 });
    expect(p.engine).not.toBe(before);
    expect(p.engine.settings.probEnter).toBe(0.5);
    expect(p.engine.settings.smoothWindow).toBe(1); // configured numbers kept under the preset
    const probabilities = CLASS_LABELS.map((l) => (l === 'Reloj' ? 0.999 : 0.001 / 21));
    for (const answer of answers) answer({ kind: 'result', result: { id: 'x', probabilities, label: 'Reloj', topIndex: 16, topProbability: 0.999, servedBy: 'cloud', trace: {} } });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual([]);
  });
});
