/**
 * MQTT 5 first, 3.1.1 when the home broker refuses 5: our own aedes 1.x broker speaks only
 * 3.1.1 and answers an MQTT 5 CONNECT with "unacceptable protocol version", so the Home
 * Assistant connection must come up on it anyway, say which version it uses, and work.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { HomeAssistantBridge } from '../src/home-assistant/bridge';
import { homeTopics } from '../src/home-assistant/topics';
import { gestureEvent, waitFor } from './helpers';

describe('Home Assistant connection: MQTT 5 with a 3.1.1 fallback', () => {
  let broker: TestBroker | undefined;
  let bridge: HomeAssistantBridge | undefined;

  afterEach(async () => {
    await bridge?.stop();
    await broker?.stop();
    bridge = undefined;
    broker = undefined;
  });

  it('falls back to 3.1.1 on aedes, logs it, and then announces and publishes as usual', async () => {
    broker = await startTestBroker('aedes');
    // Plain MQTT 5 is refused there, as the fallback assumes.
    await expect(mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 })).rejects.toThrow(/protocol version/i);

    const lines: { msg?: string; mqtt?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { msg?: string }) });
    const topics = homeTopics('homeassistant', 'pi-v4');
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    const seen: { topic: string; text: string }[] = [];
    watcher.on('message', (topic, payload) => seen.push({ topic, text: payload.toString('utf8') }));
    await watcher.subscribeAsync(['homeassistant/#', 'helen/pi-v4/#'], { qos: 1 });
    try {
      bridge = new HomeAssistantBridge({
        settings: { url: broker.url, username: undefined, password: undefined, caFile: undefined, discoveryPrefix: 'homeassistant' },
        deviceId: 'pi-v4', labels: ['Foco', 'Inicio'], minReconnectMs: 100,
      }, log);
      const b = bridge;
      b.start();
      await waitFor(() => b.connected && seen.some((m) => m.topic === topics.availability && m.text === 'online'), 10_000, 'online over 3.1.1');
      expect(b.connection.protocolVersion).toBe(4);
      expect(lines.some((l) => /refused MQTT 5/.test(l.msg ?? ''))).toBe(true);
      expect(lines.find((l) => l.msg?.startsWith('connected to the home broker'))).toMatchObject({ mqtt: '3.1.1' });
      expect(seen.filter((m) => m.topic.endsWith('/config'))).toHaveLength(3);

      b.send(gestureEvent('Foco'));
      await waitFor(() => seen.some((m) => m.topic === topics.actions && m.text === 'Foco'), 5000, 'gesture');

      // Home Assistant's birth message on a 3.1.1 broker works the same.
      const configsBefore = seen.filter((m) => m.topic.endsWith('/config')).length;
      await watcher.publishAsync(topics.haStatus, 'online', { qos: 1 });
      await waitFor(() => seen.filter((m) => m.topic.endsWith('/config')).length === configsBefore + 3, 5000, 're-announcement');
    } finally {
      await watcher.endAsync(true);
    }
  });
});
