/**
 * The worker's /metrics and /health listener against a real aedes broker and the real model:
 * each kind of message moves its own counter, histograms count what was answered, /health
 * follows the broker connection, and stop() closes the listener.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { ConfigError } from '@helen/runtime';
import { waitFor } from '@helen/runtime/testing';
import type { Topics } from '@helen/schemas';
import { workerConfigFromEnv, type Worker } from '../src/index';
import { freshTopics, Requester, sequence, startWorker } from './helpers';

/** The value of one sample of a Prometheus text exposition, or undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('worker /metrics and /health', () => {
  let broker: TestBroker;
  let topics: Topics;
  let worker: Worker | undefined;
  let requester: Requester | undefined;

  beforeAll(async () => {
    broker = await startTestBroker('aedes');
  });
  afterAll(async () => {
    await broker.stop();
  });
  afterEach(async () => {
    await requester?.close();
    await worker?.stop();
    worker = requester = undefined;
  });

  it('counts replies by outcome, drops by reason, and observes durations and batch sizes', async () => {
    topics = freshTopics();
    worker = await startWorker(broker.url, topics, { HELEN_WORKER_HTTP_PORT: '0', HELEN_WORKER_INFERENCE_THREAD: 'main' });
    const base = `http://127.0.0.1:${worker.httpPort}`;
    requester = await Requester.open(broker.url, topics);
    const r = requester;
    await r.sendJson('ok-1', sequence(30));
    await r.sendBinary('ok-2', sequence(20), 'f32');
    await r.sendJson('bad-dim', sequence(30, 10));
    await r.sendJson('late', sequence(30), 0, -1000);
    await r.sendRaw('not a request');
    await r.sendJson('fence', sequence(30, 84, 5));
    await r.waitFor(['ok-1', 'ok-2', 'bad-dim', 'fence']);

    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'helen_worker_messages_received_total')).toBe(6);
    expect(sample(text, 'helen_worker_replies_total', 'outcome="ok"')).toBe(3);
    expect(sample(text, 'helen_worker_replies_total', 'outcome="invalid_request"')).toBe(1);
    expect(sample(text, 'helen_worker_replies_total', 'outcome="queue_full"')).toBe(0);
    expect(sample(text, 'helen_worker_dropped_total', 'reason="deadline"')).toBe(1);
    expect(sample(text, 'helen_worker_dropped_total', 'reason="no_reply_to"')).toBe(1);
    expect(sample(text, 'helen_worker_request_duration_seconds_count')).toBe(3);
    expect(sample(text, 'helen_worker_request_duration_seconds_sum')).toBeGreaterThan(0);
    // Each answered request ran in some batch: the batch sizes add up to them.
    expect(sample(text, 'helen_worker_batch_size_sum')).toBe(3);
    expect(sample(text, 'helen_worker_inference_duration_seconds_count')).toBe(sample(text, 'helen_worker_batch_size_count'));
    expect(sample(text, 'helen_worker_queue_depth')).toBe(0);
    expect(sample(text, 'helen_worker_mqtt_connected')).toBe(1);
    expect(text).toMatch(/^helen_worker_model_info\{model="helen-bigru@[0-9a-f]+"\} 1$/m);
    // prom-client's process metrics, unprefixed like the broker's.
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('answers /health 200 while serving, 503 once the broker is gone, and closes on stop()', async () => {
    const own = await startTestBroker('aedes');
    try {
      topics = freshTopics();
      worker = await startWorker(own.url, topics, { HELEN_WORKER_HTTP_PORT: '0', HELEN_WORKER_ID: 'w-health' });
      const base = `http://127.0.0.1:${worker.httpPort}`;
      const ok = await fetch(`${base}/health`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ status: 'ok', worker: 'w-health', state: 'running', broker: 'connected', model: expect.stringMatching(/^helen-bigru@/) });
      expect((await fetch(`${base}/nothing`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);

      await own.stop();
      const down = await waitFor('503 from /health', async () => {
        const res = await fetch(`${base}/health`);
        return res.status === 503 ? res.json() : undefined;
      });
      expect(down).toMatchObject({ status: 'unavailable', reason: 'MQTT broker unreachable', broker: 'disconnected' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(sample(metrics, 'helen_worker_mqtt_connected')).toBe(0);

      await worker.stop();
      await expect(fetch(`${base}/health`)).rejects.toThrow();
    } finally {
      await own.stop();
    }
  });

  it('has no listener unless HELEN_WORKER_HTTP_PORT is set, and refuses a bad port by name', async () => {
    topics = freshTopics();
    worker = await startWorker(broker.url, topics);
    expect(worker.httpPort).toBeUndefined();
    expect(workerConfigFromEnv({ HELEN_WORKER_HTTP_PORT: 'off' }).http.port).toBeUndefined();
    expect(workerConfigFromEnv({ HELEN_WORKER_HTTP_PORT: '9103' }).http).toEqual({ port: 9103, host: '127.0.0.1' });
    let err: unknown;
    try {
      workerConfigFromEnv({ HELEN_WORKER_HTTP_PORT: '70000' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems[0]).toMatch(/^HELEN_WORKER_HTTP_PORT: must be a port 0-65535 or "off"/);
  });
});
