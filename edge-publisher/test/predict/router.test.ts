import { describe, expect, it } from 'vitest';
import type { FeatureSequence } from '@helen/schemas';
import { PredictionRouter } from '../../src/predict/router';
import type { PredictOutcome, Predictor, ServedBy } from '../../src/predict/types';
import { silent } from '../helpers';

const seq: FeatureSequence = { frames: 15, featureDim: 84, data: new Float32Array(15 * 84) };

/** A predictor whose next outcome the test sets. */
class Scripted implements Predictor {
  next: PredictOutcome['kind'] = 'result';
  calls = 0;
  constructor(readonly servedBy: ServedBy) {}
  async predict(): Promise<PredictOutcome> {
    this.calls++;
    if (this.next !== 'result') return this.next === 'unavailable' ? { kind: 'unavailable', reason: 'down' } : { kind: this.next } as PredictOutcome;
    return { kind: 'result', result: { id: 'x', probabilities: [1], label: 'Inicio', topIndex: 0, topProbability: 1, servedBy: this.servedBy, trace: {} } };
  }
}

const served = (o: PredictOutcome) => (o.kind === 'result' ? o.result.servedBy : o.kind);

describe('PredictionRouter', () => {
  it('switches to the local model after N timeouts in a row and back when a probe is answered', async () => {
    const cloud = new Scripted('cloud');
    const edge = new Scripted('edge');
    const r = new PredictionRouter(cloud, edge, { after: 3, probeMs: 0 }, silent);
    expect(served(await r.predict(seq, 0))).toBe('cloud');
    cloud.next = 'timeout';
    for (let i = 0; i < 2; i++) expect(served(await r.predict(seq, 0))).toBe('timeout');
    expect(r.fallbackActive).toBe(false);
    expect(served(await r.predict(seq, 0))).toBe('timeout');
    expect(r.fallbackActive).toBe(true);
    // Local answers; the cloud is still away, so probes time out.
    expect(served(await r.predict(seq, 0))).toBe('edge');
    await new Promise((res) => setTimeout(res, 5));
    expect(r.fallbackActive).toBe(true);
    cloud.next = 'result';
    expect(served(await r.predict(seq, 0))).toBe('edge'); // this window's probe brings the cloud back
    await new Promise((res) => setTimeout(res, 5));
    expect(r.fallbackActive).toBe(false);
    expect(served(await r.predict(seq, 0))).toBe('cloud');
    expect(r.stats.switchesToFallback).toBe(1);
    expect(r.stats.switchesToCloud).toBe(1);
  });

  it('switches at once when the cloud is unavailable or the workers say offline, and back when they are online', async () => {
    const cloud = new Scripted('cloud');
    const edge = new Scripted('edge');
    const r = new PredictionRouter(cloud, edge, { after: 3, probeMs: 60_000 }, silent);
    cloud.next = 'unavailable';
    await r.predict(seq, 0);
    expect(r.fallbackActive).toBe(true);
    r.primaryUp('workers online');
    expect(r.fallbackActive).toBe(false);
    r.primaryDown('no inference worker online');
    expect(served(await r.predict(seq, 0))).toBe('edge');
  });

  it('never switches when the fallback is off', async () => {
    const cloud = new Scripted('cloud');
    const r = new PredictionRouter(cloud, undefined, { after: 1, probeMs: 0 }, silent);
    cloud.next = 'timeout';
    expect(served(await r.predict(seq, 0))).toBe('timeout');
    r.primaryDown('x');
    expect(r.fallbackActive).toBe(false);
  });
});
