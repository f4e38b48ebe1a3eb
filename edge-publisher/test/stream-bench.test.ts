import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH, loadModel, type LoadedModel } from '@helen/model-runtime';
import { CLASS_LABELS } from '@helen/schemas';
import { DEFAULT_DECISION_SETTINGS } from '../src/decision/settings';
import { modelInfoFromMetadata } from '../src/model-info';
import { EdgePipeline } from '../src/pipeline/pipeline';
import { LocalPredictor } from '../src/predict/local-predictor';
import type { PredictOutcome, Predictor } from '../src/predict/types';
import { runBench } from '../bench/stream/bench';
import { renderScenario, type SignSpan } from '../bench/stream/frames';
import { BenchTotals, formatReport, percentile } from '../bench/stream/report';
import { runStream, type BenchEvent } from '../bench/stream/runner';
import { generateScenario, SPLIT_SEEDS, splitOf, splitSeed, type Scenario } from '../bench/stream/scenario';
import { scoreStream } from '../bench/stream/scorer';
import { silent } from './helpers';

const span = (label: string, onset: number, end: number): SignSpan => ({ label, onset, end, tags: ['t'] });
const ev = (label: string, ts: number): BenchEvent => ({ label, ts });

describe('stream bench: scorer', () => {
  // Tolerance 1000 ms: a sign's span is [onset, end + 1000].
  const signs = [span('1', 1000, 2000), span('2', 5000, 6000), span('3', 9000, 10_000), span('4', 13_000, 14_000)];
  const range = { start: 0, end: 20_000 };

  it('tells caught, missed, wrong and double signs apart and measures onset to event', () => {
    const score = scoreStream(signs, [ev('1', 1500), ev('Reloj', 9500), ev('4', 13_900), ev('4', 14_800)], range, 1000);
    expect(score.signs.map((s) => s.outcome)).toEqual(['exact', 'missed', 'wrong', 'double']);
    expect(score.signs.map((s) => s.latencyMs)).toEqual([500, undefined, undefined, 900]);
    expect(score.signs[3]).toMatchObject({ correctEvents: 2, wrongEvents: 0 });
    expect(score.idleFalse).toEqual([]);
  });

  it('counts events outside every sign span (and its tolerance) as false events during idle', () => {
    // 2999 is within sign 1's tolerance (a late but right event); 3001 is not; 700 is before any sign.
    const score = scoreStream(signs, [ev('1', 2999), ev('1', 3001), ev('Inicio', 700)], range, 1000);
    expect(score.signs[0]).toMatchObject({ outcome: 'exact', latencyMs: 1999 });
    expect(score.idleFalse).toEqual([ev('Inicio', 700), ev('1', 3001)]);
    // 20 s minus four spans of 2 s each.
    expect(score.idleMs).toBe(12_000);
    expect(score.idleHandsMs).toBe(12_000);
    // Stretches without hands do not count as idle with hands in view; overlaps with signs count once.
    const withEmpty = scoreStream(signs, [], range, 1000, [{ start: 0, end: 1000 }, { start: 2500, end: 4000 }]);
    expect(withEmpty.idleMs).toBe(12_000);
    expect(withEmpty.idleHandsMs).toBe(12_000 - 1000 - 1000);
  });

  it('gives an event in overlapping spans to the sign with its label, else to the latest sign', () => {
    const close = [span('1', 1000, 2000), span('2', 2500, 3500)];
    const score = scoreStream(close, [ev('2', 3000), ev('1', 2700), ev('Wifi', 2800)], range, 1000);
    expect(score.signs.map((s) => [s.outcome, s.correctEvents, s.wrongEvents])).toEqual([['exact', 1, 0], ['wrong', 1, 1]]);
    // Overlapping spans are idle time once: 20 s - [1000, 4500].
    expect(score.idleMs).toBe(16_500);
  });

  it('adds streams up per class, per condition and overall, with idle hours and false events per 10 h', () => {
    const totals = new BenchTotals(CLASS_LABELS);
    totals.add(scoreStream(signs, [ev('1', 1500), ev('Reloj', 9500), ev('4', 13_900), ev('4', 14_800), ev('5', 18_000)], range), { idleOnly: false, frames: 600, windows: 500, durationMs: 20_000 });
    totals.add(scoreStream([], [ev('9', 100)], { start: 0, end: 3_600_000 }), { idleOnly: true, frames: 108_000, windows: 90_000, durationMs: 3_600_000 });
    const r = totals.report();
    expect(Object.keys(r.perClass)).toEqual([...CLASS_LABELS]);
    expect(r.overall).toMatchObject({ signs: 4, exact: 1, missed: 1, wrong: 1, double: 1, wrongEvents: 1, doubleEvents: 1, exactRate: 0.25, wrongOrDoubleEventRate: 0.5, latencyP50Ms: 500, latencyP95Ms: 900 });
    expect(r.perClass['4']).toMatchObject({ signs: 1, double: 1 });
    expect(r.perClass['Foco']).toMatchObject({ signs: 0, latencyP50Ms: null });
    expect(r.byCondition['t']?.signs).toBe(4);
    expect(r.idle).toMatchObject({ falseEvents: 2, idleOnlyFalseEvents: 1, byLabel: { 5: 1, 9: 1 } });
    expect(r.idle.hours).toBeCloseTo(1 + 12_000 / 3_600_000, 9);
    expect(r.idle.falsePer10h).toBeCloseTo(20 / r.idle.hours, 9);
    expect(r.idle.falsePer10hWithHands).toBeCloseTo(r.idle.falsePer10h ?? NaN, 9);
    const md = formatReport(r, 'test');
    expect(md).toContain('| **all** | 4 | 25.0% | 25.0% | 25.0% | 25.0% | 500 | 900 |');
    expect(md).toContain('caught exactly once >= 97%: 25.0% (not met)');
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 0.95)).toBe(95);
  });
});

describe('stream bench: seeds and scenarios', () => {
  it('keeps the tuning and held-out seeds apart', () => {
    const t = SPLIT_SEEDS.tuning, h = SPLIT_SEEDS.heldout;
    expect(t.last < h.first || h.last < t.first).toBe(true);
    expect(splitSeed('tuning', 0)).toBe(t.first);
    expect(splitSeed('heldout', 0)).toBe(h.first);
    expect(splitOf(splitSeed('tuning', t.last - t.first))).toBe('tuning');
    expect(splitOf(splitSeed('heldout', 12_345))).toBe('heldout');
    expect(() => splitSeed('tuning', t.last - t.first + 1)).toThrow(/outside the tuning split/);
    expect(() => splitSeed('heldout', -1)).toThrow(/outside/);
  });

  it('draws the same scenario from the same seed, within the issue\'s ranges', () => {
    expect(generateScenario(100_001)).toEqual(generateScenario(100_001));
    const scenarios = Array.from({ length: 200 }, (_, i) => generateScenario(splitSeed('tuning', i)));
    const withSigns = scenarios.filter((s) => s.kind === 'signs');
    for (const s of withSigns) {
      const signs = s.steps.filter((st) => st.label !== 'idle' && st.label !== 'none');
      expect(signs.length).toBeGreaterThanOrEqual(5);
      expect(signs.length).toBeLessThanOrEqual(8);
      for (const st of signs) expect(st.durationMs).toBeGreaterThanOrEqual(800);
      for (const st of signs) expect(st.durationMs).toBeLessThanOrEqual(2000);
      signs.forEach((st, i) => expect(st.label).not.toBe(signs[i - 1]?.label));
    }
    const all = new Set(withSigns.flatMap((s) => s.steps.map((st) => st.label)));
    for (const l of CLASS_LABELS) expect(all.has(l), l).toBe(true);
    expect(new Set(scenarios.map((s) => s.fps))).toEqual(new Set([15, 30]));
    expect(new Set(scenarios.map((s) => s.signer))).toEqual(new Set(['Left', 'Right']));
    expect(scenarios.some((s) => s.kind === 'idle-only')).toBe(true);
    expect(scenarios.some((s) => s.steps.some((st) => st.enterMs)) && scenarios.some((s) => s.steps.some((st) => st.leaveMs))).toBe(true);
  });

  it('renders a scenario at its frame rate with the signs where the script puts them', () => {
    const base: Scenario = {
      seed: 7, kind: 'signs', fps: 15, signer: 'Left', handScale: [0.2, 0.22], jitter: 0, dropRate: 0,
      steps: [{ label: 'none', durationMs: 1000 }, { label: '5', durationMs: 1000, enterMs: 400 }, { label: 'idle', durationMs: 1000, drift: true }],
    };
    const clean = renderScenario(base);
    expect(clean.frames).toHaveLength(45);
    // The first second has no hands, nor the first frames of the sign while the hand is below the frame.
    expect(clean.empty[0]?.start).toBe(clean.start);
    expect(clean.empty[0]?.end).toBeGreaterThan(clean.start + 1000);
    expect(clean.empty[0]?.end).toBeLessThan(clean.start + 1400);
    expect((clean.frames[1]?.ts ?? 0) - (clean.frames[0]?.ts ?? 0)).toBe(67);
    expect(clean.signs).toEqual([{ label: '5', onset: clean.start + 1000, end: clean.start + 1933, tags: ['15 fps', 'left-handed', 'scale 0.20-0.25', 'one hand in view', 'hand enters'] }]);
    // The hand slides in from below: out of the frame at first, then rising to its place.
    const sign = clean.frames.slice(15, 30);
    expect(sign[0]?.hands).toEqual([]);
    const wristY = (i: number) => sign[i]?.hands.find((h) => h.handedness === 'Left')?.landmarks[0]?.[1] ?? NaN;
    expect(wristY(4)).toBeGreaterThan(wristY(10));
    // Idle drift moves the hands in the middle of the step and fades in from where the generator put them.
    const still = renderScenario({ ...base, steps: base.steps.map((st) => ({ ...st, drift: false })) });
    const hands = (r: typeof clean, i: number) => JSON.stringify(r.frames[i]?.hands);
    expect(hands(clean, 30)).toBe(hands(still, 30));
    expect(hands(clean, 37)).not.toBe(hands(still, 37));
    expect(hands(clean, 20)).toBe(hands(still, 20));
    // Drops and jitter change the frames but not where the signs are.
    const rough = renderScenario({ ...base, jitter: 0.003, dropRate: 0.2 });
    expect(rough.frames.length).toBeLessThan(45);
    expect(rough.frames.length).toBeGreaterThan(25);
    expect(rough.signs).toEqual(clean.signs);
    const last = rough.frames.at(-1);
    expect(last?.hands.length).toBeGreaterThan(0);
    expect(JSON.stringify(last?.hands)).not.toBe(JSON.stringify(clean.frames.find((f) => f.ts === last?.ts)?.hands));
  });
});

describe('stream bench: end to end with the model', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel([DEFAULT_MODEL_PATH], 'main', { intraOpThreads: 1, spinning: false });
  });
  afterAll(async () => {
    await model.engine.close();
  });

  it('decides exactly as the edge pipeline with one model call per window', async () => {
    const stream = renderScenario(generateScenario(splitSeed('tuning', 3)));
    const batched = await runStream(stream.frames, { model, decision: DEFAULT_DECISION_SETTINGS, stride: 1 });
    // The reference: the real pipeline with the local predictor, each answer awaited before the next frame.
    const local = new LocalPredictor([DEFAULT_MODEL_PATH], silent);
    let pending: Promise<PredictOutcome> | undefined;
    const predictor: Predictor = { servedBy: 'edge', predict: (seq, ts) => (pending = local.predict(seq, ts)) };
    const pipeline = new EdgePipeline({
      model: modelInfoFromMetadata(model.metadata), decision: DEFAULT_DECISION_SETTINGS, stride: 1,
      deviceId: 't', sessionId: 't', predictor, sinks: [], log: silent,
    });
    const events: BenchEvent[] = [];
    pipeline.onEvent((_e, d) => events.push({ label: d.label, ts: d.ts }));
    try {
      for (const f of stream.frames) {
        pipeline.onFrame(f);
        // The pipeline attached its handler first, so the decision is made when this resolves.
        if (pending) await pending;
        pending = undefined;
      }
    } finally {
      await local.stop();
    }
    expect(pipeline.counters.requests).toBe(batched.windows);
    expect(batched.events.length).toBeGreaterThan(0);
    expect(batched.events).toEqual(events);
  });

  it('runs a small benchmark and reports every class, the conditions and idle time', async () => {
    const report = await runBench({ split: 'heldout', streams: 2, seedBase: 0, model, decision: DEFAULT_DECISION_SETTINGS, stride: 1 });
    expect(report.streams).toBe(2);
    expect(Object.keys(report.perClass)).toEqual([...CLASS_LABELS]);
    const perClassSigns = Object.values(report.perClass).reduce((a, s) => a + s.signs, 0);
    expect(perClassSigns).toBe(report.overall.signs);
    const o = report.overall;
    expect(o.exact + o.missed + o.wrong + o.double).toBe(o.signs);
    expect(report.idle.hours).toBeGreaterThan(0);
    expect(report.idle.hours).toBeLessThan(report.hours);
    expect(report.idle.handsMs).toBeLessThanOrEqual(report.idle.ms);
    expect(report.windows).toBeGreaterThan(0);
    expect(Object.keys(report.byCondition).some((k) => k.endsWith('fps'))).toBe(true);
    expect(formatReport(report, 'tiny')).toMatch(/\| \*\*all\*\* \| \d+ \|/);
  });
});
