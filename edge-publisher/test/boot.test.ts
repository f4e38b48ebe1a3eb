/**
 * How the edge boots against the cloud it finds: no cloud at all (starts on the local model,
 * or refuses to start when there is none), and a cloud whose model differs from the local one
 * (the fallback is disabled: the edge never switches to a model that cannot read the windows).
 * Real parts: an aedes broker on port 0, a scripted worker publishing its metadata and status,
 * the real local ONNX model. The landmark source stays idle: only the boot is under test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { DEFAULT_MODEL_PATH, loadModelMetadata } from '@helen/model-runtime';
import { pino } from 'pino';
import { freePort } from '@helen/runtime';
import { createTopics, type ModelMetadata } from '@helen/schemas';
import mqtt, { type MqttClient } from 'mqtt';
import { createEdge, type Edge } from '../src/app';
import { edgeConfigFromEnv } from '../src/config';
import type { LandmarkSource } from '../src/sources/source';
import { silent, waitFor } from './helpers';

const DEVICE = 'pi-boot';
const topics = createTopics('helen/v1');

/** A live source that produces nothing: the boot is what these tests look at. */
const idleSource = (): LandmarkSource => ({ kind: 'synthetic', start: async () => undefined, stop: async () => undefined, finished: new Promise(() => undefined) });

const env = (url: string, extra: Record<string, string> = {}) => ({
  HELEN_MQTT_URL: url, HELEN_DEVICE_ID: DEVICE, HELEN_EDGE_UI: 'false', HELEN_EDGE_METADATA_TIMEOUT: '0.5',
  HELEN_EDGE_STATS_INTERVAL: '0', HELEN_LOG_LEVEL: 'silent', HELEN_MODEL_PATHS: DEFAULT_MODEL_PATH, ...extra,
});

/** A cloud model the local one cannot stand in for: another feature layout. */
const otherModel: ModelMetadata = {
  name: 'other', model_id: 'other@111111111111', sha256: '1'.repeat(64), seq_len: 30, use_z: true, feature_dim: 126,
  num_classes: 2, class_labels: ['a', 'b'], input: { name: 'x', shape: ['batch', 'time', 126] }, output: { name: 'logits', kind: 'logits' },
};

describe('edge boot', () => {
  let edge: Edge | undefined;
  let broker: TestBroker | undefined;
  let worker: MqttClient | undefined;

  afterEach(async () => {
    await edge?.stop();
    await worker?.endAsync(true);
    await broker?.stop();
    edge = worker = broker = undefined;
  });

  it('with no cloud at all, starts on the local model and says so', async () => {
    const port = await freePort();
    edge = createEdge(edgeConfigFromEnv(env(`mqtt://127.0.0.1:${port}`)), { source: idleSource(), log: silent });
    await edge.start();
    expect(edge.status()).toMatchObject({ mode: 'mqtt', broker: 'disconnected', fallbackActive: true, servedBy: 'edge' });
    expect(edge.status().model).toMatch(/^helen-bigru@/);
    expect(edge.pipeline).toBeDefined();
  });

  it('with no cloud and the fallback off, refuses to start, saying why', async () => {
    const port = await freePort();
    edge = createEdge(edgeConfigFromEnv(env(`mqtt://127.0.0.1:${port}`, { HELEN_EDGE_FALLBACK: 'false' })), { source: idleSource(), log: silent });
    await expect(edge.start()).rejects.toThrow(/no model metadata on helen\/v1\/model\/metadata within 0.5 s/);
  });

  it('disables the fallback when the local model differs from the cloud\'s, and never switches to it', async () => {
    broker = await startTestBroker('aedes');
    worker = await mqtt.connectAsync(broker.url, { clientId: 'boot-worker', reconnectPeriod: 0 });
    await worker.publishAsync(topics.modelMetadata(), JSON.stringify(otherModel), { qos: 1, retain: true });
    const status = (state: string) => JSON.stringify({ state, id: 'w-other', role: 'worker', model: otherModel.model_id, ts: Date.now() });
    await worker.publishAsync(topics.workerStatus('w-other'), status('online'), { qos: 1, retain: true });
    edge = createEdge(edgeConfigFromEnv(env(broker.url)), { source: idleSource(), log: silent });
    await edge.start();
    const e = edge;
    await waitFor(() => e.status().workersOnline === 1, 5000, 'the worker online');
    expect(e.status()).toMatchObject({ model: otherModel.model_id, fallbackActive: false, servedBy: 'cloud' });
    // The only worker leaves: with a usable local model the edge would switch to it; this one cannot read the windows.
    await worker.publishAsync(topics.workerStatus('w-other'), status('offline'), { qos: 1, retain: true });
    await waitFor(() => e.status().workersOnline === 0, 5000, 'the worker offline');
    expect(e.status()).toMatchObject({ fallbackActive: false, servedBy: 'cloud' });
  });

  it('reads only the local model\'s metadata at boot: no ONNX Runtime session until a fallback needs it', async () => {
    broker = await startTestBroker('aedes');
    worker = await mqtt.connectAsync(broker.url, { clientId: 'boot-worker', reconnectPeriod: 0 });
    const same = await loadModelMetadata(DEFAULT_MODEL_PATH);
    await worker.publishAsync(topics.modelMetadata(), JSON.stringify(same), { qos: 1, retain: true });
    await worker.publishAsync(topics.workerStatus('w-same'), JSON.stringify({ state: 'online', id: 'w-same', role: 'worker', model: same.model_id, ts: Date.now() }), { qos: 1, retain: true });
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    edge = createEdge(edgeConfigFromEnv(env(broker.url)), { source: idleSource(), log });
    await edge.start();
    const e = edge;
    await waitFor(() => e.status().workersOnline === 1, 5000, 'the worker online');
    expect(e.status()).toMatchObject({ model: same.model_id, fallbackActive: false, servedBy: 'cloud' });
    expect(lines.join('')).not.toMatch(/local fallback model loaded|offline fallback disabled/);
  });
});
