/** MqttConnection against real brokers: our aedes broker and, where installed, Mosquitto 2. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokerKinds, startTestBroker, type TestBroker } from '@helen/broker/testing';
import { createBroker } from '@helen/broker';
import { waitFor } from '../src/testing';
import { freePort, MqttConnection } from '../src/index';
import { capturedLogger, settingsFor, watcher } from './helpers';

const status = (id: string) => ({ topic: `t/${id}/status`, body: () => ({ id, role: 'device' }) });

describe.each(brokerKinds())('MqttConnection on %s', (kind) => {
  let broker: TestBroker;
  const open: { stop(): Promise<unknown> }[] = [];
  beforeAll(async () => {
    broker = await startTestBroker(kind);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.stop()));
  });
  afterAll(() => broker.stop());

  it('runs hooks, then subscriptions, then publishes its retained online status; stop publishes offline', async () => {
    const { log } = capturedLogger();
    const w = await watcher(broker.url, 't/+/status');
    open.push({ stop: () => w.client.endAsync() });
    const order: string[] = [];
    const conn = new MqttConnection({ settings: settingsFor(broker.url), clientId: `c-${kind}-1`, log, status: status('pi1') });
    open.push(conn);
    conn.onConnect(async () => {
      order.push('hook');
    });
    conn.keepSubscribed('t/pi1/in', 1);
    conn.onMessage((topic, payload) => order.push(`${topic}=${payload.toString()}`));
    await conn.connect();
    expect(conn.connected).toBe(true);
    expect(conn.connects).toBe(1);
    const online = await waitFor('online status', () => w.seen.find((m) => m.topic === 't/pi1/status'));
    expect(JSON.parse(online.body)).toMatchObject({ id: 'pi1', role: 'device', state: 'online' });
    await w.client.publishAsync('t/pi1/in', 'hello', { qos: 1 });
    await waitFor('message', () => order.find((o) => o === 't/pi1/in=hello'));
    expect(order[0]).toBe('hook');
    expect(conn.setStatus('draining')).toBe(true);
    await waitFor('draining', () => w.seen.find((m) => m.body.includes('"draining"')));
    await conn.stop();
    const offline = await waitFor('offline', () => w.seen.find((m) => m.body.includes('"offline"')));
    expect(JSON.parse(offline.body)).toMatchObject({ id: 'pi1', state: 'offline' });
    expect(conn.connected).toBe(false);
    expect(conn.publish('t/x', 'y', 0)).toBe(false);
  });

  it('leaves its last will (retained offline) when its connection dies without a stop', async () => {
    const { log } = capturedLogger();
    // No reconnect within the test: the broker must speak for the client.
    const conn = new MqttConnection({ settings: settingsFor(broker.url), clientId: `c-${kind}-2`, log, status: status('pi2'), minReconnectMs: 60_000 });
    open.push(conn);
    await conn.connect();
    const w = await watcher(broker.url, 't/pi2/status');
    open.push({ stop: () => w.client.endAsync() });
    await waitFor('retained online', () => w.seen.find((m) => m.body.includes('"online"')));
    // Tear the socket down from under the client: the broker sees an abnormal disconnect, no DISCONNECT packet.
    (conn as unknown as { client: { stream: { destroy(): void } } }).client.stream.destroy();
    const will = await waitFor('last will', () => w.seen.find((m) => m.body.includes('"offline"')));
    expect(JSON.parse(will.body)).toMatchObject({ id: 'pi2', role: 'device', state: 'offline' });
  });

  it('never logs the password of a URL or of the settings', async () => {
    const { log, text } = capturedLogger();
    const url = broker.url.replace('mqtt://', 'mqtt://alice:s3cret-pw@');
    const conn = new MqttConnection({ settings: settingsFor(url, { password: 'other-s3cret' }), clientId: `c-${kind}-3`, log });
    open.push(conn);
    expect(conn.safeUrl).toBe(broker.url);
    conn.start();
    await waitFor('a log line about the broker', () => (text().includes('MQTT broker') ? true : undefined));
    await conn.stop();
    expect(text()).not.toMatch(/s3cret/);
    expect(text()).not.toMatch(/alice/);
  });
});

describe('MqttConnection on aedes: failures and reconnects', () => {
  it('fails connect() when the broker refuses a kept subscription (SUBACK 0x80)', async () => {
    const broker = createBroker({
      port: 0, host: '127.0.0.1',
      hooks: { authorizeSubscribe: (_c, sub, cb) => (sub.topic === 'forbidden/#' ? cb(null, null) : cb(null, sub)) },
    });
    const { tcpPort } = await broker.start();
    const { log } = capturedLogger();
    const conn = new MqttConnection({ settings: settingsFor(`mqtt://127.0.0.1:${tcpPort}`), clientId: 'refused', log });
    conn.keepSubscribed('forbidden/#', 1);
    await expect(conn.connect()).rejects.toThrow(/refused subscription forbidden\/#/);
    await conn.stop();
    await broker.stop();
  });

  it('reconnects after the broker restarts and subscribes again; connect() rejects if stopped first', async () => {
    const port = await freePort();
    let broker = createBroker({ port, host: '127.0.0.1' });
    await broker.start();
    const { log } = capturedLogger();
    const conn = new MqttConnection({ settings: settingsFor(`mqtt://127.0.0.1:${port}`), clientId: 'again', log, minReconnectMs: 50, maxReconnectMs: 200 });
    const got: string[] = [];
    const ups: boolean[] = [];
    conn.keepSubscribed('again/in', 0);
    conn.onMessage((_t, p) => got.push(p.toString()));
    conn.onConnection((up) => ups.push(up));
    await conn.connect();
    await broker.stop();
    await waitFor('disconnect seen', () => (ups.includes(false) ? true : undefined));
    broker = createBroker({ port, host: '127.0.0.1' });
    await broker.start();
    await waitFor('second connect', () => (conn.connects >= 2 && ups.at(-1) === true ? true : undefined), 10_000);
    const w = await watcher(`mqtt://127.0.0.1:${port}`, 'unused');
    await waitFor('delivery after reconnect', async () => {
      await w.client.publishAsync('again/in', 'after', { qos: 0 });
      return got.includes('after') ? true : undefined;
    }, 5000, 100);
    await w.client.endAsync();
    await conn.stop();
    await broker.stop();

    const nowhere = new MqttConnection({ settings: settingsFor(`mqtt://127.0.0.1:${await freePort()}`), clientId: 'nowhere', log });
    const pending = nowhere.connect();
    await nowhere.stop();
    await expect(pending).rejects.toThrow(/stopped before the MQTT broker was reached/);
  });
});
