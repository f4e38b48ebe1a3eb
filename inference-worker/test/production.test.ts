/** HELEN_ENV=production on the worker: plain MQTT to another machine and /metrics beyond loopback need their switches. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@helen/runtime';
import { workerConfigFromEnv, workerSettings } from '../src/index';

function problems(env: Record<string, string>): string[] {
  try {
    workerConfigFromEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const PLAIN_MQTT = 'HELEN_ENV=production: HELEN_MQTT_URL=ws://broker.example:9001 is MQTT without TLS to another machine, so credentials and data cross the network readable; set HELEN_ALLOW_PLAIN_MQTT=true to allow it (or use mqtts:// or wss://)';
const PLAIN_HTTP = 'HELEN_ENV=production: HELEN_WORKER_HTTP_HOST=0.0.0.0 serves /metrics and /health over plain HTTP beyond this machine; set HELEN_ALLOW_PLAIN_HTTP=true to allow it';

describe('the worker in production mode', () => {
  const remote = { HELEN_MQTT_URL: 'ws://broker.example:9001', HELEN_WORKER_HTTP_PORT: '9464', HELEN_WORKER_HTTP_HOST: '0.0.0.0' };

  it('development accepts anything', () => {
    expect(problems(remote)).toEqual([]);
  });

  it('refuses each insecure setting, one line each, also through the table helen worker parses with', () => {
    expect(problems({ ...remote, HELEN_ENV: 'production' })).toEqual([PLAIN_MQTT, PLAIN_HTTP]);
    expect(() => workerSettings.parse({ ...remote, HELEN_ENV: 'production' })).toThrow(ConfigError);
  });

  it('accepts each with its switch, or the secure setting instead', () => {
    expect(problems({ ...remote, HELEN_ENV: 'production', HELEN_ALLOW_PLAIN_MQTT: 'true' })).toEqual([PLAIN_HTTP]);
    expect(problems({ ...remote, HELEN_ENV: 'production', HELEN_ALLOW_PLAIN_HTTP: 'true' })).toEqual([PLAIN_MQTT]);
    expect(problems({ HELEN_ENV: 'production', HELEN_MQTT_URL: 'wss://broker.example/mqtt', HELEN_WORKER_HTTP_PORT: '9464' })).toEqual([]);
    expect(problems({ HELEN_ENV: 'production' })).toEqual([]); // a broker on this machine, no listener
  });
});
