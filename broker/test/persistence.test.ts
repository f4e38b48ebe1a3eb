/**
 * Persistence across a broker restart, for real: Debian's redis-server on a free port, two
 * broker instances one after the other on the same MQTT port and the same Redis.
 */
import { freePort } from '@helen/runtime';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type HelenBroker } from '../src/broker';
import { createPersistence, redactUrl, type PersistenceConfig } from '../src/persistence';
import { Recorder, settle, uniqueTopic } from './helpers';
import { redisServerAvailable, redisServerBin, startTestRedis, type TestRedis } from './redis-server';
import { pino } from 'pino';

const haveRedis = redisServerAvailable();
if (!haveRedis) console.warn(`redis-server not installed (${redisServerBin()}): skipping the Redis persistence tests (apt-get install redis-server)`);

/** Resolves as `promise` does, or rejects naming `what` after `ms`: a hang names its step. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms); });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * Connects with the Recorder attached before CONNACK, so messages queued for the session are
 * not missed. Bounded: a broker that never answers fails here, by name, not at the test timeout.
 */
async function connect(url: string, opts: IClientOptions): Promise<{ rec: Recorder; sessionPresent: boolean }> {
  const client: MqttClient = mqtt.connect(url, { reconnectPeriod: 0, protocolVersion: 4, ...opts });
  const rec = new Recorder(client);
  const answered = new Promise<boolean>((resolve, reject) => {
    client.once('connect', (connack) => resolve(connack.sessionPresent));
    client.once('error', reject);
  });
  const sessionPresent = await within(answered, 5000, `CONNACK for ${String(opts.clientId)} at ${url}`).catch((err: unknown) => {
    client.end(true);
    throw err;
  });
  return { rec, sessionPresent };
}

/**
 * Broker 1: a persistent session subscribes at QoS 1 and goes away; a retained message and a
 * QoS 1 message for the offline session are published. Broker 1 stops, broker 2 starts on the
 * same port (and the same persistence); the session comes back.
 */
async function restartScenario(persistence: PersistenceConfig) {
  const port = await freePort();
  const url = `mqtt://127.0.0.1:${port}`;
  const base = uniqueTopic('persist');
  const clientId = `persist-${process.pid}-${Date.now()}`;
  const make = (): HelenBroker => createBroker({ port, host: '127.0.0.1', persistence, sysIntervalMs: 0 });

  const first = make();
  await first.start();
  try {
    const sub = await connect(url, { clientId, clean: false });
    await sub.rec.client.subscribeAsync(`${base}/queued`, { qos: 1 });
    await sub.rec.client.endAsync();

    const pub = await connect(url, { clientId: `${clientId}-pub` });
    await pub.rec.client.publishAsync(`${base}/retained`, 'kept', { qos: 1, retain: true });
    await pub.rec.client.publishAsync(`${base}/queued`, 'waiting', { qos: 1 });
    await pub.rec.client.endAsync();
  } finally {
    await first.stop();
  }

  const second = make();
  await second.start();
  try {
    const back = await connect(url, { clientId, clean: false });
    return { broker: second, back, base };
  } catch (err) {
    await second.stop();
    throw err;
  }
}

describe.skipIf(!haveRedis)('redis persistence (redis-server)', () => {
  let redis: TestRedis;
  beforeAll(async () => { redis = await startTestRedis(); });
  afterAll(() => redis?.stop());

  it('keeps retained messages and a persistent session\'s QoS 1 messages across a broker restart', async () => {
    const { broker, back, base } = await restartScenario({ kind: 'redis', url: redis.url });
    try {
      expect(back.sessionPresent).toBe(true);
      await back.rec.waitFor(1);
      expect(back.rec.messages[0]).toMatchObject({ topic: `${base}/queued`, payload: 'waiting', qos: 1 });

      await back.rec.client.subscribeAsync(`${base}/retained`, { qos: 1 });
      await back.rec.waitFor(2);
      expect(back.rec.messages[1]).toMatchObject({ topic: `${base}/retained`, payload: 'kept', qos: 1, retain: true });
      await settle();
      expect(back.rec.messages).toHaveLength(2); // nothing delivered twice
      await back.rec.client.endAsync();
    } finally {
      await broker.stop();
    }
  });

  it('several nodes on one Redis: normal subscriptions span nodes, shared groups are per node', async () => {
    const nodes = [0, 1].map(() => createBroker({ port: 0, host: '127.0.0.1', sysIntervalMs: 0, persistence: { kind: 'redis', url: redis.url } }));
    const urls: string[] = [];
    for (const n of nodes) urls.push(`mqtt://127.0.0.1:${(await n.start()).tcpPort}`);
    const clients: Recorder[] = [];
    try {
      const topic = uniqueTopic('cluster');
      const [urlA, urlB] = urls as [string, string];
      const plainB = (await connect(urlB, { clientId: `plain-${process.pid}` })).rec;
      const memberA = (await connect(urlA, { clientId: `member-a-${process.pid}` })).rec;
      const memberB = (await connect(urlB, { clientId: `member-b-${process.pid}` })).rec;
      const pubA = (await connect(urlA, { clientId: `pub-a-${process.pid}` })).rec;
      clients.push(plainB, memberA, memberB, pubA);
      await plainB.client.subscribeAsync(topic, { qos: 1 });
      await memberA.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
      await memberB.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
      await settle(); // Redis SUBSCRIBE of the other node
      for (let i = 0; i < 4; i++) await pubA.client.publishAsync(topic, `m${i}`, { qos: 1 });
      await plainB.waitFor(4);
      await memberA.waitFor(4);
      await memberB.waitFor(4);
      await settle();
      expect(plainB.payloads).toEqual(['m0', 'm1', 'm2', 'm3']);
      // Each node delivers every message to one of ITS members: the group got each message twice.
      expect(memberA.payloads).toEqual(['m0', 'm1', 'm2', 'm3']);
      expect(memberB.payloads).toEqual(['m0', 'm1', 'm2', 'm3']);
    } finally {
      for (const c of clients) await c.client.endAsync();
      for (const n of nodes) await n.stop();
    }
  });

  it('several nodes on one Redis: a session moves between nodes, a client id is taken over across nodes', async () => {
    const nodes = [0, 1].map(() => createBroker({ port: 0, host: '127.0.0.1', sysIntervalMs: 0, persistence: { kind: 'redis', url: redis.url } }));
    const urls: string[] = [];
    for (const n of nodes) urls.push(`mqtt://127.0.0.1:${(await n.start()).tcpPort}`);
    const [urlA, urlB] = urls as [string, string];
    const open: Recorder[] = [];
    try {
      const topic = uniqueTopic('roam');
      const clientId = `roamer-${process.pid}-${Date.now()}`;
      const onA = await connect(urlA, { clientId, clean: false });
      await onA.rec.client.subscribeAsync(topic, { qos: 1 });
      await onA.rec.client.endAsync();
      const pubB = (await connect(urlB, { clientId: `${clientId}-pub` })).rec;
      open.push(pubB);
      await pubB.client.publishAsync(topic, 'while away', { qos: 1 });
      const onB = await connect(urlB, { clientId, clean: false });
      open.push(onB.rec);
      expect(onB.sessionPresent).toBe(true);
      await onB.rec.waitFor(1);
      expect(onB.rec.messages[0]).toMatchObject({ topic, payload: 'while away', qos: 1 });

      // The same client id on node A closes the connection on node B.
      const closedOnB = new Promise<void>((resolve) => onB.rec.client.stream.once('close', () => resolve()));
      const again = await connect(urlA, { clientId, clean: false });
      open.push(again.rec);
      await within(closedOnB, 5000, 'the taken-over connection on node B to close');
    } finally {
      for (const c of open) await c.client.endAsync(true);
      for (const n of nodes) await n.stop();
    }
  });

  it('fails start() with a clear message when Redis cannot be reached', async () => {
    const deadPort = await freePort();
    const broker = createBroker({ port: 0, host: '127.0.0.1', persistence: { kind: 'redis', url: `redis://:secret@127.0.0.1:${deadPort}` } });
    const error = await broker.start().then(() => undefined, (err: Error) => err);
    expect(error?.message).toMatch(new RegExp(`cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${deadPort}`));
    expect(error?.message).toMatch(/ECONNREFUSED/);
    expect(error?.message).not.toContain('secret');
    await broker.stop();
  });
});

describe('memory persistence (default)', () => {
  it('loses retained messages and sessions on restart (the contrast to Redis)', async () => {
    const { broker, back, base } = await restartScenario({ kind: 'memory' });
    try {
      expect(back.sessionPresent).toBe(false);
      await back.rec.client.subscribeAsync(`${base}/retained`, { qos: 1 });
      await settle();
      expect(back.rec.messages).toHaveLength(0);
      await back.rec.client.endAsync();
    } finally {
      await broker.stop();
    }
  });

  it('needs no connection', async () => {
    const p = createPersistence({ kind: 'memory' }, pino({ level: 'silent' }));
    expect(p.aedesOptions).toEqual({});
    await p.connect();
    await p.close();
  });
});

describe('redactUrl', () => {
  it('hides the password only', () => {
    expect(redactUrl('redis://user:pw@host:6379/2')).toBe('redis://user:***@host:6379/2');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});
