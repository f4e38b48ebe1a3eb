/** Model loading: the first existing path wins, and metadata that does not match the session is refused. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH } from '@helen/model-runtime';
import { createWorker, workerConfigFromEnv } from '../src/index';
import { loadModel, resolveModelPath } from '@helen/model-runtime';

const dir = mkdtempSync(join(tmpdir(), 'helen-worker-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

describe('model loading', () => {
  it('takes the first existing path of HELEN_MODEL_PATHS', () => {
    expect(resolveModelPath([join(dir, 'missing.onnx'), DEFAULT_MODEL_PATH])).toBe(DEFAULT_MODEL_PATH);
    expect(() => resolveModelPath([join(dir, 'missing.onnx')])).toThrow(/none of HELEN_MODEL_PATHS exists/);
  });

  it.each(['main', 'worker-thread'] as const)('loads the model and runs a batch with the session on %s', async (kind) => {
    const model = await loadModel([DEFAULT_MODEL_PATH], kind, { intraOpThreads: 1, spinning: false });
    try {
      const T = 12;
      const out = await model.engine.run(new Float32Array(3 * T * model.metadata.feature_dim).fill(0.25), [3, T, model.metadata.feature_dim], model.inputName, model.outputName);
      expect(out.dims).toEqual([3, model.metadata.num_classes]);
      expect(out.output.every(Number.isFinite)).toBe(true);
    } finally {
      await model.engine.close();
    }
  });

  it('refuses to start when the metadata names an input the model does not have', async () => {
    const onnx = modelCopy('bad-input', (m) => (m.input = { ...(m.input as object), name: 'not_the_input' }));
    const worker = createWorker(workerConfigFromEnv({ HELEN_MODEL_PATHS: onnx, HELEN_MQTT_URL: 'mqtt://127.0.0.1:1', HELEN_LOG_LEVEL: 'silent' }));
    await expect(worker.start()).rejects.toThrow(/does not match/);
    await worker.stop();
  });

  it('refuses to start when the metadata feature_dim is not the model input width', async () => {
    const onnx = modelCopy('bad-dim', (m) => {
      m.feature_dim = 126;
      m.input = { ...(m.input as object), shape: ['batch', 'time', 126] };
    });
    await expect(loadModel([onnx], 'worker-thread', { intraOpThreads: 1, spinning: false })).rejects.toThrow(/does not match.*126/);
  });

  it('refuses to start when the metadata names an output the model does not have', async () => {
    const onnx = modelCopy('bad-output', (m) => (m.output = { name: 'probs', kind: 'probabilities' }));
    await expect(loadModel([onnx], 'main', { intraOpThreads: 1, spinning: false })).rejects.toThrow(/does not match/);
  });
});
