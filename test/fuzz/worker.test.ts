/**
 * Worker request decoding under random and malformed payloads: the wire codec and the
 * worker's intake in process, then a real worker (aedes, the committed ONNX model) fed the
 * same kinds of payloads over MQTT. Fixed seed and bounded runs (settings.ts).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRequestBinary, isErrorReply, type ModelMetadata } from '@helen/schemas';
import { payloadCase, type PayloadCase } from './payloads';
import { CI_RUNS, FUZZ_SEED } from './settings';
import { Tally } from './tally';
import { codecProperty, intakeProperty, LiveWorkerRig, loadMetadata } from './worker-targets';

describe('fuzz: worker request decoding', () => {
  it('decodeRequest decodes or throws a WireError (invalid_request), never anything else', () => {
    const tally = new Tally('codec');
    fc.assert(codecProperty(tally), { seed: FUZZ_SEED, numRuns: CI_RUNS.codec });
    expect(tally.crashes).toEqual([]);
    expect(tally.refusedTotal).toBeGreaterThan(tally.accepted); // the inputs are mostly bad
    expect(tally.accepted).toBeGreaterThan(0); // and some are good, so the codec is not refusing everything
  });

  it('intake never throws, rejects to a usable reply topic, and accepts only finite model input', async () => {
    const metadata: ModelMetadata = await loadMetadata();
    const tally = new Tally('intake');
    fc.assert(intakeProperty(tally, metadata), { seed: FUZZ_SEED, numRuns: CI_RUNS.intake });
    expect(tally.crashes).toEqual([]);
    expect([...tally.refused.keys()].some((k) => k.startsWith('rejected'))).toBe(true);
    expect([...tally.refused.keys()].some((k) => k.startsWith('dropped'))).toBe(true);
  });

  describe('a live worker', () => {
    let rig: LiveWorkerRig;
    beforeAll(async () => {
      rig = await LiveWorkerRig.start();
    });
    afterAll(async () => {
      await rig?.stop();
    });

    it('answers every malformed request that named a reply topic with an error, and still serves', async () => {
      const cases: PayloadCase[] = fc.sample(payloadCase, { seed: FUZZ_SEED, numRuns: CI_RUNS.liveWorker });
      const tally = new Tally('live worker');
      const { missing, unexpected } = await rig.run(cases, tally);
      expect(rig.unreadable).toEqual([]);
      expect(missing).toEqual([]);
      expect(unexpected).toEqual([]);
      expect(tally.refusedTotal).toBeGreaterThan(0);
      const stats = rig.worker.stats();
      expect(stats.received).toBe(cases.length);
      expect(stats.invalid).toBeGreaterThan(0);
      expect(stats.internalErrors).toBe(0);

      const seq = { frames: 30, featureDim: 84, data: new Float32Array(30 * 84).fill(0.5) };
      const after = await rig.stillAnswers((env) => encodeRequestBinary({ id: env.id, reply_to: env.replyTo, deadline: env.deadline }, seq, 'f16'));
      expect(after && !isErrorReply(after)).toBe(true);
    });
  });
});
