import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatEnvHelp } from '@helen/runtime';
import { workerConfigFromEnv, workerEnv } from '../src/index';

describe('workerConfigFromEnv', () => {
  it('has the documented defaults', () => {
    const c = workerConfigFromEnv({});
    expect(c).toMatchObject({
      mqttUrl: 'mqtt://127.0.0.1:1883', topicPrefix: 'helen/v1', shareGroup: 'helen-workers', maxBatch: 32, maxWaitMs: 0,
      queueLimit: 1024, intraOpThreads: 1, spinning: false, inferenceThread: 'worker-thread',
    });
    expect(c.workerId).toMatch(new RegExp(`-${process.pid}$`));
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('splits HELEN_MODEL_PATHS on ":" and reads every setting', () => {
    const c = workerConfigFromEnv({
      HELEN_MODEL_PATHS: '/a/m.onnx::/b/m.onnx', HELEN_WORKER_ID: 'w1', HELEN_WORKER_MAX_BATCH: '8', HELEN_WORKER_MAX_WAIT_MS: '2.5',
      HELEN_WORKER_QUEUE_LIMIT: '10', HELEN_ORT_INTRA_OP_THREADS: '2', HELEN_ORT_SPINNING: 'on', HELEN_WORKER_INFERENCE_THREAD: 'main',
    });
    expect(c).toMatchObject({ modelPaths: ['/a/m.onnx', '/b/m.onnx'], workerId: 'w1', maxBatch: 8, maxWaitMs: 2.5, queueLimit: 10, intraOpThreads: 2, spinning: true, inferenceThread: 'main' });
  });

  it('names every bad variable at once', () => {
    let err: unknown;
    try {
      workerConfigFromEnv({ HELEN_WORKER_MAX_BATCH: '0', HELEN_WORKER_ID: 'a/b', HELEN_WORKER_INFERENCE_THREAD: 'gpu' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['HELEN_WORKER_ID', 'HELEN_WORKER_MAX_BATCH', 'HELEN_WORKER_INFERENCE_THREAD']);
  });

  it('--help lists every variable it parses', () => {
    const help = formatEnvHelp(workerEnv);
    for (const name of Object.keys(workerEnv)) expect(help).toContain(name);
  });

  it('README.md documents every variable', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Environment'), readme.indexOf('## Process layout'));
    for (const name of Object.keys(workerEnv)) expect(table, name).toContain(`\`${name}\``);
  });
});
