/**
 * The worker's side of model loading (model-runtime/test/model.test.ts tests loading itself):
 * a model it cannot load, or whose metadata does not match, stops start() with the reason.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH } from '@helen/model-runtime';
import { ConfigError } from '@helen/runtime';
import { createWorker, ModelLoadError, workerConfigFromEnv } from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'helen-worker-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (paths: string) => ({ HELEN_MODEL_PATHS: paths, HELEN_MQTT_URL: 'mqtt://127.0.0.1:1', HELEN_LOG_LEVEL: 'silent' });

describe('worker model loading', () => {
  it('refuses to start when the metadata names an input the model does not have', async () => {
    const sub = join(dir, 'bad-input');
    mkdirSync(sub, { recursive: true });
    const onnx = join(sub, 'model.onnx');
    copyFileSync(DEFAULT_MODEL_PATH, onnx);
    const meta = JSON.parse(readFileSync(join(dirname(DEFAULT_MODEL_PATH), 'metadata.json'), 'utf8')) as Record<string, unknown>;
    meta.input = { ...(meta.input as object), name: 'not_the_input' };
    writeFileSync(join(sub, 'metadata.json'), JSON.stringify(meta));
    const worker = createWorker(workerConfigFromEnv(env(onnx)));
    await expect(worker.start()).rejects.toThrow(/does not match/);
    await worker.stop();
  });

  it('refuses to start when none of HELEN_MODEL_PATHS exists', async () => {
    const worker = createWorker(workerConfigFromEnv(env(`${join(dir, 'a.onnx')}:${join(dir, 'b.onnx')}`)));
    const started = worker.start();
    await expect(started).rejects.toThrow(ModelLoadError);
    await expect(started).rejects.toThrow(/none of HELEN_MODEL_PATHS exists/);
    await worker.stop();
  });

  it('refuses HELEN_MODEL_PATHS made only of separators (never silently the default model)', () => {
    expect(() => workerConfigFromEnv(env(':'))).toThrow(ConfigError);
    expect(() => workerConfigFromEnv(env('::'))).toThrow(/HELEN_MODEL_PATHS: names no ONNX file/);
  });
});
