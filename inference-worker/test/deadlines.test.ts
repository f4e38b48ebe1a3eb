/**
 * The request handler between intake and the replies, without MQTT: the real model, with its
 * engine wrapped so a test decides when a batch's inference ends (or that it fails). Covers
 * the deadline rules (never answer late: on arrival, in the queue, after inference), every
 * error reply and the counters each outcome moves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH, loadModel, openEngine, type InferenceEngine, type LoadedModel, type OpenEngine } from '@helen/model-runtime';
import { createLogger } from '@helen/runtime';
import { decodeReply, encodeRequestBinary, isErrorReply, type PredictReply } from '@helen/schemas';
import type { BatchQueueOptions } from '../src/batch-queue';
import { RequestHandler } from '../src/requests';
import { emptyStats, type WorkerStats } from '../src/stats';
import { sequence } from './helpers';

/** A gate each engine run waits on: the test opens it when "inference" should end. */
class RunGate {
  private opens: (() => void)[] = [];
  started = 0;
  fail = false;
  wait(): Promise<void> {
    this.started++;
    return new Promise((resolve) => this.opens.push(resolve));
  }
  release(): void {
    const opens = this.opens;
    this.opens = [];
    for (const open of opens) open();
  }
}

const REPLY_TO = 'helen/v1/api/test/replies';

interface Published { topic: string; reply: PredictReply; qos: number }

function harness(model: LoadedModel, gate: RunGate, batching: Partial<BatchQueueOptions> = {}) {
  const counters: WorkerStats = emptyStats();
  const published: Published[] = [];
  const batches: number[] = [];
  const requestMs: number[] = [];
  const logs: Record<string, unknown>[] = [];
  const handler = new RequestHandler({
    workerId: 'w-test',
    model,
    batching: { maxBatch: 32, maxWaitMs: 0, queueLimit: 100, ...batching },
    counters,
    log: createLogger('debug', {}, {}, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) }),
    observe: { observeBatch: (size) => batches.push(size), observeRequest: (ms) => requestMs.push(ms) },
    publish: (topic, payload, qos) => published.push({ topic, reply: decodeReply(payload), qos }),
  });
  gate.started = 0;
  gate.fail = false;
  const send = (id: string, deadlineInMs: number, qos: 0 | 1 = 1, frames = 30, seed = id.length) =>
    handler.handle('helen/v1/devices/d1/predict', encodeRequestBinary({ id, reply_to: REPLY_TO, deadline: Date.now() + deadlineInMs }, sequence(frames, 84, seed), 'f32'), qos);
  return { handler, counters, published, batches, requestMs, logs, send };
}

const ids = (published: Published[]) => published.map((p) => p.reply.id);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
};

describe('RequestHandler deadlines and replies', () => {
  let model: LoadedModel;
  const gate = new RunGate();
  beforeAll(async () => {
    const open: OpenEngine = async (kind, path, settings) => {
      const real = await openEngine(kind, path, settings);
      const held: InferenceEngine = {
        ...real,
        run: async (...args) => {
          await gate.wait();
          if (gate.fail) throw new Error('run failed on purpose');
          return real.run(...args);
        },
      };
      return held;
    };
    model = await loadModel([DEFAULT_MODEL_PATH], 'main', { intraOpThreads: 1, spinning: false }, open);
  });
  afterAll(async () => {
    await model?.engine.close();
  });

  it('drops a request whose deadline passes during inference, and answers its batch mate that still has time', async () => {
    const h = harness(model, gate);
    h.send('short', 150);
    h.send('long', 10_000);
    await until(() => gate.started === 1);
    expect(h.counters.inFlight).toBe(2);
    await sleep(250); // the inference "takes" 250 ms: past the first request's deadline
    gate.release();
    await h.handler.drain();
    expect(ids(h.published)).toEqual(['long']);
    expect(h.counters).toMatchObject({ received: 2, replied: 1, droppedDeadline: 1, batches: 1, batchedRequests: 2, largestBatch: 2, inFlight: 0, errorReplies: 0 });
    expect(h.batches).toEqual([2]);
    expect(h.requestMs).toHaveLength(1);
    // Receipt to reply and the batch's model run both include the 250 ms hold, and no more than seconds.
    expect(h.requestMs[0]).toBeGreaterThanOrEqual(240);
    expect(h.requestMs[0]).toBeLessThan(10_000);
    const reply = h.published[0]?.reply;
    expect(reply && !isErrorReply(reply) && reply.trace?.inference_ms).toBeGreaterThanOrEqual(240);
    expect(reply && !isErrorReply(reply) && reply.trace?.inference_ms).toBeLessThan(10_000);
  });

  it('answers a request whose deadline is still ahead when inference ends, with the batch facts', async () => {
    const h = harness(model, gate);
    h.send('a', 10_000, 1);
    await until(() => gate.started === 1);
    gate.release();
    await h.handler.drain();
    expect(h.published).toHaveLength(1);
    const [{ topic, reply, qos }] = h.published as [Published];
    expect(topic).toBe(REPLY_TO);
    expect(qos).toBe(1);
    expect(isErrorReply(reply)).toBe(false);
    if (isErrorReply(reply)) return;
    expect(reply).toMatchObject({ id: 'a', worker: 'w-test', batch_size: 1, model: model.metadata.model_id });
    expect(model.metadata.class_labels).toContain(reply.prediction);
    expect(reply.probabilities).toHaveLength(model.metadata.num_classes);
    expect(h.counters).toMatchObject({ replied: 1, droppedDeadline: 0, batches: 1, batchedRequests: 1, largestBatch: 1 });
  });

  it('drops, unanswered, a request whose deadline passes while it waits in the queue', async () => {
    const h = harness(model, gate);
    h.send('first', 10_000);
    await until(() => gate.started === 1);
    h.send('queued-short', 100, 0);
    h.send('queued-long', 10_000, 0);
    await sleep(20);
    expect(h.handler.queued).toBe(2);
    await sleep(150);
    gate.release(); // first batch ends; the queued short one has expired meanwhile
    await until(() => gate.started === 2);
    gate.release();
    await h.handler.drain();
    expect(ids(h.published)).toEqual(['first', 'queued-long']);
    expect(h.published[1]?.qos).toBe(0);
    expect(h.counters).toMatchObject({ received: 3, replied: 2, droppedDeadline: 1, batches: 2, largestBatch: 1 });
  });

  it('drops a request that arrives already past its deadline, without running it', async () => {
    const h = harness(model, gate);
    h.send('late', -1);
    await sleep(20);
    expect(gate.started).toBe(0);
    expect(h.published).toEqual([]);
    expect(h.counters).toMatchObject({ received: 1, droppedDeadline: 1, droppedNoReplyTo: 0, replied: 0 });
  });

  it('counts a payload with no usable reply_to as dropped, and answers an invalid request with invalid_request', () => {
    const h = harness(model, gate);
    h.handler.handle('t', Buffer.from('garbage'), 0);
    expect(h.counters).toMatchObject({ received: 1, droppedNoReplyTo: 1, droppedDeadline: 0, invalid: 0 });
    expect(h.logs.at(-1)).toMatchObject({ level: 20, topic: 't', reason: 'no_reply_to', msg: expect.stringContaining('neither a JSON object') });
    const wrongDim = encodeRequestBinary({ id: 'bad', reply_to: REPLY_TO, deadline: Date.now() + 5000 }, sequence(30, 10), 'f32');
    h.handler.handle('t', wrongDim, 1);
    expect(h.counters).toMatchObject({ received: 2, invalid: 1, errorReplies: 1 });
    expect(h.published).toHaveLength(1);
    expect(h.published[0]).toMatchObject({ topic: REPLY_TO, qos: 1, reply: { id: 'bad', worker: 'w-test', error: { code: 'invalid_request', message: expect.stringContaining('10 features') } } });
    expect(h.logs.at(-1)).toMatchObject({ level: 20, topic: 't', id: 'bad', msg: expect.stringContaining('10 features') });
  });

  it('runs a batch with each request in its own row: a batch answers as each request alone would', async () => {
    const alone = harness(model, gate);
    alone.send('p', 10_000, 1, 30, 11);
    await until(() => gate.started === 1);
    gate.release();
    await alone.handler.drain();
    gate.started = 0;
    alone.send('q', 10_000, 1, 30, 22);
    await until(() => gate.started === 1);
    gate.release();
    await alone.handler.drain();
    const together = harness(model, gate);
    together.send('p', 10_000, 1, 30, 11);
    together.send('q', 10_000, 1, 30, 22);
    await until(() => gate.started === 1);
    gate.release();
    await together.handler.drain();
    const probs = (list: Published[]) => list.map((p) => (isErrorReply(p.reply) ? [] : p.reply.probabilities));
    const [p1, q1] = probs(alone.published);
    const [p2, q2] = probs(together.published);
    expect(together.published.map((p) => !isErrorReply(p.reply) && p.reply.batch_size)).toEqual([2, 2]);
    expect(p1).not.toEqual(q1);
    p1?.forEach((v, i) => expect(p2?.[i]).toBeCloseTo(v, 5));
    q1?.forEach((v, i) => expect(q2?.[i]).toBeCloseTo(v, 5));
  });

  it('answers queue_full past the queue limit', async () => {
    const h = harness(model, gate, { queueLimit: 1, maxBatch: 1 });
    h.send('running', 10_000);
    await until(() => gate.started === 1);
    h.send('queued', 10_000);
    h.send('refused', 10_000, 0);
    expect(h.counters.queueFull).toBe(1);
    expect(h.published.map((p) => [p.reply.id, isErrorReply(p.reply) ? p.reply.error.code : 'ok', p.qos])).toEqual([['refused', 'queue_full', 0]]);
    expect(isErrorReply(h.published[0]!.reply) && h.published[0]!.reply.error.message).toBe('worker w-test queue is full (1 requests)');
    gate.release();
    await until(() => gate.started === 2);
    gate.release();
    await h.handler.drain();
    expect(ids(h.published)).toEqual(['refused', 'running', 'queued']);
  });

  it('answers internal_error for every request of a failed batch', async () => {
    const h = harness(model, gate);
    h.send('x', 10_000);
    h.send('y', 10_000, 0);
    await until(() => gate.started === 1);
    gate.fail = true;
    gate.release();
    await h.handler.drain();
    expect(h.published.map((p) => [p.reply.id, isErrorReply(p.reply) ? p.reply.error.code : 'ok', p.qos])).toEqual([['x', 'internal_error', 1], ['y', 'internal_error', 0]]);
    expect(h.published.map((p) => isErrorReply(p.reply) && p.reply.error.message)).toEqual(['inference failed', 'inference failed']);
    expect(h.logs.find((l) => l.msg === 'inference failed')).toMatchObject({ level: 50, batch: 2, frames: 30, err: { message: 'run failed on purpose' } });
    expect(h.counters).toMatchObject({ internalErrors: 2, errorReplies: 2, replied: 0, inFlight: 0 });
    expect(h.batches).toEqual([]);
  });

  it('after close(), answers unavailable and returns what was still queued', async () => {
    const h = harness(model, gate, { maxBatch: 1 });
    h.send('running', 10_000);
    await until(() => gate.started === 1);
    h.send('queued', 10_000);
    await sleep(10);
    const abandoned = h.handler.close();
    expect(abandoned.map((i) => i.id)).toEqual(['queued']);
    expect(h.handler.queued).toBe(0);
    h.send('straggler', 10_000);
    expect(h.counters.refusedShuttingDown).toBe(1);
    expect(h.published[0]?.reply).toMatchObject({ id: 'straggler', error: { code: 'unavailable', message: 'worker w-test is shutting down' } });
    gate.release();
    await h.handler.drain();
  });
});
