/**
 * The tuning tools of the stream benchmark: a captured stream replayed through the decision
 * engine decides exactly as the benchmark's full run, temperature 1 changes nothing, and the
 * stream training labels follow the sign time a window holds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH, loadModel, type LoadedModel } from '@helen/model-runtime';
import { CLASS_LABELS } from '@helen/schemas';
import { ORIGINAL_DECISION_SETTINGS } from '../src/decision/settings';
import { averageCaptures, calibrated, captureStream, replayDecisions } from '../bench/stream/capture';
import { renderScenario } from '../bench/stream/frames';
import { runStream } from '../bench/stream/runner';
import { generateScenario, splitSeed } from '../bench/stream/scenario';
import { OUTLIER, windowLabel } from '../bench/stream/window-label';

let model: LoadedModel;
beforeAll(async () => { model = await loadModel([DEFAULT_MODEL_PATH], 'main', { intraOpThreads: 1, spinning: false }); });
afterAll(async () => { await model.engine.close(); });

describe('capture and replay', () => {
  it('replays the decision engine to the same events as a full benchmark run, for loose and strict numbers', async () => {
    let events = 0;
    for (const index of [0, 1, 2, 3]) {
      const stream = renderScenario(generateScenario(splitSeed('tuning', index)));
      const capture = await captureStream(stream.frames, { model, gate: ORIGINAL_DECISION_SETTINGS, stride: 1 });
      for (const numbers of [ORIGINAL_DECISION_SETTINGS, { ...ORIGINAL_DECISION_SETTINGS, probEnter: 0.6, motionEnter: 0, motionExit: 0, smoothWindow: 3, minConsecutive: 2 }]) {
        const full = await runStream(stream.frames, { model, decision: numbers, stride: 1 });
        const replayed = replayDecisions(capture, model.metadata.class_labels, numbers);
        expect(replayed).toEqual(full.events);
        events += full.events.length;
      }
    }
    expect(events).toBeGreaterThan(0);
  }, 120_000);

  it('applies a temperature as softmax(log p / T)', () => {
    const logp = Float32Array.from([Math.log(0.7), Math.log(0.2), Math.log(0.1)]);
    const same = calibrated(logp, 1);
    expect(same[0]).toBeCloseTo(0.7, 6);
    const softer = calibrated(logp, 2);
    expect(softer[0]).toBeLessThan(0.7);
    expect(softer.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('keeps the share a "no sign" output took: T = 1 is the model\'s own numbers, T > 1 softens with it', () => {
    // The signs' probabilities of a model with the "no sign" output: 0.3 left to no sign.
    const logp = Float32Array.from([Math.log(0.5), Math.log(0.15), Math.log(0.05)]);
    const same = calibrated(logp, 1);
    expect(Array.from(same).map((v) => Number(v.toFixed(6)))).toEqual([0.5, 0.15, 0.05]);
    const softer = calibrated(logp, 2);
    const noSign = Math.sqrt(0.3);
    const z = Math.sqrt(0.5) + Math.sqrt(0.15) + Math.sqrt(0.05) + noSign;
    // logp is float32, as captured: 6 digits.
    expect(softer[0]).toBeCloseTo(Math.sqrt(0.5) / z, 6);
    expect(1 - softer.reduce((a, b) => a + b, 0)).toBeCloseTo(noSign / z, 6);
  });

  it('averages two models\' captures as the mean of their probabilities, keeping the "no sign" share, and refuses captures of other windows', () => {
    const stats = { frames: 30, seqLen: 30, presence: 1, areaLeft: 0.05, areaRight: 0, motion: 0, featureStd: 0, handScore: 0.9, ts: 0 };
    const capture = (p: number[]) => ({ steps: [{ gate: { presence: 1, areaLeft: 0.05, areaRight: 0 }, window: 0 }], windowStats: [stats], logProbs: [Float32Array.from(p, Math.log)] });
    // One model sure of the first sign, the other calling it mostly "no sign" (0.6 left out).
    const mean = averageCaptures(capture([0.998, 0.001, 0.001]), capture([0.2, 0.1, 0.1]));
    expect(Array.from(calibrated(mean.logProbs[0] as Float32Array, 1)).map((v) => Number(v.toFixed(6)))).toEqual([0.599, 0.0505, 0.0505]);
    expect(() => averageCaptures(capture([1, 0, 0]), { ...capture([1, 0, 0]), windowStats: [], logProbs: [] })).toThrow(/other gate numbers/);
  });
});

describe('tune.ts --cache', () => {
  it('keeps the capture, and the second run decides the same from it without the model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'helen-tune-cache-'));
    try {
      const tune = fileURLToPath(new URL('../bench/stream/tune.ts', import.meta.url));
      const run = () => {
        const r = spawnSync(process.execPath, ['--import', 'tsx', tune, '--streams', '2', '--grid', 'diagnose', '--cache', dir], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        return r;
      };
      const first = run();
      expect(readdirSync(dir)).toHaveLength(1);
      expect(first.stderr).not.toContain('captures from');
      const second = run();
      expect(second.stderr).toContain('captures from');
      expect(second.stdout).toBe(first.stdout);
      expect(first.stdout).toMatch(/\| original \|/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('windowLabel', () => {
  const signs = [{ label: 'Reloj', onset: 10_000, end: 11_500, tags: [] }];
  it('labels a window holding >= 450 ms of a sign with it, <= 100 ms as no sign, and leaves the rest out', () => {
    expect(windowLabel(10_500, signs)).toBe(CLASS_LABELS.indexOf('Reloj'));
    expect(windowLabel(12_000, signs)).toBe(CLASS_LABELS.indexOf('Reloj')); // 500 ms of the sign's end
    expect(windowLabel(10_200, signs)).toBeNull();
    expect(windowLabel(10_050, signs)).toBe(OUTLIER);
    expect(windowLabel(12_450, signs)).toBe(OUTLIER);
  });
});
