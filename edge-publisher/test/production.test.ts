/** HELEN_ENV=production on the edge: each connection or listener without TLS beyond this machine needs its switch. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@helen/runtime';
import { edgeConfigFromEnv } from '../src/config';

function problems(env: Record<string, string>): string[] {
  try {
    edgeConfigFromEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const finding = (what: string, allow: string, instead?: string) =>
  `HELEN_ENV=production: ${what}; set ${allow}=true to allow it${instead ? ` (${instead})` : ''}`;
const readable = 'without TLS to another machine, so credentials and data cross the network readable';
const MQTT = finding(`HELEN_MQTT_URL=mqtt://cloud.example:1883 is MQTT ${readable}`, 'HELEN_ALLOW_PLAIN_MQTT', 'or use mqtts:// or wss://');
const HA = finding(`HELEN_HA_MQTT_URL=mqtt://192.168.1.10:1883 is MQTT ${readable}`, 'HELEN_ALLOW_PLAIN_MQTT', 'or use mqtts:// or wss://');
const UI = finding('HELEN_EDGE_UI_HOST=0.0.0.0 serves the UI backend over plain HTTP beyond this machine', 'HELEN_ALLOW_PLAIN_HTTP');
const CLOUD = finding(`HELEN_CLOUD_API_URL=http://cloud.example:8000 is HTTP ${readable}`, 'HELEN_ALLOW_PLAIN_HTTP', 'or use https://');

describe('the edge in production mode', () => {
  const mqttMode = { HELEN_MQTT_URL: 'mqtt://cloud.example:1883', HELEN_HA_MQTT_URL: 'mqtt://192.168.1.10:1883', HELEN_EDGE_UI_HOST: '0.0.0.0' };

  it('development accepts anything', () => {
    expect(problems(mqttMode)).toEqual([]);
  });

  it('refuses plain MQTT to the cloud and the home broker and the UI beyond loopback', () => {
    expect(problems({ ...mqttMode, HELEN_ENV: 'production' })).toEqual([MQTT, HA, UI]);
    expect(problems({ ...mqttMode, HELEN_ENV: 'production', HELEN_ALLOW_PLAIN_MQTT: 'true' })).toEqual([UI]);
    expect(problems({ ...mqttMode, HELEN_ENV: 'production', HELEN_ALLOW_PLAIN_MQTT: 'true', HELEN_EDGE_UI: 'false' })).toEqual([]);
  });

  it('in HTTP mode checks the cloud URL instead of the MQTT one', () => {
    const httpMode = { HELEN_MQTT_URL: 'mqtt://cloud.example:1883', HELEN_CLOUD_API_URL: 'http://cloud.example:8000/' };
    expect(problems({ ...httpMode, HELEN_ENV: 'production' })).toEqual([CLOUD]);
    expect(problems({ ...httpMode, HELEN_ENV: 'production', HELEN_ALLOW_PLAIN_HTTP: 'true' })).toEqual([]);
    expect(problems({ HELEN_ENV: 'production', HELEN_CLOUD_API_URL: 'https://cloud.example' })).toEqual([]);
  });

  it('the defaults (broker and UI on this machine) pass', () => {
    expect(problems({ HELEN_ENV: 'production' })).toEqual([]);
  });
});
