/**
 * The baseline (bench/baseline/, the original Flask + PyTorch design under gunicorn) serves the
 * same function as our committed ONNX model: every real golden window over HTTP gives the golden
 * probabilities (softmax of golden logits, or the golden outputs of a model with the "no sign"
 * output, which are probabilities already) within 1e-4 and the case's label; a bad shape is a 400.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_GOLDEN_PATH, DEFAULT_MODEL_PATH, loadModelMetadata, softmax } from '@helen/model-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_REQUIREMENTS, haveBaseline, startBaseline, type Baseline } from '../src/baseline';

interface GoldenCase { name: string; label?: string; shape: [number, number, number]; input: number[]; expected: number[] }

const available = haveBaseline();
if (!available) console.warn(`baseline tests skipped: needs ${BASELINE_REQUIREMENTS}`);

function rows(flat: readonly number[], frames: number, featureDim: number): number[][] {
  return Array.from({ length: frames }, (_, t) => flat.slice(t * featureDim, (t + 1) * featureDim));
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe.skipIf(!available)('baseline: Flask + PyTorch under gunicorn (bench/baseline)', () => {
  let baseline: Baseline;
  const golden = JSON.parse(readFileSync(DEFAULT_GOLDEN_PATH, 'utf8')) as { cases: GoldenCase[] };
  const real = golden.cases.filter((c) => c.name.startsWith('real_'));

  beforeAll(async () => {
    baseline = await startBaseline({ workers: 2 });
  }, 90_000);
  afterAll(async () => {
    await baseline?.stop();
  });

  it('runs as a master and 2 workers', () => {
    expect(baseline.pids()).toHaveLength(3);
  });

  it('answers every real golden window with the golden probabilities (<= 1e-4) and its label', async () => {
    expect(real.length).toBeGreaterThan(0);
    const logits = (await loadModelMetadata(DEFAULT_MODEL_PATH)).output.kind === 'logits';
    for (const c of real) {
      const [, frames, featureDim] = c.shape;
      // Golden expected values are what the graph returns (metadata output.kind): logits, whose
      // softmax /predict returns, or the signs' probabilities themselves.
      const expected = logits ? softmax(c.expected) : c.expected;
      const { status, json } = await post(baseline.url, { sequence: rows(c.input, frames, featureDim), mask: Array.from({ length: frames }, () => [1, 1]) });
      expect(status, c.name).toBe(200);
      const probabilities = json.probabilities as number[];
      expect(probabilities, c.name).toHaveLength(expected.length);
      const worst = Math.max(...probabilities.map((p, i) => Math.abs(p - (expected[i] as number))));
      expect(worst, c.name).toBeLessThanOrEqual(1e-4);
      expect(json.prediction, c.name).toBe(c.label);
      expect(json.top_index, c.name).toBe(probabilities.indexOf(Math.max(...probabilities)));
      expect(json.top_probability, c.name).toBe(probabilities[json.top_index as number]);
      expect(typeof json.elapsed_ms, c.name).toBe('number');
    }
  });

  it('answers a bad shape with 400 and an error message', async () => {
    const wrongFeatures = await post(baseline.url, { sequence: [[0.1, 0.2, 0.3]] });
    expect(wrongFeatures.status).toBe(400);
    expect(wrongFeatures.json.error).toMatch(/feature_dim/);
    const ragged = await post(baseline.url, { sequence: [Array(84).fill(0), Array(83).fill(0)] });
    expect(ragged.status).toBe(400);
    const badMask = await post(baseline.url, { sequence: [Array(84).fill(0)], mask: [[1, 1], [1, 1]] });
    expect(badMask.status).toBe(400);
    expect((await post(baseline.url, { mask: [] })).status).toBe(400);
  });
});
