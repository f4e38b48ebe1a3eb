/**
 * The one window every phase sends: a real 30 x 84 window of the model's golden cases
 * (`real_0_0`, so the worker runs the same kind of input as in use) and its request bodies.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_GOLDEN_PATH } from '@helen/model-runtime';
import { encodeRequestBinary, encodeRequestJson, type FeatureSequence, type RequestEncoding } from '@helen/schemas';

interface GoldenCase { name: string; shape: [number, number, number]; input: number[] }

export function benchWindow(): FeatureSequence {
  const golden = JSON.parse(readFileSync(DEFAULT_GOLDEN_PATH, 'utf8')) as { cases: GoldenCase[] };
  const real = golden.cases.find((c) => c.name === 'real_0_0');
  if (!real) throw new Error(`${DEFAULT_GOLDEN_PATH} has no real_0_0 case`);
  const [, frames, featureDim] = real.shape;
  return { frames, featureDim, data: Float32Array.from(real.input) };
}

/**
 * The original client's /predict body: `requests.post(json=...)` of numpy float32 features
 * `.tolist()`-ed, so each number is the shortest repr of the float32 widened to a double
 * (e.g. 0.4521887302398682), which is what JSON.stringify of a Float32Array value prints too.
 */
export function originalJsonBody(seq: FeatureSequence): string {
  const rows = Array.from({ length: seq.frames }, (_, t) => Array.from(seq.data.subarray(t * seq.featureDim, (t + 1) * seq.featureDim)));
  return JSON.stringify({ sequence: rows, mask: rows.map(() => [1, 0]) });
}

/** One MQTT predict request of the given encoding (the edge sends f16 by default). */
export function mqttRequest(seq: FeatureSequence, encoding: RequestEncoding, id: string, replyTo: string, deadlineMs = 10_000): Buffer {
  const fields = { id, reply_to: replyTo, deadline: Date.now() + deadlineMs };
  return encoding === 'json' ? encodeRequestJson(fields, seq) : encodeRequestBinary(fields, seq, encoding);
}
