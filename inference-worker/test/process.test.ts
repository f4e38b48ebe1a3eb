/**
 * The worker as a real process through `helen worker`: SIGTERM drains (answers what it holds),
 * publishes offline, exits 0; a killed worker leaves its last will.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokerKinds, startTestBroker, type TestBroker } from '@helen/broker/testing';
import { validateStatusMessage, type StatusMessage } from '@helen/schemas';
import { spawnWorkerProcess } from '../src/testing';
import { freshTopics, Requester, sequence } from './helpers';

describe.each(brokerKinds())('worker process on %s', (kind) => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker(kind);
  });
  afterAll(async () => {
    await broker.stop();
  });

  // Statuses that are not a valid StatusMessage (none expected; checked after each test).
  const invalid: string[] = [];
  afterEach(() => {
    expect(invalid.splice(0)).toEqual([]);
  });

  /** Every valid status seen on `topic`. */
  async function statusWatcher(r: Requester, topic: string): Promise<StatusMessage[]> {
    const seen: StatusMessage[] = [];
    r.client.on('message', (t, payload) => {
      if (t !== topic) return;
      const status = validateStatusMessage(JSON.parse(payload.toString()));
      if (status.ok) seen.push(status.value);
      else invalid.push(`${payload.toString()}: ${status.error}`);
    });
    await r.client.subscribeAsync(topic, { qos: 1 });
    return seen;
  }

  it('on SIGTERM answers every request it holds, publishes offline and exits 0', async () => {
    const topics = freshTopics();
    // A long max wait keeps the requests queued in the worker when the signal lands.
    const proc = spawnWorkerProcess({
      HELEN_MQTT_URL: broker.url, HELEN_TOPIC_PREFIX: topics.prefix, HELEN_WORKER_ID: 'w-drain',
      HELEN_WORKER_MAX_WAIT_MS: '5000', HELEN_LOG_LEVEL: 'info',
    });
    try {
      await proc.ready;
      const r = await Requester.open(broker.url, topics);
      const statuses = await statusWatcher(r, topics.workerStatus('w-drain'));
      await expect.poll(() => statuses.at(-1)).toMatchObject({ state: 'online', id: 'w-drain' });
      const ids = Array.from({ length: 20 }, (_, i) => `drain-${i}`);
      for (const [i, id] of ids.entries()) await r.sendBinary(id, sequence(30, 84, i), 'f16', 1);
      // QoS 1 publishes are acknowledged by the broker; give it a moment to deliver them on.
      await Requester.settle(300);
      expect(r.replies.size).toBe(0); // still held by the 5 s max wait
      const code = await proc.stop('SIGTERM');
      expect(code, proc.output.join('')).toBe(0);
      await r.waitFor(ids, 5000);
      for (const id of ids) expect(r.replies.get(id)).toHaveLength(1);
      await expect.poll(() => statuses.at(-1)).toMatchObject({ state: 'offline', id: 'w-drain' });
      expect(statuses.map((s) => s.state)).toContain('draining');
      await r.close();
    } finally {
      await proc.stop('SIGKILL');
    }
  });

  it('a killed worker leaves its retained last will: offline', async () => {
    const topics = freshTopics();
    const proc = spawnWorkerProcess({ HELEN_MQTT_URL: broker.url, HELEN_TOPIC_PREFIX: topics.prefix, HELEN_WORKER_ID: 'w-killed' });
    try {
      await proc.ready;
      expect(await proc.stop('SIGKILL')).toBe(null);
      const r = await Requester.open(broker.url, topics);
      const statuses = await statusWatcher(r, topics.workerStatus('w-killed'));
      await expect.poll(() => statuses.at(-1), { timeout: 10_000 }).toMatchObject({ state: 'offline', id: 'w-killed', role: 'worker' });
      await r.close();
    } finally {
      await proc.stop('SIGKILL');
    }
  });

  it('refuses to start on a bad setting, with exit code 1 and the variable named', async () => {
    const proc = spawnWorkerProcess({ HELEN_MQTT_URL: broker.url, HELEN_WORKER_MAX_BATCH: 'lots' });
    await expect(proc.ready).rejects.toThrow(/HELEN_WORKER_MAX_BATCH/);
    expect(await proc.exited).toBe(1);
  });
});
