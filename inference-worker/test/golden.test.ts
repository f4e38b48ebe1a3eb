/**
 * Response parity: every golden case of the committed model (inputs and PyTorch's outputs,
 * saved by the export) sent through MQTT as a request must come back with PyTorch's answer:
 * the same top class and probabilities within the golden tolerance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { DEFAULT_GOLDEN_PATH, DEFAULT_MODEL_PATH, loadModelMetadata } from '@helen/model-runtime';
import { readGolden, type GoldenFile } from '@helen/models';
import type { FeatureSequence, PredictResponse } from '@helen/schemas';
import type { Worker } from '../src/index';
import { rowScores } from '@helen/model-runtime';
import { freshTopics, Requester, startWorker } from './helpers';

function row(input: number[], b: number, frames: number, featureDim: number): FeatureSequence {
  return { frames, featureDim, data: Float32Array.from(input.slice(b * frames * featureDim, (b + 1) * frames * featureDim)) };
}

describe('golden parity through MQTT (aedes)', () => {
  let broker: TestBroker;
  let worker: Worker;
  let requester: Requester;
  let golden: GoldenFile;
  let logits: boolean;
  let seqLen: number;

  beforeAll(async () => {
    golden = await readGolden(DEFAULT_GOLDEN_PATH);
    const meta = await loadModelMetadata(DEFAULT_MODEL_PATH);
    logits = meta.output.kind === 'logits';
    seqLen = meta.seq_len;
    broker = await startTestBroker('aedes');
    const topics = freshTopics();
    worker = await startWorker(broker.url, topics);
    requester = await Requester.open(broker.url, topics);
  });
  afterAll(async () => {
    await requester?.close();
    await worker?.stop();
    await broker?.stop();
  });

  it('answers every golden case of at most seq_len frames as PyTorch did', async () => {
    const ids: string[] = [];
    const expected = new Map<string, ReturnType<typeof rowScores>>();
    for (const c of golden.cases) {
      const [batch, frames, featureDim] = c.shape;
      if (frames > seqLen) continue; // the worker keeps the last seq_len frames: next test
      const classes = c.expected.length / batch;
      for (let b = 0; b < batch; b++) {
        const id = `${c.name}#${b}`;
        // f32 is lossless, so any difference is the worker's, not the codec's.
        await requester.sendBinary(id, row(c.input, b, frames, featureDim), 'f32');
        expected.set(id, rowScores(Float32Array.from(c.expected), b, classes, logits));
        ids.push(id);
      }
    }
    expect(ids.length).toBeGreaterThanOrEqual(5);
    await requester.waitFor(ids);
    for (const id of ids) {
      const reply = requester.replies.get(id)?.[0]?.reply as PredictResponse;
      const want = expected.get(id) as ReturnType<typeof rowScores>;
      expect(reply.top_index, id).toBe(want.topIndex);
      reply.probabilities.forEach((p, i) => expect(Math.abs(p - (want.probabilities[i] as number)), `${id}[${i}]`).toBeLessThanOrEqual(golden.tolerance));
    }
  });

  it('answers a golden case longer than seq_len exactly as its last seq_len frames', async () => {
    const long = golden.cases.filter((c) => c.shape[1] > seqLen);
    expect(long.length).toBeGreaterThan(0);
    const pairs: [string, string][] = [];
    for (const c of long) {
      const [batch, frames, featureDim] = c.shape;
      for (let b = 0; b < batch; b++) {
        const full = row(c.input, b, frames, featureDim);
        const last: FeatureSequence = { frames: seqLen, featureDim, data: full.data.slice((frames - seqLen) * featureDim) };
        await requester.sendBinary(`${c.name}#${b}:full`, full, 'f32');
        await requester.sendBinary(`${c.name}#${b}:last`, last, 'f32');
        pairs.push([`${c.name}#${b}:full`, `${c.name}#${b}:last`]);
      }
    }
    await requester.waitFor(pairs.flat());
    for (const [full, last] of pairs) {
      const a = requester.replies.get(full)?.[0]?.reply as PredictResponse;
      const b = requester.replies.get(last)?.[0]?.reply as PredictResponse;
      expect(a.probabilities, full).toEqual(b.probabilities);
    }
  });
});
