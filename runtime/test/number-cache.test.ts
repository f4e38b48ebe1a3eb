/**
 * mqtt-packet's 65,536-entry number cache stays unbuilt in every MQTT process (see
 * src/mqtt/number-cache.ts): the broker and each MqttConnection switch it off before their
 * first write, and packet ids and lengths still come out right without it.
 */
import { createBroker } from '@helen/broker';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttConnection, mqttNumberCacheEnabled } from '../src/mqtt/index';
import { pino } from 'pino';
import { settingsFor } from './helpers';

const setCache = (on: boolean) => { (mqttPacket.writeToStream as unknown as { cacheNumbers: boolean }).cacheNumbers = on; };

describe('mqtt-packet number cache', () => {
  it('is switched off by creating a broker', () => {
    setCache(true);
    createBroker({ port: 0, host: '127.0.0.1' });
    expect(mqttNumberCacheEnabled()).toBe(false);
  });

  it('is switched off by creating an MqttConnection', () => {
    setCache(true);
    new MqttConnection({ settings: settingsFor('mqtt://127.0.0.1:1'), clientId: 'cache-test', log: pino({ level: 'silent' }) });
    expect(mqttNumberCacheEnabled()).toBe(false);
  });

  describe('QoS 1 round trips without it', () => {
    const broker = createBroker({ port: 0, host: '127.0.0.1', sysIntervalMs: 0 });
    let url = '';
    beforeAll(async () => { url = `mqtt://127.0.0.1:${(await broker.start()).tcpPort}`; });
    afterAll(() => broker.stop());

    it('carries packet ids, and payloads of every remaining-length size class', async () => {
      expect(mqttNumberCacheEnabled()).toBe(false);
      const sub = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
      const pub = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
      const got: number[] = [];
      sub.on('message', (_t, payload) => got.push(payload.length));
      await sub.subscribeAsync('cache/+', { qos: 1 });
      const sizes = [0, 1, 127, 128, 16_383, 16_384, 70_000];
      for (const [i, n] of sizes.entries()) await pub.publishAsync(`cache/${i}`, Buffer.alloc(n, 7), { qos: 1 });
      await expect.poll(() => got.length).toBe(sizes.length);
      expect(got).toEqual(sizes);
      await Promise.all([sub.endAsync(), pub.endAsync()]);
    });
  });
});
