import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import mqtt, { type MqttClient } from 'mqtt';
import { mqttClientSettings, type MqttClientSettings } from '../src/index';

/** A pino logger whose lines land in `lines` (parsed), to check what a service logs. */
export function capturedLogger(): { log: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines, text: () => raw.join('\n') };
}

export const settingsFor = (url: string, extra: Partial<MqttClientSettings> = {}): MqttClientSettings => mqttClientSettings.with({ url, ...extra });

/** A plain mqtt.js client that records what it receives on `filter`. */
export async function watcher(url: string, filter: string): Promise<{ client: MqttClient; seen: { topic: string; body: string; retain: boolean }[] }> {
  const client = await mqtt.connectAsync(url, { clientId: `watch-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0 });
  const seen: { topic: string; body: string; retain: boolean }[] = [];
  client.on('message', (topic, payload, packet) => seen.push({ topic, body: payload.toString(), retain: packet.retain }));
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, seen };
}
