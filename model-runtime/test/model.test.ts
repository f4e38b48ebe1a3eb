/** Model loading: the first existing path wins, and metadata that does not match the session is refused. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH, loadModel, ModelLoadError, resolveModelPath, scoreBatch } from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'helen-model-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the committed model whose metadata.json has been edited. */
function modelCopy(name: string, edit: (meta: Record<string, unknown>) => void): string {
  const sub = join(dir, name);
  const onnx = join(sub, 'model.onnx');
  rmSync(sub, { recursive: true, force: true });
  mkdirSync(sub, { recursive: true });
  copyFileSync(DEFAULT_MODEL_PATH, onnx);
  const meta = JSON.parse(readFileSync(join(dirname(DEFAULT_MODEL_PATH), 'metadata.json'), 'utf8')) as Record<string, unknown>;
  edit(meta);
  writeFileSync(join(sub, 'metadata.json'), JSON.stringify(meta));
  return onnx;
}

const ort = { intraOpThreads: 1, spinning: false };

describe('model loading', () => {
  it('takes the first existing path of HELEN_MODEL_PATHS; an empty list means the committed default model', () => {
    expect(resolveModelPath([join(dir, 'missing.onnx'), DEFAULT_MODEL_PATH])).toBe(DEFAULT_MODEL_PATH);
    expect(() => resolveModelPath([join(dir, 'missing.onnx')])).toThrow(/none of HELEN_MODEL_PATHS exists/);
    expect(() => resolveModelPath([join(dir, 'missing.onnx')])).toThrow(ModelLoadError);
    expect(resolveModelPath([])).toBe(DEFAULT_MODEL_PATH);
  });

  it.each(['main', 'worker-thread'] as const)('loads the model and runs a batch with the session on %s', async (kind) => {
    const model = await loadModel([DEFAULT_MODEL_PATH], kind, ort);
    try {
      const T = 12;
      const F = model.metadata.feature_dim;
      const out = await model.engine.run(new Float32Array(3 * T * F).fill(0.25), [3, T, F], model.inputName, model.outputName);
      expect(out.dims).toEqual([3, model.metadata.num_classes]);
      expect(out.output.every(Number.isFinite)).toBe(true);
      // scoreBatch: one row of probabilities per input, summing to 1 (a model with the "no sign"
      // output leaves p(no sign) out, so its 22 sum to less).
      const rows = await scoreBatch(model, new Float32Array(2 * T * F).fill(0.25), 2, T);
      expect(rows).toHaveLength(2);
      for (const r of rows) {
        expect(r.probabilities).toHaveLength(model.metadata.num_classes);
        expect(r.probabilities.every((p) => p >= 0 && p <= 1)).toBe(true);
        const total = r.probabilities.reduce((a, b) => a + b, 0);
        if (model.outputIsLogits) expect(total).toBeCloseTo(1, 5);
        else expect(total).toBeLessThanOrEqual(1 + 1e-6);
        expect(r.topProbability).toBe(Math.max(...r.probabilities));
      }
    } finally {
      await model.engine.close();
    }
  });

  it('refuses a model whose metadata names an input the model does not have', async () => {
    const onnx = modelCopy('bad-input', (m) => (m.input = { ...(m.input as object), name: 'not_the_input' }));
    await expect(loadModel([onnx], 'worker-thread', ort)).rejects.toThrow(/does not match/);
  });

  it('refuses a model whose metadata feature_dim is not the model input width', async () => {
    const onnx = modelCopy('bad-dim', (m) => {
      m.feature_dim = 126;
      m.input = { ...(m.input as object), shape: ['batch', 'time', 126] };
    });
    await expect(loadModel([onnx], 'worker-thread', ort)).rejects.toThrow(/does not match.*126/);
  });

  it('refuses a model whose metadata names an output the model does not have', async () => {
    const onnx = modelCopy('bad-output', (m) => (m.output = { name: 'probs', kind: 'probabilities' }));
    await expect(loadModel([onnx], 'main', ort)).rejects.toThrow(/does not match/);
  });
});
