/** ServingView: retained model metadata and worker statuses, read from a real broker. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { createTopics } from '@helen/schemas';
import { waitFor } from '../src/testing';
import { MqttConnection, ServingView, type WorkerChange } from '../src/index';
import { capturedLogger, settingsFor, watcher } from './helpers';

const metadata = JSON.parse(readFileSync(new URL('../../models/helen-bigru/metadata.json', import.meta.url), 'utf8')) as { model_id: string };
const msg = (o: unknown) => JSON.stringify(o);

describe('ServingView', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker('aedes');
  });
  afterAll(() => broker.stop());

  it('counts only online workers; draining, offline, cleared and garbage do not count; retries on a worker going offline', async () => {
    const topics = createTopics('sv1');
    const { log } = capturedLogger();
    const conn = new MqttConnection({ settings: settingsFor(broker.url), clientId: 'sv1', log });
    const view = new ServingView(conn, topics, log);
    expect(view.workersOnline).toBeNull();
    const changes: WorkerChange[] = [];
    view.on({ workers: (c) => changes.push(c) });
    await conn.connect();
    const pub = (await watcher(broker.url, 'unused')).client;
    const status = async (id: string, body: string) => pub.publishAsync(topics.workerStatus(id), body, { qos: 1, retain: true });
    await status('a', msg({ state: 'online', id: 'a' }));
    await status('b', msg({ state: 'online', id: 'b' }));
    await waitFor('two online', () => (view.workersOnline === 2 ? true : undefined));
    await status('a', msg({ state: 'draining', id: 'a' }));
    await waitFor('a draining', () => (view.workersOnline === 1 ? true : undefined));
    expect(changes.at(-1)).toEqual({ worker: 'a', online: 1, wentOffline: true });
    expect(view.onlineIds()).toEqual(['b']);
    await status('b', '');
    await status('c', 'not json');
    await status('d', msg({ state: 'sleeping' }));
    await waitFor('none online', () => (view.workersOnline === 0 ? true : undefined));
    await status('e', msg({ state: 'online' }));
    await waitFor('e online', () => (view.workersOnline === 1 ? true : undefined));
    // Retained statuses are read again after a reconnect; a connection loss forgets them meanwhile.
    await conn.stop();
    expect(view.onlineIds()).toEqual([]);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await status(id, '');
    await pub.endAsync();
  });

  it('takes the retained metadata, ignores an invalid one, forgets a cleared one, and says why it waited in vain', async () => {
    const topics = createTopics('sv2');
    const { log, text } = capturedLogger();
    const conn = new MqttConnection({ settings: settingsFor(broker.url), clientId: 'sv2', log });
    const view = new ServingView(conn, topics, log);
    await conn.connect();
    await expect(view.waitForMetadata(200, 'start a worker')).rejects.toThrow(
      /no model metadata on sv2\/model\/metadata within 0.2 s: the broker is reachable but no worker has published it \(start a worker\)/);
    const pub = (await watcher(broker.url, 'unused')).client;
    const waiting = view.waitForMetadata(5000, 'x');
    await pub.publishAsync(topics.modelMetadata(), msg({ name: 'broken' }), { qos: 1, retain: true });
    await waitFor('invalid metadata logged', () => (text().includes('invalid model metadata ignored') ? true : undefined));
    expect(view.metadata).toBeUndefined();
    await pub.publishAsync(topics.modelMetadata(), msg(metadata), { qos: 1, retain: true });
    expect((await waiting).model_id).toBe(metadata.model_id);
    await pub.publishAsync(topics.modelMetadata(), '', { qos: 1, retain: true });
    await waitFor('metadata cleared', () => (view.metadata === undefined ? true : undefined));
    await pub.endAsync();
    await conn.stop();
  });
});
