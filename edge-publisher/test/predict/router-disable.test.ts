/** A fallback found unusable after start (another model than the cloud's) is never switched to. */
import { describe, expect, it } from 'vitest';
import type { FeatureSequence } from '@helen/schemas';
import { PredictionRouter, type PathChange } from '../../src/predict/router';
import type { PredictOutcome, Predictor, ServedBy } from '../../src/predict/types';
import { silent } from '../helpers';

const seq: FeatureSequence = { frames: 15, featureDim: 84, data: new Float32Array(15 * 84) };

class Fixed implements Predictor {
  calls = 0;
  constructor(readonly servedBy: ServedBy, private readonly out: PredictOutcome['kind']) {}
  async predict(): Promise<PredictOutcome> {
    this.calls++;
    if (this.out === 'timeout') return { kind: 'timeout' };
    return { kind: 'result', result: { id: 'x', probabilities: [1], label: 'Inicio', topIndex: 0, topProbability: 1, servedBy: this.servedBy, trace: {} } };
  }
}

describe('PredictionRouter.disableFallback', () => {
  it('never switches to a disabled fallback, however the cloud fails', async () => {
    const cloud = new Fixed('cloud', 'timeout');
    const edge = new Fixed('edge', 'result');
    const r = new PredictionRouter(cloud, edge, { after: 1, probeMs: 0 }, silent);
    r.disableFallback('the local model differs from the cloud\'s');
    expect(await r.predict(seq, 0)).toEqual({ kind: 'timeout' });
    r.primaryDown('no inference worker online');
    expect(r.fallbackActive).toBe(false);
    expect(r.servedBy).toBe('cloud');
    expect(await r.predict(seq, 0)).toEqual({ kind: 'timeout' });
    expect(edge.calls).toBe(0);
    expect(r.stats.switchesToFallback).toBe(0);
  });

  it('hands a disabled fallback\'s traffic back to the cloud if it was serving', async () => {
    const cloud = new Fixed('cloud', 'result');
    const edge = new Fixed('edge', 'result');
    const r = new PredictionRouter(cloud, edge, { after: 1, probeMs: 60_000 }, silent);
    const changes: PathChange[] = [];
    r.onChange((c) => changes.push(c));
    r.primaryDown('no model metadata from the cloud at start-up');
    expect(r.servedBy).toBe('edge');
    r.disableFallback('the local model differs from the cloud\'s');
    expect(r.fallbackActive).toBe(false);
    expect(changes).toEqual([
      { path: 'edge', reason: 'no model metadata from the cloud at start-up' },
      { path: 'cloud', reason: 'the local model differs from the cloud\'s' },
    ]);
    const out = await r.predict(seq, 0);
    expect(out.kind === 'result' && out.result.servedBy).toBe('cloud');
    expect(edge.calls).toBe(0);
  });
});
