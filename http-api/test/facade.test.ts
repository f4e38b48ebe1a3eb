/**
 * The HTTP contract end to end through a real broker (aedes and Mosquitto) with a scripted
 * worker: every 400 case, 413/415, worker error envelopes, timeouts, retries, duplicates,
 * a crashed worker. The real worker and model run in real-worker.test.ts and stack.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerKinds, startTestBroker, type TestBroker, type TestBrokerKind } from '@helen/broker/testing';
import { createApi, apiConfig, type Api } from '../src/index';
import { fakeMetadata, startFakeWorker, FAKE_FEATURE_DIM, type FakeWorker } from './helpers/fake-worker';
import { postJson, request, waitFor, window } from '@helen/runtime/testing';

const F = FAKE_FEATURE_DIM;
const TIMEOUT_MS = 1500;
const RETRY_AFTER_MS = 500;

describe.each(brokerKinds())('facade over %s', (kind) => {
  let broker: TestBroker;
  let worker: FakeWorker;
  let api: Api;
  let url: string;

  beforeAll(async () => {
    broker = await startTestBroker(kind);
    worker = await startFakeWorker(broker.url);
    api = createApi(apiConfig({ mqtt: { url: broker.url }, host: '127.0.0.1', port: 0, logLevel: 'silent', timeoutMs: TIMEOUT_MS, retryAfterMs: RETRY_AFTER_MS }));
    url = (await api.start()).url;
    await waitFor('/health ok', async () => ((await request(`${url}/health`)).status === 200 ? true : undefined));
  });

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await broker?.stop();
  });

  describe('GET', () => {
    it('/health reports ok, the class count, the broker and live workers', async () => {
      const res = await request(`${url}/health`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', classes: 22, broker: 'connected', workers: 1, model: fakeMetadata.model_id });
    });

    it('/metadata has the original five fields plus the model\'s own', async () => {
      const res = await request(`${url}/metadata`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ seq_len: 30, use_z: true, num_classes: 22, class_labels: fakeMetadata.class_labels, feature_dim: F, model_id: fakeMetadata.model_id });
      expect(Object.keys(res.body as object).slice(0, 5)).toEqual(['seq_len', 'use_z', 'num_classes', 'class_labels', 'feature_dim']);
    });

    it('unknown routes answer 404 in the same error shape', async () => {
      const res = await request(`${url}/nope`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: expect.stringContaining('/nope') });
    });
  });

  describe('POST /predict', () => {
    it('answers the original fields without the envelope', async () => {
      const res = await postJson(`${url}/predict`, { sequence: window(30, F, 1), mask: Array.from({ length: 30 }, () => [1, 1]) });
      expect(res.status).toBe(200);
      const body = res.body as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['batch_size', 'elapsed_ms', 'model', 'prediction', 'probabilities', 'top_index', 'top_probability', 'worker']);
      expect(body.worker).toBe(worker.id);
      expect(body.probabilities).toHaveLength(22);
      expect(body.prediction).toBe(fakeMetadata.class_labels[body.top_index as number]);
    });

    it('sends float32 binary requests with a deadline and its own reply topic', async () => {
      const before = worker.seen.length;
      const seq = window(15, F, 2);
      expect((await postJson(`${url}/predict`, { sequence: seq })).status).toBe(200);
      const req = worker.seen[before];
      expect(req?.encoding).toBe('f32');
      expect(req?.reply_to).toBe(`helen/v1/api/${api.link.instanceId}/replies`);
      expect(req?.deadline).toBeGreaterThan(Date.now());
      expect(Array.from(req?.sequence.data ?? [])).toEqual(Array.from(new Float32Array(seq.flat())));
    });

    const row = (n = F) => Array.from({ length: n }, () => 0.5);
    const cases: [string, { body?: string; contentType?: string }, RegExp][] = [
      ['no body at all', {}, /JSON object/],
      ['an empty JSON body', { body: '', contentType: 'application/json' }, /empty/],
      ['a body that is not JSON', { body: '{"sequence": [[1,2]', contentType: 'application/json' }, /not valid JSON/],
      ['NaN (not JSON)', { body: '{"sequence": [[NaN]]}', contentType: 'application/json' }, /not valid JSON/],
      ['a JSON array body', { body: '[[1,2,3]]' }, /JSON object/],
      ['a JSON null body', { body: 'null' }, /JSON object/],
      ['no sequence', { body: '{"mask": [[1,1]]}' }, /missing 'sequence'/],
      ['sequence not an array', { body: '{"sequence": 5}' }, /2-D array/],
      ['a 1-D sequence', { body: '{"sequence": [1, 2, 3]}' }, /2-D array.*sequence\[0\]/],
      ['an empty sequence', { body: '{"sequence": []}' }, /'sequence' is empty/],
      ['an empty frame', { body: '{"sequence": [[]]}' }, /sequence\[0\] is empty/],
      ['a ragged sequence', { body: JSON.stringify({ sequence: [row(), row(F - 1)] }) }, /not rectangular.*sequence\[1\] has 125/],
      ['the wrong feature_dim', { body: JSON.stringify({ sequence: [row(84), row(84)] }) }, /expected 126 features per frame \(feature_dim\), got 84/],
      ['a string value', { body: JSON.stringify({ sequence: [row(), [...row(F - 1), 'a']] }) }, /sequence\[1\]\[125\] must be a finite number/],
      ['a numeric string (no coercion)', { body: JSON.stringify({ sequence: [['0.5', ...row(F - 1)]] }) }, /sequence\[0\]\[0\] must be a finite number/],
      ['a null value', { body: JSON.stringify({ sequence: [[null, ...row(F - 1)]] }) }, /sequence\[0\]\[0\] must be a finite number/],
      ['a value past float64 (Infinity)', { body: `{"sequence": [[1e400, ${row(F - 1).join(',')}]]}` }, /sequence\[0\]\[0\]/],
      ['a value past float32', { body: `{"sequence": [[1e39, ${row(F - 1).join(',')}]]}` }, /sequence\[0\]\[0\].*overflows float32/],
      ['a mask that is not an array', { body: JSON.stringify({ sequence: [row()], mask: 1 }) }, /'mask' must be a T x 2/],
      ['a mask of another length', { body: JSON.stringify({ sequence: [row(), row()], mask: [[1, 1]] }) }, /'mask' must be T x 2 with T = 2.*got 1 rows/],
      ['a mask row not of 2', { body: JSON.stringify({ sequence: [row()], mask: [[1, 1, 1]] }) }, /mask\[0\] must be \[mLeft, mRight\]/],
      ['a non-numeric mask value', { body: JSON.stringify({ sequence: [row()], mask: [[1, 'x']] }) }, /mask\[0\]\[1\] must be a finite number/],
      ['more frames than a request may carry', { body: JSON.stringify({ sequence: Array.from({ length: 1025 }, () => [0]) }) }, /1025 frames, more than the limit 1024/],
    ];

    it.each(cases)('400 for %s', async (_name, { body, contentType }, message) => {
      const before = worker.seen.length;
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = contentType ?? 'application/json';
      const res = await request(`${url}/predict`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
      expect(res.status, res.text).toBe(400);
      expect(Object.keys(res.body as object)).toEqual(['error']);
      expect((res.body as { error: string }).error).toMatch(message);
      expect(worker.seen.length).toBe(before); // refused before it reached MQTT
    });

    it('413 past the body limit', async () => {
      const big = JSON.stringify({ sequence: Array.from({ length: 1024 }, () => Array.from({ length: F }, () => 0.123456789)) });
      expect(big.length).toBeGreaterThan(1024 * 1024);
      const res = await postJson(`${url}/predict`, big);
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ error: 'request body is larger than the limit of 1048576 bytes' });
    });

    it('a full 30 x 126 window at full double precision is accepted under the default limit', async () => {
      const sequence = window(30, F).map((r) => r.map((v) => v + Math.PI * 1e-9));
      const res = await postJson(`${url}/predict`, { sequence, mask: Array.from({ length: 30 }, () => [1, 1]) });
      expect(res.status).toBe(200);
    });

    it('415 for a body that is not JSON by content type', async () => {
      const res = await request(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"sequence": [[1]]}' });
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ error: 'Content-Type must be application/json' });
    });
  });

  describe('worker replies', () => {
    const body = { sequence: window(10, F, 3) };
    const run = async (action: Parameters<FakeWorker['behave']>[0]) => {
      worker.behave(action);
      try {
        return await postJson(`${url}/predict`, body);
      } finally {
        worker.behave(() => ({ kind: 'answer' }));
      }
    };

    it.each([
      ['invalid_request', 400],
      ['model_mismatch', 400],
      ['queue_full', 503],
      ['internal_error', 500],
    ] as const)('a %s error envelope becomes %i', async (code, status) => {
      const res = await run(() => ({ kind: 'error', code, message: `worker says ${code}` }));
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error: expect.stringContaining(`worker says ${code}`) });
    });

    it('504 when no reply comes in time, after exactly one retry of the same id', async () => {
      const before = worker.seen.length;
      const res = await run(() => ({ kind: 'silent' }));
      expect(res.status).toBe(504);
      expect(res.body).toEqual({ error: `no reply from an inference worker within ${TIMEOUT_MS} ms` });
      const attempts = worker.seen.slice(before);
      expect(attempts).toHaveLength(2);
      expect(attempts[0]?.id).toBe(attempts[1]?.id);
      expect(api.link.stats().pending).toBe(0);
    });

    it('the retry answers when the first attempt was lost', async () => {
      let n = 0;
      const res = await run(() => (n++ === 0 ? { kind: 'silent' } : { kind: 'answer' }));
      expect(res.status).toBe(200);
      expect(n).toBe(2);
    });

    it('a late first reply after the retry answered is dropped, not answered twice', async () => {
      const before = api.link.stats();
      let n = 0;
      const res = await run(() => (n++ === 0 ? { kind: 'answer', delayMs: RETRY_AFTER_MS + 200 } : { kind: 'answer' }));
      expect(res.status).toBe(200);
      await waitFor('the late reply', () => (api.link.stats().unmatchedReplies > before.unmatchedReplies ? true : undefined));
      expect(api.link.stats().pending).toBe(0);
    });

    it('duplicate replies answer once', async () => {
      const before = api.link.stats().unmatchedReplies;
      const res = await run(() => ({ kind: 'answer', times: 3 }));
      expect(res.status).toBe(200);
      await waitFor('the duplicates', () => (api.link.stats().unmatchedReplies === before + 2 ? true : undefined));
    });
  });

  it('200 concurrent requests are each answered once with their own result', async () => {
    const before = worker.seen.length;
    const seeds = Array.from({ length: 200 }, (_, i) => i);
    const results = await Promise.all(seeds.map((s) => postJson(`${url}/predict`, { sequence: window(5, F, s) })));
    for (const [i, res] of results.entries()) {
      expect(res.status).toBe(200);
      const first = window(5, F, i)[0]?.[0] ?? 0;
      const expected = Math.abs(Math.round(Math.fround(first) * 1000)) % 22;
      expect((res.body as { top_index: number }).top_index).toBe(expected);
    }
    const ids = worker.seen.slice(before).map((r) => r.id);
    expect(new Set(ids).size).toBe(200);
    expect(ids).toHaveLength(200); // no retries were needed
    expect(api.link.stats().pending).toBe(0);
  });

  it('a crashed worker: in-flight and new requests wait for the next worker and are answered (no 503 while the deadline lasts)', async () => {
    worker.behave(() => ({ kind: 'silent' }));
    const seenBefore = worker.seen.length;
    const inFlight = postJson(`${url}/predict`, { sequence: window(3, F) });
    await waitFor('the request at the worker', () => (worker.seen.length > seenBefore ? true : undefined));
    worker.crash();
    await waitFor('/health sees no worker', async () => ((await request(`${url}/health`)).status === 503 ? true : undefined));
    const health = await request(`${url}/health`);
    expect(health.body).toEqual({ status: 'unavailable', reason: 'no inference worker online', broker: 'connected', workers: 0 });
    // A request made while no worker is online waits too.
    const madeWhileDown = postJson(`${url}/predict`, { sequence: window(3, F, 1) });
    await new Promise((r) => setTimeout(r, 200));
    // A new worker answers both, within their deadline.
    worker = await startFakeWorker(broker.url);
    const [a, b] = await Promise.all([inFlight, madeWhileDown]);
    expect(a.status, a.text).toBe(200);
    expect(b.status, b.text).toBe(200); // a 504 had the deadline passed
    await waitFor('/health ok again', async () => ((await request(`${url}/health`)).status === 200 ? true : undefined));
  });
});

/**
 * A broker of `kind`, a fake worker and a facade with `timeoutMs`, healthy; `fn` gets them and
 * everything is stopped afterwards. `fn` may replace the worker (the latest one is stopped).
 */
async function withFacade(kind: TestBrokerKind, timeoutMs: number,
  fn: (ctx: { broker: TestBroker; url: string; api: Api; worker: FakeWorker; setWorker(w: FakeWorker): void }) => Promise<void>): Promise<void> {
  const broker = await startTestBroker(kind);
  let worker = await startFakeWorker(broker.url);
  const api = createApi(apiConfig({ mqtt: { url: broker.url }, host: '127.0.0.1', port: 0, logLevel: 'silent', timeoutMs }));
  try {
    const { url } = await api.start();
    await waitFor('/health ok', async () => ((await request(`${url}/health`)).status === 200 ? true : undefined));
    await fn({ broker, url, api, worker, setWorker: (w) => { worker = w; } });
  } finally {
    await api.stop();
    await worker.stop().catch(() => {});
    await broker.stop();
  }
}

describe.each(brokerKinds())('facade with no worker coming back over %s', (kind) => {
  it('a request waits until its deadline, then gets 503 saying no worker came', async () => {
    await withFacade(kind, 1500, async ({ broker, url, worker, setWorker }) => {
      worker.crash();
      await waitFor('/health sees no worker', async () => ((await request(`${url}/health`)).status === 503 ? true : undefined));
      const t0 = Date.now();
      const res = await postJson(`${url}/predict`, { sequence: window(3, F) });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: 'no inference worker online (waited 1500 ms for one)' });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
      setWorker(await startFakeWorker(broker.url));
      await waitFor('/predict ok again', async () => ((await postJson(`${url}/predict`, { sequence: window(3, F) })).status === 200 ? true : undefined));
    });
  });
});

describe.each(brokerKinds())('facade when the %s broker goes away', (kind) => {
  let broker: TestBroker;
  let worker: FakeWorker;
  let api: Api;
  let url: string;

  beforeAll(async () => {
    broker = await startTestBroker(kind);
    worker = await startFakeWorker(broker.url);
    api = createApi(apiConfig({ mqtt: { url: broker.url }, host: '127.0.0.1', port: 0, logLevel: 'silent', timeoutMs: 2000 }));
    url = (await api.start()).url;
    await waitFor('/health ok', async () => ((await request(`${url}/health`)).status === 200 ? true : undefined));
  });

  afterAll(async () => {
    await api?.stop();
    await worker?.stop().catch(() => {});
    await broker?.stop();
  });

  it('in-flight and new requests wait for the broker until their deadline (then 503, not at once); /health says why', async () => {
    worker.behave(() => ({ kind: 'silent' }));
    const seenBefore = worker.seen.length;
    const inFlight = postJson(`${url}/predict`, { sequence: window(3, F) });
    await waitFor('the request at the worker', () => (worker.seen.length > seenBefore ? true : undefined));
    await broker.stop();
    await waitFor('/health sees the broker gone', async () => ((await request(`${url}/health`)).status === 503 ? true : undefined));
    const health = await request(`${url}/health`);
    expect(health.body).toMatchObject({ status: 'unavailable', reason: 'MQTT broker unreachable', broker: 'disconnected' });
    const t0 = Date.now();
    const madeWhileDown = await postJson(`${url}/predict`, { sequence: window(3, F) });
    expect(madeWhileDown.status, madeWhileDown.text).toBe(503);
    expect(madeWhileDown.body).toEqual({ error: 'MQTT broker unreachable (waited 2000 ms for it)' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect((await inFlight).status).toBe(503);
  });
});

describe('facade with no broker at all', () => {
  it('starts, answers 503 and stops without hanging', async () => {
    // Port 1 on loopback refuses connections.
    const api = createApi(apiConfig({ mqtt: { url: 'mqtt://127.0.0.1:1' }, host: '127.0.0.1', port: 0, logLevel: 'silent' }));
    const { url } = await api.start();
    try {
      expect((await postJson(`${url}/predict`, { sequence: window(3, F) })).status).toBe(503);
      expect((await request(`${url}/health`)).body).toMatchObject({ status: 'unavailable', broker: 'disconnected' });
      expect((await request(`${url}/metadata`)).status).toBe(503);
    } finally {
      await api.stop();
    }
  });
});

describe.each(brokerKinds())('facade shutdown over %s', (kind) => {
  it('stop() answers in-flight requests with 503 instead of leaving them to time out', async () => {
    await withFacade(kind, 30_000, async ({ url, api, worker }) => {
      worker.behave(() => ({ kind: 'silent' }));
      const inFlight = postJson(`${url}/predict`, { sequence: window(3, F) });
      await waitFor('the request at the worker', () => (worker.seen.length > 0 ? true : undefined));
      const t0 = Date.now();
      await api.stop();
      const res = await inFlight;
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: 'the HTTP facade is shutting down' });
      expect(Date.now() - t0).toBeLessThan(30_000); // not the timeout (after the 5 s drain)
    });
  });

  it('stop() first answers the requests it accepted when their replies come within the drain', async () => {
    await withFacade(kind, 30_000, async ({ url, api, worker }) => {
      worker.behave(() => ({ kind: 'answer', delayMs: 400 }));
      const inFlight = postJson(`${url}/predict`, { sequence: window(3, F) });
      await waitFor('the request at the worker', () => (worker.seen.length > 0 ? true : undefined));
      await api.stop();
      const res = await inFlight;
      expect(res.status, res.text).toBe(200);
    });
  });
});
