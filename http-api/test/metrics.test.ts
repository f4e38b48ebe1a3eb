/**
 * The facade's GET /metrics with a real aedes broker, the real worker and model: responses
 * by route and status, the /predict and MQTT round-trip histograms, and the link's gauges and
 * counters read at scrape time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { createWorker, workerConfigFromEnv, type Worker } from '@helen/inference-worker';
import { postJson, request, waitFor, window } from '@helen/runtime/testing';
import { apiConfig, createApi, type Api } from '../src/index';

/** The value of one sample of a Prometheus text exposition, or undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('facade GET /metrics', () => {
  let broker: TestBroker;
  let worker: Worker;
  let api: Api;
  let url: string;
  const prefix = `hmet${process.pid}/v1`;
  // No resend (retryAfterMs = timeout): each /predict is published exactly once.
  const TIMEOUT_MS = 2500;

  beforeAll(async () => {
    broker = await startTestBroker('aedes');
    worker = createWorker(workerConfigFromEnv({ HELEN_MQTT_URL: broker.url, HELEN_TOPIC_PREFIX: prefix, HELEN_LOG_LEVEL: 'silent', HELEN_WORKER_INFERENCE_THREAD: 'main' }));
    await worker.start();
    api = createApi(apiConfig({ mqtt: { url: broker.url }, topicPrefix: prefix, host: '127.0.0.1', port: 0, logLevel: 'silent', timeoutMs: TIMEOUT_MS, retryAfterMs: TIMEOUT_MS }));
    url = (await api.start()).url;
    await waitFor('/health ok', async () => ((await request(`${url}/health`)).status === 200 ? true : undefined));
  });

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await broker?.stop();
  });

  it('counts responses by route and status and times /predict and its MQTT round trip', async () => {
    for (let seed = 0; seed < 3; seed++) expect((await postJson(`${url}/predict`, { sequence: window(30, 84, seed) })).status).toBe(200);
    expect((await postJson(`${url}/predict`, { sequence: window(30, 5) })).status).toBe(400);
    expect((await request(`${url}/no-such-route`)).status).toBe(404);

    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'helen_api_http_responses_total', 'route="/predict",status="200"')).toBe(3);
    expect(sample(text, 'helen_api_http_responses_total', 'route="/predict",status="400"')).toBe(1);
    expect(sample(text, 'helen_api_http_responses_total', 'route="/health",status="200"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'helen_api_http_responses_total', 'route="unmatched",status="404"')).toBe(1);
    expect(sample(text, 'helen_api_predict_duration_seconds_count', 'status="200"')).toBe(3);
    expect(sample(text, 'helen_api_predict_duration_seconds_bucket', 'le="+Inf",status="400"')).toBe(1);
    // The 400 was refused before MQTT: only the three answered requests made a round trip.
    expect(sample(text, 'helen_api_mqtt_round_trip_seconds_count', 'outcome="ok"')).toBe(3);
    const roundTrip = sample(text, 'helen_api_mqtt_round_trip_seconds_sum', 'outcome="ok"') as number;
    expect(roundTrip).toBeGreaterThan(0);
    expect(roundTrip).toBeLessThanOrEqual(sample(text, 'helen_api_predict_duration_seconds_sum', 'status="200"') as number);
    expect(sample(text, 'helen_api_mqtt_requests_sent_total')).toBe(3);
    expect(sample(text, 'helen_api_mqtt_replies_total', 'result="matched"')).toBe(3);
    expect(sample(text, 'helen_api_mqtt_replies_total', 'result="unmatched"')).toBe(0);
    expect(sample(text, 'helen_api_pending_requests')).toBe(0);
    expect(sample(text, 'helen_api_workers_online')).toBe(1);
    expect(sample(text, 'helen_api_mqtt_connected')).toBe(1);
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
  });

  it('sees the worker leave: workers online 0, a request pending while it waits for one, then its timeout', async () => {
    await worker.stop();
    await waitFor('no worker', async () => ((await request(`${url}/health`)).status === 503 ? true : undefined));
    const metrics = async () => (await fetch(`${url}/metrics`)).text();
    expect(sample(await metrics(), 'helen_api_workers_online')).toBe(0);
    // With no worker online a request waits for one until its deadline (HELEN_API_TIMEOUT_MS), then 503.
    const waiting = postJson(`${url}/predict`, { sequence: window(30, 84) });
    await waitFor('the waiting request in the gauge', async () => (sample(await metrics(), 'helen_api_pending_requests') === 1 ? true : undefined));
    expect((await waiting).status).toBe(503);
    const text = await metrics();
    expect(sample(text, 'helen_api_pending_requests')).toBe(0);
    expect(sample(text, 'helen_api_http_responses_total', 'route="/predict",status="503"')).toBe(1);
    expect(sample(text, 'helen_api_mqtt_round_trip_seconds_count', 'outcome="unavailable"')).toBe(1);
    expect(sample(text, 'helen_api_predict_duration_seconds_sum', 'status="503"')).toBeGreaterThanOrEqual(TIMEOUT_MS / 1000);
  });
});
