/**
 * The edge's inputs under random and malformed data: capture-page messages over the real
 * capture server's WebSocket into the hub and the real pipeline, and recordings (JSONL).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplaySource } from '@helen/edge-publisher';
import { RecordingError } from '@helen/synthetic-signer';
import { EdgeRig, edgeHubProperty, goodFrame, recordingArb, recordingProperty } from './edge-targets';
import { CI_RUNS, FUZZ_SEED } from './settings';
import { Tally } from './tally';

describe('fuzz: edge inputs', () => {
  let rig: EdgeRig;
  beforeAll(async () => {
    rig = await EdgeRig.start();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('capture-page messages: each is a counted frame or a counted drop, the socket stays open, every window sent encodes', async () => {
    const tally = new Tally('edge hub');
    await fc.assert(edgeHubProperty(() => rig, tally), { seed: FUZZ_SEED, numRuns: CI_RUNS.edgeHub });
    expect(tally.crashes).toEqual([]);
    expect(rig.hub.droppedMessages).toBeGreaterThan(0);
    expect(rig.pipeline.counters.badFrames).toBeGreaterThan(0);
    // Enough good frames came through for windows to be sent on (and checked).
    expect(rig.predictor.sent).toBeGreaterThan(0);
  });

  it('recordings: parseRecording returns the frames or a RecordingError naming a line, nothing else', () => {
    const tally = new Tally('recording');
    fc.assert(recordingProperty(tally), { seed: FUZZ_SEED, numRuns: CI_RUNS.recording });
    expect(tally.crashes).toEqual([]);
    expect(tally.accepted).toBeGreaterThan(0);
    expect(tally.refusedTotal).toBeGreaterThan(0);
  });

  it('a replay source refuses a malformed recording at start() with file:line, never later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helen-fuzz-'));
    try {
      const samples = fc.sample(recordingArb, { seed: FUZZ_SEED, numRuns: 20 });
      let refused = 0;
      for (const [n, { lines }] of samples.entries()) {
        const file = join(dir, `r${n}.jsonl`);
        writeFileSync(file, [...lines, JSON.stringify(goodFrame(1))].join('\n'));
        const source = new ReplaySource({ file, timing: 'fast' });
        const frames: unknown[] = [];
        try {
          await source.start((f) => frames.push(f));
          await source.finished;
          expect(frames.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(RecordingError);
          expect((err as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `));
          refused++;
        } finally {
          await source.stop();
        }
      }
      expect(refused).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
