/**
 * Failures the fuzz suites found, kept as plain tests with their counterexamples (seed
 * 20261126 unless named). Each failed before its fix:
 * - intake property, run 29: a finite mask times finite values overflowed float32, and the
 *   worker would have run the model on Infinity (fix: inference-worker/src/intake.ts);
 * - edge hub property, run 39: landmarks of +-1e308 passed the frame schema and turned the
 *   frame vector into NaN, a window no codec accepts (fix: features/src/featurizer.ts);
 * - the 413 for clients that write their whole body first is in facade.test.ts (fix:
 *   http-api/src/http-errors.ts).
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { EdgePipeline } from '@helen/edge-publisher';
import { FrameFeaturizer } from '@helen/features';
import { CLASS_LABELS, type LandmarkFrame } from '@helen/schemas';
import { intake } from '../../inference-worker/src/intake';
import { goodFrame, WireCheckingPredictor } from './edge-targets';
import { loadMetadata } from './worker-targets';

describe('fuzz regressions', () => {
  it('intake rejects a mask that makes the model input overflow float32 (intake, seed 20261126, run 29)', async () => {
    const metadata = await loadMetadata();
    const body = {
      v: 1, id: 'fuzz-id', reply_to: 'fuzz/replies', deadline: Date.now() + 60_000,
      sequence: Array.from({ length: 2 }, () => Array.from({ length: metadata.feature_dim }, () => 1e30)),
      mask: [[1e30, 1e30], [1, 1]],
    };
    const got = intake(Buffer.from(JSON.stringify(body)), 0, Date.now(), 0, { metadata, maxFrames: 1024 });
    expect(got).toMatchObject({ kind: 'rejected', id: 'fuzz-id', message: expect.stringContaining('sequence[0][0] times its mask overflows float32') });
  });

  it('the featurizer refuses landmarks far outside image coordinates instead of emitting NaN (edge hub, seed 20261126, run 39)', () => {
    const frame = goodFrame(1) as LandmarkFrame;
    const hand = frame.hands[1] as LandmarkFrame['hands'][number];
    hand.landmarks[0] = [1e308, 0.5, 0];
    hand.landmarks[1] = [-1e308, 0.5, 0];
    expect(() => new FrameFeaturizer({ useZ: false }).push(frame)).toThrow(/hands\[1\]\.landmarks\[0\]\[0\] = 1e\+308 is not a normalized image coordinate/);

    // Through the pipeline: the frame is skipped and counted, the windows sent stay encodable.
    const predictor = new WireCheckingPredictor();
    const pipeline = new EdgePipeline({
      model: { seqLen: 30, useZ: false, featureDim: 84, labels: CLASS_LABELS },
      decision: {}, stride: 1, deviceId: 'fuzz', sessionId: 'fuzz', predictor, sinks: [], log: pino({ level: 'silent' }),
    });
    for (let ts = 1; ts <= 40; ts++) pipeline.onFrame(ts === 20 ? { ...frame, ts } : goodFrame(ts) as LandmarkFrame);
    expect(pipeline.counters.badFrames).toBe(1);
    expect(predictor.sent).toBeGreaterThan(0);
    expect(predictor.unencodable).toEqual([]);
  });
});
