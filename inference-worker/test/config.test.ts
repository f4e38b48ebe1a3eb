import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH } from '@helen/model-runtime';
import { ConfigError } from '@helen/runtime';
import { workerConfigFromEnv, workerSettings } from '../src/index';

describe('workerConfigFromEnv', () => {
  it('has the documented defaults', () => {
    const c = workerConfigFromEnv({});
    expect(c).toMatchObject({
      mqtt: { url: 'mqtt://127.0.0.1:1883', username: undefined, password: undefined, rejectUnauthorized: true },
      topicPrefix: 'helen/v1', logLevel: 'info', shareGroup: 'helen-workers', maxBatch: 32, maxWaitMs: 0,
      queueLimit: 1024, ort: { intraOpThreads: 1, spinning: false }, inferenceThread: 'main',
    });
    expect(c.modelPaths).toEqual([DEFAULT_MODEL_PATH]);
    expect(c.workerId).toMatch(new RegExp(`-${process.pid}$`));
    expect(Object.isFrozen(c) && Object.isFrozen(c.mqtt) && Object.isFrozen(c.ort)).toBe(true);
  });

  it('splits HELEN_MODEL_PATHS on ":" and reads every setting', () => {
    const c = workerConfigFromEnv({
      HELEN_MODEL_PATHS: '/a/m.onnx::/b/m.onnx', HELEN_WORKER_ID: 'w1', HELEN_WORKER_SHARE_GROUP: 'g2', HELEN_WORKER_MAX_BATCH: '8', HELEN_WORKER_MAX_WAIT_MS: '2.5',
      HELEN_WORKER_QUEUE_LIMIT: '10', HELEN_ORT_INTRA_OP_THREADS: '2', HELEN_ORT_SPINNING: 'on', HELEN_WORKER_INFERENCE_THREAD: 'worker-thread',
      HELEN_MQTT_URL: 'mqtts://broker:8883', HELEN_MQTT_USERNAME: 'u', HELEN_MQTT_PASSWORD: 'p', HELEN_MQTT_REJECT_UNAUTHORIZED: 'false',
      HELEN_TOPIC_PREFIX: 'x/v1', HELEN_LOG_LEVEL: 'WARNING',
    });
    expect(c).toMatchObject({
      modelPaths: ['/a/m.onnx', '/b/m.onnx'], workerId: 'w1', shareGroup: 'g2', maxBatch: 8, maxWaitMs: 2.5, queueLimit: 10,
      ort: { intraOpThreads: 2, spinning: true }, inferenceThread: 'worker-thread', topicPrefix: 'x/v1', logLevel: 'warn',
      mqtt: { url: 'mqtts://broker:8883', username: 'u', password: 'p', rejectUnauthorized: false },
    });
  });

  it('names every bad variable at once', () => {
    let err: unknown;
    try {
      workerConfigFromEnv({ HELEN_WORKER_MAX_BATCH: '0', HELEN_WORKER_ID: 'a/b', HELEN_WORKER_INFERENCE_THREAD: 'gpu', HELEN_WORKER_SHARE_GROUP: 'a+b' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([
      'HELEN_WORKER_ID', 'HELEN_WORKER_SHARE_GROUP', 'HELEN_WORKER_MAX_BATCH', 'HELEN_WORKER_INFERENCE_THREAD',
    ]);
  });

  it('--help lists every variable it parses', () => {
    const help = workerSettings.help();
    expect(help.split('\n')).toHaveLength(workerSettings.variables().length + 1);
    for (const v of workerSettings.variables()) expect(help).toContain(v.env);
    expect(help).toMatch(/^HELEN_WORKER_ID\s+hostname-pid\s/m);
    for (const env of ['HELEN_MQTT_CA_FILE', 'HELEN_MQTT_CERT_FILE', 'HELEN_MQTT_KEY_FILE', 'HELEN_MQTT_REJECT_UNAUTHORIZED']) expect(help).toContain(env);
  });

  it('README.md documents every variable', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Environment'), readme.indexOf('## Process layout'));
    for (const v of workerSettings.variables()) expect(table, v.env).toContain(`\`${v.env}\``);
  });
});
