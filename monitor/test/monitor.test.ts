/**
 * The monitor against real brokers (aedes in-process and Mosquitto where installed): real
 * payloads from the schemas' encoders published by a real client, lines collected from the
 * monitor's output stream; then the broker's ACL with a `monitor` user.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokerSettings, createBroker, hashPassword, loadBrokerAuth, writeUsersFile, type HelenBroker } from '@helen/broker';
import { brokerKinds, startTestBroker, type TestBroker } from '@helen/broker/testing';
import { createLogger } from '@helen/runtime';
import { waitFor, window } from '@helen/runtime/testing';
import { createTopics, encodeReply, encodeRequestBinary, sequenceFromRows, type Topics } from '@helen/schemas';
import { createMonitor, monitorConfig, parseMonitorArgs, type Monitor } from '../src/index';

const silent = createLogger('silent');

/** The monitor's output as parsed --json lines. */
class Lines {
  readonly text: string[] = [];
  write(chunk: string): boolean {
    this.text.push(...chunk.split('\n').filter((l) => l !== ''));
    return true;
  }
  get all(): Record<string, unknown>[] {
    return this.text.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  async find(what: string, match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return waitFor(what, () => this.all.find(match), 5000);
  }
}

function freshTopics(): Topics {
  return createTopics(`mon-${Math.random().toString(36).slice(2, 8)}/v1`);
}

const request = (id: string, replyTo: string, dtype: 'f16' | 'f32' = 'f16') =>
  encodeRequestBinary({ id, reply_to: replyTo, deadline: Date.now() + 2000 }, sequenceFromRows(window(30, 84)), dtype);

describe.each(brokerKinds())('monitor on %s', (kind) => {
  let broker: TestBroker;
  let publisher: mqtt.MqttClient;
  let monitor: Monitor | undefined;
  beforeAll(async () => {
    broker = await startTestBroker(kind);
    publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  });
  afterEach(async () => {
    await monitor?.stop();
    monitor = undefined;
  });
  afterAll(async () => {
    await publisher.endAsync();
    await broker.stop();
  });

  it('decodes requests, replies, errors, gestures, statuses and garbage, and prints per-device rates', async () => {
    const topics = freshTopics();
    // Retained before the monitor starts: it arrives on subscribe.
    await publisher.publishAsync(topics.workerStatus('w1'), '{"state":"online","model":"m@1"}', { qos: 1, retain: true });
    const out = new Lines();
    const config = monitorConfig({ HELEN_MQTT_URL: broker.url, HELEN_TOPIC_PREFIX: topics.prefix }, parseMonitorArgs(['--json', '--interval', '1']));
    monitor = createMonitor(config, { out, log: silent });
    expect(await monitor.start()).toEqual({ url: broker.url, filters: [`${topics.prefix}/#`] });
    await out.find('the retained worker status', (l) => l.type === 'status');

    const req = request('r-1', topics.predictions('pi-1'));
    await publisher.publishAsync(topics.predict('pi-1'), req, { qos: 1 });
    const seenRequest = await out.find('the request', (l) => l.type === 'request');
    expect(seenRequest).toMatchObject({ device: 'pi-1', id: 'r-1', frames: 30, features: 84, encoding: 'f16', mask: false, bytes: req.length });
    expect(seenRequest.deadline_left_ms).toBeGreaterThan(0);
    expect(seenRequest.deadline_left_ms).toBeLessThanOrEqual(2000);

    await publisher.publishAsync(topics.predictions('pi-1'), encodeReply({
      v: 1, id: 'r-1', prediction: 'Inicio', probabilities: [0.97], top_index: 14, top_probability: 0.97, elapsed_ms: 2, model: 'm@1', worker: 'w1', batch_size: 1,
    }), { qos: 1 });
    const reply = await out.find('the reply', (l) => l.type === 'reply');
    expect(reply).toMatchObject({ device: 'pi-1', id: 'r-1', label: 'Inicio', score: 0.97, worker: 'w1' });
    expect(reply.latency_ms).toBeGreaterThanOrEqual(0);

    // A facade request and its error reply: the reply topic names no device, the request did.
    await publisher.publishAsync(topics.predict('http-api'), request('a-1', topics.apiReplies('api-1'), 'f32'), { qos: 1 });
    await out.find('the facade request', (l) => l.type === 'request' && l.id === 'a-1');
    await publisher.publishAsync(topics.apiReplies('api-1'), encodeReply({ v: 1, id: 'a-1', error: { code: 'timeout', message: 'deadline passed' } }), { qos: 1 });
    expect(await out.find('the error reply', (l) => l.type === 'error')).toMatchObject({ instance: 'api-1', device: 'http-api', code: 'timeout', id: 'a-1' });

    await publisher.publishAsync(topics.gestures('pi-1'), JSON.stringify({
      gesture: 'Reloj', character: 'Reloj', score: 0.99, timestamp: new Date().toISOString(), session_id: 's', sequence: 1, source: 'edge-publisher',
    }), { qos: 1 });
    await publisher.publishAsync(topics.predict('pi-1'), Buffer.from('HB garbage'), { qos: 1 });
    await publisher.publishAsync(`${topics.prefix}/debug/x`, Buffer.from([0, 1, 2, 255]), { qos: 1 });
    expect(await out.find('the gesture', (l) => l.type === 'gesture')).toMatchObject({ device: 'pi-1', label: 'Reloj', score: 0.99 });
    expect(await out.find('the garbage', (l) => l.type === 'undecodable')).toMatchObject({
      kind: 'request', device: 'pi-1', reason: 'binary request truncated: 10 bytes, the header alone is 28', bytes: 10,
    });
    expect(await out.find('the other topic', (l) => l.type === 'other')).toMatchObject({ head: '000102ff', head_encoding: 'hex', bytes: 4 });

    // The counts may fall into different intervals: add them up.
    const totals = () => {
      const sum: Record<string, Record<string, number>> = {};
      for (const l of out.all.filter((x) => x.type === 'rates')) {
        for (const [device, r] of Object.entries(l.devices as Record<string, Record<string, number>>)) {
          const s = (sum[device] ??= { requests: 0, replies: 0, gestures: 0, errors: 0 });
          for (const k of Object.keys(s)) s[k] = (s[k] ?? 0) + (r[k] ?? 0);
        }
      }
      return sum;
    };
    await waitFor('the rates to cover every message', () => {
      const t = totals();
      return t['pi-1']?.gestures === 1 && t['pi-1'].errors === 1 && t['http-api']?.errors === 1 ? t : undefined;
    }, 5000);
    expect(totals()).toEqual({ 'pi-1': { requests: 1, replies: 1, gestures: 1, errors: 1 }, 'http-api': { requests: 1, replies: 0, gestures: 0, errors: 1 } });
    expect(out.text.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('watches only the filters given with --topic', async () => {
    const topics = freshTopics();
    const out = new Lines();
    const config = monitorConfig({ HELEN_MQTT_URL: broker.url, HELEN_TOPIC_PREFIX: topics.prefix },
      parseMonitorArgs(['--json', '--interval', '0', '--topic', `${topics.prefix}/devices/+/gestures`]));
    monitor = createMonitor(config, { out, log: silent });
    await monitor.start();
    await publisher.publishAsync(topics.predict('pi-2'), request('r-2', topics.predictions('pi-2')), { qos: 1 });
    await publisher.publishAsync(topics.gestures('pi-2'), '{"gesture":"Inicio"}', { qos: 1 });
    expect(await out.find('the gesture', (l) => l.kind === 'gesture')).toMatchObject({ type: 'undecodable', device: 'pi-2' });
    expect(out.all.map((l) => l.type)).toEqual(['undecodable']);
  });
});

describe('monitor with broker authentication', () => {
  const dir = mkdtempSync(join(tmpdir(), 'helen-monitor-auth-'));
  const usersFile = join(dir, 'users');
  let broker: HelenBroker;
  let url: string;
  let monitor: Monitor | undefined;
  beforeAll(async () => {
    writeUsersFile(usersFile, [
      { name: 'watcher', role: 'monitor', hash: await hashPassword('watcher-pw-1') },
      { name: 'pi-a', role: 'device', hash: await hashPassword('pi-a-pw-1') },
    ]);
    const { aclFile } = brokerSettings.parse({ HELEN_BROKER_USERS_FILE: usersFile });
    broker = createBroker({ port: 0, host: '127.0.0.1', logger: silent, hooks: loadBrokerAuth({ usersFile, aclFile, allowAnonymous: false }, silent) });
    url = `mqtt://127.0.0.1:${(await broker.start()).tcpPort}`;
  });
  afterEach(async () => {
    await monitor?.stop();
    monitor = undefined;
  });
  afterAll(async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (args: string[], user: string, password: string) => {
    const out = new Lines();
    monitor = createMonitor(monitorConfig({ HELEN_MQTT_URL: url, HELEN_MQTT_USERNAME: user, HELEN_MQTT_PASSWORD: password }, parseMonitorArgs(args)), { out, log: silent });
    await monitor.start();
    return out;
  };

  it('a monitor user reads helen/v1/# (a device\'s requests included)', async () => {
    const out = await start(['--json', '--interval', '0'], 'watcher', 'watcher-pw-1');
    const device = await mqtt.connectAsync(url, { username: 'pi-a', password: 'pi-a-pw-1', protocolVersion: 4 });
    try {
      const topics = createTopics();
      await device.publishAsync(topics.predict('pi-a'), request('d-1', topics.predictions('pi-a')), { qos: 1 });
      expect(await out.find('the request', (l) => l.type === 'request')).toMatchObject({ device: 'pi-a', id: 'd-1' });
    } finally {
      await device.endAsync();
    }
  });

  it('a filter outside what the user may read stops the start with the broker\'s refusal', async () => {
    await expect(start(['--topic', '#'], 'watcher', 'watcher-pw-1')).rejects.toThrow('broker refused subscription #');
  });
});
