import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { brokerKinds, startTestBroker, type TestBroker } from '@helen/broker/testing';
import { mqttClientSettings } from '@helen/runtime';
import { createTopics, decodeRequest, encodeReply, type DecodedRequest, type FeatureSequence } from '@helen/schemas';
import { MqttLink } from '../../src/mqtt/link';
import { MqttPredictor } from '../../src/predict/mqtt-predictor';
import { silent, waitFor } from '../helpers';

/*
 * The request/reply path against a real broker (in-process aedes on port 0, and Mosquitto). The "worker"
 * here is a test client that decodes each request and answers when the test says so, which
 * is what supersession and timeouts need; the real worker runs in the end-to-end suite.
 */
const topics = createTopics('helen/v1');
const DEVICE = 'pi-test';

function sequence(frames = 30): FeatureSequence {
  const data = new Float32Array(frames * 84).map((_, i) => (i % 84) / 84);
  const mask = new Float32Array(frames * 2).fill(1);
  return { frames, featureDim: 84, data, mask };
}

function answer(req: DecodedRequest, label = 'Inicio'): Buffer {
  const probabilities = Array.from({ length: 22 }, (_, i) => (i === 14 ? 0.979 : 0.001));
  return encodeReply({
    v: 1, id: req.id, prediction: label, probabilities, top_index: 14, top_probability: 0.979, elapsed_ms: 3,
    model: 'test@000000000000', worker: 'w1', batch_size: 1,
    trace: { ...(req.trace ?? {}), worker_received: Date.now(), inference_ms: 3, replied: Date.now() },
  });
}

// The same suite against aedes and, where installed, Mosquitto 2: nothing aedes-only.
describe.each(brokerKinds())('MQTT requests and replies (%s)', (kind) => {
  let broker: TestBroker;
  let worker: MqttClient;
  let link: MqttLink;
  const requests: { req: DecodedRequest; bytes: number }[] = [];

  beforeEach(async () => {
    requests.length = 0;
    broker = await startTestBroker(kind);
    worker = await mqtt.connectAsync(broker.url, { clientId: 'fake-worker' });
    await worker.subscribeAsync(topics.predict(DEVICE), { qos: 0 });
    worker.on('message', (_t, payload) => requests.push({ req: decodeRequest(payload), bytes: payload.length }));
    link = new MqttLink({ settings: mqttClientSettings.with({ url: broker.url }), topicPrefix: 'helen/v1', deviceId: DEVICE }, silent);
  });

  afterEach(async () => {
    await link.stop();
    await worker.endAsync(true);
    await broker.stop();
  });

  async function connected(): Promise<MqttPredictor> {
    const p = new MqttPredictor(link, { deviceId: DEVICE, encoding: 'f16', maxInFlight: 2, timeoutMs: 1000 }, silent);
    link.start();
    // connect() resolves once the subscriptions (.../predictions among them) are acknowledged.
    await link.connection.connect();
    expect(link.connected).toBe(true);
    return p;
  }

  it('publishes binary float16 requests with a deadline and trace, and matches the reply', async () => {
    const p = await connected();
    const before = Date.now();
    const pending = p.predict(sequence(), before - 5);
    await waitFor(() => requests.length === 1, 5000, 'request');
    const { req, bytes } = requests[0] as { req: DecodedRequest; bytes: number };
    expect(req.encoding).toBe('f16');
    expect(req.reply_to).toBe(topics.predictions(DEVICE));
    expect(req.deadline).toBeGreaterThanOrEqual(before + 1000);
    expect(req.trace).toMatchObject({ capture: before - 5 });
    expect(req.sequence.frames).toBe(30);
    expect(bytes).toBeLessThan(30 * 86 * 2 + 200);
    worker.publish(req.reply_to, answer(req));
    const out = await pending;
    expect(out.kind).toBe('result');
    if (out.kind !== 'result') return;
    expect(out.result).toMatchObject({ label: 'Inicio', servedBy: 'cloud', worker: 'w1', topIndex: 14 });
    expect(Object.keys(out.result.trace).sort()).toEqual(['capture', 'inference_ms', 'publish', 'received', 'replied', 'worker_received']);
  });

  it('keeps at most maxInFlight waiting: a new window supersedes the oldest', async () => {
    const p = await connected();
    const a = p.predict(sequence(), Date.now());
    const b = p.predict(sequence(), Date.now());
    const c = p.predict(sequence(), Date.now());
    expect(await a).toEqual({ kind: 'superseded' });
    expect(p.pending).toBe(2);
    await waitFor(() => requests.length === 3, 5000, 'three requests');
    worker.publish(topics.predictions(DEVICE), answer((requests[2] as { req: DecodedRequest }).req));
    // c's answer makes b (older, unanswered) moot.
    expect((await c).kind).toBe('result');
    expect(await b).toEqual({ kind: 'superseded' });
    // b's late answer is counted, not delivered.
    worker.publish(topics.predictions(DEVICE), answer((requests[1] as { req: DecodedRequest }).req));
    await waitFor(() => p.stats.late === 1, 5000, 'late reply counted');
  });

  it('times out when no reply comes', async () => {
    const p = await connected();
    const t0 = Date.now();
    expect(await p.predict(sequence(), t0)).toEqual({ kind: 'timeout' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
    expect(p.stats.timeouts).toBe(1);
  });

  it('answers unavailable at once while the broker is not connected', async () => {
    const p = new MqttPredictor(link, { deviceId: DEVICE, encoding: 'f16', maxInFlight: 2, timeoutMs: 1000 }, silent);
    expect(await p.predict(sequence(), Date.now())).toMatchObject({ kind: 'unavailable' });
  });

  it('retains "online" and leaves an "offline" last will', async () => {
    await connected();
    const watcher = await mqtt.connectAsync(broker.url, { clientId: 'watcher' });
    const seen: string[] = [];
    watcher.on('message', (_t, payload) => seen.push(JSON.parse(payload.toString()).state));
    await watcher.subscribeAsync(topics.deviceStatus(DEVICE), { qos: 1 });
    await waitFor(() => seen.includes('online'), 5000, 'retained online');
    // Kill the socket without DISCONNECT: the broker must publish the will.
    (link.connection as unknown as { client: MqttClient }).client.stream.destroy();
    await waitFor(() => seen.includes('offline'), 10_000, 'last will');
    // The client reconnects by itself (0.5 s backoff) and says online again.
    const onlineBefore = seen.filter((s) => s === 'online').length;
    await waitFor(() => seen.filter((s) => s === 'online').length > onlineBefore, 10_000, 'online again after reconnect');
    await link.stop();
    await waitFor(() => seen[seen.length - 1] === 'offline', 5000, 'offline on a clean stop');
    await watcher.endAsync(true);
  });

  it('reads the retained model metadata, or says clearly that none came', async () => {
    link.start();
    await expect(link.waitForMetadata(300)).rejects.toThrow(/no model metadata on helen\/v1\/model\/metadata within 0.3 s/);
    const meta = {
      name: 'helen-bigru', model_id: 'helen-bigru@0123456789ab', sha256: '0123456789ab'.padEnd(64, '0'), seq_len: 30, use_z: false,
      feature_dim: 84, num_classes: 22, class_labels: Array.from({ length: 22 }, (_, i) => String(i)),
      input: { name: 'sequence', shape: ['batch', 'time', 84] }, output: { name: 'logits', kind: 'logits' },
    };
    await worker.publishAsync(topics.modelMetadata(), JSON.stringify(meta), { qos: 1, retain: true });
    const got = await link.waitForMetadata(5000);
    expect(got.model_id).toBe('helen-bigru@0123456789ab');
  });

  it('counts workers from their retained status', async () => {
    await worker.publishAsync(topics.workerStatus('w1'), JSON.stringify({ state: 'online', id: 'w1', role: 'worker' }), { qos: 1, retain: true });
    await connected();
    await waitFor(() => link.workersOnline === 1, 5000, 'one worker');
    await worker.publishAsync(topics.workerStatus('w1'), JSON.stringify({ state: 'offline', id: 'w1', role: 'worker' }), { qos: 1, retain: true });
    await waitFor(() => link.workersOnline === 0, 5000, 'no worker');
  });
});
