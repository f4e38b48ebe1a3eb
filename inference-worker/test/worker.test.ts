/**
 * The worker against real brokers (aedes in-process, Mosquitto 2 where installed), the real
 * model and ONNX Runtime. Every "not answered" assertion is fenced: a valid request sent
 * after it on the same topic is answered, so the earlier one was certainly processed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokerKinds, startTestBroker, type TestBroker } from '@helen/broker/testing';
import { CLASS_LABELS, encodeRequestBinary, encodeRequestJson, validateErrorEnvelope, validatePredictResponse, type PredictResponse, type Topics } from '@helen/schemas';
import { DEFAULT_MODEL_PATH, loadModelMetadata } from '@helen/model-runtime';
import type { Worker } from '../src/index';
import { freshTopics, Requester, sequence, startWorker } from './helpers';

describe.each(brokerKinds())('inference worker on %s', (kind) => {
  let broker: TestBroker;
  let topics: Topics;
  const open: { stop(): Promise<void> }[] = [];
  const requester = async (): Promise<Requester> => {
    const r = await Requester.open(broker.url, topics);
    open.push({ stop: () => r.close() });
    return r;
  };
  const worker = async (extra: Record<string, string> = {}): Promise<Worker> => {
    const w = await startWorker(broker.url, topics, extra);
    open.push(w);
    return w;
  };

  beforeAll(async () => {
    broker = await startTestBroker(kind);
  });
  afterAll(async () => {
    await broker.stop();
  });
  afterEach(async () => {
    topics = freshTopics();
    await Promise.all(open.splice(0).map((o) => o.stop()));
  });
  topics = freshTopics();

  it.each(['main', 'worker-thread'])('answers JSON, binary f16 and binary f32 requests with their own ids, at the request QoS (session on %s)', async (layout) => {
    const logits = (await loadModelMetadata(DEFAULT_MODEL_PATH)).output.kind === 'logits';
    const w = await worker({ HELEN_WORKER_ID: 'w-answers', HELEN_WORKER_INFERENCE_THREAD: layout });
    const r = await requester();
    await r.sendJson('json-1', sequence(30), 0);
    await r.sendBinary('f16-1', sequence(30, 84, 2), 'f16', 1);
    await r.sendBinary('f32-1', sequence(20, 84, 3), 'f32', 0);
    await r.waitFor(['json-1', 'f16-1', 'f32-1']);
    for (const id of ['json-1', 'f16-1', 'f32-1']) {
      const got = r.replies.get(id);
      expect(got).toHaveLength(1);
      const reply = got?.[0]?.reply as PredictResponse;
      expect(validatePredictResponse(reply).ok).toBe(true);
      expect(reply.id).toBe(id);
      expect(reply.worker).toBe('w-answers');
      expect(reply.probabilities).toHaveLength(CLASS_LABELS.length);
      // A model with the "no sign" output leaves p(no sign) out of the 22: they sum to less than 1.
      const total = reply.probabilities.reduce((a, b) => a + b, 0);
      if (logits) expect(total).toBeCloseTo(1, 5);
      else expect(total).toBeLessThanOrEqual(1 + 1e-6);
      expect(reply.prediction).toBe(CLASS_LABELS[reply.top_index]);
      expect(reply.top_probability).toBe(Math.max(...reply.probabilities));
      expect(reply.trace).toMatchObject({ worker_received: expect.any(Number), inference_ms: expect.any(Number), replied: expect.any(Number) });
    }
    expect(r.replies.get('json-1')?.[0]?.qos).toBe(0);
    expect(r.replies.get('f16-1')?.[0]?.qos).toBe(1);
    expect(w.stats()).toMatchObject({ received: 3, replied: 3, invalid: 0 });
  });

  it('gives the same answer for the same window in JSON and f32, and copies the request trace', async () => {
    await worker();
    const r = await requester();
    const seq = sequence(30, 84, 9);
    await r.client.publishAsync(r.predictTopic, encodeRequestJson({ ...r.fields('traced'), trace: { capture: 123 } }, seq));
    await r.sendBinary('same-f32', seq, 'f32');
    await r.waitFor(['traced', 'same-f32']);
    const a = r.replies.get('traced')?.[0]?.reply as PredictResponse;
    const b = r.replies.get('same-f32')?.[0]?.reply as PredictResponse;
    expect(a.trace?.capture).toBe(123);
    expect(a.top_index).toBe(b.top_index);
    a.probabilities.forEach((p, i) => expect(p).toBeCloseTo(b.probabilities[i] as number, 6));
  });

  it('replies invalid_request for a request it can read but not accept, and keeps serving', async () => {
    const w = await worker();
    const r = await requester();
    await r.sendJson('wrong-dim', sequence(30, 42), 0);
    await r.sendRaw(JSON.stringify({ v: 1, id: 'no-seq', reply_to: r.replyTo, deadline: Date.now() + 5000 }));
    await r.sendRaw(JSON.stringify({ v: 1, id: 'not-2d', reply_to: r.replyTo, deadline: Date.now() + 5000, sequence: [1, 2, 3] }));
    const bad = { ...r.fields('bad-mask'), sequence: [[...sequence(1).data]], mask: [[1, 0], [1, 1]] };
    await r.sendRaw(JSON.stringify(bad));
    await r.sendJson('fence', sequence(30));
    await r.waitFor(['wrong-dim', 'no-seq', 'not-2d', 'bad-mask', 'fence']);
    for (const id of ['wrong-dim', 'no-seq', 'not-2d', 'bad-mask']) {
      const reply = r.replies.get(id)?.[0]?.reply;
      expect(validateErrorEnvelope(reply).ok, id).toBe(true);
      expect(reply).toMatchObject({ id, error: { code: 'invalid_request' } });
    }
    expect(r.replies.get('wrong-dim')?.[0]?.reply).toMatchObject({ error: { message: expect.stringContaining('84') } });
    expect(w.stats()).toMatchObject({ invalid: 4, replied: 1 });
  });

  it('drops and counts requests without a usable reply_to, and survives garbage, huge and truncated payloads', async () => {
    const w = await worker();
    const r = await requester();
    const binary = encodeRequestBinary(r.fields('cut'), sequence(30), 'f16');
    await r.sendRaw(JSON.stringify({ v: 1, id: 'no-reply-to', deadline: Date.now() + 5000, sequence: [[0.1]] }));
    await r.sendRaw(JSON.stringify({ ...r.fields('wild'), reply_to: 'a/+/b', sequence: [[...sequence(1).data]] }));
    await r.sendRaw(Buffer.from([0xff, 0x00, 0x13, 0x37]));
    await r.sendRaw('');
    await r.sendRaw('{"v":1,"id":"x",'); // truncated JSON
    await r.sendRaw(Buffer.alloc(2 * 1024 * 1024, 0x7b)); // 2 MiB of '{'
    await r.sendRaw(binary.subarray(0, 10)); // truncated inside the header
    await r.sendRaw(binary.subarray(0, binary.length - 7)); // truncated inside the data: reply_to readable
    await r.sendJson('fence', sequence(30));
    await r.waitFor(['fence', 'cut']);
    expect(r.replies.get('cut')?.[0]?.reply).toMatchObject({ error: { code: 'invalid_request', message: expect.stringContaining('bytes') } });
    expect(w.stats()).toMatchObject({ received: 9, droppedNoReplyTo: 7, invalid: 1, replied: 1 });
  });

  it('drops requests past their deadline, on arrival and while queued, and never answers them', async () => {
    // A max wait of 400 ms holds the queued requests longer than their 100 ms deadline.
    const w = await worker({ HELEN_WORKER_MAX_WAIT_MS: '400' });
    const r = await requester();
    await r.sendJson('already-late', sequence(30), 0, -1);
    await r.sendJson('late-in-queue', sequence(30), 0, 100);
    await r.sendJson('fence', sequence(30), 0, 10_000);
    await r.waitFor(['fence']);
    expect(r.replies.has('already-late')).toBe(false);
    expect(r.replies.has('late-in-queue')).toBe(false);
    expect(w.stats()).toMatchObject({ droppedDeadline: 2, replied: 1 });
  });

  it('refuses a request with queue_full when the queue is at its limit', async () => {
    // Queue of 1 held for 300 ms: the first request waits, the next ones find it full.
    const w = await worker({ HELEN_WORKER_QUEUE_LIMIT: '1', HELEN_WORKER_MAX_WAIT_MS: '300', HELEN_WORKER_MAX_BATCH: '8' });
    const r = await requester();
    const ids = ['q0', 'q1', 'q2', 'q3'];
    for (const id of ids) await r.sendJson(id, sequence(30));
    await r.waitFor(ids);
    expect(r.replies.get('q0')?.[0]?.reply).toMatchObject({ prediction: expect.any(String) });
    for (const id of ids.slice(1)) expect(r.replies.get(id)?.[0]?.reply).toMatchObject({ id, error: { code: 'queue_full' } });
    expect(w.stats()).toMatchObject({ queueFull: 3, replied: 1 });
  });

  it('batches requests that arrive together, same T in one batch, other T in another', async () => {
    const w = await worker({ HELEN_WORKER_MAX_WAIT_MS: '300', HELEN_WORKER_MAX_BATCH: '32' });
    const r = await requester();
    const long = Array.from({ length: 6 }, (_, i) => `t30-${i}`);
    const short = Array.from({ length: 3 }, (_, i) => `t16-${i}`);
    for (const [i, id] of long.entries()) await r.sendBinary(id, sequence(30, 84, i + 1), 'f16');
    for (const [i, id] of short.entries()) await r.sendBinary(id, sequence(16, 84, i + 1), 'f16');
    await r.waitFor([...long, ...short]);
    for (const id of long) expect((r.replies.get(id)?.[0]?.reply as PredictResponse).batch_size).toBe(6);
    for (const id of short) expect((r.replies.get(id)?.[0]?.reply as PredictResponse).batch_size).toBe(3);
    expect(w.stats()).toMatchObject({ batches: 2, largestBatch: 6 });
  });

  it('answers 200 concurrent requests exactly once each, with their own ids', async () => {
    const w = await worker();
    const r = await requester();
    const ids = Array.from({ length: 200 }, (_, i) => `c-${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 ? r.sendJson(id, sequence(30, 84, i)) : r.sendBinary(id, sequence(30, 84, i), 'f16', 1))));
    await r.waitFor(ids, 30_000);
    await r.sendJson('fence', sequence(30));
    await r.waitFor(['fence']);
    for (const id of ids) expect(r.replies.get(id), id).toHaveLength(1);
    expect(r.replies.size).toBe(201);
    expect(w.stats().replied).toBe(201);
    expect(w.stats().largestBatch).toBeGreaterThan(1);
  });

  it('shares the subscription: two workers get disjoint sets whose union is every request', async () => {
    const a = await worker({ HELEN_WORKER_ID: 'wa' });
    const b = await worker({ HELEN_WORKER_ID: 'wb' });
    const r = await requester();
    const ids = Array.from({ length: 100 }, (_, i) => `s-${i}`);
    for (const [i, id] of ids.entries()) await r.sendBinary(id, sequence(30, 84, i), 'f16');
    await r.waitFor(ids);
    const byWorker = { wa: new Set<string>(), wb: new Set<string>() };
    for (const id of ids) {
      const got = r.replies.get(id);
      expect(got, id).toHaveLength(1);
      byWorker[(got?.[0]?.reply as PredictResponse).worker as 'wa' | 'wb'].add(id);
    }
    expect(byWorker.wa.size).toBeGreaterThan(0);
    expect(byWorker.wb.size).toBeGreaterThan(0);
    expect(byWorker.wa.size + byWorker.wb.size).toBe(ids.length);
    expect(a.stats().received + b.stats().received).toBe(ids.length);
  });

  it('publishes retained model metadata and an online status', async () => {
    const w = await worker({ HELEN_WORKER_ID: 'w-status' });
    const r = await requester();
    const seen = new Map<string, unknown>();
    r.client.on('message', (topic, payload, packet) => {
      if (packet.retain) seen.set(topic, JSON.parse(payload.toString()));
    });
    await r.client.subscribeAsync([topics.modelMetadata(), topics.workerStatus('w-status')], { qos: 1 });
    await expect.poll(() => seen.size).toBe(2);
    expect(seen.get(topics.workerStatus('w-status'))).toMatchObject({ state: 'online', id: 'w-status', role: 'worker', model: expect.any(String), ts: expect.any(Number) });
    expect(seen.get(topics.modelMetadata())).toMatchObject({ feature_dim: 84, num_classes: CLASS_LABELS.length, class_labels: [...CLASS_LABELS] });
    await w.stop();
  });
});
