/**
 * What the worker does when ONNX Runtime fails: a failed run answers its batch with
 * internal_error; an engine that dies as a whole makes the worker leave (offline) and report
 * it as fatal. The real engine is wrapped so the failures can be caused on demand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { validateStatusMessage } from '@helen/schemas';
import { createWorker, workerConfigFromEnv, type InferenceEngine, type OpenEngine } from '../src/index';
import { openEngine } from '@helen/model-runtime';
import { freshTopics, Requester, sequence, workerEnv } from './helpers';

describe('engine failures (aedes)', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker('aedes');
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('answers internal_error for a failed run, then leaves and reports fatal when the engine dies', async () => {
    const topics = freshTopics();
    let failRuns = false;
    let die: ((err: Error) => void) | undefined;
    const open: OpenEngine = async (kind, path, settings) => {
      const real = await openEngine(kind, path, settings);
      const wrapped: InferenceEngine = {
        ...real,
        run: (...args) => (failRuns ? Promise.reject(new Error('run failed on purpose')) : real.run(...args)),
        onFailure: (listener) => (die = listener),
      };
      return wrapped;
    };
    const fatal: Error[] = [];
    const worker = createWorker(workerConfigFromEnv(workerEnv(broker.url, topics, { HELEN_WORKER_ID: 'w-fail' })), {
      openEngine: open,
      onFatal: (err) => fatal.push(err),
    });
    await worker.start();
    const r = await Requester.open(broker.url, topics);
    const statuses: string[] = [];
    r.client.on('message', (t, p) => {
      if (t !== topics.workerStatus('w-fail')) return;
      const status = validateStatusMessage(JSON.parse(p.toString()));
      statuses.push(status.ok ? status.value.state : `invalid: ${status.error}`);
    });
    await r.client.subscribeAsync(topics.workerStatus('w-fail'), { qos: 1 });
    try {
      await r.sendJson('ok', sequence(30));
      await r.waitFor(['ok']);
      failRuns = true;
      await r.sendJson('broken', sequence(30));
      await r.waitFor(['broken']);
      expect(r.replies.get('broken')?.[0]?.reply).toMatchObject({ id: 'broken', error: { code: 'internal_error' }, worker: 'w-fail' });
      expect(worker.stats().internalErrors).toBe(1);

      let endedWith: number | undefined;
      void worker.ended.then((code) => (endedWith = code));
      await Requester.settle(50);
      expect(endedWith).toBeUndefined(); // a failed run is not the end of the worker

      die?.(new Error('thread gone'));
      expect(fatal.map((e) => e.message)).toEqual(['thread gone']);
      expect(await worker.ended).toBe(1); // `helen worker` exits 1: the supervisor restarts it
      await expect.poll(() => statuses.at(-1)).toBe('offline');
      expect(statuses).toContain('draining');
      await worker.stop(); // same shutdown, already under way
    } finally {
      await r.close();
      await worker.stop();
    }
  });
});
